import { BarChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { api, describeProblem, session } from '../api.js';
import { formatDay, formatNumber } from '../format.js';

// Only what the page draws: bar charts on a canvas (with a legend, and a description for screen readers).
echarts.use([
  BarChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);
type ChartOption = Parameters<ReturnType<typeof echarts.init>['setOption']>[0];

interface Counts {
  declarations: number;
  channels: { green: number; yellow: number; red: number };
  controls: number;
  findings: number;
  seizureRate: { rate: number | null };
}
interface Metrics {
  totals: Counts;
  selection: {
    random: { n: number; rate: number | null };
    targeted: { n: number; rate: number | null };
  };
  clearance: {
    certified: { n: number; medianHours: number | null };
    others: { n: number; medianHours: number | null };
  };
  permits: {
    decided: number;
    expedited: { n: number; medianHours: number | null };
    standard: { n: number; medianHours: number | null };
  };
  collaboration: { jointApprovals: number; referrals: number; informationRequests: number };
  groups: Array<Counts & { group: string }> | null;
  daily: Array<{ date: string; declarations: number; green: number; yellow: number; red: number }>;
}

const CHANNEL_COLOURS = { green: '#4c9a63', yellow: '#d8b43c', red: '#c2463b' } as const;

function Chart({ option, label }: { option: ChartOption; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.setOption(option);
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return <div ref={ref} className="chart" role="img" aria-label={label} />;
}

const today = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** Performance metrics: channels, seizure rates, detection, clearance and permit times. */
export function MetricsPage() {
  const [from, setFrom] = useState('2020-01-01');
  const [to, setTo] = useState(today());
  const [m, setM] = useState<Metrics | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setM(null);
    setError(null);
    void api
      .GET('/api/metrics/performance', {
        params: { query: { from, to, groupBy: 'priority-area' } },
      })
      .then(({ data, error: problem }) => {
        if (problem) setError(describeProblem(problem));
        else setM(data as Metrics);
      });
  }, [from, to]);

  const downloadCsv = async () => {
    const response = await fetch(
      `/api/metrics/performance?from=${from}&to=${to}&groupBy=priority-area&format=csv`,
      {
        headers: { Authorization: `Bearer ${session.token() ?? ''}` },
      },
    );
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `greenlane-metrics-${from}-${to}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  const groups = m?.groups?.filter((g) => g.group !== '(no hit)') ?? [];
  return (
    <section>
      <h1>Metrics</h1>
      <form className="filters" aria-label="Period" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" onClick={() => void downloadCsv()}>
          Export CSV
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!m && !error && <p className="status">Loading…</p>}
      {m && (
        <>
          <dl className="facts figures" aria-label="Figures">
            <dt>Declarations</dt>
            <dd>{formatNumber(m.totals.declarations)}</dd>
            <dt>Controls</dt>
            <dd>{formatNumber(m.totals.controls)}</dd>
            <dt>Findings</dt>
            <dd>{formatNumber(m.totals.findings)}</dd>
            <dt>Seizure rate</dt>
            <dd>
              {m.totals.seizureRate.rate === null
                ? '—'
                : `${formatNumber(m.totals.seizureRate.rate * 100, 1)} %`}
            </dd>
            <dt>Detection, random</dt>
            <dd>
              {m.selection.random.rate === null
                ? '—'
                : `${formatNumber(m.selection.random.rate * 100, 1)} % of ${m.selection.random.n}`}
            </dd>
            <dt>Detection, targeted</dt>
            <dd>
              {m.selection.targeted.rate === null
                ? '—'
                : `${formatNumber(m.selection.targeted.rate * 100, 1)} % of ${m.selection.targeted.n}`}
            </dd>
            <dt>Joint approvals</dt>
            <dd>{formatNumber(m.collaboration.jointApprovals)}</dd>
            <dt>Referrals</dt>
            <dd>{formatNumber(m.collaboration.referrals)}</dd>
          </dl>
          <div className="charts">
            <Chart
              label="Declarations by channel"
              option={{
                title: { text: 'Declarations by channel' },
                xAxis: { type: 'category', data: ['green', 'yellow', 'red'] },
                yAxis: { type: 'value' },
                series: [
                  {
                    type: 'bar',
                    data: [
                      {
                        value: m.totals.channels.green,
                        itemStyle: { color: CHANNEL_COLOURS.green },
                      },
                      {
                        value: m.totals.channels.yellow,
                        itemStyle: { color: CHANNEL_COLOURS.yellow },
                      },
                      { value: m.totals.channels.red, itemStyle: { color: CHANNEL_COLOURS.red } },
                    ],
                  },
                ],
              }}
            />
            {m.daily.length === 0 ? (
              <p className="empty">No declarations in the period: no channels over time.</p>
            ) : (
              <Chart
                label="Channels over time"
                option={{
                  // ECharts describes the chart (title, series, first values) in the aria-label.
                  aria: { enabled: true },
                  title: { text: 'Channels over time' },
                  legend: { top: 28, data: ['green', 'yellow', 'red'] },
                  grid: { top: 70, left: 50, right: 20 },
                  tooltip: { trigger: 'axis' },
                  xAxis: { type: 'category', data: m.daily.map((d) => formatDay(d.date)) },
                  yAxis: { type: 'value', minInterval: 1 },
                  series: (['green', 'yellow', 'red'] as const).map((channel) => ({
                    name: channel,
                    type: 'bar' as const,
                    stack: 'channels',
                    itemStyle: { color: CHANNEL_COLOURS[channel] },
                    data: m.daily.map((d) => d[channel]),
                  })),
                }}
              />
            )}
            <Chart
              label="Seizure rate by priority area"
              option={{
                title: { text: 'Seizure rate by priority area (%)' },
                grid: { left: 170 },
                xAxis: { type: 'value', max: 100 },
                yAxis: { type: 'category', data: groups.map((g) => g.group) },
                series: [{ type: 'bar', data: groups.map((g) => (g.seizureRate.rate ?? 0) * 100) }],
              }}
            />
            <Chart
              label="Clearance and permit times"
              option={{
                title: { text: 'Median hours' },
                xAxis: {
                  type: 'category',
                  data: [
                    'clearance, certified',
                    'clearance, others',
                    'permits, expedited',
                    'permits, standard',
                  ],
                },
                yAxis: { type: 'value' },
                series: [
                  {
                    type: 'bar',
                    data: [
                      m.clearance.certified.medianHours ?? 0,
                      m.clearance.others.medianHours ?? 0,
                      m.permits.expedited.medianHours ?? 0,
                      m.permits.standard.medianHours ?? 0,
                    ],
                  },
                ],
              }}
            />
          </div>
        </>
      )}
    </section>
  );
}
