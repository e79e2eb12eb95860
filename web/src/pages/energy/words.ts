import { formatNumber } from '../../format.js';
import type { Bias, DeclarationCheck, Pair, Point } from './types.js';

export const COMMODITY_WORDS: Readonly<Record<Point['commodity'], string>> = {
  electricity: 'Electricity',
  'natural-gas': 'Natural gas',
  'crude-oil': 'Crude oil',
  'oil-products': 'Oil products',
};

/** The unit the reconciliation compares a commodity's figures in. */
export const UNIT_OF: Readonly<Record<Point['commodity'], string>> = {
  electricity: 'MWh',
  'natural-gas': 'MWh',
  'crude-oil': 't',
  'oil-products': 't',
};

/** A period of each granularity, as people count it. */
export const GRANULARITY_WORDS: Readonly<Record<string, { one: string; many: string }>> = {
  PT15M: { one: 'quarter hour', many: 'quarter hours' },
  PT1H: { one: 'hour', many: 'hours' },
  P1D: { one: 'day', many: 'days' },
  P1M: { one: 'month', many: 'months' },
};
export const periodsWords = (granularity: string, n: number) => {
  const w = GRANULARITY_WORDS[granularity] ?? { one: 'period', many: 'periods' };
  return `${formatNumber(n)} ${n === 1 ? w.one : w.many}`;
};

/** What the comparison of a period found (see the outcomes in the reconciliation). */
export const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  match: 'agree',
  'within-tolerance': 'differ within the tolerance',
  discrepancy: 'discrepancy',
  'missing-own': 'our meter’s figure missing',
  'missing-partner': 'the partner’s figure missing',
  'direction-mismatch': 'directions disagree',
  'granularity-mismatch': 'periods do not line up',
  duplicate: 'sent twice',
  provisional: 'differ, but a figure is provisional',
};
export const outcomeWords = (outcome: string) => OUTCOME_WORDS[outcome] ?? outcome;

/** The outcomes worth a look, in the order they are listed. */
export const FLAGGED_OUTCOMES: readonly string[] = [
  'discrepancy',
  'missing-own',
  'missing-partner',
  'direction-mismatch',
  'granularity-mismatch',
  'duplicate',
  'provisional',
];

export const MONTH_OUTCOME_WORDS: Readonly<Record<string, string>> = {
  match: 'agree',
  'within-tolerance': 'within the tolerance',
  discrepancy: 'discrepancy',
  incomplete: 'incomplete (periods missing a figure)',
};

export const DIRECTION_WORDS: Readonly<Record<Pair['direction'], string>> = {
  import: 'into our territory',
  export: 'out of our territory',
};

export const ISSUE_WORDS: Readonly<Record<string, string>> = {
  'unknown-point': 'names no point we know',
  'invalid-quantity': 'its quantity cannot be used',
  'invalid-period': 'its period cannot be used',
  'granularity-mismatch': 'its period does not fit the point’s hours or days',
  'unit-mismatch': 'its unit does not fit the commodity',
  duplicate: 'sent twice',
};

export const METERED_BY_WORDS: Readonly<Record<string, string>> = {
  both: 'both meters',
  'own-meter': 'our meter',
  partner: 'the partner’s meter',
};

/** A share as a percentage: 0.0123 → "1.2%". */
export const percent = (share: number, digits = 1) => `${formatNumber(share * 100, digits)}%`;

/** A quantity with its unit, to three decimals. */
export const quantity = (n: number | null | undefined, unit: string) =>
  n === null || n === undefined ? '—' : `${formatNumber(n, 3)} ${unit}`;

/** One period's comparison in words: who reads how much more, against the tolerance. */
export function pairWords(p: Pair, unit: string): string {
  if (
    (p.outcome === 'discrepancy' || p.outcome === 'provisional') &&
    p.difference !== null &&
    p.partnerAtImporter !== null &&
    p.tolerance !== null
  ) {
    const share = p.partnerAtImporter === 0 ? 0 : Math.abs(p.difference) / p.partnerAtImporter;
    return `our meter reads ${quantity(Math.abs(p.difference), unit)} (${percent(share)}) ${
      p.difference < 0 ? 'less' : 'more'
    } than the partner’s at the importer, beyond the tolerance of ${quantity(p.tolerance, unit)}${
      p.outcome === 'provisional' ? '; a figure is still provisional' : ''
    }`;
  }
  return p.detail;
}

/** A bias the meters show over time, in words. */
export function biasWords(b: Bias, when: (iso: string) => string): string {
  const share = percent(Math.abs(b.meanRelativeDifference));
  const who =
    b.higher === 'own'
      ? `Our meter reads ${share} high against the partner’s`
      : `Our meter reads ${share} low against the partner’s`;
  return `${who} since ${when(b.from)} (${formatNumber(b.periods)} periods, signalled ${when(
    b.signalledAt,
  )}; energy ${DIRECTION_WORDS[b.direction]})`;
}

/** A declaration against the metered figure, in words. */
export function declarationWords(d: DeclarationCheck, unit: string): string {
  const declared = quantity(d.declared, unit);
  if (d.outcome === 'no-metered-figure' || d.metered === null)
    return `declared ${declared}; no meter covers the period, nothing to compare it with`;
  const metered = `${quantity(d.metered, unit)} metered (${METERED_BY_WORDS[d.meteredBy ?? ''] ?? 'meters'})`;
  const diff = d.difference ?? d.declared - d.metered;
  const share = d.metered === 0 ? '' : ` (${percent(Math.abs(diff) / d.metered)})`;
  const tolerance = d.tolerance === null ? '' : `, tolerance ${quantity(d.tolerance, unit)}`;
  if (d.outcome === 'under-declared')
    return `Under-declared: declared ${declared} against ${metered}, ${quantity(Math.abs(diff), unit)}${share} less${tolerance}`;
  if (d.outcome === 'over-declared')
    return `Over-declared: declared ${declared} against ${metered}, ${quantity(Math.abs(diff), unit)}${share} more${tolerance}`;
  return `As metered: declared ${declared} against ${metered}${tolerance}`;
}

/** What a reconciliation case is about. */
export const CASE_KIND_WORDS: Readonly<Record<string, string>> = {
  discrepancy: 'Discrepancy',
  'direction-mismatch': 'Directions disagree',
  bias: 'Meter bias',
  'under-declared': 'Under-declared',
  'over-declared': 'Over-declared',
};

export const CASE_STATUS_WORDS: Readonly<Record<string, string>> = {
  open: 'open',
  closed: 'closed',
};

/** How a case was closed. */
export const CASE_RESOLUTION_WORDS: Readonly<Record<string, string>> = {
  'figures-corrected': 'figures corrected',
  'meter-fault': 'meter fault',
  'losses-explained': 'losses explained',
  'referred-for-audit': 'referred for audit',
  'no-action': 'no action needed',
};

/** What happened to a case, in its history. */
export const CASE_HISTORY_WORDS: Readonly<Record<string, string>> = {
  opened: 'opened',
  updated: 'figures updated',
  closed: 'closed',
  reopened: 'reopened',
  'alert-sent': 'partner alerted',
  noted: 'note added',
};
