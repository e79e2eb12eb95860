import { canSubmitDeclaration } from '../core/auth/access.js';
import type { Principal } from '../core/auth/identity.js';
import type { DeclarationRef } from '../core/declaration/amendment.js';
import { DomainError } from '../core/errors.js';
import type { DeclarationVersion } from '../core/ports.js';
import { AMENDABLE, changeableVersion, lostRace, namedDeclaration } from './amend-declaration.js';
import type { AppContext } from './context.js';

export interface CancelDeclarationRequest {
  declarationId?: string;
  ref?: DeclarationRef;
  expectedVersion?: number;
  /** WCO ChangeReasonCode, if given. */
  reasonCode?: string;
  /** The declarant's reason, in words. */
  reason: string;
}

/**
 * Cancels (invalidates) a declaration at its declarant's request: only the organisation that
 * lodged it, only before release or control. The content stays; the status becomes cancelled and
 * the cancellation is the next version, audited in the same transaction.
 */
export async function cancelDeclaration(
  ctx: AppContext,
  principal: Principal,
  request: CancelDeclarationRequest,
): Promise<{ declarationId: string; version: number }> {
  if (!canSubmitDeclaration(principal)) {
    throw new DomainError('forbidden', 'your roles do not allow cancelling declarations');
  }
  if (request.reason.trim() === '' && request.reasonCode === undefined) {
    throw new DomainError('invalid_input', 'a cancellation must give its reason', [
      { path: '/reason', reason: 'required' },
    ]);
  }
  const d = await namedDeclaration(ctx.storage.read, principal, request, 'cancel');
  const expected = await changeableVersion(
    ctx.storage.read,
    d,
    request.expectedVersion,
    'cancelled',
  );
  const at = ctx.clock.now().toISOString();
  const details: DeclarationVersion['details'] = {
    ...(request.reasonCode !== undefined ? { reasonCode: request.reasonCode } : {}),
    reason: request.reason,
  };
  const done = await ctx.storage.write(async (tx) => {
    const ok = await tx.declarations.cancel(d.id, expected, AMENDABLE, {
      at,
      by: principal.userId,
      details,
    });
    if (!ok) return false;
    await tx.audit.append({
      at,
      agencyId: d.agencyId,
      actorId: principal.userId,
      action: 'declaration.cancelled',
      subjectType: 'declaration',
      subjectId: d.id,
      details: { version: expected + 1, ...details },
    });
    return true;
  });
  if (!done) throw await lostRace(ctx.storage.read, d.id, expected, 'cancelled');
  return { declarationId: d.id, version: expected + 1 };
}
