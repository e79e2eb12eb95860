import { buildMarkIndex, matchMarks, type MarkIndex } from '../ipr/brand-match.js';
import { RightsRegister } from '../ipr/register.js';
import { ofType, permitCoversItem } from '../permits/check.js';
import { conditionCost, type ConditionCost } from './condition-cost.js';
import type { ReferenceList } from './indicator.js';
import {
  celEnvironment,
  CONTEXT_SCHEMA,
  isValidOn,
  rightMatchesOf,
  type ScreeningContext,
} from './screening-context.js';

/** A compiled condition: true when it holds for one goods item in its context. */
export type Condition = (c: ScreeningContext) => boolean;

/** A necessary condition on one indexable dimension, extracted from a condition for the index. */
export type Dimension = 'hs' | 'origin' | 'dispatch' | 'office' | 'mode';
export type Guard = Partial<Record<Dimension, readonly string[]>>;

/** Numeric item fields a bound can be indexed on. */
export const BOUND_FIELDS = ['value', 'netMass', 'grossMass', 'quantity', 'valuePerKg'] as const;
export type BoundField = (typeof BOUND_FIELDS)[number];

/** `item.field < k` (below) or `item.field > k`, `inclusive` for <= and >=. */
export interface NumericBound {
  field: BoundField;
  below: boolean;
  inclusive: boolean;
  k: number;
}

/** One alternative of a condition's necessary conditions: value guards and at most one numeric bound. */
export type Alternative = Guard & { bound?: NumericBound };

export interface CompiledCondition {
  evaluate: Condition;
  /** Every hit satisfies this (one value, or HS prefix, per dimension present); empty: none known. */
  guard: Guard;
  /**
   * Every hit satisfies at least one of these conjunctive guards (finer than `guard`: an `or`
   * across dimensions keeps both sides); null when nothing necessary is known.
   */
  alternatives: Alternative[] | null;
  /** Size and estimated evaluation cost, for the bounds a saved condition must keep. */
  cost: ConditionCost;
}

/** Why a condition was refused, with the position (0-based offset) in the text. */
export class ConditionError extends Error {
  override readonly name = 'ConditionError';
  constructor(
    message: string,
    readonly position: number | undefined,
  ) {
    super(message);
  }
}

interface Node {
  op: string;
  args: unknown;
  pos?: number;
  /** Set on every node by the cel-js type checker. */
  checkedType?: { name?: string };
}

type Fn = (c: ScreeningContext, scope: unknown[]) => unknown;

const MAX_CONDITION_LENGTH = 4000;

/**
 * Parses and type-checks a CEL condition against the screening context, then compiles its AST
 * to closures (no eval of user text) and extracts a guard for the candidate index.
 * Throws ConditionError (with the CEL message and position) for anything that would not run.
 */
export function compileCondition(
  text: string,
  lists: ReadonlyMap<string, ReferenceList>,
): CompiledCondition {
  if (text.length > MAX_CONDITION_LENGTH) {
    throw new ConditionError(`condition longer than ${MAX_CONDITION_LENGTH} characters`, undefined);
  }
  let ast: Node;
  try {
    const parsed = celEnvironment().parse(text);
    const checked = parsed.check();
    if (!checked.valid) throw celError(checked.error);
    if (String(checked.type) !== 'bool') {
      throw new ConditionError(`a condition must be bool, this one is ${String(checked.type)}`, 0);
    }
    ast = parsed.ast;
  } catch (e) {
    if (e instanceof ConditionError) throw e;
    throw celError(e);
  }
  return {
    evaluate: new Compiler(lists).condition(ast),
    guard: guardOf(ast, lists),
    alternatives: alternativesOf(ast, lists),
    cost: conditionCost(ast),
  };
}

function celError(e: unknown): ConditionError {
  const err = e as { message?: string; node?: { pos?: number }; pos?: number } | undefined;
  const message = String(err?.message ?? e);
  // cel-js prints a caret under the offending column; keep its first line as the message.
  const first = message.split('\n')[0] ?? message;
  const caret = /\n>\s+\d+ \| .*\n(\s*)\^/.exec(message);
  let position = err?.node?.pos ?? err?.pos;
  if (position === undefined && caret) {
    const prefix = /\n(>\s+\d+ \| )/.exec(message)?.[1]?.length ?? 0;
    position = Math.max(0, (caret[1]?.length ?? 0) - prefix);
  }
  return new ConditionError(first, position);
}

