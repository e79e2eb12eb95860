/**
 * Deterministic trademark matching for customs screening: the brand a goods item is declared
 * with (and its description) against the marks registered in applications for action.
 *
 * Counterfeiters rarely declare the mark as registered. They change its case, add accents or
 * spaces, swap letters for digits or for Cyrillic and Greek letters that look the same, or drop
 * a letter. This module recognises those variants with plain, explainable rules rather than a
 * score, so an officer can see why goods were flagged and the same declaration always gives the
 * same answer:
 *
 * - `exact`: the declared brand is the mark, character for character;
 * - `normalised`: equal once case, diacritics, spaces and punctuation are ignored;
 * - `confusable`: equal once look-alike characters (`0`/`o`, Cyrillic `о`/`o`, `rn`/`m`…) are
 *   folded to one skeleton;
 * - `near`: the skeletons differ by a single edit, for marks long enough (six characters or more)
 *   that one edit still leaves them distinctive. Only the brand field is checked this way: free
 *   text descriptions hold too many ordinary words one edit away from some mark.
 *
 * A match always covers a whole mark, never a prefix of a word ("Applebee" does not bear "Apple",
 * "Nikon" does not bear "Nike"). Inputs come from declarations and are hostile: only the first
 * {@link MAX_CHARS} characters and {@link MAX_WORDS} words of each string are read, and the work
 * per word is bounded by map look-ups, so a huge description cannot stall screening.
 *
 * Pure and deterministic: no I/O, no dependencies, no locale-sensitive operations.
 */

/** How a declared brand matched a registered mark, best first. */
export type MarkMatchKind = 'exact' | 'normalised' | 'confusable' | 'near';

/** A registered mark to index: `id` is returned with every match of `mark`. */
export interface MarkEntry {
  id: string;
  mark: string;
}

/** One mark a goods item appears to bear. */
export interface MarkMatch {
  id: string;
  mark: string;
  kind: MarkMatchKind;
  /** The words of the brand or description, as written, that matched the mark. */
  matchedText: string;
}

/**
 * An index of registered marks built by {@link buildMarkIndex}, read only by
 * {@link matchMarks}. Its content is internal.
 */
export interface MarkIndex {
  readonly __markIndex: true;
}

/** Characters of each brand or description read; the rest is ignored. */
export const MAX_CHARS = 2000;
/** Words of each brand or description read; the rest is ignored. */
export const MAX_WORDS = 200;
/** Shortest mark skeleton that may match with one edit: shorter marks are too close to words. */
export const NEAR_MIN_LENGTH = 6;
/** Shortest normalised form or skeleton that matches at all: one character marks nothing. */
const MIN_KEY_LENGTH = 2;

const KIND_RANK: Readonly<Record<MarkMatchKind, number>> = {
  exact: 0,
  normalised: 1,
  confusable: 2,
  near: 3,
};

/**
 * Look-alike capitals, folded before lower-casing: a Greek capital Nu looks like `N` although its
 * lower case looks like `v`, and a Cyrillic capital En looks like `H`.
 */
const UPPER_CONFUSABLES: ReadonlyMap<string, string> = new Map([
  // Cyrillic
  ['А', 'a'],
  ['В', 'b'],
  ['Е', 'e'],
  ['К', 'k'],
  ['М', 'm'],
  ['Н', 'h'],
  ['О', 'o'],
  ['Р', 'p'],
  ['С', 'c'],
  ['Т', 't'],
  ['У', 'y'],
  ['Х', 'x'],
  ['І', 'l'],
  ['Ј', 'j'],
  ['Ѕ', 's'],
  ['Ԁ', 'd'],
  ['Ԛ', 'q'],
  ['Ԝ', 'w'],
  ['Ӏ', 'l'],
  ['Һ', 'h'],
  // Greek
  ['Α', 'a'],
  ['Β', 'b'],
  ['Ε', 'e'],
  ['Ζ', 'z'],
  ['Η', 'h'],
  ['Ι', 'l'],
  ['Κ', 'k'],
  ['Μ', 'm'],
  ['Ν', 'n'],
  ['Ο', 'o'],
  ['Ρ', 'p'],
  ['Τ', 't'],
  ['Υ', 'y'],
  ['Χ', 'x'],
]);

/**
 * Look-alike characters after lower-casing, each to its final skeleton character (no chaining:
 * `i`, `1`, `|`, `!` and the Cyrillic and Greek i-like letters all become `l`).
 */
