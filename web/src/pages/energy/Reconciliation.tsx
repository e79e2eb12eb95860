import { useState } from 'react';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { formatDateTime, formatNumber, timeZone } from '../../format.js';
import { FlowChart } from './FlowChart.js';
import type { Month, Pair, Point, Reconciliation } from './types.js';
import {
  biasWords,
  declarationWords,
  DIRECTION_WORDS,
  FLAGGED_OUTCOMES,
  ISSUE_WORDS,
  MONTH_OUTCOME_WORDS,
  OUTCOME_WORDS,
  outcomeWords,
  pairWords,
  periodsWords,
  UNIT_OF,
} from './words.js';

const DAY_MS = 86_400_000;

/** A day of the user's calendar as a date input holds it (YYYY-MM-DD). */
const dayValue = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
/** The instant the user's day starts, `days` days after the one given. */
const dayStart = (value: string, days = 0) => {
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y!, (m ?? 1) - 1, (d ?? 1) + days).toISOString();
};

/** A period from its start to its end, in the user's time zone. */
export const periodWords = (start: string, end: string) =>
  `${formatDateTime(start)} – ${formatDateTime(end)}`;

const LABELS = { '/querystring/from': 'From', '/querystring/to': 'To' };

/**
 * The point's figures reconciled over the days chosen (by default the last seven, today
 * included): both meters in one chart, the periods that need a look, the monthly totals, any
 * bias of the meters, the declarations against the metered figure, and the figures not used.
 */
export function ReconciliationSection({ point, recorded }: { point: Point; recorded: number }) {
  const [from, setFrom] = useState(() => dayValue(new Date(Date.now() - 6 * DAY_MS)));
  const [to, setTo] = useState(() => dayValue(new Date()));
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to);
  const state = useAsync(
    () =>
      valid
        ? api.GET('/api/energy/points/{id}/reconciliation', {
            params: {
              path: { id: point.id },
              query: { from: dayStart(from), to: dayStart(to, 1) },
            },
          })
        : Promise.resolve({ error: { title: 'Choose both days of the period', errors: [] } }),
    [point.id, from, to, valid, recorded],
  );
  const unit = UNIT_OF[point.commodity] ?? '';
  return (
    <section className="energy-reconciliation" aria-labelledby="energy-rec-title">
      <h3 id="energy-rec-title">Reconciliation</h3>
      <form
        className="energy-period"
        aria-label="Period of the reconciliation"
        onSubmit={(e) => e.preventDefault()}
      >
        <FormField
          label="From"
          hint={`the first day, in your time zone (${timeZone()})`}
          problem={state.error}
          field="/querystring/from"
        >
          <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </FormField>
        <FormField
          label="To"
          hint="the last day, included"
          problem={state.error}
          field="/querystring/to"
        >
          <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </FormField>
      </form>
      <AsyncView state={state} isEmpty={() => false} labels={LABELS}>
        {(r) => <ReconciliationView r={r} unit={unit} />}
      </AsyncView>
    </section>
  );
}