const CONTEXT_ROOTS = new Set(['declaration', 'item', 'trader']);
const STRING_METHODS = new Set([
  'startsWith',
  'endsWith',
  'contains',
  'size',
  'lowerAscii',
  'upperAscii',
]);

class Compiler {
  private readonly scope: string[] = [];
  constructor(private readonly lists: ReadonlyMap<string, ReferenceList>) {}

  /**
   * The whole condition, or a `&&`, `||` or `!` of it, outside any macro: the common leaves are
   * compiled to read the context directly. Evaluating a condition is mostly waiting on memory
   * (thousands of closures per item), so every closure layer saved counts.
   */
  condition(n: Node): Condition {
    switch (n.op) {
      case '&&': {
        const [l, r] = (n.args as Node[]).map((x) => this.condition(x)) as [Condition, Condition];
        return (c) => l(c) && r(c);
      }
      case '||': {
        const [l, r] = (n.args as Node[]).map((x) => this.condition(x)) as [Condition, Condition];
        return (c) => l(c) || r(c);
      }
      case '!_': {
        const x = this.condition(n.args as Node);
        return (c) => !x(c);
      }
    }
    const leaf = this.directLeaf(n);
    if (leaf) return leaf;
    const fn = this.compile(n);
    const scope: unknown[] = [];
    return (c) => fn(c, scope) === true;
  }

  /** A comparison of a context field with constants, as one closure; undefined for other shapes. */
  private directLeaf(n: Node): Condition | undefined {
    const a = n.args as Node[];
    switch (n.op) {
      case '==':
      case '!=': {
        const [field, k] = fieldAndConstant(a[0], a[1]) ?? fieldAndConstant(a[1], a[0]) ?? [];
        if (!field || k === undefined) return undefined;
        return n.op === '==' ? fieldEquals(field, k) : fieldDiffers(field, k);
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const left = fieldAndConstant(a[0], a[1]);
        const [field, k] = left ?? fieldAndConstant(a[1], a[0]) ?? [];
        if (field?.root !== 'item' || typeof k !== 'number') return undefined;
        return itemOrdering(field.name, left ? n.op : MIRRORED[n.op]!, k);
      }
      case 'in': {
        const field = directField(a[0]);
        const haystack = a[1]!;
        const values = haystack.op === 'list' ? (haystack.args as Node[]).map(constantOf) : [];
        if (!field || values.length === 0 || values.includes(undefined)) return undefined;
        return fieldIn(field, new Set(values));
      }
      case 'call': {
        const [name, args] = n.args as [string, Node[]];
        if (name === 'hasDocument') {
          const type = constantOf(args[0]);
          if (typeof type !== 'string') return undefined;
          return (c) => c.item.documents.includes(type);
        }
        const field = directField(args[0]);
        if (!field) return undefined;
        if (name === 'inList') return fieldIn(field, new Set(this.listEntries(args[1]!)));
        if (name === 'hsIn' && field.root === 'item') {
          const byLength = prefixesByLength(this.listEntries(args[1]!, 'hs-prefixes'));
          return (c) => {
            const v = (c.item as unknown as Fields)[field.name];
            return typeof v === 'string' && matchesPrefix(v, byLength);
          };
        }
        return undefined;
      }
      case 'rcall': {
        const [name, target, args] = n.args as [string, Node, Node[]];
        const field = directField(target);
        const k = args.length === 1 ? constantOf(args[0]) : undefined;
        if (field?.root !== 'item' || typeof k !== 'string') return undefined;
        return itemStringTest(field.name, name, k);
      }
    }
    return undefined;
  }

