import { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { MessageNode } from './message-node.js';
import { firstOnPath, parseNodePath, resolvePath, type NodePath } from './node-path.js';

/**
 * The functions rule assertions call, with their CEL signatures. Every one but `substringAfter`
 * takes the element it starts from first: `node` (the context element of the rule) or an element
 * bound by a macro (`nodes(node, 'X').exists(n, …)`). Paths are string literals, checked when the
 * pack is loaded (see node-path.ts); so are regular expressions.
 *
 * Values follow HMRC's rule helpers: text is the element's whole text as written (untrimmed);
 * numbers are read as Java's Double.parseDouble reads them (blanks around allowed), NaN when the
 * element is absent or not a number, and NaN compares false with everything in CEL.
 */
export const RULE_FUNCTIONS = {
  exists: {
    signature: 'exists(Node, string): bool',
    doc: 'the path reaches at least one element',
  },
  absent: {
    signature: 'absent(Node, string): bool',
    doc: 'the path reaches no element',
  },
  value: {
    signature: 'value(Node, string): string',
    doc: "text of the first element reached, as written; '' when none",
  },
  trim: {
    signature: 'trim(Node, string): string',
    doc: 'value() without leading and trailing blanks and control characters (Java trim)',
  },
  number: {
    signature: 'number(Node, string): double',
    doc: 'the first element reached as a decimal number; NaN when absent or not a number',
  },
  intOrElse: {
    signature: 'intOrElse(Node, string, int): int',
    doc: 'the first element reached as a whole number (32-bit), or the default',
  },
  count: {
    signature: 'count(Node, string): int',
    doc: 'how many elements the path reaches',
  },
  countEquals: {
    signature: 'countEquals(Node, string, string): int',
    doc: 'how many elements reached have this trimmed text',
  },
  countDistinct: {
    signature: 'countDistinct(Node, string, bool): int',
    doc: 'how many different texts the elements reached have (trimmed first when the flag is true)',
  },
  countDistinctChildCount: {
    signature: 'countDistinctChildCount(Node, string): int',
    doc: 'how many different numbers of child elements the elements reached have',
  },
  allHave: {
    signature: 'allHave(Node, string, string, string): bool',
    doc: 'every element reached by the first path has, under the second path, one element with this trimmed text (true when the first path reaches none)',
  },
  areIndices: {
    signature: 'areIndices(Node, string): bool',
    doc: 'the elements reached hold the whole numbers 1, 2, 3 … in document order',
  },
  sum: {
    signature: 'sum(Node, string): double',
    doc: 'sum of the elements reached as numbers (NaN if one is not a number; 0 when none)',
  },
  matches: {
    signature: 'matches(Node, string, string): bool',
    doc: 'the first element reached exists and its whole text (at most 4096 characters) matches the regular expression (RE2 syntax, anchored at both ends, linear time: no backreferences or lookaround)',
  },
  isNaN: {
    signature: 'isNaN(double): bool',
    doc: 'the number is NaN (number() of an absent element or of text that is not a number)',
  },
  substringAfter: {
    signature: 'substringAfter(string, string): string',
    doc: "what follows the first occurrence of the separator's first character; '' when none",
  },
  nodes: {
    signature: 'nodes(Node, string): list<Node>',
    doc: "the elements reached, for the macros: nodes(node, 'X').exists(n, …)",
  },
} as const;
export type RuleFunctionName = keyof typeof RULE_FUNCTIONS;

/** Functions whose second argument is a path; `allHave` takes two, `matches` a regex third. */
export const PATH_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  exists: [1],
  absent: [1],
  value: [1],
  trim: [1],
  number: [1],
  intOrElse: [1],
  count: [1],
  countEquals: [1],
  countDistinct: [1],
  countDistinctChildCount: [1],
  allHave: [1, 2],
  areIndices: [1],
  sum: [1],
  matches: [1],
  nodes: [1],
};

/** Paths and regular expressions seen at load time, compiled once and shared by every evaluation. */
const paths = new Map<string, NodePath>();
const regexes = new Map<string, CompiledRegex>();

/** A compiled whole-text pattern: `test(text)` is true when the whole text matches. */
export type CompiledRegex = Pick<RE2JS, 'test'>;

/** Compiles a path (cached); throws an Error naming what is wrong. */
export function compilePath(text: string): NodePath {
  let path = paths.get(text);
  if (!path) {
    path = parseNodePath(text);
    paths.set(text, path);
  }
  return path;
}

/**
 * Longest text `matches()` tests; a longer one does not match. No ENS field comes near it (the
 * longest are 512 characters), and it bounds what a regular expression can cost on hostile input.
 */
export const MAX_MATCHED_TEXT = 4096;

/**
 * Largest compiled program a pattern may have (RE2's own measure of its cost: matching takes time
 * proportional to it times the text). The shipped ENS patterns are below 130.
 */
export const MAX_REGEX_PROGRAM = 2000;

/**
 * Compiles a regular expression for a whole-text match (cached), on RE2 (re2js): matching takes
 * time linear in the text, whatever the pattern, so a pack cannot stall the node the way a
 * backtracking engine can (`(a|a)*b`, `(a+)*`). Throws on bad syntax and on what RE2 does not run
 * (backreferences, lookahead and lookbehind), with a message that says so.
 */