const LOWER_CONFUSABLES: ReadonlyMap<string, string> = new Map([
  // Cyrillic
  ['а', 'a'],
  ['в', 'b'],
  ['е', 'e'],
  ['г', 'r'],
  ['к', 'k'],
  ['м', 'm'],
  ['н', 'h'],
  ['о', 'o'],
  ['п', 'n'],
  ['р', 'p'],
  ['с', 'c'],
  ['т', 't'],
  ['у', 'y'],
  ['х', 'x'],
  ['ь', 'b'],
  ['і', 'l'],
  ['ј', 'j'],
  ['ѕ', 's'],
  ['ԁ', 'd'],
  ['ԛ', 'q'],
  ['ԝ', 'w'],
  ['ӏ', 'l'],
  ['һ', 'h'],
  // Greek
  ['α', 'a'],
  ['β', 'b'],
  ['γ', 'y'],
  ['ε', 'e'],
  ['η', 'n'],
  ['ι', 'l'],
  ['κ', 'k'],
  ['μ', 'u'],
  ['ν', 'v'],
  ['ο', 'o'],
  ['ρ', 'p'],
  ['τ', 't'],
  ['υ', 'u'],
  ['χ', 'x'],
  ['ω', 'w'],
  ['ς', 'σ'],
  // Latin look-alikes
  ['i', 'l'],
  ['ı', 'l'],
  ['ɩ', 'l'],
  ['ɑ', 'a'],
  ['ß', 'ss'],
  // Digits and symbols
  ['0', 'o'],
  ['1', 'l'],
  ['3', 'e'],
  ['4', 'a'],
  ['5', 's'],
  ['7', 't'],
  ['8', 'b'],
  ['$', 's'],
  ['@', 'a'],
  ['|', 'l'],
  ['!', 'l'],
]);

/** Characters that make up a word. `$ @ | !` count because they stand in for letters. */
const WORD = /[\p{L}\p{M}\p{N}$@|!]+/gu;
const NOT_LETTER_MARK_DIGIT = /[^\p{L}\p{M}\p{N}]/gu;
const NOT_WORD_CHAR = /[^\p{L}\p{M}\p{N}$@|!]/gu;
const NOT_LETTER_DIGIT = /[^\p{L}\p{N}]/gu;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARK = /^\p{M}$/u;

/**
 * The form of a mark that ignores case, diacritics, spacing and punctuation: letters and digits
 * only. Punctuation and symbols are dropped before compatibility decomposition, so a `™` after a
 * mark does not turn into the letters "tm".
 */
export function normaliseMark(s: string): string {
  return s
    .replace(NOT_LETTER_MARK_DIGIT, '')
    .normalize('NFKD')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/ς/g, 'σ')
    .replace(NOT_LETTER_DIGIT, '');
}

/** Look-alike folding character by character; `rn` and `vv` are folded by {@link collapse}. */
function foldChars(s: string): string {
  let out = '';
  for (const ch of s.replace(NOT_WORD_CHAR, '').normalize('NFKD')) {
    if (MARK.test(ch)) continue;
    const upper = UPPER_CONFUSABLES.get(ch);
    if (upper !== undefined) {
      out += upper;
      continue;
    }
    for (const c of ch.toLowerCase()) {
      const mapped = LOWER_CONFUSABLES.get(c);
      if (mapped !== undefined) out += mapped;
      else if (LETTER_OR_DIGIT.test(c)) out += c;
    }
  }
  return out;
}