  compile(n: Node): Fn {
    const a = n.args as Node[];
    switch (n.op) {
      case 'value': {
        const v = typeof n.args === 'bigint' ? Number(n.args) : n.args;
        return () => v;
      }
      case 'list': {
        const items = (n.args as Node[]).map((x) => this.compile(x));
        return (c, s) => items.map((f) => f(c, s));
      }
      case 'id':
        return this.identifier(n);
      case '.':
        return this.field(n);
      case '&&': {
        const [l, r] = this.pair(a);
        return (c, s) => l(c, s) === true && r(c, s) === true;
      }
      case '||': {
        const [l, r] = this.pair(a);
        return (c, s) => l(c, s) === true || r(c, s) === true;
      }
      case '!_': {
        const x = this.compile(n.args as Node);
        return (c, s) => x(c, s) !== true;
      }
      case '-_': {
        const x = this.compile(n.args as Node);
        return (c, s) => {
          const v = x(c, s);
          return typeof v === 'number' ? -v : undefined;
        };
      }
      case '?:': {
        const [t, y, z] = a.map((x) => this.compile(x)) as [Fn, Fn, Fn];
        return (c, s) => (t(c, s) === true ? y(c, s) : z(c, s));
      }
      case '==':
      case '!=': {
        const [l, r] = this.pair(a);
        const equal = n.op === '==';
        // A comparison with a value that was not declared is false, whichever the operator.
        return (c, s) => {
          const x = l(c, s);
          const y = r(c, s);
          if (x === undefined || y === undefined) return false;
          return sameValue(x, y) === equal;
        };
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.ordering(n.op, a);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return this.arithmetic(n.op, a, n.checkedType?.name === 'int');
      case 'in':
        return this.membership(a);
      case '[]': {
        const [target, key] = this.pair(a);
        return (c, s) => {
          const t = target(c, s);
          const k = key(c, s);
          if (Array.isArray(t) && typeof k === 'number') return t[k] as unknown;
          return undefined;
        };
      }
      case 'call':
        return this.call(n);
      case 'rcall':
        return this.receiverCall(n);
      default:
        throw new ConditionError(`'${n.op}' is not supported in GreenLane conditions`, n.pos);
    }
  }

  private pair(a: Node[]): [Fn, Fn] {
    return [this.compile(a[0]!), this.compile(a[1]!)];
  }

  private identifier(n: Node): Fn {
    const name = n.args as string;
    const slot = this.scope.lastIndexOf(name);
    if (slot >= 0) return (_c, s) => s[slot];
    if (name === 'declaration') return (c) => c.declaration;
    if (name === 'item') return (c) => c.item;
    if (name === 'trader') return (c) => c.trader;
    throw new ConditionError(`unknown name '${name}'`, n.pos);
  }

  private field(n: Node): Fn {
    const [target, name] = n.args as [Node, string];
    if (
      target.op === 'id' &&
      CONTEXT_ROOTS.has(target.args as string) &&
      !this.scope.includes(target.args as string)
    ) {
      const root = target.args as 'declaration' | 'item' | 'trader';
      if (root === 'trader') return traderField(name, n.pos);
      // cel-js lets has(item.colour) through; a misspelt field would make !has(…) always true.
      if (!Object.hasOwn(CONTEXT_SCHEMA[root], name)) {
        throw new ConditionError(`unknown ${root} field '${name}'`, n.pos);
      }
      if (root === 'item') return (c) => (c.item as unknown as Record<string, unknown>)[name];
      return (c) => (c.declaration as unknown as Record<string, unknown>)[name];
    }
    const t = this.compile(target);
    return (c, s) => {
      const v = t(c, s);
      return v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[name] : undefined;
    };
  }

  private ordering(op: string, a: Node[]): Fn {
    const [l, r] = this.pair(a);
    const cmp: (x: number | string, y: number | string) => boolean =
      op === '<'
        ? (x, y) => x < y
        : op === '<='
          ? (x, y) => x <= y
          : op === '>'
            ? (x, y) => x > y
            : (x, y) => x >= y;
    return (c, s) => {
      const x = l(c, s);
      const y = r(c, s);
      if (
        (typeof x === 'number' && typeof y === 'number') ||
        (typeof x === 'string' && typeof y === 'string')
      ) {
        return cmp(x, y);
      }
      return false;
    };
  }

  private arithmetic(op: string, a: Node[], integer: boolean): Fn {
    const [l, r] = this.pair(a);
    return (c, s) => {
      const x = l(c, s);
      const y = r(c, s);
      if (op === '+' && typeof x === 'string' && typeof y === 'string') return x + y;
      if (typeof x !== 'number' || typeof y !== 'number') return undefined;
      switch (op) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          // CEL int division truncates toward zero (7 / 2 == 3); double division does not.
          return y === 0 ? undefined : integer ? Math.trunc(x / y) : x / y;
        default:
          return y === 0 ? undefined : x % y;
      }
    };
  }

