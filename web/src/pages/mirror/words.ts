import { formatNumber } from '../../format.js';
import type { GapRow, Gaps } from './types.js';

/** Why a row needs a look, as the analyst says it. */
export const FLAG_WORDS: Readonly<Record<string, string>> = {
  'under-declared-value': 'Value gap: we declared less than the partner exported',
  'over-declared-value': 'Value gap: we declared more than the partner exported',
  'quantity-gap': 'Quantity gap',
  'unit-value-gap': 'Unit value gap',
  'missing-import': 'No import declared for the partner’s exports',
  'missing-export': 'No export reported by the partner',
  'possible-misclassification': 'Possible misclassification (moved to a lower-tariff code)',
};

/**
 * The reasons a row is flagged: the reconciliation's flags, and a unit-value gap beyond the value
 * threshold (which the reconciliation reports as a ratio, not a flag).
 */
export function reasonsOf(row: GapRow, settings: Gaps['settings']): string[] {
  const reasons: string[] = [...row.flags];
  if (
    !row.belowMinimum &&
    row.unitValueLogRatio !== null &&
    Math.abs(row.unitValueLogRatio) > settings.valueThreshold
  )
    reasons.push('unit-value-gap');
  return reasons;
}

/** A log ratio as the percentage difference it stands for ("−57 %"); a dash without one. */
export const gapPercent = (logRatio: number | null): string =>
  logRatio === null
    ? '—'
    : `${logRatio >= 0 ? '+' : '−'}${formatNumber(Math.abs(Math.expm1(logRatio)) * 100, 0)} %`;

/** A month (YYYY-MM) `n` months later. */
export function shiftMonth(month: string, n: number): string {
  const i = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** "2026-11" → "Nov 2026". */
export const monthWords = (month: string) =>
  new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${month}-01T00:00:00Z`),
  );

/** The months of a span in words ("Nov 2026" or "Oct 2026 – Nov 2026"). */
export const spanWords = (from: string, to: string) =>
  from === to ? monthWords(from) : `${monthWords(from)} – ${monthWords(to)}`;

/** The import months a row compared: its export window moved by the flow's lag. */
export const importMonths = (row: GapRow) => ({
  fromMonth: shiftMonth(row.window.from, row.importOffset),
  toMonth: shiftMonth(row.window.to, row.importOffset),
});