/** Look-alike letter pairs, folded once the characters of a whole run of words are joined. */
function collapse(s: string): string {
  return s.replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/**
 * The skeleton of a mark: its normalised form with look-alike characters folded to one Latin
 * letter, so that "Sw00shex", "SWOOSHEX" and "Swооshex" (Cyrillic о) all read "swooshex".
 * The symbols that stand in for letters (`$ @ | !`) are folded before punctuation is dropped.
 */
export function brandSkeleton(s: string): string {
  return collapse(foldChars(s));
}

interface IndexedMark {
  id: string;
  mark: string;
  /** Number of words of the mark: a run of at most one more word may match it. */
  words: number;
}

/** Marks sharing one skeleton, compared once for near matching. */
interface SkeletonGroup {
  codePoints: readonly string[];
  marks: IndexedMark[];
}

interface IndexData extends MarkIndex {
  exact: Map<string, IndexedMark[]>;
  byNormalised: Map<string, IndexedMark[]>;
  bySkeleton: Map<string, IndexedMark[]>;
  /**
   * For marks long enough for near matching, their skeleton and each of its one-character
   * deletions, to the skeleton groups they come from: two strings one edit apart always share
   * one of these keys, so near matching never looks at marks further away.
   */
  byDeletion: Map<string, SkeletonGroup[]>;
  /** Skeleton lengths (in code points) of the marks in `byDeletion`. */
  nearLengths: Set<number>;
  /** Longest run of words worth building: the largest mark word count plus one. */
  maxRun: number;
  maxNormalisedLength: number;
  maxSkeletonLength: number;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

/** The string of code points `cps` without each of them in turn. */
function deletions(cps: readonly string[]): string[] {
  const out: string[] = [];
  const s = cps.join('');
  if (s.length === cps.length) {
    // One code unit per code point (the usual case): plain slices.
    for (let i = 0; i < s.length; i++) out.push(s.slice(0, i) + s.slice(i + 1));
    return out;
  }
  for (let i = 0; i < cps.length; i++)
    out.push(cps.slice(0, i).join('') + cps.slice(i + 1).join(''));
  return out;
}

function wordCount(s: string): number {
  let n = 0;
  for (const _ of s.matchAll(WORD)) n++;
  return n;
}

/**
 * Indexes marks once for many screenings: by exact text, by normalised form and by skeleton for
 * constant-time look-ups, and by single-character deletions of the skeleton so that near
 * matching only ever compares a word run with marks one edit away, not with every mark.
 */
export function buildMarkIndex(marks: readonly MarkEntry[]): MarkIndex {
  const data: IndexData = {
    __markIndex: true,
    exact: new Map(),
    byNormalised: new Map(),
    bySkeleton: new Map(),
    byDeletion: new Map(),
    nearLengths: new Set(),
    maxRun: 1,
    maxNormalisedLength: 0,
    maxSkeletonLength: 0,
  };
  const groups = new Map<string, SkeletonGroup>();
  for (const { id, mark } of marks) {
    const trimmed = mark.trim();
    if (trimmed === '') continue;
    const words = Math.max(1, wordCount(trimmed));
    const normalised = normaliseMark(trimmed);
    const skeleton = brandSkeleton(trimmed);
    const m: IndexedMark = { id, mark, words };
    push(data.exact, trimmed, m);
    data.maxRun = Math.max(data.maxRun, words + 1);
    if (normalised.length >= MIN_KEY_LENGTH) {
      push(data.byNormalised, normalised, m);
      data.maxNormalisedLength = Math.max(data.maxNormalisedLength, normalised.length);
    }
    if (skeleton.length >= MIN_KEY_LENGTH) {
      push(data.bySkeleton, skeleton, m);
      data.maxSkeletonLength = Math.max(data.maxSkeletonLength, skeleton.length);
      const cps = [...skeleton];
      if (cps.length >= NEAR_MIN_LENGTH) {
        const group = groups.get(skeleton);
        if (group !== undefined) group.marks.push(m);
        else {
          const g: SkeletonGroup = { codePoints: cps, marks: [m] };
          groups.set(skeleton, g);
          data.nearLengths.add(cps.length);
          push(data.byDeletion, skeleton, g);
          for (const d of deletions(cps)) push(data.byDeletion, d, g);
        }
      }
    }
  }
  return data;
}

/**
 * Whether the optimal string alignment distance between `a` and `b` is exactly one: one
 * substitution, insertion, deletion or swap of adjacent characters. Linear, unlike the full
 * distance, because nothing further away is ever a match.
 */
function oneEditApart(a: readonly string[], b: readonly string[]): boolean {
  if (a.length < b.length) return oneEditApart(b, a);
  if (a.length - b.length > 1) return false;
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (i === a.length) return false; // equal
    const restEqual = (from: number) => {
      for (let k = from; k < a.length; k++) if (a[k] !== b[k]) return false;
      return true;
    };
    if (restEqual(i + 1)) return true; // substitution
    return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && restEqual(i + 2);
  }
  // a is one longer: drop a[i] and the rest must agree.
  for (let k = i; k < b.length; k++) if (a[k + 1] !== b[k]) return false;
  return true;
}

interface Word {
  start: number;
  end: number;
  normalised: string;
  folded: string;
}

/** The first words of `text` (already cut to the character cap), with their keys. */
function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    // A trailing `!` is sentence punctuation, not a letter: "Swooshex!" is "Swooshex".
    const raw = m[0].replace(/!+$/, '');
    if (raw === '') continue;
    out.push({
      start: m.index,
      end: m.index + raw.length,
      normalised: normaliseMark(raw),
      folded: foldChars(raw),
    });
    if (out.length >= MAX_WORDS) break;
  }
  return out;
}