export function compileRegex(source: string): CompiledRegex {
  let re = regexes.get(source);
  if (!re) {
    let compiled: RE2JS;
    try {
      compiled = RE2JS.compile(`^(?:${source})$`);
    } catch (e) {
      throw new Error(
        `'${source}' is not a regular expression GreenLane runs (RE2 syntax, linear time: no backreferences, lookahead or lookbehind): ${(e as Error).message}`,
      );
    }
    if (compiled.programSize() > MAX_REGEX_PROGRAM) {
      throw new Error(
        `'${source}' compiles to ${compiled.programSize()} instructions, more than ${MAX_REGEX_PROGRAM}: lower its repeat counts`,
      );
    }
    re = compiled;
    regexes.set(source, re);
  }
  return re;
}

/** Java's String.trim: strips every character up to U+0020 at both ends. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Java's Double.parseDouble grammar (decimal forms; hexadecimal floats are not accepted here). */
const JAVA_DOUBLE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;

/** A text as Java reads a double, NaN when it is not one. */
export function javaDouble(text: string): number {
  const t = javaTrim(text);
  if (!JAVA_DOUBLE.test(t)) return NaN;
  const last = t.charCodeAt(t.length - 1);
  // A trailing f, F, d or D (a Java type suffix) is dropped; Number() would refuse it.
  const digits = last > 0x40 && t !== 'NaN' && !t.endsWith('Infinity') ? t.slice(0, -1) : t;
  return Number(digits);
}

/** A text as Java's Integer.parseInt reads it (after trim), undefined when it is not one. */
export function javaInt(text: string): number | undefined {
  const t = javaTrim(text);
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

// cel-js hands handlers the literal strings as written; each is compiled at load time.
const path = (p: string) => paths.get(p) ?? compilePath(p);

function first(n: MessageNode, p: string): MessageNode | undefined {
  return firstOnPath(n, path(p));
}

const HANDLERS: Record<RuleFunctionName, (...args: never[]) => unknown> = {
  exists: (n: MessageNode, p: string) => first(n, p) !== undefined,
  absent: (n: MessageNode, p: string) => first(n, p) === undefined,
  value: (n: MessageNode, p: string) => first(n, p)?.text ?? '',
  trim: (n: MessageNode, p: string) => javaTrim(first(n, p)?.text ?? ''),
  number: (n: MessageNode, p: string) => {
    const e = first(n, p);
    return e ? javaDouble(e.text) : NaN;
  },
  intOrElse: (n: MessageNode, p: string, otherwise: bigint) => {
    const e = first(n, p);
    const v = e ? javaInt(e.text) : undefined;
    return v === undefined ? otherwise : BigInt(v);
  },
  count: (n: MessageNode, p: string) => BigInt(resolvePath(n, path(p)).length),
  countEquals: (n: MessageNode, p: string, expected: string) => {
    let count = 0;
    for (const e of resolvePath(n, path(p))) if (javaTrim(e.text) === expected) count++;
    return BigInt(count);
  },
  countDistinct: (n: MessageNode, p: string, trimmed: boolean) => {
    const texts = new Set<string>();
    for (const e of resolvePath(n, path(p))) texts.add(trimmed ? javaTrim(e.text) : e.text);
    return BigInt(texts.size);
  },
  countDistinctChildCount: (n: MessageNode, p: string) => {
    const counts = new Set<number>();
    for (const e of resolvePath(n, path(p))) counts.add(e.children.length);
    return BigInt(counts.size);
  },
  allHave: (n: MessageNode, parents: string, p: string, expected: string) => {
    const sub = path(p);
    return resolvePath(n, path(parents)).every((parent) =>
      resolvePath(parent, sub).some((e) => javaTrim(e.text) === expected),
    );
  },
  areIndices: (n: MessageNode, p: string) => {
    const found = resolvePath(n, path(p));
    for (let k = 0; k < found.length; k++) if (javaInt(found[k]!.text) !== k + 1) return false;
    return true;
  },
  sum: (n: MessageNode, p: string) => {
    let total = 0;
    for (const e of resolvePath(n, path(p))) total += javaDouble(e.text);
    return total;
  },
  matches: (n: MessageNode, p: string, source: string) => {
    const e = first(n, p);
    if (e === undefined || e.text.length > MAX_MATCHED_TEXT) return false;
    return (regexes.get(source) ?? compileRegex(source)).test(e.text);
  },
  isNaN: (x: number) => Number.isNaN(x),
  substringAfter: (s: string, separator: string) => {
    if (separator === '') return '';
    const at = s.indexOf(separator[0]!);
    return at < 0 ? '' : s.slice(at + 1);
  },
  nodes: (n: MessageNode, p: string) => resolvePath(n, path(p)),
};

let environment: Environment | undefined;

/** The CEL environment assertions are parsed, checked and evaluated in; `node` is the context element. */
export function ruleEnvironment(): Environment {
  if (environment) return environment;
  let env = new Environment({
    limits: { maxAstNodes: 4000, maxDepth: 64, maxListElements: 100, maxCallArguments: 8 },
  })
    // Only these fields: the rest of MessageNode (its parent, its indexes) is not for packs.
    .registerType('Node', {
      ctor: MessageNode,
      fields: { name: 'string', local: 'string', text: 'string' },
    })
    .registerVariable('node', 'Node');
  for (const [name, f] of Object.entries(RULE_FUNCTIONS)) {
    env = env.registerFunction(f.signature, HANDLERS[name as RuleFunctionName], {
      description: f.doc,
    });
  }
  environment = env;
  return env;
}