function ReconciliationView({ r, unit }: { r: Reconciliation; unit: string }) {
  const flagged = r.pairs.filter((p) => FLAGGED_OUTCOMES.includes(p.outcome));
  const directions = (['import', 'export'] as const).filter((d) =>
    r.pairs.some((p) => p.direction === d),
  );
  return (
    <>
      <p className="energy-summary" role="status">
        {summaryWords(r)}
      </p>
      {directions.map((d) => (
        <FlowChart
          key={d}
          title={`Our meter and the partner’s, energy ${DIRECTION_WORDS[d]}`}
          pairs={r.pairs.filter((p) => p.direction === d)}
          unit={unit}
        />
      ))}

      <h4 id="energy-flagged">Periods that need a look</h4>
      <DataTable<Pair>
        label="Periods that need a look"
        rows={flagged}
        rowKey={(p) => `${p.direction}|${p.granularity}|${p.periodStart}`}
        emptyText="None: every period compared agrees within the tolerance."
        pageSize={20}
        columns={[
          {
            key: 'period',
            header: 'Period',
            cell: (p) => periodWords(p.periodStart, p.periodEnd),
            sortValue: (p) => p.periodStart,
          },
          {
            key: 'outcome',
            header: 'Finding',
            cell: (p) => (
              <strong className={`energy-outcome ${p.outcome}`}>{outcomeWords(p.outcome)}</strong>
            ),
            sortValue: (p) => p.outcome,
          },
          {
            key: 'own',
            header: `Our meter, at the importer (${unit})`,
            className: 'num',
            cell: (p) => formatNumber(p.ownAtImporter ?? p.own, 3),
          },
          {
            key: 'partner',
            header: `Partner’s, at the importer (${unit})`,
            className: 'num',
            cell: (p) => formatNumber(p.partnerAtImporter ?? p.partner, 3),
          },
          { key: 'detail', header: 'Detail', cell: (p) => pairWords(p, unit) },
        ]}
      />

      <h4>Monthly totals</h4>
      <DataTable<Month>
        label="Monthly totals"
        rows={r.months}
        rowKey={(m) => `${m.direction}|${m.month}`}
        emptyText="No month has periods with both figures."
        columns={[
          { key: 'month', header: 'Month', cell: (m) => monthWords(m.month) },
          {
            key: 'own',
            header: `Our meter, at the importer (${unit})`,
            className: 'num',
            cell: (m) => formatNumber(m.own, 3),
          },
          {
            key: 'partner',
            header: `Partner’s, at the importer (${unit})`,
            className: 'num',
            cell: (m) => formatNumber(m.partner, 3),
          },
          {
            key: 'difference',
            header: `Difference (${unit})`,
            className: 'num',
            cell: (m) => formatNumber(m.difference, 3),
          },
          {
            key: 'tolerance',
            header: `Tolerance (${unit})`,
            className: 'num',
            cell: (m) => formatNumber(m.tolerance, 3),
          },
          {
            key: 'periods',
            header: 'Periods with both figures',
            className: 'num',
            cell: (m) => `${formatNumber(m.pairedPeriods)} of ${formatNumber(m.periods)}`,
          },
          {
            key: 'outcome',
            header: 'Finding',
            cell: (m) => MONTH_OUTCOME_WORDS[m.outcome] ?? m.outcome,
          },
        ]}
      />

      <h4>Bias of the meters</h4>
      {r.bias.length === 0 ? (
        <p className="empty">No lasting bias: neither meter reads persistently high.</p>
      ) : (
        <ul className="energy-bias">
          {r.bias.map((b, k) => (
            <li key={k}>{biasWords(b, formatDateTime)}.</li>
          ))}
        </ul>
      )}

      <h4>Declarations</h4>
      {r.declarations.length === 0 ? (
        <p className="empty">No declaration of this point in the period.</p>
      ) : (
        <ul className="energy-declarations" aria-label="Declarations against the meters">
          {r.declarations.map((d) => (
            <li key={d.reportId} className={d.outcome}>
              <strong>{d.reportId}</strong>, {periodWords(d.periodStart, d.periodEnd)}:{' '}
              {declarationWords(d, unit)}.
            </li>
          ))}
        </ul>
      )}

      <h4>Figures not used</h4>
      {r.issues.length === 0 ? (
        <p className="empty">Every figure of the period could be used.</p>
      ) : (
        <ul className="energy-issues">
          {r.issues.map((i, k) => (
            <li key={k}>
              <strong>{i.reportId}</strong>: {ISSUE_WORDS[i.kind] ?? i.kind} — {i.detail}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** "2026-11" → "November 2026". */
const monthWords = (month: string) =>
  new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${month}-01T00:00:00Z`),
  );

/** What the reconciliation found, in one sentence. */
export function summaryWords(r: Reconciliation): string {
  const counted = r.pairs.length;
  const period = periodWords(r.from, r.to);
  if (counted === 0)
    return `${period}: ${formatNumber(r.reports)} figures, no period with a figure to compare.`;
  const granularity = r.pairs[0]!.granularity;
  const same = r.pairs.every((p) => p.granularity === granularity);
  const order = Object.keys(OUTCOME_WORDS);
  const parts = Object.entries(r.summary)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([outcome, n]) => `${formatNumber(n)} ${outcomeWords(outcome)}`);
  return `${period}: ${formatNumber(r.reports)} figures, ${
    same ? periodsWords(granularity, counted) : `${formatNumber(counted)} periods`
  } compared — ${parts.join(', ')}.`;
}