  private membership(a: Node[]): Fn {
    const needle = this.compile(a[0]!);
    const haystack = a[1]!;
    if (haystack.op === 'list' && (haystack.args as Node[]).every((x) => x.op === 'value')) {
      const set = new Set(
        (haystack.args as Node[]).map((x) =>
          typeof x.args === 'bigint' ? Number(x.args) : x.args,
        ),
      );
      return (c, s) => set.has(needle(c, s));
    }
    const list = this.compile(haystack);
    return (c, s) => {
      const h = list(c, s);
      return Array.isArray(h) && h.includes(needle(c, s));
    };
  }

  private call(n: Node): Fn {
    const [name, rawArgs] = n.args as [string, Node[]];
    switch (name) {
      case 'has': {
        const f = this.compile(rawArgs[0]!);
        return (c, s) => {
          const v = f(c, s);
          return v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
        };
      }
      case 'size': {
        const f = this.compile(rawArgs[0]!);
        return (c, s) => sizeOf(f(c, s));
      }
      case 'int': {
        const f = this.compile(rawArgs[0]!);
        return (c, s) => {
          const v = f(c, s);
          return typeof v === 'number'
            ? Math.trunc(v)
            : typeof v === 'string' && /^-?\d+$/.test(v)
              ? Number(v)
              : undefined;
        };
      }
      case 'double': {
        const f = this.compile(rawArgs[0]!);
        return (c, s) => {
          const v = f(c, s);
          // Number('') and Number(' ') are 0: only a decimal literal converts, as in CEL.
          const d =
            typeof v === 'number' ? v : typeof v === 'string' && DECIMAL.test(v) ? Number(v) : NaN;
          return Number.isFinite(d) ? d : undefined;
        };
      }
      case 'string': {
        const f = this.compile(rawArgs[0]!);
        return (c, s) => {
          const v = f(c, s);
          return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
            ? String(v)
            : undefined;
        };
      }
      case 'hsIn': {
        const code = this.compile(rawArgs[0]!);
        const prefixes = this.listEntries(rawArgs[1]!, 'hs-prefixes');
        const byLength = prefixesByLength(prefixes);
        return (c, s) => {
          const v = code(c, s);
          return typeof v === 'string' && matchesPrefix(v, byLength);
        };
      }
      case 'inList': {
        const value = this.compile(rawArgs[0]!);
        const entries = new Set(this.listEntries(rawArgs[1]!));
        return (c, s) => {
          const v = value(c, s);
          return typeof v === 'string' && entries.has(v);
        };
      }
      case 'hasDocument': {
        const type = this.compile(rawArgs[0]!);
        return (c, s) => {
          const t = type(c, s);
          return typeof t === 'string' && c.item.documents.includes(t);
        };
      }
      case 'hasValidPermit': {
        const type = this.compile(rawArgs[0]!);
        return (c, s) => {
          const t = type(c, s);
          if (typeof t !== 'string') return false;
          // A family name matches its members ('cites' is cites-import, cites-export…), and the
          // permit must cover this item as the permit check judges it (route, balance…).
          return c.trader.permitsOnFile.some(
            (p) => ofType(p.type, t) && permitCoversItem(p, c.item, c.declaration, c.trader.id),
          );
        };
      }
      case 'hasValidCertificate': {
        const type = this.compile(rawArgs[0]!);
        return (c, s) => {
          const t = type(c, s);
          return c.trader.certificates.some(
            (p) =>
              p.type === t &&
              isValidOn(p, c.declaration.date) &&
              (p.hsScope.length === 0 || p.hsScope.some((h) => c.item.hs.startsWith(h))),
          );
        };
      }
      case 'bearsRegisteredRight':
        return (c) => rightMatchesOf(c).length > 0;
      case 'mirrorValueGap':
        return (c) =>
          c.mirror.valueGap(c.item.hs, c.declaration.dispatchCountry || c.item.origin) ?? 0;
      case 'mirrorUnitValueGap':
        return (c) =>
          c.mirror.unitValueGap(c.item.hs, c.declaration.dispatchCountry || c.item.origin) ?? 0;
      case 'brandLike': {
        const mark = this.compile(rawArgs[0]!);
        // The mark is nearly always a literal: one index per distinct mark, built once.
        const indexes = new Map<string, MarkIndex>();
        return (c, s) => {
          const m = mark(c, s);
          if (typeof m !== 'string' || m.trim() === '') return false;
          if (c.item.brand === '' && c.item.description === '') return false;
          let index = indexes.get(m);
          if (!index) {
            if (indexes.size > 64) indexes.clear();
            indexes.set(m, (index = buildMarkIndex([{ id: 'mark', mark: m }])));
          }
          return matchMarks(index, c.item.brand, c.item.description).length > 0;
        };
      }
      case 'authorisedForRight':
        return (c) => {
          const matches = rightMatchesOf(c);
          const d = c.declaration;
          return (
            matches.length > 0 &&
            RightsRegister.authorised(matches, [d.declarantId, d.consignorId, d.consigneeId])
          );
        };
      default:
        throw new ConditionError(
          `function '${name}' is not supported in GreenLane conditions`,
          n.pos,
        );
    }
  }

