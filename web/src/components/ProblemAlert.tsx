import type { ProblemShape } from '../api.js';

/** Readable names for the fields of a form, by JSON pointer (`/body/goods/*` matches any item). */
export type FieldLabels = Readonly<Record<string, string>>;

/** Words for the names the API uses in its pointers that camel case does not spell out. */
const WORDS: Readonly<Record<string, string>> = {
  hsCode: 'HS code',
  hs: 'HS code',
  id: 'id',
  to: 'partners',
  refTo: 'message answered',
  locode: 'UN/LOCODE',
  url: 'URL',
};

/** `priorityArea` → `priority area`. */
const spell = (name: string): string =>
  WORDS[name] ??
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();

const capitalise = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** The segments of a pointer as the API gives it (`/body/x`, or `body/x` from request checks). */
export function pointerSegments(field: string): string[] {
  return field
    .replace(/^\/+/, '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * A field of a problem as words: its label when the form names it (the pointer itself, or with
 * item numbers as `*`), else the pointer spelled out: `/body/goods/0/hsCode` → `Goods 1, HS code`.
 */
export function fieldWords(field: string, labels: FieldLabels = {}): string {
  const segments = pointerSegments(field);
  const pointer = `/${segments.join('/')}`;
  const generic = `/${segments.map((s) => (/^\d+$/.test(s) ? '*' : s)).join('/')}`;
  const label = labels[pointer] ?? labels[generic];
  if (label) return label;
  // A longer label for the start of the pointer: `/body/goods/*` for `/body/goods/0/hsCode`.
  for (let n = segments.length - 1; n > 0; n--) {
    const head = `/${segments
      .slice(0, n)
      .map((s) => (/^\d+$/.test(s) ? '*' : s))
      .join('/')}`;
    const headLabel = labels[`/${segments.slice(0, n).join('/')}`] ?? labels[head];
    if (headLabel) return [headLabel, ...spelled(segments.slice(n))].join(', ');
  }
  // `body` and `querystring` name where in the request, not a field anyone filled in.
  const rest = ['body', 'querystring', 'params'].includes(segments[0] ?? '')
    ? segments.slice(1)
    : segments;
  return rest.length === 0 ? 'The request' : capitalise(spelled(rest).join(', '));
}

function spelled(segments: string[]): string[] {
  const out: string[] = [];
  for (const s of segments) {
    if (/^\d+$/.test(s) && out.length > 0) out[out.length - 1] += ` ${Number(s) + 1}`;
    else if (/^\d+$/.test(s)) out.push(`item ${Number(s) + 1}`);
    else out.push(spell(s));
  }
  return out;
}

/** The problem document in an error, if it is one (RFC 9457, as the API answers). */
export function asProblem(error: unknown): ProblemShape | null {
  if (!error || typeof error !== 'object') return null;
  const p = error as ProblemShape;
  return typeof p.title === 'string' || typeof p.detail === 'string' ? p : null;
}

/** The error the problem names for a field (the field itself or anything inside it). */
export function fieldError(problem: unknown, field: string | readonly string[]): string | null {
  const p = asProblem(problem);
  if (!p?.errors) return null;
  const wanted = (typeof field === 'string' ? [field] : field).map((f) =>
    pointerSegments(f).join('/'),
  );
  const found = p.errors.filter((e) => {
    const f = pointerSegments(e.field).join('/');
    return wanted.some((w) => f === w || f.startsWith(`${w}/`));
  });
  return found.length > 0 ? found.map((e) => e.detail).join('; ') : null;
}

/**
 * A failure as people read it: the problem's title and detail, then each field it names, in
 * words. Renders nothing without an error. Anything else thrown (a network failure) shows as its
 * message.
 */
export function ProblemAlert({
  problem,
  labels,
  className,
}: {
  problem: unknown;
  labels?: FieldLabels;
  className?: string;
}) {
  if (problem === null || problem === undefined || problem === false) return null;
  const p = asProblem(problem);
  const cls = `error problem${className ? ` ${className}` : ''}`;
  if (!p) {
    const text =
      problem instanceof Error ? problem.message : typeof problem === 'string' ? problem : '';
    return (
      <div role="alert" className={cls}>
        {text || 'Something went wrong; try again.'}
      </div>
    );
  }
  const detail = p.detail && p.detail !== p.title ? p.detail : null;
  return (
    <div role="alert" className={cls}>
      <strong>{p.title ?? 'Refused'}</strong>
      {detail && <span> — {detail}</span>}
      {p.errors && p.errors.length > 0 && (
        <ul>
          {p.errors.map((e, k) => (
            <li key={k}>
              {fieldWords(e.field, labels)}: {e.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
