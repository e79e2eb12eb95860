import { assertAllowed } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { iprMetricsOf, type IprMetrics } from '../core/ipr/metrics.js';
import type { AppContext } from './context.js';

/** The administration's IPR metrics for managers and customs staff (cases suspended in the period). */
export async function iprMetrics(
  ctx: AppContext,
  principal: Principal,
  q: { from?: string; to?: string },
): Promise<IprMetrics> {
  assertAllowed(principal, 'read', 'ipr-case', { administrationId: principal.administrationId });
  // Cases are few beside declarations (thousands a year at a large administration).
  const cases = await ctx.storage.read.ipr.listCases({
    administrationId: principal.administrationId,
    limit: 100_000,
  });
  return iprMetricsOf(cases, q.from ?? null, q.to ?? null);
}