  private receiverCall(n: Node): Fn {
    const [name, targetNode, rawArgs] = n.args as [string, Node, Node[]];
    if (name === 'exists' || name === 'all' || name === 'exists_one') {
      const variable = rawArgs[0];
      if (variable?.op !== 'id' || rawArgs.length !== 2) {
        throw new ConditionError(`${name}() takes a variable and a predicate`, n.pos);
      }
      const target = this.compile(targetNode);
      this.scope.push(variable.args as string);
      const slot = this.scope.length - 1;
      const predicate = this.compile(rawArgs[1]!);
      this.scope.pop();
      return (c, s) => {
        const list = target(c, s);
        if (!Array.isArray(list)) return false;
        let count = 0;
        for (const element of list) {
          s[slot] = element;
          const ok = predicate(c, s) === true;
          if (ok) count++;
          if (name === 'exists' && ok) return true;
          if (name === 'all' && !ok) return false;
        }
        return name === 'all' ? true : name === 'exists' ? false : count === 1;
      };
    }
    if (!STRING_METHODS.has(name)) {
      // Before compiling the arguments: filter(d, …) would otherwise fail on the unbound 'd'.
      // matches() included: JS regular expressions backtrack; were it needed, it would go through
      // RE2 (re2js) as rule packs do.
      throw new ConditionError(`method '${name}' is not supported in GreenLane conditions`, n.pos);
    }
    const target = this.compile(targetNode);
    const args = rawArgs.map((x) => this.compile(x));
    const arg = args[0];
    const str = (f: (t: string, a: string) => boolean): Fn => {
      if (!arg) throw new ConditionError(`${name}() needs an argument`, n.pos);
      return (c, s) => {
        const t = target(c, s);
        const x = arg(c, s);
        return typeof t === 'string' && typeof x === 'string' ? f(t, x) : false;
      };
    };
    switch (name) {
      case 'startsWith':
        return str((t, x) => t.startsWith(x));
      case 'endsWith':
        return str((t, x) => t.endsWith(x));
      case 'contains':
        return str((t, x) => t.includes(x));
      case 'size':
        return (c, s) => sizeOf(target(c, s));
      case 'lowerAscii':
        return (c, s) => {
          const t = target(c, s);
          return typeof t === 'string' ? t.replace(/[A-Z]/g, (ch) => ch.toLowerCase()) : undefined;
        };
      case 'upperAscii':
        return (c, s) => {
          const t = target(c, s);
          return typeof t === 'string' ? t.replace(/[a-z]/g, (ch) => ch.toUpperCase()) : undefined;
        };
      default:
        throw new ConditionError(
          `method '${name}' is not supported in GreenLane conditions`,
          n.pos,
        );
    }
  }

  private listEntries(nameNode: Node, kind?: ReferenceList['kind']): string[] {
    if (nameNode.op !== 'value' || typeof nameNode.args !== 'string') {
      throw new ConditionError('the list name must be a string literal', nameNode.pos);
    }
    const list = this.lists.get(nameNode.args);
    if (!list) throw new ConditionError(`unknown reference list '${nameNode.args}'`, nameNode.pos);
    if (kind && list.kind !== kind) {
      throw new ConditionError(
        `reference list '${list.name}' holds ${list.kind}, not ${kind}`,
        nameNode.pos,
      );
    }
    return list.entries;
  }
}

