import { DomainError } from '../errors.js';
import {
  periodOf,
  type BiasSignal,
  type DeclarationCheck,
  type EnergyReconciliation,
  type FlowDirection,
  type InterconnectionPoint,
  type PairResult,
} from './energy.js';
import { localParts } from './zoned-time.js';

/**
 * Reconciliation cases: what an analyst must look at after a reconciliation, one case per
 * finding. Findings are grouped so that a biased meter gives one case a month, not one per hour:
 * the discrepancies (and direction flips) of a point, direction and local month make one case
 * with the month's total re-check; a CUSUM signal one case per direction, side and month it
 * signalled in; a declaration off the agreed metered figure one case per declaration. Each
 * finding has a key that is the same however often the figures are reconciled, so raising cases
 * twice raises nothing twice, and a closed case is never raised again for the same key.
 */

export const ENERGY_CASE_KINDS = [
  'discrepancy',
  'direction-mismatch',
  'bias',
  'under-declared',
  'over-declared',
] as const;
export type EnergyCaseKind = (typeof ENERGY_CASE_KINDS)[number];

export const ENERGY_CASE_RESOLUTIONS = [
  /** A side corrected its figures (a late or wrong reading). */
  'figures-corrected',
  /** A meter was found faulty or out of calibration. */
  'meter-fault',
  /** Losses or conversion explain the difference (the point's settings were wrong). */
  'losses-explained',
  /** Sent for a post-clearance audit or an investigation of the declarant. */
  'referred-for-audit',
  'no-action',
] as const;
export type EnergyCaseResolution = (typeof ENERGY_CASE_RESOLUTIONS)[number];

/** One period's figures in a case, in the canonical unit, at the importer's side of the losses. */
export interface CasePeriod {
  start: string;
  end: string;
  own: number | null;
  partner: number | null;
  difference: number | null;
  tolerance: number | null;
  outcome: PairResult['outcome'];
}

/** Periods a case lists; the count says how many there were. */
export const CASE_PERIODS_LISTED = 100;

export interface EnergyFinding {
  /** Stable across reconciliations: `kind|direction|…` (see the module comment). */
  key: string;
  kind: EnergyCaseKind;
  direction: FlowDirection;
  /** The span the finding covers (the month, the bias run, the declared period). */
  periodStart: string;
  periodEnd: string;
  /** The point's local month (YYYY-MM) the finding falls in. */
  month: string;
  /** In words, for the worklist and the alert. */
  summary: string;
  periods: CasePeriod[];
  periodCount: number;
  /** The month's totals re-checked, when the case is about a month's periods. */
  monthTotal?: {
    own: number;
    partner: number;
    difference: number;
    tolerance: number;
    outcome: string;
    pairedPeriods: number;
    periods: number;
  };
  bias?: BiasSignal;
  declaration?: DeclarationCheck;
}

export type EnergyCaseStatus = 'open' | 'closed';

export interface EnergyCaseEvent {
  at: string;
  by: string;
  action: 'opened' | 'updated' | 'closed' | 'reopened' | 'alert-sent' | 'noted';
  note?: string;
  messageId?: string;
}

/** A finding as the analyst works it. */
export interface EnergyCase extends EnergyFinding {
  id: string;
  administrationId: string;
  pointId: string;
  /** The partner administration of the point. */
  partner: string;
  status: EnergyCaseStatus;
  resolution?: EnergyCaseResolution;
  openedAt: string;
  /** When the findings were last refreshed from new figures (open cases only). */
  findingsAt: string;
  updatedAt: string;
  updatedBy: string;
  /** Changes with every decision (not with refreshed findings): the `expectedVersion`. */
  version: number;
  /** Alerts sent to the partner about the case. */
  alerts: { messageId: string; at: string; by: string }[];
  history: EnergyCaseEvent[];
}

const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e6) / 1e6);

function monthLabel(
  point: InterconnectionPoint,
  t: number,
): { month: string; start: number; end: number } {
  const m = periodOf(point, 'P1M', t);
  // The month's first instant is its first local day (at the day's start hour).
  const p = localParts(point.timeZone, m.start);
  return { month: `${p.year}-${String(p.month).padStart(2, '0')}`, start: m.start, end: m.end };
}

