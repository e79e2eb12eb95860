import { useId } from 'react';
import { DataTable } from '../../components/DataTable.js';
import { formatNumber } from '../../format.js';
import type { Pair } from './types.js';
import { FLAGGED_OUTCOMES, outcomeWords, periodsWords } from './words.js';

const W = 720;
const H = 260;
const M = { left: 60, right: 28, top: 12, bottom: 36 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
const HOUR_MS = 3_600_000;

const tickTime = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const tickDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const whenFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** A step of 1, 2 or 5 times a power of ten that splits `span` into about `n` parts. */
function niceStep(span: number, n: number): number {
  if (span <= 0) return 1;
  const raw = span / n;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** The ticks of the time axis: local midnights over several days, else every few hours. */
function timeTicks(t0: number, t1: number): Array<{ t: number; label: string }> {
  const span = t1 - t0;
  const ticks: Array<{ t: number; label: string }> = [];
  if (span > 2 * 24 * HOUR_MS) {
    const every = Math.max(1, Math.ceil(span / (24 * HOUR_MS) / 7));
    const d = new Date(t0);
    d.setHours(0, 0, 0, 0);
    if (d.getTime() < t0) d.setDate(d.getDate() + 1);
    for (; d.getTime() <= t1; d.setDate(d.getDate() + every))
      ticks.push({ t: d.getTime(), label: tickDay.format(d) });
  } else {
    const every = span > 12 * HOUR_MS ? 6 : span > 4 * HOUR_MS ? 2 : 1;
    const d = new Date(t0);
    d.setMinutes(0, 0, 0);
    while (d.getTime() < t0 || d.getHours() % every !== 0) d.setHours(d.getHours() + 1);
    for (; d.getTime() <= t1; d.setHours(d.getHours() + every))
      ticks.push({ t: d.getTime(), label: tickTime.format(d) });
  }
  return ticks;
}

/** The path of a series, broken where a period has no figure or periods do not follow on. */
function pathOf(points: Array<{ x: number; y: number | null; start: number; end: number }>) {
  let d = '';
  let last: number | null = null;
  for (const p of points) {
    if (p.y === null) {
      last = null;
      continue;
    }
    d += `${last === null || last !== p.start ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)} `;
    last = p.end;
  }
  return d.trim();
}

/**
 * Our meter's figure and the partner's, both as the importer's meter reads them, period by
 * period in one chart (inline SVG), with the periods that need a look marked. The chart is
 * named by a summary in words, and the figures are under it as a table.
 */
export function FlowChart({ title, pairs, unit }: { title: string; pairs: Pair[]; unit: string }) {
  const id = useId();
  // One granularity in a chart: the one most periods have.
  const counts = new Map<string, number>();
  for (const p of pairs) counts.set(p.granularity, (counts.get(p.granularity) ?? 0) + 1);
  const granularity = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'PT1H';
  const shown = pairs
    .filter((p) => p.granularity === granularity)
    .sort((a, b) => a.periodStart.localeCompare(b.periodStart));
  if (shown.length === 0) return null;
  const ours = (p: Pair) => p.ownAtImporter ?? p.own;
  const theirs = (p: Pair) => p.partnerAtImporter;
  const t0 = Date.parse(shown[0]!.periodStart);
  const t1 = Date.parse(shown[shown.length - 1]!.periodEnd);
  const values = shown.flatMap((p) => [ours(p), theirs(p)]).filter((v): v is number => v !== null);
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const step = niceStep(max - min || 1, 4);
  const yMax = Math.ceil(max / step) * step || step;
  const yMin = Math.floor(min / step) * step;
  const x = (t: number) => M.left + ((t - t0) / Math.max(1, t1 - t0)) * PLOT_W;
  const y = (v: number) => M.top + PLOT_H - ((v - yMin) / (yMax - yMin)) * PLOT_H;
  const series = (value: (p: Pair) => number | null) =>
    shown.map((p) => {
      const start = Date.parse(p.periodStart);
      const end = Date.parse(p.periodEnd);
      const v = value(p);
      return { x: x((start + end) / 2), y: v === null ? null : y(v), start, end };
    });
  const yTicks: number[] = [];
  for (let v = yMin; v <= yMax + step / 2; v += step) yTicks.push(v);
  const flagged = shown.filter((p) => FLAGGED_OUTCOMES.includes(p.outcome));
  const discrepancies = flagged.filter((p) => p.outcome === 'discrepancy');
  const description =
    `${periodsWords(granularity, shown.length)} from ${whenFormat.format(t0)} to ` +
    `${whenFormat.format(t1)}, between ${formatNumber(Math.min(...values), 1)} and ` +
    `${formatNumber(Math.max(...values), 1)} ${unit} a period. ` +
    (flagged.length === 0
      ? 'The two lines agree in every period.'
      : `${formatNumber(flagged.length)} marked: ${flagged
          .slice(0, 5)
          .map((p) => `${whenFormat.format(new Date(p.periodStart))} (${outcomeWords(p.outcome)})`)
          .join(', ')}${flagged.length > 5 ? ', …' : ''}.`);
  return (
    <figure className="energy-chart">
      <figcaption id={`${id}-caption`}>
        <strong>{title}</strong> ({unit}, both as the importer’s meter would read them, after the
        losses on the line). {description}
      </figcaption>
      {/* On a phone the chart keeps a readable size and scrolls sideways in its own box. */}
      <div className="chart-scroll" tabIndex={0} role="group" aria-label="Scrollable chart">
        <svg
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-labelledby={`${id}-caption`}
          preserveAspectRatio="xMidYMid meet"
        >
          {flagged.map((p) => {
            const a = x(Date.parse(p.periodStart));
            const b = x(Date.parse(p.periodEnd));
            return (
              <rect
                key={p.periodStart}
                className={`flag ${p.outcome === 'discrepancy' ? 'discrepancy' : 'other'}`}
                x={Math.min(a, b - 4)}
                y={M.top}
                width={Math.max(4, b - a)}
                height={PLOT_H}
              />
            );
          })}
          {yTicks.map((v) => (
            <g key={v}>
              <line className="grid" x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
              <text className="tick" x={M.left - 6} y={y(v) + 4} textAnchor="end">
                {formatNumber(v)}
              </text>
            </g>
          ))}
          {timeTicks(t0, t1).map((t) => (
            <g key={t.t}>
              <line
                className="axis"
                x1={x(t.t)}
                x2={x(t.t)}
                y1={M.top + PLOT_H}
                y2={M.top + PLOT_H + 5}
              />
              <text className="tick" x={x(t.t)} y={H - M.bottom + 20} textAnchor="middle">
                {t.label}
              </text>
            </g>
          ))}
          <line
            className="axis"
            x1={M.left}
            x2={W - M.right}
            y1={M.top + PLOT_H}
            y2={M.top + PLOT_H}
          />
          <path className="series own" d={pathOf(series(ours))} />
          <path className="series partner" d={pathOf(series(theirs))} />
          {discrepancies.map((p) => {
            const v = ours(p);
            if (v === null) return null;
            const cx = x((Date.parse(p.periodStart) + Date.parse(p.periodEnd)) / 2);
            return <circle key={p.periodStart} className="mark" cx={cx} cy={y(v)} r={5} />;
          })}
        </svg>
      </div>
      <ul className="energy-legend" aria-label="Legend">
        <li>
          <span className="swatch own" aria-hidden="true" /> Our meter
        </li>
        <li>
          <span className="swatch partner" aria-hidden="true" /> The partner’s figure
        </li>
        <li>
          <span className="swatch flag" aria-hidden="true" /> A period that needs a look (circled:
          discrepancy)
        </li>
      </ul>
      <details>
        <summary>The figures as a table</summary>
        <DataTable<Pair>
          label={`${title}: the figures`}
          rows={shown}
          rowKey={(p) => p.periodStart}
          pageSize={24}
          columns={[
            {
              key: 'start',
              header: 'Period from',
              cell: (p) => whenFormat.format(new Date(p.periodStart)),
            },
            {
              key: 'own',
              header: `Our meter (${unit})`,
              className: 'num',
              cell: (p) => formatNumber(ours(p), 3),
            },
            {
              key: 'partner',
              header: `Partner’s (${unit})`,
              className: 'num',
              cell: (p) => formatNumber(theirs(p), 3),
            },
            { key: 'outcome', header: 'Finding', cell: (p) => outcomeWords(p.outcome) },
          ]}
        />
      </details>
    </figure>
  );
}
