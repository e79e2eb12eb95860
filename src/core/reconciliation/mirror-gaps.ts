import type { MirrorResult } from './mirror.js';

/**
 * What screening reads of the mirror reconciliation: for each HS6 and partner country, the gap of
 * the latest month with figures on both sides (value, and unit value where the quantities were
 * comparable). Built once with the risk engine, looked up per goods item in constant time.
 */
export class MirrorGaps {
  private readonly byKey = new Map<string, { value: number; unitValue: number | null }>();

  constructor(result?: Pick<MirrorResult, 'rows'>) {
    // Rows come sorted by HS6, partner and month: the last one seen of a key is the latest.
    for (const r of result?.rows ?? []) {
      if (r.valueLogRatio === null || r.belowMinimum) continue;
      this.byKey.set(`${r.hs6}|${r.partner}`, {
        value: r.valueLogRatio,
        unitValue: r.unitValueLogRatio,
      });
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  /** ln(our imports' CIF / the partner's exports raised to CIF); null without figures. */
  valueGap(hs: string, partner: string): number | null {
    if (this.byKey.size === 0 || hs.length < 6 || partner === '') return null;
    return this.byKey.get(`${hs.slice(0, 6)}|${partner}`)?.value ?? null;
  }

  /** The same for the value per unit of quantity; null where quantities were not comparable. */
  unitValueGap(hs: string, partner: string): number | null {
    if (this.byKey.size === 0 || hs.length < 6 || partner === '') return null;
    return this.byKey.get(`${hs.slice(0, 6)}|${partner}`)?.unitValue ?? null;
  }
}

/** No mirror figures: every gap is unknown. */
export const NO_MIRROR = new MirrorGaps();