function casePeriod(p: PairResult): CasePeriod {
  return {
    start: p.periodStart,
    end: p.periodEnd,
    own: round(p.ownAtImporter),
    partner: round(p.partnerAtImporter),
    difference: round(p.difference),
    tolerance: round(p.tolerance),
    outcome: p.outcome,
  };
}

const fmt = (x: number): string =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);

/**
 * The findings of one point's reconciliation that an analyst must look at: discrepancies and
 * direction flips grouped by direction and local month (with the month's re-check), CUSUM signals,
 * and declarations under or over the agreed metered figure. Missing figures are not findings:
 * they are expected until the other side reports.
 */
export function findingsOf(
  point: InterconnectionPoint,
  rec: EnergyReconciliation,
  unit: string,
): EnergyFinding[] {
  const findings: EnergyFinding[] = [];
  const groups = new Map<
    string,
    {
      kind: EnergyCaseKind;
      direction: FlowDirection;
      month: ReturnType<typeof monthLabel>;
      pairs: PairResult[];
    }
  >();
  for (const p of rec.pairs) {
    if (p.pointId !== point.id) continue;
    if (p.outcome !== 'discrepancy' && p.outcome !== 'direction-mismatch') continue;
    const kind: EnergyCaseKind = p.outcome;
    const month = monthLabel(point, Date.parse(p.periodStart));
    const key = `${kind}|${p.direction}|${month.month}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind, direction: p.direction, month, pairs: [] }));
    g.pairs.push(p);
  }
  // A month whose total is off, even when no single period is, is a discrepancy of that month.
  for (const m of rec.months) {
    if (m.pointId !== point.id || m.outcome !== 'discrepancy') continue;
    const key = `discrepancy|${m.direction}|${m.month}`;
    if (!groups.has(key))
      groups.set(key, {
        kind: 'discrepancy',
        direction: m.direction,
        month: { month: m.month, start: Date.parse(m.periodStart), end: Date.parse(m.periodEnd) },
        pairs: [],
      });
  }
  for (const [key, g] of groups) {
    const m = rec.months.find(
      (x) => x.pointId === point.id && x.direction === g.direction && x.month === g.month.month,
    );
    const net = g.pairs.reduce((s, p) => s + (p.difference ?? 0), 0);
    const summary =
      g.kind === 'direction-mismatch'
        ? `${g.pairs.length} period(s) of ${g.month.month} where the partner reports the flow the other way (${g.direction} here)`
        : g.pairs.length > 0
          ? `${g.pairs.length} period(s) of ${g.month.month} (${g.direction}) beyond tolerance, net ${net >= 0 ? '+' : ''}${fmt(net)} ${unit} (ours minus the partner's)` +
            (m?.outcome === 'discrepancy' ? '; the month total is off too' : '')
          : `the ${g.month.month} total (${g.direction}) is off by ${fmt(m!.difference)} ${unit}, beyond the monthly tolerance of ${fmt(m!.tolerance)} ${unit}`;
    findings.push({
      key,
      kind: g.kind,
      direction: g.direction,
      periodStart: new Date(g.month.start).toISOString(),
      periodEnd: new Date(g.month.end).toISOString(),
      month: g.month.month,
      summary,
      periods: g.pairs.slice(0, CASE_PERIODS_LISTED).map(casePeriod),
      periodCount: g.pairs.length,
      ...(m
        ? {
            monthTotal: {
              own: round(m.own)!,
              partner: round(m.partner)!,
              difference: round(m.difference)!,
              tolerance: round(m.tolerance)!,
              outcome: m.outcome,
              pairedPeriods: m.pairedPeriods,
              periods: m.periods,
            },
          }
        : {}),
    });
  }
  for (const b of rec.bias) {
    if (b.pointId !== point.id) continue;
    const month = monthLabel(point, Date.parse(b.signalledAt));
    const pct = (Math.abs(b.meanRelativeDifference) * 100).toFixed(2);
    const key = `bias|${b.direction}|${b.higher}|${month.month}`;
    // The sums restart after a signal: later signals of the month extend the first.
    const same = findings.find((f) => f.key === key);
    if (same) {
      same.periodEnd = b.signalledAt;
      same.periodCount += b.periods;
      continue;
    }
    findings.push({
      key,
      kind: 'bias',
      direction: b.direction,
      periodStart: b.from,
      periodEnd: b.signalledAt,
      month: month.month,
      summary: `${b.higher === 'own' ? 'our meter' : "the partner's meter"} reads ${pct}% higher on average over ${b.periods} periods (${b.direction}): a persistent bias`,
      periods: [],
      periodCount: b.periods,
      bias: b,
    });
  }
  for (const d of rec.declarations) {
    if (d.pointId !== point.id) continue;
    if (d.outcome !== 'under-declared' && d.outcome !== 'over-declared') continue;
    const month = monthLabel(point, Date.parse(d.periodStart));
    findings.push({
      key: `${d.outcome}|${d.direction}|${d.reportId}`,
      kind: d.outcome,
      direction: d.direction,
      periodStart: d.periodStart,
      periodEnd: d.periodEnd,
      month: month.month,
      summary: `declaration ${d.reportId} states ${fmt(d.declared)} ${unit} against ${fmt(d.metered!)} ${unit} metered (${d.meteredBy === 'both' ? 'both meters' : d.meteredBy === 'own-meter' ? 'our meter' : "the partner's meter"}): ${d.outcome.replace('-', ' ')}`,
      periods: [],
      periodCount: 1,
      declaration: d,
    });
  }
  return findings;
}

/** A new case for a finding. */
export function openCase(
  finding: EnergyFinding,
  f: {
    id: string;
    administrationId: string;
    pointId: string;
    partner: string;
    at: string;
    by: string;
  },
): EnergyCase {
  return {
    ...finding,
    id: f.id,
    administrationId: f.administrationId,
    pointId: f.pointId,
    partner: f.partner,
    status: 'open',
    openedAt: f.at,
    findingsAt: f.at,
    updatedAt: f.at,
    updatedBy: f.by,
    version: 1,
    alerts: [],
    history: [{ at: f.at, by: f.by, action: 'opened' }],
  };
}

/**
 * An open case with its finding recomputed from newer figures (a closed case keeps what it was
 * closed on); null when nothing changed.
 */
export function refreshCase(c: EnergyCase, finding: EnergyFinding, at: string): EnergyCase | null {
  if (c.status !== 'open') return null;
  if (JSON.stringify(contentOf(c)) === JSON.stringify(contentOf(finding))) return null;
  const { key: _k, ...now } = finding;
  const next: EnergyCase = { ...c, ...now, findingsAt: at };
  if (!finding.monthTotal) delete next.monthTotal;
  if (!finding.bias) delete next.bias;
  if (!finding.declaration) delete next.declaration;
  return next;
}

/** What a finding says, in one key order (to compare a case with a recomputed finding). */
function contentOf(f: EnergyFinding): unknown[] {
  return [
    f.kind,
    f.direction,
    f.periodStart,
    f.periodEnd,
    f.month,
    f.summary,
    f.periods,
    f.periodCount,
    f.monthTotal ?? null,
    f.bias ?? null,
    f.declaration ?? null,
  ];
}

export type CaseDecision =
  | { action: 'close'; resolution: EnergyCaseResolution; note: string }
  | { action: 'reopen'; note: string }
  | { action: 'note'; note: string };

/** The case after an analyst's decision; a close needs an open case, a reopen a closed one. */
export function decideCase(c: EnergyCase, d: CaseDecision, at: string, by: string): EnergyCase {
  const base = { ...c, updatedAt: at, updatedBy: by, version: c.version + 1 };
  switch (d.action) {
    case 'close':
      if (c.status !== 'open') throw new DomainError('conflict', `case ${c.id} is already closed`);
      return {
        ...base,
        status: 'closed',
        resolution: d.resolution,
        history: [...c.history, { at, by, action: 'closed', note: d.note }],
      };
    case 'reopen': {
      if (c.status !== 'closed') throw new DomainError('conflict', `case ${c.id} is open`);
      const { resolution: _r, ...rest } = base;
      return {
        ...rest,
        status: 'open',
        history: [...c.history, { at, by, action: 'reopened', note: d.note }],
      };
    }
    case 'note':
      return { ...base, history: [...c.history, { at, by, action: 'noted', note: d.note }] };
  }
}

/** The case with an alert to the partner recorded. */
export function alertRecorded(
  c: EnergyCase,
  messageId: string,
  at: string,
  by: string,
): EnergyCase {
  return {
    ...c,
    updatedAt: at,
    updatedBy: by,
    version: c.version + 1,
    alerts: [...c.alerts, { messageId, at, by }],
    history: [...c.history, { at, by, action: 'alert-sent', messageId }],
  };
}
