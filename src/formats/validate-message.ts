import { DomainError } from '../core/errors.js';
import type { MessageNode } from '../core/rules/message-node.js';
import type { RulePack } from '../core/rules/rule-pack.js';
import { validateMessageTree, type Violation } from '../core/rules/validate-message-tree.js';
import { parseMessageTree } from './message-tree.js';
import type { XmlLimits } from './xml.js';

/** What a rule pack found in one message: its root element (as written) and the failed assertions. */
export interface MessageValidation {
  root: string;
  violations: Violation[];
}

/**
 * Validates a message (XML text, or a tree from `parseMessageTree`) against a loaded rule pack.
 * Throws DomainError('invalid_input') when the XML is refused (malformed, too large, DTD, too
 * deep) or the pack does not apply to its root element; a valid message has no violations.
 */
export function validateMessage(
  pack: RulePack,
  message: string | MessageNode,
  limits: XmlLimits = {},
): MessageValidation {
  let root: MessageNode;
  if (typeof message === 'string') {
    const parsed = parseMessageTree(message, limits);
    if (!parsed.ok) {
      throw new DomainError(
        'invalid_input',
        `not a readable XML message: ${parsed.issues.map((i) => i.reason).join('; ')}`,
        parsed.issues,
      );
    }
    root = parsed.root;
  } else root = message;
  return { root: root.name, violations: validateMessageTree(pack, root) };
}
