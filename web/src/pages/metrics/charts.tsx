import { useMemo } from 'react';
import { DataTable } from '../../components/DataTable.js';
import { formatDay, formatNumber } from '../../format.js';
import { priorityAreaWords } from '../../words.js';
import { allLabels, ChartFigure, type ChartOption } from './Chart.js';
import { percent } from './figures.js';
import type { Metrics, Proportion } from './types.js';

const CHANNELS = ['green', 'yellow', 'red'] as const;
const CHANNEL_WORDS = { green: 'Green', yellow: 'Yellow', red: 'Red' } as const;
const CHANNEL_COLOURS = { green: '#4c9a63', yellow: '#d8b43c', red: '#c2463b' } as const;
/** ECharts draws no bar for '-': a missing value is left out, never drawn as 0. */
const MISSING = '-';
const NO_DATA = 'no data';

const hours = (h: number | null) => (h === null ? NO_DATA : `${formatNumber(h, 1)}\u00a0h`);

/** The four charts of the period, each with its figures as a table. */
export function Charts({ m }: { m: Metrics }) {
  const channels = useMemo(() => channelsChart(m), [m]);
  const overTime = useMemo(() => overTimeChart(m), [m]);
  const areas = useMemo(() => areasChart(m), [m]);
  const times = useMemo(() => timesChart(m), [m]);
  return (
    <div className="metrics-charts">
      {channels}
      {overTime}
      {areas}
      {times}
    </div>
  );
}

function channelsChart(m: Metrics) {
  const rows = CHANNELS.map((c) => ({
    channel: c,
    now: m.totals.channels[c],
    before: m.previous.totals.channels[c],
  }));
  const option: ChartOption = {
    grid: { left: 10, right: 20, top: 20, bottom: 10, containLabel: true },
    xAxis: {
      type: 'category',
      data: CHANNELS.map((c) => CHANNEL_WORDS[c]),
      axisLabel: allLabels(90),
    },
    yAxis: { type: 'value', minInterval: 1 },
    tooltip: { trigger: 'axis' },
    series: [
      {
        type: 'bar',
        name: 'Declarations',
        label: { show: true, position: 'top' },
        data: rows.map((r) => ({ value: r.now, itemStyle: { color: CHANNEL_COLOURS[r.channel] } })),
      },
    ],
  };
  return (
    <ChartFigure
      title="Declarations by channel"
      option={option}
      description={`Declarations by channel: ${rows
        .map((r) => `${CHANNEL_WORDS[r.channel]} ${formatNumber(r.now)}`)
        .join(', ')}.`}
      table={
        <DataTable
          label="Declarations by channel"
          rows={rows}
          rowKey={(r) => r.channel}
          columns={[
            { key: 'c', header: 'Channel', cell: (r) => CHANNEL_WORDS[r.channel] },
            {
              key: 'n',
              header: 'Declarations',
              className: 'num',
              cell: (r) => formatNumber(r.now),
            },
            {
              key: 'p',
              header: 'Previous period',
              className: 'num',
              cell: (r) => formatNumber(r.before),
            },
          ]}
        />
      }
    />
  );
}

