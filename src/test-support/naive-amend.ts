import { applyAmendment, type AmendmentChange } from '../core/declaration/amendment.js';
import { DomainError } from '../core/errors.js';
import { declarationContent } from '../core/ports.js';
import type { Database } from '../storage/database.js';

/**
 * A deliberately WRONG amendment, kept as the negative control of the amendment concurrency test:
 * it reads the declaration and checks its version, then in a later transaction writes the amended
 * content back with no version guard. Every concurrent amendment "succeeds" and overwrites the
 * others (lost updates), none of them becoming a version. The test must detect this.
 */
export async function naiveAmend(
  db: Database,
  id: string,
  expectedVersion: number,
  changes: AmendmentChange[],
): Promise<void> {
  const d = await db.read.declarations.findById(id);
  const status = await db.read.declarations.status(id);
  if (!d || !status) throw new DomainError('not_found', `no declaration ${id}`);
  if (status.version !== expectedVersion) throw new DomainError('conflict', 'changed meanwhile');
  const applied = applyAmendment(declarationContent(d), { changes, notHeld: [] });
  if (!applied.ok) throw new DomainError('invalid_input', 'cannot apply', applied.issues);
  // Give the other amendments time to read the same version, as a loaded server would.
  await new Promise((r) => setTimeout(r, Math.random() * 3));
  await db.write(async (tx) => {
    // The bug: what was checked before is taken to hold now.
    await tx.declarations.amend({ ...d, ...applied.value }, ['lodged', 'awaiting-control']);
  });
}