type Fields = Record<string, unknown>;

interface DirectField {
  root: 'item' | 'declaration';
  name: string;
}

/** `item.x` or `declaration.x` of a schema field, outside any macro. */
function directField(n: Node | undefined): DirectField | undefined {
  if (n?.op !== '.') return undefined;
  const [target, name] = n.args as [Node, string];
  if (target.op !== 'id' || (target.args !== 'item' && target.args !== 'declaration')) {
    return undefined;
  }
  const root = target.args;
  return Object.hasOwn(CONTEXT_SCHEMA[root], name) ? { root, name } : undefined;
}

type Constant = string | number | boolean;

function constantOf(n: Node | undefined): Constant | undefined {
  if (n?.op === 'value') {
    const v = n.args;
    if (typeof v === 'bigint') return Number(v);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
  }
  if (n?.op === '-_') {
    const v = constantOf(n.args as Node);
    return typeof v === 'number' ? -v : undefined;
  }
  return undefined;
}

function fieldAndConstant(
  f: Node | undefined,
  k: Node | undefined,
): [DirectField, Constant] | undefined {
  const field = directField(f);
  const constant = constantOf(k);
  return field && constant !== undefined ? [field, constant] : undefined;
}

/** `k < x` is `x > k`. */
const MIRRORED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function fieldEquals({ root, name }: DirectField, k: Constant): Condition {
  return root === 'item'
    ? (c) => (c.item as unknown as Fields)[name] === k
    : (c) => (c.declaration as unknown as Fields)[name] === k;
}

/** An undeclared value differs from nothing: `!=` is false too. */
function fieldDiffers({ root, name }: DirectField, k: Constant): Condition {
  return root === 'item'
    ? (c) => {
        const v = (c.item as unknown as Fields)[name];
        return v !== undefined && v !== k;
      }
    : (c) => {
        const v = (c.declaration as unknown as Fields)[name];
        return v !== undefined && v !== k;
      };
}

function fieldIn({ root, name }: DirectField, set: ReadonlySet<unknown>): Condition {
  return root === 'item'
    ? (c) => set.has((c.item as unknown as Fields)[name])
    : (c) => set.has((c.declaration as unknown as Fields)[name]);
}

/** An undeclared number compares false with everything. */
function itemOrdering(name: string, op: string, k: number): Condition {
  switch (op) {
    case '<':
      return (c) => {
        const v = (c.item as unknown as Fields)[name];
        return typeof v === 'number' && v < k;
      };
    case '<=':
      return (c) => {
        const v = (c.item as unknown as Fields)[name];
        return typeof v === 'number' && v <= k;
      };
    case '>':
      return (c) => {
        const v = (c.item as unknown as Fields)[name];
        return typeof v === 'number' && v > k;
      };
    default:
      return (c) => {
        const v = (c.item as unknown as Fields)[name];
        return typeof v === 'number' && v >= k;
      };
  }
}

function itemStringTest(name: string, method: string, k: string): Condition | undefined {
  if (name === 'hs' && method === 'startsWith') return (c) => c.item.hs.startsWith(k);
  switch (method) {
    case 'startsWith':
      return (c) => {
        const v = (c.item as unknown as Fields)[name];
        return typeof v === 'string' && v.startsWith(k);
      };
    case 'endsWith':
      return (c) => {
        const v = (c.item as unknown as Fields)[name];
        return typeof v === 'string' && v.endsWith(k);
      };
    case 'contains':
      return (c) => {
        const v = (c.item as unknown as Fields)[name];
        return typeof v === 'string' && v.includes(k);
      };
    default:
      return undefined;
  }
}

function traderField(name: string, pos: number | undefined): Fn {
  switch (name) {
    case 'id':
      return (c) => c.trader.id;
    case 'country':
      return (c) => c.trader.country;
    case 'controls':
      return (c) => c.trader.controls;
    case 'findings':
      return (c) => c.trader.findings;
    case 'findingRate':
      return (c) => (c.trader.controls > 0 ? c.trader.findings / c.trader.controls : 0);
    default:
      throw new ConditionError(`unknown trader field '${name}'`, pos);
  }
}