function overTimeChart(m: Metrics) {
  if (m.daily.length === 0)
    return <p className="empty">No declarations in the period: no channels over time.</p>;
  const option: ChartOption = {
    // Not shown (the caption is the title), but ECharts names the chart by it in its description.
    title: { text: 'Channels over time', show: false },
    legend: { top: 0, data: CHANNELS.map((c) => CHANNEL_WORDS[c]) },
    grid: { top: 40, left: 10, right: 20, bottom: 10, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: m.daily.map((d) => formatDay(d.date)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: CHANNELS.map((c) => ({
      name: CHANNEL_WORDS[c],
      type: 'bar' as const,
      stack: 'channels',
      itemStyle: { color: CHANNEL_COLOURS[c] },
      data: m.daily.map((d) => d[c]),
    })),
  };
  return (
    <ChartFigure
      title="Channels over time"
      ariaFromChart
      option={option}
      description={`Declarations per day by channel, ${m.daily.length} days.`}
      table={
        <DataTable
          label="Channels over time"
          rows={m.daily}
          rowKey={(d) => d.date}
          columns={[
            { key: 'd', header: 'Day (UTC)', cell: (d) => formatDay(d.date) },
            ...CHANNELS.map((c) => ({
              key: c,
              header: CHANNEL_WORDS[c],
              className: 'num',
              cell: (d: Metrics['daily'][number]) => formatNumber(d[c]),
            })),
            {
              key: 'u',
              header: 'Not screened',
              className: 'num',
              cell: (d) => formatNumber(d.unscreened),
            },
          ]}
        />
      }
    />
  );
}

function areasChart(m: Metrics) {
  const groups = (m.groups ?? []).filter((g) => g.group !== '(no hit)');
  if (groups.length === 0)
    return (
      <p className="empty">
        No risk indicator hit a declaration of the period: no rates by priority area.
      </p>
    );
  const label = (g: (typeof groups)[number]) =>
    `${priorityAreaWords(g.group)} (${g.controls === 0 ? `no controls: ${NO_DATA}` : `${formatNumber(g.controls)} controls`})`;
  const bar = (p: Proportion) => (p.rate === null ? MISSING : Math.round(p.rate * 1000) / 10);
  const option: ChartOption = {
    legend: { top: 0, data: ['Detection rate', 'Seizure rate'] },
    grid: { top: 40, left: 10, right: 30, bottom: 10, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %', hideOverlap: true } },
    yAxis: { type: 'category', data: groups.map(label), axisLabel: allLabels(140), inverse: true },
    series: [
      {
        name: 'Detection rate',
        type: 'bar',
        itemStyle: { color: '#35608f' },
        label: {
          show: true,
          position: 'right',
          formatter: (p: { value: unknown }) => `${formatNumber(Number(p.value), 1)} %`,
        },
        data: groups.map((g) => bar(g.detectionRate)),
      },
      {
        name: 'Seizure rate',
        type: 'bar',
        itemStyle: { color: '#9b3d7a' },
        label: {
          show: true,
          position: 'right',
          formatter: (p: { value: unknown }) => `${formatNumber(Number(p.value), 1)} %`,
        },
        data: groups.map((g) => bar(g.seizureRate)),
      },
    ],
  };
  return (
    <ChartFigure
      title="Detection and seizure rates by priority area"
      option={option}
      description={`Detection and seizure rates by priority area: ${groups
        .map(
          (g) =>
            `${priorityAreaWords(g.group)}, detection ${percent(g.detectionRate.rate)}, seizure ${percent(g.seizureRate.rate)} of ${formatNumber(g.controls)} controls`,
        )
        .join('; ')}.`}
      table={
        <DataTable
          label="Detection and seizure rates by priority area"
          rows={groups}
          rowKey={(g) => g.group}
          columns={[
            { key: 'a', header: 'Priority area', cell: (g) => priorityAreaWords(g.group) },
            {
              key: 'c',
              header: 'Controls',
              className: 'num',
              cell: (g) => formatNumber(g.controls),
            },
            {
              key: 'd',
              header: 'Detection rate',
              className: 'num',
              cell: (g) =>
                `${percent(g.detectionRate.rate)} (${formatNumber(g.findings)} findings)`,
            },
            {
              key: 's',
              header: 'Seizure rate',
              className: 'num',
              cell: (g) => `${percent(g.seizureRate.rate)} (${formatNumber(g.seizures)} seizures)`,
            },
          ]}
        />
      }
    />
  );
}

function timesChart(m: Metrics) {
  const rows = [
    { key: 'cc', name: 'Clearance, certified traders', d: m.clearance.certified, what: 'released' },
    { key: 'co', name: 'Clearance, other traders', d: m.clearance.others, what: 'released' },
    { key: 'pe', name: 'Permits, expedited', d: m.permits.expedited, what: 'decided' },
    { key: 'ps', name: 'Permits, standard', d: m.permits.standard, what: 'decided' },
  ];
  const label = (r: (typeof rows)[number]) =>
    r.d.medianHours === null
      ? `${r.name} (${NO_DATA})`
      : `${r.name} (${formatNumber(r.d.n)} ${r.what})`;
  const option: ChartOption = {
    grid: { top: 10, left: 10, right: 50, bottom: 10, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'value',
      name: 'hours',
      nameLocation: 'middle',
      nameGap: 25,
      axisLabel: { hideOverlap: true },
    },
    yAxis: { type: 'category', data: rows.map(label), axisLabel: allLabels(140), inverse: true },
    series: [
      {
        name: 'Median hours',
        type: 'bar',
        itemStyle: { color: '#35608f' },
        label: {
          show: true,
          position: 'right',
          formatter: (p: { value: unknown }) => `${formatNumber(Number(p.value), 1)} h`,
        },
        data: rows.map((r) =>
          r.d.medianHours === null ? MISSING : Math.round(r.d.medianHours * 10) / 10,
        ),
      },
    ],
  };
  return (
    <ChartFigure
      title="Median hours: clearance and permit decisions"
      option={option}
      description={`Median hours: ${rows.map((r) => `${r.name} ${hours(r.d.medianHours)}`).join(', ')}.`}
      table={
        <DataTable
          label="Median hours: clearance and permit decisions"
          rows={rows}
          rowKey={(r) => r.key}
          columns={[
            { key: 'n', header: 'What', cell: (r) => r.name },
            { key: 'c', header: 'Count', className: 'num', cell: (r) => formatNumber(r.d.n) },
            { key: 'm', header: 'Median', className: 'num', cell: (r) => hours(r.d.medianHours) },
            {
              key: 'p',
              header: '90th percentile',
              className: 'num',
              cell: (r) => hours(r.d.p90Hours),
            },
          ]}
        />
      }
    />
  );
}
