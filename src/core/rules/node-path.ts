import type { MessageNode } from './message-node.js';

/**
 * A path from an element, as rule assertions write them: `.` (the element itself), child steps
 * `A/B`, parent steps first `../../GOOITEGDS/PACGS2`, or from the document `/ie:CC315A/HEAHEA`.
 * Steps match local names (a prefix in a step is ignored); every match is kept, in document order.
 */
export interface NodePath {
  text: string;
  absolute: boolean;
  /** Parent steps taken before the child steps (relative paths). */
  up: number;
  /** Local names of the child steps. */
  steps: string[];
}

const STEP = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

/** Parses a path; throws an Error saying what is wrong with it. */
export function parseNodePath(text: string): NodePath {
  if (text === '.') return { text, absolute: false, up: 0, steps: [] };
  if (text === '' || text === '/') throw new Error(`'${text}' is not a path`);
  const absolute = text.startsWith('/');
  const parts = (absolute ? text.slice(1) : text).split('/');
  let up = 0;
  if (!absolute) while (parts[up] === '..') up++;
  const steps = parts.slice(up).map((step) => {
    if (!STEP.test(step)) {
      throw new Error(
        `'${text}': '${step}' is not an element name (paths are '.', '../X', 'A/B' or '/Root/A')`,
      );
    }
    const colon = step.indexOf(':');
    return colon < 0 ? step : step.slice(colon + 1);
  });
  return { text, absolute, up, steps };
}

const NO_NODES: readonly MessageNode[] = Object.freeze([]);

/** The elements a path reaches from `from`, in document order. */
export function resolvePath(from: MessageNode, path: NodePath): readonly MessageNode[] {
  let start: MessageNode | null = from;
  let steps = path.steps;
  if (path.absolute) {
    while (start.parent) start = start.parent;
    // The first step names the root element itself.
    if (start.local !== steps[0]) return NO_NODES;
    steps = steps.slice(1);
  } else {
    for (let k = 0; k < path.up && start; k++) start = start.parent;
    if (!start) return NO_NODES;
  }
  if (steps.length === 0) return [start];
  let current: readonly MessageNode[] = start.named(steps[0]!);
  for (let k = 1; k < steps.length && current.length > 0; k++) {
    const name = steps[k]!;
    if (current.length === 1) {
      current = current[0]!.named(name);
      continue;
    }
    const next: MessageNode[] = [];
    for (const node of current) for (const child of node.named(name)) next.push(child);
    current = next;
  }
  return current;
}

/** The first element a path reaches, or undefined (cheaper than resolving every match). */
export function firstOnPath(from: MessageNode, path: NodePath): MessageNode | undefined {
  if (path.steps.length === 0 && !path.absolute) {
    let node: MessageNode | null = from;
    for (let k = 0; k < path.up && node; k++) node = node.parent;
    return node ?? undefined;
  }
  return resolvePath(from, path)[0];
}
