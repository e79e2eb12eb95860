import { csvCell } from '../formats/csv-cell.js';
import type { Principal } from '../core/auth/identity.js';
import { assertAllowed } from '../core/auth/policy.js';
import { outcomeOf, type ControlOutcome } from '../core/controls/inspection.js';
import { DomainError } from '../core/errors.js';
import { NODE_MESSAGE_TYPES, type MessageType } from '../core/exchange/messages.js';
import type { ExchangeActivity, MetricDeclaration, Repositories } from '../core/ports.js';
import { median, p90, proportion, type Proportion } from '../core/stats.js';
import {
  convertTotal,
  rateTableInfo,
  type ConvertedTotal,
  type RateTable,
  type RateTableInfo,
} from '../core/currency-rates.js';
import type { AppContext } from './context.js';
import { readRateTable } from './currency-rates.js';

export const GROUPINGS = ['office', 'agency', 'priority-area'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface MetricsQuery {
  from: string;
  to: string;
  groupBy?: Grouping;
}

/**
 * What happened to the declarations lodged in the period. A control is a declaration with at
 * least one effective inspection record (a record corrected by a later one does not count); a
 * finding, a controlled declaration whose effective records include a non-compliant one; a
 * seizure, a controlled declaration with goods seized in an effective record.
 */
export interface Counts {
  declarations: number;
  goodsItems: number;
  channels: { green: number; yellow: number; red: number };
  /** Share of declarations by channel (0–1). */
  channelShare: { green: number | null; yellow: number | null; red: number | null };
  controls: number;
  findings: number;
  seizures: number;
  /** findings / controls, with a 95 % interval. */
  detectionRate: Proportion;
  /** seizures / controls, with a 95 % interval. */
  seizureRate: Proportion;
}

interface Durations {
  n: number;
  medianHours: number | null;
  p90Hours: number | null;
}

/** The figures of one period. */
export interface PeriodMetrics {
  period: { from: string; to: string };
  totals: Counts;
  seizures: {
    /** Seizure records of effective inspection records (one per goods item seized). */
    records: number;
    /** Declarations with goods seized (`totals.seizures`). */
    declarations: number;
    /** Estimated values by the currency they were recorded in. */
    estimatedValue: Record<string, number>;
    /** The same values in the rate table's currency; those without a rate counted apart. */
    value: ConvertedTotal;
  };
  indicators: Array<{
    indicatorId: string;
    version: number;
    priorityArea: string;
    hits: number;
    controls: number;
    findings: number;
    hitRate: number | null;
  }>;
  /** Detection: findings among controlled declarations chosen at random vs by the indicators. */
  selection: { random: Proportion; targeted: Proportion };
  /** Submission to release, for traders whose certificate lowered the score and for the rest. */
  clearance: { certified: Durations; others: Durations };
  permits: {
    decided: number;
    expedited: Durations & { withinDeadline: Proportion };
    standard: Durations & { withinDeadline: Proportion };
  };
  collaboration: {
    jointApprovals: number;
    referrals: number;
    informationRequests: number;
    messages: number;
    byAgencyPair: Array<{ from: string; to: string; events: number }>;
  };
  /** Messages with partner administrations created in the period and delivered or received. */
  exchanges: {
    messages: number;
    records: number;
    byPartner: Array<{
      partner: string;
      messages: number;
      records: number;
      sent: number;
      received: number;
    }>;
    byType: Array<{ type: string; sent: number; received: number }>;
    /** Per UTC month (YYYY-MM), partner and type. */
    byMonth: Array<{
      month: string;
      partner: string;
      type: string;
      sent: number;
      received: number;
    }>;
    /** Requests for assistance, sent and received, and how long the answers took. */
    assistance: {
      sent: number;
      received: number;
      answered: number;
      /** Past the deadline at the end of the period and not answered or refused. */
      overdue: number;
      /** From the request to the final answer, for requests this node sent. */
      responseTime: Durations;
      /** Same, for requests this node answered. */
      ourResponseTime: Durations;
    };
  };
  groups: Array<{ group: string } & Counts> | null;
  /** Declarations per day (UTC) by channel, from the first to the last day with any, gaps as zeros. */
  daily: DailyChannels[];
}

/** The figures of a period, the same figures of the period of the same length before it, and the rates used. */
export interface PerformanceMetrics extends PeriodMetrics {
  /** The period of the same length that ends where this one starts. */
  previous: PeriodMetrics;
  /** The exchange-rate table values were converted with. */
  rates: RateTableInfo;
}

export interface DailyChannels {
  /** YYYY-MM-DD, UTC. */
  date: string;
  declarations: number;
  green: number;
  yellow: number;
  red: number;
  /** Lodged but not screened (no channel). */
  unscreened: number;
}

/** Who reads the performance metrics. */
function assertReader(principal: Principal): void {
  assertAllowed(principal, 'read', 'performance-metrics');
}

// Four-digit years: ISO strings then compare as dates, and the previous period stays a date.
const EARLIEST = Date.parse('1900-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

export function checkPeriod(q: { from?: string; to?: string }): { from: string; to: string } {
  const issues = [];
  const from = q.from === undefined ? NaN : Date.parse(q.from);
  const to = q.to === undefined ? NaN : Date.parse(q.to);
  for (const [name, t] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (Number.isNaN(t))
      issues.push({ path: `querystring/${name}`, reason: 'a date or date-time is required' });
    else if (t < EARLIEST || t > LATEST)
      issues.push({ path: `querystring/${name}`, reason: 'a date from 1900 to 9999 is required' });
  }
  if (issues.length === 0 && to <= from)
    issues.push({ path: 'querystring/to', reason: 'must be after from' });
  if (issues.length > 0) throw new DomainError('invalid_input', 'invalid period', issues);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** The performance metrics of the principal's administration for a period. */
export async function performanceMetrics(
  ctx: AppContext,
  principal: Principal,
  q: MetricsQuery,
): Promise<PerformanceMetrics> {
  assertReader(principal);
  const agencies = await ctx.storage.read.identity.listAgencies(principal.administrationId);
  return computeMetrics(ctx.storage.read, q, {
    agencyIds: new Set(agencies.map((a) => a.id)),
    ...(ctx.settings.exchangeRates ? { rates: ctx.settings.exchangeRates } : {}),
  });
}

/** The period of the same length that ends where `period` starts. */
export function previousPeriod(period: { from: string; to: string }): {
  from: string;
  to: string;
} {
  const from = Date.parse(period.from);
  const length = Date.parse(period.to) - from;
  // Before the earliest date a Date can hold there is nothing lodged: the start stays there.
  return { from: new Date(Math.max(from - length, -8.64e15)).toISOString(), to: period.from };
}

/**
 * Computes the metrics from the records (declarations lodged in the period, their controls…),
 * and the same for the period before; values converted with `rates` (default: the shipped table).
 */
export async function computeMetrics(
  read: Repositories,
  q: MetricsQuery,
  options: { agencyIds?: ReadonlySet<string>; rates?: RateTable } = {},
): Promise<PerformanceMetrics> {
  const rates = options.rates ?? (await readRateTable());
  const current = await periodMetrics(read, q, rates, options.agencyIds);
  const previous = await periodMetrics(
    read,
    { ...q, ...previousPeriod(q) },
    rates,
    options.agencyIds,
  );
  return { ...current, previous, rates: rateTableInfo(rates) };
}

async function periodMetrics(
  read: Repositories,
  q: MetricsQuery,
  rates: RateTable,
  agencyIds?: ReadonlySet<string>,
): Promise<PeriodMetrics> {
  const { from, to } = q;
  const m = read.metrics;
  const declarations = (await m.declarations(from, to)).filter(
    (d) => !agencyIds || agencyIds.has(d.agencyId),
  );
  const ids = declarations.map((d) => d.id);
  const records = await m.inspectionsOfDeclarations(ids);
  const byDeclaration = new Map<string, typeof records>();
  for (const r of records) {
    const list = byDeclaration.get(r.declarationId);
    if (list) list.push(r);
    else byDeclaration.set(r.declarationId, [r]);
  }
  const outcome = new Map<string, ControlOutcome>(
    declarations.map((d) => [d.id, outcomeOf(byDeclaration.get(d.id) ?? [])]),
  );
  const hits = await m.hitsOf(ids);

  // Seizures of records a later record corrected do not count, as the records themselves.
  const corrected = new Set(records.flatMap((r) => (r.corrects ? [r.corrects] : [])));
  const seizures = (await m.seizuresOfDeclarations(ids)).filter(
    (s) => !corrected.has(s.inspectionId),
  );
  const seized = new Set(seizures.map((s) => s.declarationId));
  const totals = counts(declarations, outcome, seized);

  const estimatedValue: Record<string, number> = {};
  // A sum past the largest double would read as null in JSON: it stays at the largest double.
  for (const s of seizures)
    estimatedValue[s.currency] = Math.min(
      (estimatedValue[s.currency] ?? 0) +
        (Number.isFinite(s.estimatedValue) ? s.estimatedValue : 0),
      Number.MAX_VALUE,
    );

  const perIndicator = new Map<string, PerformanceMetrics['indicators'][number]>();
  for (const h of hits) {
    const key = `${h.indicatorId}@${h.version}`;
    let row = perIndicator.get(key);
    if (!row) {
      row = {
        indicatorId: h.indicatorId,
        version: h.version,
        priorityArea: h.priorityArea,
        hits: 0,
        controls: 0,
        findings: 0,
        hitRate: null,
      };
      perIndicator.set(key, row);
    }
    const o = outcome.get(h.declarationId)!;
    row.hits++;
    if (o.controlled) row.controls++;
    if (o.finding) row.findings++;
  }
  for (const row of perIndicator.values())
    row.hitRate = row.controls === 0 ? null : row.findings / row.controls;

  const controlled = declarations.filter((d) => outcome.get(d.id)!.controlled);
  const random = controlled.filter((d) => d.randomSelected);
  const targeted = controlled.filter((d) => !d.randomSelected);
  const found = (list: MetricDeclaration[]) =>
    list.filter((d) => outcome.get(d.id)!.finding).length;

  const hours = (list: MetricDeclaration[]): Durations => {
    const values = list.map(
      (d) => (Date.parse(d.releasedAt!) - Date.parse(d.submittedAt)) / 3600_000,
    );
    return { n: values.length, medianHours: median(values), p90Hours: p90(values) };
  };
  const released = declarations.filter((d) => d.releasedAt !== null);

  const permits = await m.permitsDecided(from, to);
  const permitTimes = (expedited: boolean) => {
    const list = permits.filter((p) => p.expedited === expedited && p.processingSeconds !== null);
    const values = list.map((p) => p.processingSeconds! / 3600);
    return {
      n: list.length,
      medianHours: median(values),
      p90Hours: p90(values),
      withinDeadline: proportion(
        list.filter((p) => p.decidedAt! <= p.deadline).length,
        list.length,
      ),
    };
  };

  const events = await m.auditBetween(from, to, [
    'indicator.activated',
    'reference-list.activated',
    'declaration.referred',
    'permit.information-requested',
    'exchange.sent',
    'exchange.received',
  ]);
  const pairs = new Map<string, number>();
  let jointApprovals = 0;
  let referrals = 0;
  const pair = (a: string, b: string) =>
    pairs.set(`${a}\u0000${b}`, (pairs.get(`${a}\u0000${b}`) ?? 0) + 1);
  for (const e of events) {
    if (e.action.endsWith('.activated')) {
      const approvedBy = (e.details.approvedBy as string[] | undefined) ?? [];
      if (new Set(approvedBy).size >= 2) {
        jointApprovals++;
        const [first, ...rest] = approvedBy;
        for (const other of rest) pair(first!, other);
      }
    } else if (e.action === 'declaration.referred') {
      referrals++;
      pair(e.agencyId, String(e.details.toAgencyId));
    }
  }
  // The node's own ledger messages to and from witnesses are not collaboration.
  const exchangeEvents = events.filter(
    (e) => e.action.startsWith('exchange.') && !isNodeMessageType(e.details.type),
  );

  let groups: PerformanceMetrics['groups'] = null;
  if (q.groupBy !== undefined) {
    const keyed = new Map<string, MetricDeclaration[]>();
    const add = (key: string, d: MetricDeclaration) => {
      const list = keyed.get(key);
      if (list) list.push(d);
      else keyed.set(key, [d]);
    };
    if (q.groupBy === 'priority-area') {
      const areas = new Map<string, Set<string>>();
      for (const h of hits) {
        let set = areas.get(h.declarationId);
        if (!set) areas.set(h.declarationId, (set = new Set()));
        set.add(h.priorityArea);
      }
      for (const d of declarations) for (const a of areas.get(d.id) ?? ['(no hit)']) add(a, d);
    } else {
      for (const d of declarations)
        add((q.groupBy === 'office' ? d.office : d.agencyId) ?? '(none)', d);
    }
    groups = [...keyed.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([group, list]) => ({ group, ...counts(list, outcome, seized) }));
  }

  return {
    period: { from, to },
    totals,
    seizures: {
      records: seizures.length,
      declarations: totals.seizures,
      estimatedValue,
      value: convertTotal(
        seizures.map((s) => ({ currency: s.currency, amount: s.estimatedValue })),
        rates,
      ),
    },
    indicators: [...perIndicator.values()].sort(
      (a, b) => b.hits - a.hits || (a.indicatorId < b.indicatorId ? -1 : 1),
    ),
    selection: {
      random: proportion(found(random), random.length),
      targeted: proportion(found(targeted), targeted.length),
    },
    clearance: {
      certified: hours(released.filter((d) => d.certified)),
      others: hours(released.filter((d) => !d.certified)),
    },
    permits: {
      decided: permits.length,
      expedited: permitTimes(true),
      standard: permitTimes(false),
    },
    collaboration: {
      jointApprovals,
      referrals,
      informationRequests: events.filter((e) => e.action === 'permit.information-requested').length,
      messages: exchangeEvents.length,
      byAgencyPair: [...pairs.entries()].map(([k, events]) => {
        const [from, to] = k.split('\u0000') as [string, string];
        return { from, to, events };
      }),
    },
    exchanges: exchangeMetrics(
      (await read.exchange.activity(from, to)).filter(
        (a) => (!agencyIds || agencyIds.has(a.agencyId)) && !isNodeMessageType(a.type),
      ),
      to,
    ),
    groups,
    daily: channelsPerDay(declarations),
  };
}

/** Exchanges with partners: per partner, type and month, and requests for assistance. */
export function exchangeMetrics(
  activity: readonly ExchangeActivity[],
  end: string,
): PerformanceMetrics['exchanges'] {
  const partners = new Map<string, PerformanceMetrics['exchanges']['byPartner'][number]>();
  const types = new Map<string, { type: string; sent: number; received: number }>();
  const months = new Map<string, PerformanceMetrics['exchanges']['byMonth'][number]>();
  let records = 0;
  for (const a of activity) {
    const side = a.direction === 'out' ? 'sent' : 'received';
    records += a.records;
    const p = partners.get(a.partner) ?? {
      partner: a.partner,
      messages: 0,
      records: 0,
      sent: 0,
      received: 0,
    };
    p.messages++;
    p.records += a.records;
    p[side]++;
    partners.set(a.partner, p);
    const t = types.get(a.type) ?? { type: a.type, sent: 0, received: 0 };
    t[side]++;
    types.set(a.type, t);
    const month = a.createdAt.slice(0, 7);
    const key = `${month}\u0000${a.partner}\u0000${a.type}`;
    const mo = months.get(key) ?? { month, partner: a.partner, type: a.type, sent: 0, received: 0 };
    mo[side]++;
    months.set(key, mo);
  }
  const requests = activity.filter((a) => a.type === 'assistance.request');
  const durations = (list: readonly ExchangeActivity[]): Durations => {
    const values = list
      .filter((a) => a.answeredAt !== null)
      .map((a) => (Date.parse(a.answeredAt!) - Date.parse(a.createdAt)) / 3600_000);
    return { n: values.length, medianHours: median(values), p90Hours: p90(values) };
  };
  const sorted = <T>(m: Map<string, T>) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return {
    messages: activity.length,
    records,
    byPartner: sorted(partners),
    byType: sorted(types),
    byMonth: sorted(months),
    assistance: {
      sent: requests.filter((a) => a.direction === 'out').length,
      received: requests.filter((a) => a.direction === 'in').length,
      answered: requests.filter((a) => a.caseStatus === 'answered').length,
      overdue: requests.filter(
        (a) =>
          a.deadline !== null &&
          a.deadline < end &&
          a.caseStatus !== 'answered' &&
          a.caseStatus !== 'refused',
      ).length,
      responseTime: durations(requests.filter((a) => a.direction === 'out')),
      ourResponseTime: durations(requests.filter((a) => a.direction === 'in')),
    },
  };
}

/**
 * Declarations per UTC day by channel, every day from the first to the last day with a
 * declaration (days in between with none are zeros, so a chart's time axis is even).
 */
export function channelsPerDay(
  list: readonly Pick<MetricDeclaration, 'submittedAt' | 'channel'>[],
): DailyChannels[] {
  if (list.length === 0) return [];
  const byDay = new Map<string, DailyChannels>();
  const empty = (date: string): DailyChannels => ({
    date,
    declarations: 0,
    green: 0,
    yellow: 0,
    red: 0,
    unscreened: 0,
  });
  for (const d of list) {
    const date = new Date(d.submittedAt).toISOString().slice(0, 10);
    let day = byDay.get(date);
    if (!day) byDay.set(date, (day = empty(date)));
    day.declarations++;
    day[d.channel ?? 'unscreened']++;
  }
  const dates = [...byDay.keys()].sort();
  const days: DailyChannels[] = [];
  const last = Date.parse(`${dates[dates.length - 1]!}T00:00:00Z`);
  for (let t = Date.parse(`${dates[0]!}T00:00:00Z`); t <= last; t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    days.push(byDay.get(date) ?? empty(date));
  }
  return days;
}

function counts(
  list: readonly MetricDeclaration[],
  outcome: ReadonlyMap<string, ControlOutcome>,
  seized: ReadonlySet<string>,
): Counts {
  const channels = { green: 0, yellow: 0, red: 0 };
  let goodsItems = 0;
  let controls = 0;
  let findings = 0;
  let seizures = 0;
  for (const d of list) {
    if (d.channel) channels[d.channel]++;
    goodsItems += d.itemCount;
    const o = outcome.get(d.id)!;
    if (o.controlled) controls++;
    if (o.finding) findings++;
    if (o.controlled && seized.has(d.id)) seizures++;
  }
  const share = (n: number) => (list.length === 0 ? null : n / list.length);
  return {
    declarations: list.length,
    goodsItems,
    channels,
    channelShare: {
      green: share(channels.green),
      yellow: share(channels.yellow),
      red: share(channels.red),
    },
    controls,
    findings,
    seizures,
    detectionRate: proportion(findings, controls),
    seizureRate: proportion(seizures, controls),
  };
}

/** The metrics as CSV: one `section,group,metric,value` row per figure. */
export function metricsCsv(m: PerformanceMetrics): string {
  const rows: Array<[string, string, string, string | number | null]> = [];
  const countRows = (section: string, group: string, c: Counts) => {
    rows.push([section, group, 'declarations', c.declarations]);
    rows.push([section, group, 'goods_items', c.goodsItems]);
    for (const ch of ['green', 'yellow', 'red'] as const) {
      rows.push([section, group, `channel_${ch}`, c.channels[ch]]);
      rows.push([section, group, `channel_${ch}_share`, c.channelShare[ch]]);
    }
    rows.push([section, group, 'controls', c.controls]);
    rows.push([section, group, 'findings', c.findings]);
    rows.push([section, group, 'seizures', c.seizures]);
    rows.push([section, group, 'detection_rate', c.detectionRate.rate]);
    rows.push([section, group, 'seizure_rate', c.seizureRate.rate]);
  };
  countRows('totals', '', m.totals);
  const seizureRows = (section: string, s: PeriodMetrics['seizures']) => {
    rows.push([section, '', 'records', s.records]);
    rows.push([section, '', 'declarations', s.declarations]);
    for (const [cur, v] of Object.entries(s.estimatedValue))
      rows.push([section, cur, 'estimated_value', v]);
    rows.push([section, s.value.currency, 'value_converted', s.value.total]);
    rows.push([section, s.value.currency, 'records_converted', s.value.records]);
    for (const u of s.value.unconverted) {
      rows.push([section, u.currency, 'records_without_rate', u.records]);
      rows.push([section, u.currency, 'value_without_rate', u.amount]);
    }
  };
  seizureRows('seizures', m.seizures);
  rows.push(
    ['rates', '', 'table', m.rates.name],
    ['rates', '', 'currency', m.rates.currency],
    ['rates', '', 'date', m.rates.date],
    ['rates', '', 'illustrative', String(m.rates.illustrative)],
  );
  rows.push(
    ['previous', '', 'from', m.previous.period.from],
    ['previous', '', 'to', m.previous.period.to],
  );
  countRows('previous', '', m.previous.totals);
  seizureRows('previous_seizures', m.previous.seizures);
  for (const i of m.indicators) {
    const g = `${i.indicatorId}@${i.version}`;
    rows.push(
      ['indicator', g, 'hits', i.hits],
      ['indicator', g, 'controls', i.controls],
      ['indicator', g, 'findings', i.findings],
      ['indicator', g, 'hit_rate', i.hitRate],
    );
  }
  for (const k of ['random', 'targeted'] as const) {
    const p = m.selection[k];
    rows.push(
      ['selection', k, 'controls', p.n],
      ['selection', k, 'findings', p.successes],
      ['selection', k, 'detection_rate', p.rate],
      ['selection', k, 'ci95_low', p.low],
      ['selection', k, 'ci95_high', p.high],
    );
  }
  for (const k of ['certified', 'others'] as const) {
    const d = m.clearance[k];
    rows.push(
      ['clearance', k, 'released', d.n],
      ['clearance', k, 'median_hours', d.medianHours],
      ['clearance', k, 'p90_hours', d.p90Hours],
    );
  }
  for (const k of ['expedited', 'standard'] as const) {
    const d = m.permits[k];
    rows.push(
      ['permits', k, 'decided', d.n],
      ['permits', k, 'median_hours', d.medianHours],
      ['permits', k, 'p90_hours', d.p90Hours],
      ['permits', k, 'within_deadline_share', d.withinDeadline.rate],
    );
  }
  const c = m.collaboration;
  rows.push(
    ['collaboration', '', 'joint_approvals', c.jointApprovals],
    ['collaboration', '', 'referrals', c.referrals],
    ['collaboration', '', 'information_requests', c.informationRequests],
    ['collaboration', '', 'messages', c.messages],
  );
  for (const p of c.byAgencyPair)
    rows.push(['collaboration', `${p.from}->${p.to}`, 'events', p.events]);
  const x = m.exchanges;
  rows.push(['exchanges', '', 'messages', x.messages], ['exchanges', '', 'records', x.records]);
  for (const p of x.byPartner)
    rows.push(
      ['exchanges', p.partner, 'sent', p.sent],
      ['exchanges', p.partner, 'received', p.received],
      ['exchanges', p.partner, 'records', p.records],
    );
  for (const t of x.byType)
    rows.push(['exchanges', t.type, 'sent', t.sent], ['exchanges', t.type, 'received', t.received]);
  for (const mo of x.byMonth)
    rows.push(
      ['exchanges', `${mo.month} ${mo.partner} ${mo.type}`, 'sent', mo.sent],
      ['exchanges', `${mo.month} ${mo.partner} ${mo.type}`, 'received', mo.received],
    );
  const a = x.assistance;
  rows.push(
    ['assistance', '', 'sent', a.sent],
    ['assistance', '', 'received', a.received],
    ['assistance', '', 'answered', a.answered],
    ['assistance', '', 'overdue', a.overdue],
    ['assistance', 'sent', 'median_hours', a.responseTime.medianHours],
    ['assistance', 'sent', 'p90_hours', a.responseTime.p90Hours],
    ['assistance', 'answered_here', 'median_hours', a.ourResponseTime.medianHours],
    ['assistance', 'answered_here', 'p90_hours', a.ourResponseTime.p90Hours],
  );
  for (const g of m.groups ?? []) countRows('group', g.group, g);
  for (const d of m.daily) {
    rows.push(['daily', d.date, 'declarations', d.declarations]);
    for (const ch of ['green', 'yellow', 'red', 'unscreened'] as const)
      rows.push(['daily', d.date, `channel_${ch}`, d[ch]]);
  }
  return (
    ['section,group,metric,value', ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n'
  );
}

/** One labelled example for the learned model: what was declared, and what the control found. */
export interface TrainingRow {
  declarationId: string;
  submittedAt: string;
  kind: string;
  office: string | null;
  transportMode: string | null;
  dispatchCountry: string | null;
  originCountries: string[];
  hsCodes: string[];
  itemCount: number;
  totalValue: number;
  totalNetMass: number;
  score: number | null;
  channel: string | null;
  randomSelected: boolean;
  hits: string[];
  /** The label: the control found something. */
  finding: boolean;
  findings: string[];
  /** Declared value at stake (sum of item values, declared currency). */
  valueAtStake: number;
}

/** Inspection outcomes of declarations lodged in the period, as labelled training data. */
export async function trainingData(
  ctx: AppContext,
  principal: Principal,
  q: { from: string; to: string },
): Promise<TrainingRow[]> {
  assertAllowed(principal, 'read', 'training-data');
  const read = ctx.storage.read;
  const agencies = new Set(
    (await read.identity.listAgencies(principal.administrationId)).map((a) => a.id),
  );
  const declarations = (await read.metrics.declarations(q.from, q.to)).filter((d) =>
    agencies.has(d.agencyId),
  );
  const records = await read.metrics.inspectionsOfDeclarations(declarations.map((d) => d.id));
  const rows: TrainingRow[] = [];
  for (const d of declarations) {
    const mine = records.filter((r) => r.declarationId === d.id);
    const o = outcomeOf(mine);
    if (!o.controlled) continue;
    const full = (await read.declarations.findById(d.id))!;
    const corrected = new Set(mine.flatMap((r) => (r.corrects ? [r.corrects] : [])));
    const value = full.goodsItems.reduce((n, g) => n + (g.value ?? 0), 0);
    rows.push({
      declarationId: d.id,
      submittedAt: d.submittedAt,
      kind: full.kind,
      office: full.office ?? null,
      transportMode: full.route.transportMode ?? null,
      dispatchCountry: full.route.dispatchCountry ?? null,
      originCountries: [
        ...new Set(full.goodsItems.flatMap((g) => (g.originCountry ? [g.originCountry] : []))),
      ],
      hsCodes: full.goodsItems.map((g) => g.hsCode ?? ''),
      itemCount: full.goodsItems.length,
      totalValue: value,
      totalNetMass: full.goodsItems.reduce((n, g) => n + (g.netMass ?? 0), 0),
      score: full.assessment?.score ?? null,
      channel: full.channel,
      randomSelected: d.randomSelected,
      hits: [
        ...new Set(
          (full.assessment?.hits ?? []).map((h) => `${h.indicatorId}@${h.indicatorVersion}`),
        ),
      ],
      finding: o.finding,
      findings: [...new Set(mine.filter((r) => !corrected.has(r.id)).flatMap((r) => r.findings))],
      valueAtStake: value,
    });
  }
  return rows;
}

function isNodeMessageType(type: unknown): boolean {
  return typeof type === 'string' && NODE_MESSAGE_TYPES.has(type as MessageType);
}
