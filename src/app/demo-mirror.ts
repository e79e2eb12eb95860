import type { Principal } from '../core/auth/identity.js';
import { DEFAULT_CIF_FACTOR } from '../core/reconciliation/mirror.js';
import type { AppContext } from './context.js';
import { recordMirrorRecords, refreshOwnImports } from './manage-mirror.js';

/** How many of the partner's HS6 lines the demo gives export figures for. */
const DEMO_LINES = 8;

/**
 * The mirror part of the demo: our imports of this month and the last computed from the demo's
 * declarations, and the export figures of the partner we import most from for its largest HS6
 * lines, as that partner would report them: FOB, agreeing with our declarations but for two
 * lines: on the largest the partner reports two and a half times the value we declared for the
 * same mass (undervalued on import), on the next 80 % more mass for the same value.
 */
export async function seedDemoMirror(
  ctx: AppContext,
  analyst: Principal,
): Promise<{ partner: string | null; records: number }> {
  const toMonth = ctx.clock.now().toISOString().slice(0, 7);
  const [y, m] = [Number(toMonth.slice(0, 4)), Number(toMonth.slice(5, 7))];
  const fromMonth = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  await refreshOwnImports(ctx, analyst, { fromMonth, toMonth });
  const own = await ctx.storage.read.mirror.listRecords({
    administrationId: analyst.administrationId,
    fromMonth,
    toMonth,
    limit: 100_000,
  });
  const byPartner = new Map<string, number>();
  for (const r of own) byPartner.set(r.partner, (byPartner.get(r.partner) ?? 0) + r.value);
  const partner = [...byPartner].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  if (partner === undefined) return { partner: null, records: 0 };
  const lines = own
    .filter((r) => r.partner === partner && r.quantity !== undefined)
    .sort((a, b) => b.value - a.value || (a.hs6 < b.hs6 ? -1 : 1))
    .slice(0, DEMO_LINES);
  const fob = (cif: number) => Math.round((cif / DEFAULT_CIF_FACTOR) * 100) / 100;
  const { recorded } = await recordMirrorRecords(
    ctx,
    analyst,
    lines.map((r, k) => ({
      side: 'partner-export',
      partner,
      hs6: r.hs6,
      month: r.month,
      value: fob(k === 0 ? r.value * 2.5 : r.value),
      quantity: Math.round((k === 1 ? r.quantity! * 1.8 : r.quantity!) * 1000) / 1000,
      unit: 'KGM',
    })),
  );
  return { partner, records: recorded };
}
