import { asProblem, pointerSegments } from '../../components/ProblemAlert.js';

/** One problem the API named, by the field it names (pointer without `/body`). */
export interface FieldProblem {
  field: string;
  detail: string;
}

/** The problems of an answer, each by its field's pointer (`/details/wasteCode`). */
export function fieldProblems(problem: unknown): FieldProblem[] {
  const p = asProblem(problem);
  return (p?.errors ?? []).map((e) => {
    const segments = pointerSegments(e.field);
    const rest = segments[0] === 'body' ? segments.slice(1) : segments;
    return { field: `/${rest.join('/')}`, detail: e.detail };
  });
}

const capitalise = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/**
 * A schema's message as the form says it: patterns become the field's rule of thumb (`rule`,
 * e.g. "2 to 10 digits"), lengths and bounds plain words; never a pattern or a type name.
 */
export function inWords(detail: string, rule?: string): string {
  const text = detail.trim();
  let m: RegExpMatchArray | null;
  if (/^must match pattern/.test(text)) return rule ?? 'Not in the expected form';
  if (/^must match format "date-time"|^not a valid date-time/.test(text)) return 'Not a valid date';
  if ((m = /^must not have fewer than (\d+) characters/.exec(text)))
    return m[1] === '1' ? 'Required' : `At least ${m[1]} characters`;
  if ((m = /^must not have more than (\d+) characters/.exec(text)))
    return `At most ${m[1]} characters`;
  if ((m = /^must not have more than (\d+) items/.exec(text))) return `At most ${m[1]} entries`;
  if ((m = /^must be > (-?[\d.]+)/.exec(text))) return `Must be more than ${m[1]}`;
  if ((m = /^must be >= (-?[\d.]+)/.exec(text))) return `At least ${m[1]}`;
  if ((m = /^must be <= (-?[\d.]+)/.exec(text))) return `At most ${m[1]}`;
  if (/^must be integer/.test(text)) return 'A whole number';
  if (/^must be number/.test(text)) return 'A number, e.g. 250 or 12.5';
  if (/^must be (string|boolean|object|array)/.test(text))
    return rule ?? 'Not in the expected form';
  if (/^must be one of/.test(text)) return 'Choose one of the list';
  if (text === 'required') return 'Required';
  if (text === 'unknown field') return 'Not asked for this permit type';
  if (text === 'must be after validFrom') return 'Must be after the first day';
  // Anything else is already words; a pattern, should one slip through, is left out.
  return capitalise(text.replace(/\s*"\^[^"]*\$"/g, ''));
}

/**
 * The problems for one field of the form (the pointer itself and anything inside it), in words.
 * For a list field, `values` are the entries the user wrote: an entry's problem names it.
 */
export function problemAt(
  problems: readonly FieldProblem[],
  pointer: string,
  rule?: string,
  values?: readonly string[],
): string | null {
  const found = problems.filter((p) => p.field === pointer || p.field.startsWith(`${pointer}/`));
  if (found.length === 0) return null;
  const words = found.map((p) => {
    const index = /^\/(\d+)/.exec(p.field.slice(pointer.length))?.[1];
    const said = inWords(p.detail, rule);
    const entry = index !== undefined ? values?.[Number(index)] : undefined;
    return entry !== undefined && !said.includes(entry) ? `“${entry}”: ${said}` : said;
  });
  return [...new Set(words)].join('; ');
}
