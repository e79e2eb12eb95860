import { DomainError } from '../errors.js';
import type { MessageNode } from './message-node.js';
import type { CompiledRule, RulePack } from './rule-pack.js';

/** A failed assertion at one element: what the error response reports. */
export interface Violation {
  code: string;
  message: string;
  /** The context element, every step indexed: `/ie:CC315A[1]/TRACONCE1[1]/CitCE124[1]`. */
  location: string;
  /** Name of the rule whose assertion failed. */
  rule: string;
}

/**
 * Evaluates every assertion of every rule at every element its context reaches, in pack order,
 * then document order, then assertion order. A (code, location) pair is reported once, by the
 * first assertion that fails there: packs may repeat an assertion in several rules.
 * Throws DomainError('invalid_input') when the pack does not apply to the message's root element.
 */
export function validateMessageTree(pack: RulePack, root: MessageNode): Violation[] {
  if (pack.roots && !pack.roots.includes(root.local)) {
    throw new DomainError(
      'invalid_input',
      `rule pack '${pack.name}' applies to ${pack.roots.join(', ')} messages, not ${root.local}`,
      [{ path: '/', reason: `unexpected root element ${root.name}` }],
    );
  }
  const violations: Violation[] = [];
  const reported = new Set<string>();
  for (const rule of pack.rules) {
    for (const node of contextNodes(root, rule)) {
      for (const a of rule.asserts) {
        if (holds(a.holds, node, rule, a.code)) continue;
        const location = node.location;
        const key = `${a.code} ${location}`;
        if (reported.has(key)) continue;
        reported.add(key);
        violations.push({ code: a.code, message: a.message, location, rule: rule.name });
      }
    }
  }
  return violations;
}

function holds(
  test: (node: MessageNode) => boolean,
  node: MessageNode,
  rule: CompiledRule,
  code: string,
): boolean {
  try {
    return test(node);
  } catch (e) {
    // The pack was checked when loaded; an error here is a defect of the pack or the engine.
    throw new Error(
      `rule '${rule.name}' (code ${code}) failed at ${node.location}: ${(e as Error).message}`,
    );
  }
}

function contextNodes(root: MessageNode, rule: CompiledRule): readonly MessageNode[] {
  let current: readonly MessageNode[] = [root];
  for (const step of rule.context) {
    if (current.length === 1) {
      current = current[0]!.named(step);
      continue;
    }
    const next: MessageNode[] = [];
    for (const n of current) for (const c of n.named(step)) next.push(c);
    current = next;
  }
  return current;
}
