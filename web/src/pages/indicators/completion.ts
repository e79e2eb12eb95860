import type { ConditionReference } from './types.js';

/** One completion the condition editor offers: what it inserts, and what it is. */
export interface Suggestion {
  kind: 'variable' | 'field' | 'helper' | 'list';
  /** The name as shown. */
  label: string;
  /** What replaces the word being typed. */
  insert: string;
  detail: string;
}

export interface Completion {
  /** The word being typed: text[start, end) is what a suggestion replaces. */
  start: number;
  end: number;
  items: Suggestion[];
}

const MAX_SUGGESTIONS = 8;
const VARIABLES: ReadonlyArray<[string, string]> = [
  ['declaration', 'the declaration as a whole'],
  ['item', 'the goods item being screened'],
  ['trader', 'the declarant and its compliance record'],
];

/**
 * What can complete the word before the caret: inside the quotes of the list argument of
 * `hsIn` / `inList`, the reference lists; elsewhere the variables, fields and helpers whose name
 * starts with the word (a bare `valu` also finds `item.value`). Nothing when no word is begun.
 */
export function completionAt(
  ref: ConditionReference,
  text: string,
  caret: number,
): Completion | null {
  let start = caret;
  while (start > 0 && /[A-Za-z0-9_.-]/.test(text[start - 1]!)) start--;
  const quote = text[start - 1];
  if (
    (quote === '"' || quote === "'") &&
    /\b(hsIn|inList)\s*\([^()]*,\s*$/.test(text.slice(0, start - 1))
  ) {
    const word = text.slice(start, caret);
    const items = ref.lists
      .filter((l) => l.name.startsWith(word))
      .slice(0, MAX_SUGGESTIONS)
      .map<Suggestion>((l) => ({ kind: 'list', label: l.name, insert: l.name, detail: l.title }));
    return items.length === 0 || (items.length === 1 && items[0]!.insert === word)
      ? null
      : { start, end: caret, items };
  }
  start = caret;
  while (start > 0 && /[A-Za-z0-9_.]/.test(text[start - 1]!)) start--;
  const word = text.slice(start, caret);
  // Inside a string, after a number, or nothing typed yet: nothing to complete.
  if (word === '' || /^[0-9.]/.test(word) || insideString(text.slice(0, start))) return null;
  const bare = !word.includes('.');
  const candidates: Suggestion[] = [
    ...(bare
      ? VARIABLES.map<Suggestion>(([name, detail]) => ({
          kind: 'variable',
          label: name,
          insert: `${name}.`,
          detail,
        }))
      : []),
    ...ref.helpers.map<Suggestion>((h) => ({
      kind: 'helper',
      label: h.name,
      insert: `${h.name}(`,
      detail: h.doc,
    })),
    ...ref.fields.map<Suggestion>((f) => ({
      kind: 'field',
      label: f.name,
      insert: f.name,
      detail: `${f.type}: ${f.doc}`,
    })),
  ];
  const lower = word.toLowerCase();
  const starts = candidates.filter((c) => c.label.toLowerCase().startsWith(lower));
  const byLastName = bare
    ? candidates.filter(
        (c) =>
          c.kind === 'field' &&
          !starts.includes(c) &&
          c.label.split('.').pop()!.toLowerCase().startsWith(lower),
      )
    : [];
  const items = [...starts, ...byLastName].slice(0, MAX_SUGGESTIONS);
  if (items.length === 0 || (items.length === 1 && items[0]!.insert === word)) return null;
  return { start, end: caret, items };
}

/** True when the text ends inside an open string literal. */
function insideString(before: string): boolean {
  let open: string | null = null;
  for (let k = 0; k < before.length; k++) {
    const c = before[k]!;
    if (open) {
      if (c === '\\') k++;
      else if (c === open) open = null;
    } else if (c === '"' || c === "'") open = c;
  }
  return open !== null;
}

/** The text with the suggestion in place of the word, and where the caret goes. */
export function applyCompletion(
  text: string,
  completion: Pick<Completion, 'start' | 'end'>,
  insert: string,
): { text: string; caret: number } {
  return {
    text: text.slice(0, completion.start) + insert + text.slice(completion.end),
    caret: completion.start + insert.length,
  };
}
