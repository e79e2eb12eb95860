import { DomainError } from '../core/errors.js';
import type { Database } from '../storage/database.js';

/**
 * A deliberately WRONG release, kept as the negative control of the draw-down concurrency test:
 * it reads the balance, then writes `remaining = what it read - quantity` in a later
 * transaction. Concurrent releases overwrite each other's draws (lost updates), so more usage is
 * recorded than the permit allowed. The test must detect this, or it could not detect anything.
 */
export async function naiveRelease(
  db: Database,
  declarationId: string,
  permitId: string,
  quantityMilli: number,
  at: string,
): Promise<void> {
  const permit = await db.read.permits.find(permitId);
  if (!permit || permit.remainingMilli < quantityMilli) {
    throw new DomainError('conflict', 'insufficient balance');
  }
  const left = permit.remainingMilli - quantityMilli;
  // Give the other releases time to read the same balance, as a loaded server would.
  await new Promise((r) => setTimeout(r, Math.random() * 3));
  // Writes back the balance computed from what it read, unconditionally: the bug.
  await db.kysely
    .updateTable('permits')
    .set({ remaining_milli: left, updated_at: at })
    .where('id', '=', permitId)
    .execute();
  await db.write(async (tx) => {
    await tx.permits.addUsage({ permitId, declarationId, itemSequence: 1, quantityMilli, at });
    if (!(await tx.declarations.markReleased(declarationId, at))) {
      throw new DomainError('conflict', 'already released');
    }
  });
}
