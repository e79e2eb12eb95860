import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import { iprReportOf } from '../core/ipr/cooperation.js';
import type { StoredMessage } from '../core/exchange/agreements.js';
import type { AppContext } from './context.js';
import { sendMessage } from './exchange.js';
import { getCase } from './manage-ipr.js';

export interface ReportRequest {
  /** Partner node ids (KZ/KGD) and codes of agencies of this administration. */
  to: string[];
  /** Name the right holder and the declarant: goes only to partners whose agreement allows nominal data. */
  includeParties?: boolean;
  note?: string;
}

/**
 * Sends a detention case's report to partner administrations (and agencies here) over the
 * exchange: the marks, goods, route and how far the case has come. The principal must be able
 * to read the case and to send messages (liaison officers); the exchange's boundary then checks
 * each partner's agreement, as for any message.
 */
export async function reportIprCase(
  ctx: AppContext,
  principal: Principal,
  caseId: string,
  request: ReportRequest,
): Promise<StoredMessage[]> {
  const view = await getCase(ctx, principal, caseId);
  const administration = (await ctx.storage.read.identity.listAdministrations()).find(
    (a) => a.id === view.case.administrationId,
  );
  if (!administration) throw new DomainError('not_found', `no administration for case ${caseId}`);
  if (
    request.note !== undefined &&
    (typeof request.note !== 'string' || request.note.length > 2000)
  )
    throw new DomainError('invalid_input', 'the note is at most 2000 characters', [
      { path: '/note', reason: 'text of at most 2000 characters' },
    ]);
  const body = iprReportOf(view.case, view.state, {
    place: { country: administration.country },
    includeParties: request.includeParties === true,
    ...(request.note ? { note: request.note } : {}),
  });
  if (body.goods.length === 0)
    throw new DomainError('conflict', 'the detained goods have no HS code to report');
  return sendMessage(ctx, principal, {
    type: 'ipr.report',
    body,
    sharing: 'shareable',
    to: request.to,
  });
}