function sameValue(x: unknown, y: unknown): boolean {
  if (Array.isArray(x) && Array.isArray(y))
    return x.length === y.length && x.every((v, i) => sameValue(v, y[i]));
  return x === y;
}

/** A decimal number as CEL's double() accepts it (no blanks, no hex). */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** CEL size(): list elements, or the code points of a string (not UTF-16 units). */
function sizeOf(v: unknown): number | undefined {
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++;
    return n;
  }
  return Array.isArray(v) ? v.length : undefined;
}

/** HS prefixes grouped by length, for a lookup of each prefix of a code. */
export function prefixesByLength(prefixes: readonly string[]): Map<number, Set<string>> {
  const m = new Map<number, Set<string>>();
  for (const p of prefixes) {
    let set = m.get(p.length);
    if (!set) m.set(p.length, (set = new Set()));
    set.add(p);
  }
  return m;
}

function matchesPrefix(code: string, byLength: Map<number, Set<string>>): boolean {
  for (const [length, set] of byLength)
    if (code.length >= length && set.has(code.slice(0, length))) return true;
  return false;
}

const FIELD_DIMENSIONS: Record<string, Dimension> = {
  'item.hs': 'hs',
  'item.origin': 'origin',
  'declaration.dispatchCountry': 'dispatch',
  'declaration.office': 'office',
  'declaration.transportMode': 'mode',
};

/** The dimension a node reads directly (`item.origin` → origin), if any. */
function dimensionOf(n: Node | undefined): Dimension | undefined {
  if (n?.op !== '.') return undefined;
  const [target, name] = n.args as [Node, string];
  if (target.op !== 'id') return undefined;
  return FIELD_DIMENSIONS[`${String(target.args)}.${name}`];
}

function literalStrings(n: Node | undefined): string[] | undefined {
  if (n?.op === 'value' && typeof n.args === 'string') return [n.args];
  if (
    n?.op === 'list' &&
    (n.args as Node[]).every((x) => x.op === 'value' && typeof x.args === 'string')
  ) {
    return (n.args as Node[]).map((x) => x.args as string);
  }
  return undefined;
}

/**
 * A necessary condition for the node to be true: for each dimension present, the context value
 * must equal one of the values (for HS codes: start with one of the prefixes). Sound by
 * construction: `and` keeps a guard of either side, `or` keeps only what both sides guard.
 */
export function guardOf(n: Node, lists: ReadonlyMap<string, ReferenceList>): Guard {
  const a = n.args as Node[];
  switch (n.op) {
    case '&&': {
      const l = guardOf(a[0]!, lists);
      const r = guardOf(a[1]!, lists);
      const out: Guard = { ...l };
      for (const [dim, values] of Object.entries(r) as [Dimension, string[]][]) {
        const mine = out[dim];
        out[dim] = mine === undefined || values.length < mine.length ? values : mine;
      }
      return out;
    }
    case '||': {
      const l = guardOf(a[0]!, lists);
      const r = guardOf(a[1]!, lists);
      const out: Guard = {};
      for (const [dim, values] of Object.entries(l) as [Dimension, string[]][]) {
        const other = r[dim];
        if (other) out[dim] = [...new Set([...values, ...other])];
      }
      return out;
    }
    case '==': {
      for (const [field, literal] of [
        [a[0], a[1]],
        [a[1], a[0]],
      ] as const) {
        const dim = dimensionOf(field);
        const values = literal?.op === 'value' ? literalStrings(literal) : undefined;
        if (dim && values) return { [dim]: values };
      }
      return {};
    }
    case 'in': {
      const dim = dimensionOf(a[0]);
      const values = literalStrings(a[1]);
      return dim && values && a[1]?.op === 'list' ? { [dim]: values } : {};
    }
    case 'rcall': {
      const [name, target, args] = n.args as [string, Node, Node[]];
      const values = literalStrings(args[0]);
      if (
        name === 'startsWith' &&
        dimensionOf(target) === 'hs' &&
        values &&
        args[0]?.op === 'value'
      ) {
        return { hs: values };
      }
      return {};
    }
    case 'call': {
      const [name, args] = n.args as [string, Node[]];
      if ((name === 'hsIn' || name === 'inList') && args[1]?.op === 'value') {
        const dim = dimensionOf(args[0]);
        const list = lists.get(args[1].args as string);
        if (dim && list && (name === 'inList' || dim === 'hs')) return { [dim]: list.entries };
      }
      return {};
    }
    default:
      return {};
  }
}