/**
 * The registered marks the brand (and description) bear, at most one result per mark id with its
 * best kind, sorted by kind then id. A mark matches a contiguous run of words, compared as a
 * whole: with or without the spaces between the words ("Swoosh Ex" is "Swooshex"), never as a
 * prefix of a longer word. Near matches are looked for in the brand only.
 */
export function matchMarks(index: MarkIndex, brand: string, description = ''): MarkMatch[] {
  const data = index as IndexData;
  const best = new Map<string, MarkMatch>();
  const consider = (m: IndexedMark, kind: MarkMatchKind, matchedText: string): void => {
    const current = best.get(m.id);
    if (current !== undefined && KIND_RANK[current.kind] <= KIND_RANK[kind]) return;
    best.set(m.id, { id: m.id, mark: m.mark, kind, matchedText });
  };

  // A brand longer than the cap is never a registered mark as written.
  const trimmed = brand.length <= MAX_CHARS ? brand.trim() : '';
  if (trimmed !== '') for (const m of data.exact.get(trimmed) ?? []) consider(m, 'exact', trimmed);

  scan(data, brand.slice(0, MAX_CHARS), true, consider);
  scan(data, description.slice(0, MAX_CHARS), false, consider);

  return [...best.values()].sort(
    (a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * Tries every run of up to `maxRun` words of `text` against the index, stopping a run once it is
 * longer than any mark could be.
 */
function scan(
  data: IndexData,
  text: string,
  near: boolean,
  consider: (m: IndexedMark, kind: MarkMatchKind, matchedText: string) => void,
): void {
  if (text === '') return;
  const words = wordsOf(text);
  // `rn` and `vv` fold two characters into one, so a run's skeleton is at least half as long.
  const maxFolded = 2 * (data.maxSkeletonLength + 1);
  // Lists already offered in full at some rank: a brand repeating a mark is not re-offered it.
  const offered = new Map<object, number>();
  const offer = (
    list: readonly IndexedMark[],
    key: object,
    kind: MarkMatchKind,
    runWords: number,
    matched: () => string,
  ): void => {
    const rank = KIND_RANK[kind];
    if ((offered.get(key) ?? Infinity) <= rank) return;
    let all = true;
    for (const m of list) {
      if (runWords <= m.words + 1) consider(m, kind, matched());
      else all = false;
    }
    if (all) offered.set(key, rank);
  };
  for (let i = 0; i < words.length; i++) {
    let normalised = '';
    let folded = '';
    for (let j = i; j < words.length && j - i < data.maxRun; j++) {
      const w = words[j]!;
      normalised += w.normalised;
      folded += w.folded;
      if (normalised.length > data.maxNormalisedLength && folded.length > maxFolded) break;
      const runWords = j - i + 1;
      const matched = () => text.slice(words[i]!.start, w.end);
      const byNormalised = normalised.length >= MIN_KEY_LENGTH && data.byNormalised.get(normalised);
      if (byNormalised) offer(byNormalised, byNormalised, 'normalised', runWords, matched);
      const skeleton = collapse(folded);
      if (skeleton.length < MIN_KEY_LENGTH) continue;
      const bySkeleton = data.bySkeleton.get(skeleton);
      if (bySkeleton) offer(bySkeleton, bySkeleton, 'confusable', runWords, matched);
      if (!near) continue;
      const cps = [...skeleton];
      const n = cps.length;
      if (!data.nearLengths.has(n - 1) && !data.nearLengths.has(n) && !data.nearLengths.has(n + 1))
        continue;
      const seen = new Set<SkeletonGroup>();
      for (const key of [skeleton, ...deletions(cps)])
        for (const g of data.byDeletion.get(key) ?? []) {
          if (seen.has(g)) continue;
          seen.add(g);
          if (oneEditApart(cps, g.codePoints)) offer(g.marks, g, 'near', runWords, matched);
        }
    }
  }
}
