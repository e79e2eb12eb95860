/**
 * A static bound on what one condition costs to evaluate, so that a condition saved by one user
 * cannot stall screening (or a preview) for everyone: nested `all()`/`exists()` over lists
 * multiply, and a few levels of them over `item.documents` reach trillions of steps.
 *
 * The estimate counts AST nodes evaluated: each node once, the predicate of a macro once per
 * element of the largest list its target can hold, `x in list` once per element. It is an upper
 * bound (every `&&` and `||` is assumed to evaluate both sides), per goods item, times the most
 * goods items a declaration carries.
 */

interface Node {
  op: string;
  args: unknown;
}

/** Most entries each list of the screening context can hold (see declaration.ts). */
export const LIST_BOUNDS: Readonly<Record<string, number>> = {
  // The item's documents (at most 99) and the declaration's (at most 99).
  'item.documents': 198,
  'declaration.transitCountries': 99,
};

/** Most goods items in a declaration: a condition is evaluated once for each. */
export const MAX_GOODS_ITEMS = 999;

export const CONDITION_LIMITS = {
  /** AST nodes in one condition. */
  maxNodes: 1000,
  /** Estimated evaluation steps for one declaration of MAX_GOODS_ITEMS items. */
  maxSteps: 10_000_000,
} as const;

/** A list the cost estimate knows the size of, and the size of its elements when they are lists. */
interface ListBound {
  size: number;
  element?: ListBound;
}

/** What a list of unknown origin can hold at most (cel-js's maxListElements). */
const ANY_LIST: ListBound = { size: 5000 };
ANY_LIST.element = ANY_LIST;

const MACROS = new Set(['all', 'exists', 'exists_one']);

export interface ConditionCost {
  /** AST nodes. */
  nodes: number;
  /** Estimated evaluation steps for one goods item. */
  perItem: number;
  /** Estimated evaluation steps for a declaration of MAX_GOODS_ITEMS goods items. */
  perDeclaration: number;
}

/** The size and estimated cost of a checked condition AST (see the module comment). */
export function conditionCost(ast: unknown): ConditionCost {
  const perItem = costOf(ast as Node, new Map());
  return {
    nodes: countNodes(ast),
    perItem,
    perDeclaration: perItem * MAX_GOODS_ITEMS,
  };
}

/**
 * Why a condition is too large or too costly to save, in plain words; undefined when it is within
 * CONDITION_LIMITS.
 */
export function costRefusal(cost: ConditionCost): string | undefined {
  if (cost.nodes > CONDITION_LIMITS.maxNodes) {
    return `condition too large: ${cost.nodes} terms, more than ${CONDITION_LIMITS.maxNodes}; split it into several indicators or use a reference list`;
  }
  if (cost.perDeclaration > CONDITION_LIMITS.maxSteps) {
    return (
      `condition too costly to evaluate: up to ${format(cost.perDeclaration)} steps for a declaration of ` +
      `${MAX_GOODS_ITEMS} goods items, more than ${format(CONDITION_LIMITS.maxSteps)}; ` +
      'each all() or exists() repeats its predicate for every element of its list ' +
      `(item.documents holds up to ${LIST_BOUNDS['item.documents']}), so nest fewer of them or ` +
      'use shorter lists (inList() with a reference list costs one step)'
    );
  }
  return undefined;
}

function format(n: number): string {
  return n >= 1e15 ? n.toExponential(1) : Math.round(n).toLocaleString('en-GB');
}

function isNode(x: unknown): x is Node {
  return x !== null && typeof x === 'object' && typeof (x as Node).op === 'string';
}

/** The nodes among an AST node's arguments (they nest in arrays: `[name, target, [args]]`). */
function children(n: Node): Node[] {
  const out: Node[] = [];
  const visit = (x: unknown): void => {
    if (isNode(x)) out.push(x);
    else if (Array.isArray(x)) for (const y of x) visit(y);
  };
  visit(n.args);
  return out;
}

function countNodes(x: unknown): number {
  if (!isNode(x)) return 0;
  let count = 1;
  for (const c of children(x)) count += countNodes(c);
  return count;
}

type Scope = ReadonlyMap<string, ListBound | undefined>;

function costOf(n: Node, scope: Scope): number {
  if (n.op === 'rcall') {
    const [name, target, args] = n.args as [string, Node, Node[]];
    const variable = args[0];
    if (MACROS.has(name) && variable?.op === 'id' && args[1]) {
      const list = boundOf(target, scope);
      const inner = new Map(scope).set(variable.args as string, list.element);
      return 1 + costOf(target, scope) + list.size * (1 + costOf(args[1], inner));
    }
  }
  let cost = 1;
  for (const c of children(n)) cost += costOf(c, scope);
  if (n.op === 'in') {
    const haystack = (n.args as Node[])[1];
    if (haystack && haystack.op !== 'list') cost += boundOf(haystack, scope).size;
  }
  return cost;
}

/** The largest list an expression can evaluate to. */
function boundOf(n: Node, scope: Scope): ListBound {
  switch (n.op) {
    case 'list': {
      const items = n.args as Node[];
      let element: ListBound | undefined;
      for (const item of items) {
        if (item.op !== 'list' && item.op !== '.' && item.op !== 'id') continue;
        const b = boundOf(item, scope);
        element = element === undefined ? b : larger(element, b);
      }
      return { size: items.length, element };
    }
    case '.': {
      const [target, field] = n.args as [Node, string];
      if (target.op === 'id' && !scope.has(target.args as string)) {
        const size = LIST_BOUNDS[`${String(target.args)}.${field}`];
        if (size !== undefined) return { size };
      }
      return ANY_LIST;
    }
    case 'id':
      return scope.get(n.args as string) ?? ANY_LIST;
    case '?:': {
      const [, yes, no] = n.args as Node[];
      return larger(boundOf(yes!, scope), boundOf(no!, scope));
    }
    case '+': {
      const [l, r] = (n.args as Node[]).map((x) => boundOf(x, scope)) as [ListBound, ListBound];
      return { size: l.size + r.size, element: larger(l, r).element };
    }
    case '[]':
      return boundOf((n.args as Node[])[0]!, scope).element ?? ANY_LIST;
    default:
      return ANY_LIST;
  }
}

function larger(a: ListBound, b: ListBound): ListBound {
  if (a === ANY_LIST || b === ANY_LIST) return ANY_LIST;
  const element = a.element && b.element ? larger(a.element, b.element) : (a.element ?? b.element);
  return { size: Math.max(a.size, b.size), element };
}