/** Past this many alternatives a condition keeps a coarser (still sound) guard. */
const MAX_ALTERNATIVES = 16;

/**
 * Necessary conditions as a disjunction of conjunctive guards: every hit satisfies at least one.
 * `and` combines each pair (dropping combinations that cannot hold), `or` keeps both sides' lists.
 * Null means nothing necessary is known (the indicator is evaluated for every item).
 */
export function alternativesOf(
  n: Node,
  lists: ReadonlyMap<string, ReferenceList>,
): Alternative[] | null {
  const a = n.args as Node[];
  switch (n.op) {
    case '&&': {
      const l = alternativesOf(a[0]!, lists);
      const r = alternativesOf(a[1]!, lists);
      if (l === null) return r;
      if (r === null) return l;
      if (l.length * r.length > MAX_ALTERNATIVES) return l.length <= r.length ? l : r;
      const out: Alternative[] = [];
      for (const x of l) {
        for (const y of r) {
          const both = conjoin(x, y);
          if (both) out.push(both);
        }
      }
      return out;
    }
    case '||': {
      const l = alternativesOf(a[0]!, lists);
      const r = alternativesOf(a[1]!, lists);
      if (l === null || r === null) return null;
      if (l.length + r.length <= MAX_ALTERNATIVES) return [...l, ...r];
      const coarse = guardOf(n, lists);
      return Object.keys(coarse).length > 0 ? [coarse] : null;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const bound = boundOf(n.op, a[0], a[1]);
      return bound ? [{ bound }] : null;
    }
    default: {
      const g = guardOf(n, lists);
      return Object.keys(g).length > 0 ? [g] : null;
    }
  }
}

/** `item.F op number` (or `number op item.F`) as a bound on F; undefined for anything else. */
function boundOf(
  op: string,
  left: Node | undefined,
  right: Node | undefined,
): NumericBound | undefined {
  const field = (x: Node | undefined): BoundField | undefined => {
    if (x?.op !== '.') return undefined;
    const [target, name] = x.args as [Node, string];
    return target.op === 'id' &&
      target.args === 'item' &&
      (BOUND_FIELDS as readonly string[]).includes(name)
      ? (name as BoundField)
      : undefined;
  };
  const constant = (x: Node | undefined): number | undefined => {
    if (x?.op === 'value' && (typeof x.args === 'number' || typeof x.args === 'bigint'))
      return Number(x.args);
    if (x?.op === '-_') {
      const inner = constant(x.args as Node);
      return inner === undefined ? undefined : -inner;
    }
    return undefined;
  };
  let f = field(left);
  let k = constant(right);
  let below = op === '<' || op === '<=';
  if (f === undefined || k === undefined) {
    // `k < item.F` is `item.F > k`.
    f = field(right);
    k = constant(left);
    below = !below;
  }
  if (f === undefined || k === undefined || Number.isNaN(k)) return undefined;
  return { field: f, below, inclusive: op === '<=' || op === '>=', k };
}

/** Both alternatives at once; null when no context can satisfy both. */
function conjoin(x: Alternative, y: Alternative): Alternative | null {
  const out: Alternative = { ...x };
  // Either bound is necessary; keep one.
  if (out.bound === undefined && y.bound !== undefined) out.bound = y.bound;
  for (const [dim, values] of Object.entries(y) as [Dimension | 'bound', string[]][]) {
    if (dim === 'bound') continue;
    const mine = out[dim];
    if (mine === undefined) {
      out[dim] = values;
      continue;
    }
    const both =
      dim === 'hs'
        ? // Codes starting with p and with q: those starting with the longer of the two, if one extends the other.
          [
            ...new Set(
              mine.flatMap((p) =>
                values.flatMap((q) => (p.startsWith(q) ? [p] : q.startsWith(p) ? [q] : [])),
              ),
            ),
          ]
        : mine.filter((v) => values.includes(v));
    if (both.length === 0) return null;
    out[dim] = both;
  }
  return out;
}
