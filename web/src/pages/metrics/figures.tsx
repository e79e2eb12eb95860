import type { ReactNode } from 'react';
import { formatNumber } from '../../format.js';
import type { Metrics, PeriodMetrics, Proportion } from './types.js';

/** A rate as a percentage, one decimal; "no data" when nothing was counted. */
export const percent = (rate: number | null): string =>
  rate === null ? 'no data' : `${formatNumber(rate * 100, 1)} %`;

const signed = (n: number, digits: number): string =>
  n === 0 ? '±0' : `${n > 0 ? '+' : '−'}${formatNumber(Math.abs(n), digits)}`;

/** The change of a count on the previous period, with the previous figure. */
export function countChange(now: number, before: number): string {
  return `${signed(now - before, 0)} on the previous period (${formatNumber(before)})`;
}

/** The change of a rate on the previous period, in percentage points, with the previous rate. */
export function rateChange(now: Proportion, before: Proportion): string {
  if (before.rate === null) return 'previous period: no data';
  const was = `${percent(before.rate)}, ${formatNumber(before.successes)} of ${formatNumber(before.n)}`;
  if (now.rate === null) return `previous period: ${was}`;
  return `${signed((now.rate - before.rate) * 100, 1)} points on the previous period (${was})`;
}

/** A money amount in its currency, in the user's locale. */
export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(navigator.language || 'en', {
      style: 'currency',
      currency,
      maximumFractionDigits: 0,
    }).format(amount);
  } catch {
    return `${formatNumber(amount)} ${currency}`;
  }
}

interface Figure {
  name: string;
  value: string;
  /** The counts behind a rate ("12 of 62 controls"). */
  counts?: string;
  change: string;
  definition: ReactNode;
}

const of = (p: Proportion, what: string) =>
  `${formatNumber(p.successes)} of ${formatNumber(p.n)} ${what}`;

/** The figures of the period, each with its counts, its change and what it counts. */
export function figuresOf(m: Metrics): Figure[] {
  const t = m.totals;
  const p: PeriodMetrics = m.previous;
  const value = m.seizures.value;
  const without = value.unconverted;
  return [
    {
      name: 'Declarations',
      value: formatNumber(t.declarations),
      change: countChange(t.declarations, p.totals.declarations),
      definition: 'Declarations lodged in the period, counted by the time they were lodged.',
    },
    {
      name: 'Controls',
      value: formatNumber(t.controls),
      counts: `of ${formatNumber(t.declarations)} declarations`,
      change: countChange(t.controls, p.totals.controls),
      definition:
        'Declarations lodged in the period with at least one inspection on record. An inspection record corrected by a later one counts as the later one.',
    },
    {
      name: 'Findings',
      value: formatNumber(t.findings),
      counts: `of ${formatNumber(t.controls)} controls`,
      change: countChange(t.findings, p.totals.findings),
      definition:
        'Controls where an inspection found that the goods did not match the declaration (recorded as non-compliant).',
    },
    {
      name: 'Seizures',
      value: formatNumber(t.seizures),
      counts: `of ${formatNumber(t.controls)} controls`,
      change: countChange(t.seizures, p.totals.seizures),
      definition: 'Controls where goods were seized at an inspection.',
    },
    {
      name: 'Detection rate',
      value: percent(t.detectionRate.rate),
      counts: of(t.detectionRate, 'controls'),
      change: rateChange(t.detectionRate, p.totals.detectionRate),
      definition: 'Findings ÷ controls: the share of controls that found something.',
    },
    {
      name: 'Seizure rate',
      value: percent(t.seizureRate.rate),
      counts: of(t.seizureRate, 'controls'),
      change: rateChange(t.seizureRate, p.totals.seizureRate),
      definition: 'Seizures ÷ controls: the share of controls that led to a seizure.',
    },
    {
      name: 'Detection rate, random selection',
      value: percent(m.selection.random.rate),
      counts: of(m.selection.random, 'controls'),
      change: rateChange(m.selection.random, p.selection.random),
      definition:
        'Findings ÷ controls among declarations sent to control by random selection: how much there is to find without the risk indicators.',
    },
    {
      name: 'Detection rate, targeted',
      value: percent(m.selection.targeted.rate),
      counts: of(m.selection.targeted, 'controls'),
      change: rateChange(m.selection.targeted, p.selection.targeted),
      definition:
        'Findings ÷ controls among declarations sent to control by the risk indicators (not at random).',
    },
    {
      name: 'Value of goods seized',
      value: money(value.total, value.currency),
      counts:
        `${formatNumber(value.records)} of ${formatNumber(m.seizures.records)} seized items converted` +
        (without.length > 0
          ? `; not included, no exchange rate: ${without
              .map(
                (u) =>
                  `${formatNumber(u.records)} ${u.records === 1 ? 'item' : 'items'} in ${u.currency} (${formatNumber(u.amount)} ${u.currency})`,
              )
              .join(', ')}`
          : ''),
      change: `${value.total >= p.seizures.value.total ? '+' : '−'}${money(
        Math.abs(value.total - p.seizures.value.total),
        value.currency,
      )} on the previous period (${money(p.seizures.value.total, p.seizures.value.currency)})`,
      definition: (
        <>
          The officers&rsquo; estimated value of the goods seized, converted to {value.currency} at
          the rates of &ldquo;{m.rates.name}&rdquo; of {m.rates.date}.
          {m.rates.illustrative && (
            <strong className="metrics-warning">
              {' '}
              These rates are illustrative, not published rates: the administrator must replace the
              rate table before the values are used.
            </strong>
          )}
        </>
      ),
    },
    {
      name: 'Joint approvals',
      value: formatNumber(m.collaboration.jointApprovals),
      change: countChange(m.collaboration.jointApprovals, p.collaboration.jointApprovals),
      definition:
        'Indicators and reference lists put into use in the period with the approval of two or more agencies.',
    },
    {
      name: 'Referrals',
      value: formatNumber(m.collaboration.referrals),
      change: countChange(m.collaboration.referrals, p.collaboration.referrals),
      definition: 'Declarations referred to another agency in the period.',
    },
  ];
}

/** The figures as a definition list: name, then value, counts, change and definition. */
export function Figures({ m }: { m: Metrics }) {
  return (
    <dl className="metrics-figures" aria-label="Figures">
      {figuresOf(m).map((f) => (
        <div key={f.name} className="metrics-figure">
          <dt>{f.name}</dt>
          <dd>
            <span className="metrics-value">{f.value}</span>
            {f.counts && <span className="metrics-counts"> {f.counts}</span>}
            <span className="metrics-change">{f.change}</span>
            <span className="metrics-definition">{f.definition}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
