import { localParts, offsetAt, zonedInstant } from './zoned-time.js';

/**
 * Energy transfer control (SCO Protocol on the exchange of information on the control of energy
 * transfer, Astana 2008): electricity over power lines, gas and oil by pipeline cross the border
 * without a container, so customs knows the quantity only from meters, and each side's figure
 * should equal the other's. This module reconciles, as a pure function of the reports and the
 * interconnection points, what our operator's meters, the partner administration's figures and
 * the declarant's declarations say:
 *
 * 1. each report is checked, converted to the commodity's unit (MWh for electricity and gas, the
 *    gas by its calorific value when given in m³; tonnes for oil) and placed in its period: a
 *    quarter hour, a local hour, the point's day (from 06:00 local for a gas day) or month;
 * 2. per point, our meters and the partner's figures are brought to the coarsest granularity
 *    either side uses and paired by direction (as we see it: the partner's export is our import)
 *    and period;
 * 3. each pair is compared after losses (the exporter's meter less the line or transport loss
 *    should equal the importer's), within max(absolute, relative × larger figure) from the meter
 *    accuracy: match, within tolerance, discrepancy, missing on one side, direction mismatch,
 *    granularity or unit mismatch, duplicate, provisional;
 * 4. monthly totals are compared again with a tighter tolerance (random meter errors cancel, a
 *    bias does not), and a tabular CUSUM on the signed relative difference (each period clamped
 *    to the meter accuracy, so one noisy period cannot signal alone) catches a persistent small
 *    bias that no single period shows;
 * 5. each declaration is compared with the agreed metered figure for its period: as metered,
 *    under- or over-declared.
 *
 * Nothing here reads a clock, a database or the network: the same reports give the same result
 * on both sides of the border, which is what lets both administrations sign it.
 */

export const ENERGY_COMMODITIES = [
  'electricity',
  'natural-gas',
  'crude-oil',
  'oil-products',
] as const;
export type EnergyCommodity = (typeof ENERGY_COMMODITIES)[number];

export const FLOW_UNITS = ['kWh', 'MWh', 'GWh', 'GJ', 'TJ', 'm3', 'kg', 't', 'bbl'] as const;
export type FlowUnit = (typeof FLOW_UNITS)[number];

/** The unit every figure of a commodity is compared in. */
export const CANONICAL_UNIT: Readonly<Record<EnergyCommodity, 'MWh' | 't'>> = {
  electricity: 'MWh',
  'natural-gas': 'MWh',
  'crude-oil': 't',
  'oil-products': 't',
};

/** The HS heading each commodity is declared under. */
export const COMMODITY_HS: Readonly<Record<EnergyCommodity, string>> = {
  electricity: '2716',
  'natural-gas': '2711',
  'crude-oil': '2709',
  'oil-products': '2710',
};

export const GRANULARITIES = ['PT15M', 'PT1H', 'P1D', 'P1M'] as const;
/** A quarter hour, a local hour, the point's day, the point's month (coarser to the right). */
export type Granularity = (typeof GRANULARITIES)[number];

/** A power line or pipeline between our territory and one partner's. */
export interface InterconnectionPoint {
  id: string;
  commodity: EnergyCommodity;
  /** Where local days and hours are counted (the day of a gas point starts at `dayStartHour`). */
  timeZone: string;
  /** 0 for electricity; 6 for the gas day (06:00 to 06:00 local). */
  dayStartHour: number;
  /** Loss between the two metering points, as a share of the exporter's figure (0.01 = 1%). */
  lossFraction: number;
  /** The agreed accuracy of the comparison, relative (0.005 = 0.5% of the larger figure). */
  meterAccuracy: number;
  /** The smallest difference worth a look, in the canonical unit per hour of the period. */
  absoluteTolerancePerHour: number;
  /** Gross calorific value in MJ per standard m³, to convert gas metered by volume. */
  calorificValueMJPerM3?: number;
  /** Density in kg per m³, to convert oil metered by volume. */
  densityKgPerM3?: number;
}

/** Who says it: the declarant, our operator's meter, the partner administration (its view). */
export type FlowSource = 'declaration' | 'own-meter' | 'partner';
/** As the reporter sees it: into its territory (import) or out of it (export). */
export type FlowDirection = 'import' | 'export';

export interface FlowReport {
  /** The reporter's own reference: a declaration, a meter reading, a partner's message. */
  id: string;
  source: FlowSource;
  pointId: string;
  /** From the reporter's side of the border; the partner's export is our import. */
  direction: FlowDirection;
  /** The period, ISO instants in UTC, start inclusive, end exclusive. */
  start: string;
  end: string;
  quantity: number;
  unit: FlowUnit;
  /** A figure the reporter may still correct (not yet validated). */
  provisional?: boolean;
}

export type PairOutcome =
  | 'match'
  | 'within-tolerance'
  | 'discrepancy'
  | 'missing-own'
  | 'missing-partner'
  | 'direction-mismatch'
  | 'granularity-mismatch'
  | 'duplicate'
  | 'provisional';

/** Our figure and the partner's for one point, direction (ours) and period. */
export interface PairResult {
  pointId: string;
  direction: FlowDirection;
  granularity: Granularity;
  periodStart: string;
  periodEnd: string;
  /** Our meter, in the canonical unit; null when we have none for the whole period. */
  own: number | null;
  /** The partner's figure, in the canonical unit; null when it sent none for the whole period. */
  partner: number | null;
  /** Both figures as the importer's meter would read them (the exporter's less losses). */
  ownAtImporter: number | null;
  partnerAtImporter: number | null;
  /** ownAtImporter − partnerAtImporter (positive: our figure is the larger). */
  difference: number | null;
  tolerance: number | null;
  outcome: PairOutcome;
  /** What makes the outcome, in words. */
  detail: string;
  /** The reports that make the figures. */
  reports: string[];
}

export type MonthOutcome = 'match' | 'within-tolerance' | 'discrepancy' | 'incomplete';

export interface MonthResult {
  pointId: string;
  direction: FlowDirection;
  /** The point's month: YYYY-MM of its first day. */
  month: string;
  periodStart: string;
  periodEnd: string;
  own: number;
  partner: number;
  difference: number;
  tolerance: number;
  /** Periods of the month with both figures, of those in it. */
  pairedPeriods: number;
  periods: number;
  outcome: MonthOutcome;
}

/** A persistent bias the CUSUM found: from when the sums started rising to the signal. */
export interface BiasSignal {
  pointId: string;
  direction: FlowDirection;
  /** Which figure runs high. */
  higher: 'own' | 'partner';
  from: string;
  signalledAt: string;
  periods: number;
  /** The mean signed relative difference over those periods (own − partner) / larger. */
  meanRelativeDifference: number;
}

export type DeclarationOutcome =
  'as-metered' | 'under-declared' | 'over-declared' | 'no-metered-figure';

export interface DeclarationCheck {
  reportId: string;
  pointId: string;
  direction: FlowDirection;
  periodStart: string;
  periodEnd: string;
  declared: number;
  /** The agreed metered figure at our side of the losses: the mean of both meters when both
   * cover the period, else the one that does; null if neither. */
  metered: number | null;
  /** Both meters (their mean), ours alone, the partner's alone. */
  meteredBy: 'both' | 'own-meter' | 'partner' | null;
  difference: number | null;
  tolerance: number | null;
  outcome: DeclarationOutcome;
}

export type ReportIssueKind =
  | 'unknown-point'
  | 'invalid-quantity'
  | 'invalid-period'
  | 'granularity-mismatch'
  | 'unit-mismatch'
  | 'duplicate';

/** A report that could not be used as it is, and why. */
export interface ReportIssue {
  reportId: string;
  kind: ReportIssueKind;
  detail: string;
}

export interface EnergyReconciliation {
  pairs: PairResult[];
  months: MonthResult[];
  bias: BiasSignal[];
  declarations: DeclarationCheck[];
  issues: ReportIssue[];
}

export interface EnergyOptions {
  /** The monthly re-check uses this share of the per-period relative tolerance (default 0.5). */
  monthlyToleranceFactor?: number;
  /** CUSUM allowance per period, as a share of the meter accuracy (default 0.5). */
  cusumAllowance?: number;
  /** CUSUM decision threshold, as a multiple of the meter accuracy (default 4). */
  cusumThreshold?: number;
}

const HOUR_MS = 3_600_000;
const RANK: Readonly<Record<Granularity, number>> = { PT15M: 0, PT1H: 1, P1D: 2, P1M: 3 };
const MAX_REPORTS = 5_000_000;

/** A quantity in the commodity's canonical unit, or why it cannot be converted. */
export function toCanonical(
  point: InterconnectionPoint,
  quantity: number,
  unit: FlowUnit,
): { value: number } | { error: string } {
  const energy = point.commodity === 'electricity' || point.commodity === 'natural-gas';
  if (energy) {
    switch (unit) {
      case 'kWh':
        return { value: quantity / 1000 };
      case 'MWh':
        return { value: quantity };
      case 'GWh':
        return { value: quantity * 1000 };
      case 'GJ':
        return { value: quantity / 3.6 };
      case 'TJ':
        return { value: (quantity * 1000) / 3.6 };
      case 'm3':
        if (point.commodity !== 'natural-gas') break;
        if (!(point.calorificValueMJPerM3 && point.calorificValueMJPerM3 > 0))
          return { error: 'gas in m³ needs the calorific value of the point' };
        return { value: (quantity * point.calorificValueMJPerM3) / 3600 };
      default:
        break;
    }
    return { error: `${point.commodity} is not measured in ${unit}` };
  }
  switch (unit) {
    case 't':
      return { value: quantity };
    case 'kg':
      return { value: quantity / 1000 };
    case 'm3':
    case 'bbl': {
      if (!(point.densityKgPerM3 && point.densityKgPerM3 > 0))
        return { error: `oil in ${unit} needs the density of the point` };
      const m3 = unit === 'bbl' ? quantity * 0.158987294928 : quantity;
      return { value: (m3 * point.densityKgPerM3) / 1000 };
    }
    default:
      return { error: `${point.commodity} is not measured in ${unit}` };
  }
}

// The instant each of a point's days starts, per zone and day start hour, keyed by the day's
// date as a UTC timestamp (Date.UTC rolls day 0 and month 13 over, so equal keys are the same
// date). A day or month period asks for three to four day starts, and each costs a zonedInstant
// (up to four offset look-ups and a few small arrays); a year of reports at 50 points needs
// fewer than 20,000 of them. Bounded: cleared beyond MAX_DAY_STARTS (hostile dates spread over
// centuries must not grow memory).
const MAX_DAY_STARTS = 200_000;
const dayStarts = new Map<string, Map<number, number>[]>();
let dayStartCount = 0;

/** The instant the point's day of a date starts (y, m, d may roll over as in Date.UTC). */
function dayStartOf(tz: string, dayStartHour: number, y: number, m: number, d: number): number {
  const key = Date.UTC(y, m - 1, d);
  let byHour = dayStarts.get(tz);
  const hit = byHour?.[dayStartHour]?.get(key);
  if (hit !== undefined) return hit;
  const n = new Date(key);
  const t = zonedInstant(tz, n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), dayStartHour);
  if (dayStartCount >= MAX_DAY_STARTS) {
    dayStarts.clear();
    dayStartCount = 0;
    byHour = undefined;
  }
  if (!byHour) dayStarts.set(tz, (byHour = []));
  (byHour[dayStartHour] ??= new Map<number, number>()).set(key, t);
  dayStartCount++;
  return t;
}

/** The period of a granularity that holds an instant, at the point's local boundaries. */
export function periodOf(
  point: Pick<InterconnectionPoint, 'timeZone' | 'dayStartHour'>,
  g: Granularity,
  t: number,
): { start: number; end: number } {
  const tz = point.timeZone;
  if (g === 'PT15M' || g === 'PT1H') {
    const size = g === 'PT15M' ? 900_000 : HOUR_MS;
    // Local alignment: an hour in a zone at UTC+05:30 starts at :30 UTC.
    const local = t + offsetAt(tz, t);
    const start = t - (((local % size) + size) % size);
    return { start, end: start + size };
  }
  // The point's day starts at dayStartHour local: the wall-clock time less that many hours falls
  // on the day's date (wall-clock arithmetic, so a DST change in between cannot move it).
  const wall = new Date(t + offsetAt(tz, t) - point.dayStartHour * HOUR_MS);
  const dayStart = (y: number, m: number, d: number) => dayStartOf(tz, point.dayStartHour, y, m, d);
  const y = wall.getUTCFullYear();
  const m = wall.getUTCMonth() + 1;
  if (g === 'P1D') {
    let d = wall.getUTCDate();
    // Settle the edges (a day start that a spring-forward gap moved).
    while (dayStart(y, m, d) > t) d--;
    while (dayStart(y, m, d + 1) <= t) d++;
    return { start: dayStart(y, m, d), end: dayStart(y, m, d + 1) };
  }
  let mm = m;
  while (dayStart(y, mm, 1) > t) mm--;
  while (dayStart(y, mm + 1, 1) <= t) mm++;
  return { start: dayStart(y, mm, 1), end: dayStart(y, mm + 1, 1) };
}

/** The granularity a report's period is, at the point's boundaries, or null if none. */
export function granularityOf(
  point: Pick<InterconnectionPoint, 'timeZone' | 'dayStartHour'>,
  start: number,
  end: number,
): Granularity | null {
  // The first granularity, coarser to the right, whose period holding `start` is the report's.
  // A quarter hour and an hour always last exactly that long, so they are tried only for a
  // report of that length (most reports: one check instead of four).
  const length = end - start;
  for (const g of GRANULARITIES) {
    if (g === 'PT15M' && length !== 900_000) continue;
    if (g === 'PT1H' && length !== HOUR_MS) continue;
    const p = periodOf(point, g, start);
    if (p.start === start && p.end === end) return g;
  }
  return null;
}

interface Placed {
  report: FlowReport;
  /** Our direction (the partner's flipped). */
  direction: FlowDirection;
  start: number;
  end: number;
  granularity: Granularity;
  value: number;
}

const flip = (d: FlowDirection): FlowDirection => (d === 'import' ? 'export' : 'import');
const iso = (t: number) => new Date(t).toISOString();

/** Checks, converts and places each report; what cannot be used is an issue, never thrown. */
function place(
  points: ReadonlyMap<string, InterconnectionPoint>,
  reports: readonly FlowReport[],
): { placed: Placed[]; issues: ReportIssue[] } {
  const placed: Placed[] = [];
  const issues: ReportIssue[] = [];
  for (const r of reports) {
    const point = points.get(r.pointId);
    if (!point) {
      issues.push({ reportId: r.id, kind: 'unknown-point', detail: `no point ${r.pointId}` });
      continue;
    }
    if (typeof r.quantity !== 'number' || !Number.isFinite(r.quantity) || r.quantity < 0) {
      issues.push({
        reportId: r.id,
        kind: 'invalid-quantity',
        detail: 'a quantity is a finite number ≥ 0 (the direction says which way it flowed)',
      });
      continue;
    }
    const start = Date.parse(r.start);
    const end = Date.parse(r.end);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
      issues.push({
        reportId: r.id,
        kind: 'invalid-period',
        detail: 'start and end are instants, end after start',
      });
      continue;
    }
    const granularity = granularityOf(point, start, end);
    if (!granularity) {
      issues.push({
        reportId: r.id,
        kind: 'granularity-mismatch',
        detail: `${r.start}–${r.end} is not a quarter hour, a local hour, a day from ${String(point.dayStartHour).padStart(2, '0')}:00 ${point.timeZone} or a month of such days`,
      });
      continue;
    }
    const converted = toCanonical(point, r.quantity, r.unit);
    if ('error' in converted) {
      issues.push({ reportId: r.id, kind: 'unit-mismatch', detail: converted.error });
      continue;
    }
    placed.push({
      report: r,
      direction: r.source === 'partner' ? flip(r.direction) : r.direction,
      start,
      end,
      granularity,
      value: converted.value,
    });
  }
  return { placed, issues };
}

/**
 * Drops reports that overlap an earlier one of the same source, point and direction (the first
 * received stands), naming each as a duplicate; returns the periods they touched.
 */
function dropDuplicates(
  placed: Placed[],
  issues: ReportIssue[],
): { kept: Placed[]; touched: Placed[] } {
  const groups = new Map<string, Placed[]>();
  for (const p of placed) {
    const key = `${p.report.source}|${p.report.pointId}|${p.direction}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(p);
  }
  const kept: Placed[] = [];
  const touched: Placed[] = [];
  for (const [key, g] of groups) {
    // Stable: equal starts keep the order received.
    const sorted = g.map((p, i) => ({ p, i })).sort((a, b) => a.p.start - b.p.start || a.i - b.i);
    const accepted: Placed[] = [];
    let reach = -Infinity;
    let reachId = '';
    for (const { p } of sorted) {
      if (p.start < reach) {
        issues.push({
          reportId: p.report.id,
          kind: 'duplicate',
          detail: `overlaps ${reachId} (${key.split('|')[0]} of the same point and direction); the first stands`,
        });
        touched.push(p);
        continue;
      }
      accepted.push(p);
      if (p.end > reach) {
        reach = p.end;
        reachId = p.report.id;
      }
    }
    kept.push(...accepted);
  }
  return { kept, touched };
}

interface Bin {
  start: number;
  end: number;
  sum: number;
  covered: number;
  provisional: boolean;
  reports: string[];
  /** A report that does not fit the bin (it straddles its boundary). */
  straddles: boolean;
}

/** Sums reports into periods of granularity g (each report in the period of its start). */
function binned(
  point: InterconnectionPoint,
  g: Granularity,
  items: readonly Placed[],
): Map<number, Bin> {
  const bins = new Map<number, Bin>();
  for (const p of items) {
    // A report of granularity g is its own period (granularityOf checked periodOf for it).
    const period = p.granularity === g ? p : periodOf(point, g, p.start);
    let b = bins.get(period.start);
    if (!b)
      bins.set(
        period.start,
        (b = {
          start: period.start,
          end: period.end,
          sum: 0,
          covered: 0,
          provisional: false,
          reports: [],
          straddles: false,
        }),
      );
    b.sum += p.value;
    b.covered += p.end - p.start;
    b.provisional ||= p.report.provisional === true;
    b.reports.push(p.report.id);
    if (p.end > period.end) b.straddles = true;
  }
  return bins;
}

/** Whether a bin covers its whole period with reports that fit it. */
const complete = (b: Bin | undefined): boolean =>
  b !== undefined && !b.straddles && b.covered === b.end - b.start;

const coarsest = (gs: Iterable<Granularity>): Granularity | null => {
  let best: Granularity | null = null;
  for (const g of gs) if (best === null || RANK[g] > RANK[best]) best = g;
  return best;
};

/** The importer-side figures and the comparison of two complete figures. */
function compare(
  point: InterconnectionPoint,
  direction: FlowDirection,
  own: number,
  partner: number,
  hours: number,
  relative: number,
): {
  ownAtImporter: number;
  partnerAtImporter: number;
  difference: number;
  tolerance: number;
  outcome: 'match' | 'within-tolerance' | 'discrepancy';
} {
  const keep = 1 - point.lossFraction;
  // We import: the partner exported and its meter reads before the loss. We export: ours does.
  const ownAtImporter = direction === 'export' ? own * keep : own;
  const partnerAtImporter = direction === 'import' ? partner * keep : partner;
  const difference = ownAtImporter - partnerAtImporter;
  const larger = Math.max(Math.abs(ownAtImporter), Math.abs(partnerAtImporter));
  const tolerance = Math.max(point.absoluteTolerancePerHour * hours, relative * larger);
  const outcome =
    Math.abs(difference) <= 1e-9 * Math.max(1, larger)
      ? 'match'
      : Math.abs(difference) <= tolerance
        ? 'within-tolerance'
        : 'discrepancy';
  return { ownAtImporter, partnerAtImporter, difference, tolerance, outcome };
}

function validatePoint(p: InterconnectionPoint): string | null {
  if (!p.id) return 'a point has an id';
  if (!(p.lossFraction >= 0 && p.lossFraction < 1))
    return `point ${p.id}: loss is a share from 0 to below 1`;
  if (!(p.meterAccuracy > 0 && p.meterAccuracy < 1))
    return `point ${p.id}: meter accuracy is a share above 0 and below 1`;
  if (!(p.absoluteTolerancePerHour >= 0)) return `point ${p.id}: absolute tolerance is ≥ 0`;
  if (!(Number.isInteger(p.dayStartHour) && p.dayStartHour >= 0 && p.dayStartHour < 24))
    return `point ${p.id}: the day starts at a whole hour 0–23`;
  try {
    new Intl.DateTimeFormat('en', { timeZone: p.timeZone });
  } catch {
    return `point ${p.id}: unknown time zone ${p.timeZone}`;
  }
  return null;
}

/**
 * Reconciles every report of every point: pairs, monthly totals, bias, declarations and the
 * reports that could not be used. Throws only on a point that is not a point (a configuration
 * error), never on a report.
 */
export function reconcileEnergy(
  pointList: readonly InterconnectionPoint[],
  reports: readonly FlowReport[],
  options: EnergyOptions = {},
): EnergyReconciliation {
  if (reports.length > MAX_REPORTS)
    throw new RangeError(`at most ${MAX_REPORTS} reports at a time`);
  const points = new Map<string, InterconnectionPoint>();
  for (const p of pointList) {
    const problem = validatePoint(p);
    if (problem) throw new RangeError(problem);
    points.set(p.id, p);
  }
  const monthlyFactor = options.monthlyToleranceFactor ?? 0.5;
  const allowance = options.cusumAllowance ?? 0.5;
  const threshold = options.cusumThreshold ?? 4;

  const { placed, issues } = place(points, reports);
  const { kept, touched } = dropDuplicates(placed, issues);

  const byPoint = new Map<string, Placed[]>();
  for (const p of kept) {
    let list = byPoint.get(p.report.pointId);
    if (!list) byPoint.set(p.report.pointId, (list = []));
    list.push(p);
  }

  // The duplicates per point, grouped once rather than filtered from all of them per point.
  const touchedByPoint = new Map<string, Placed[]>();
  for (const p of touched) {
    let list = touchedByPoint.get(p.report.pointId);
    if (!list) touchedByPoint.set(p.report.pointId, (list = []));
    list.push(p);
  }

  const pairs: PairResult[] = [];
  const months: MonthResult[] = [];
  const bias: BiasSignal[] = [];
  const declarations: DeclarationCheck[] = [];

  for (const pointId of [...byPoint.keys()].sort()) {
    const point = points.get(pointId)!;
    const items = byPoint.get(pointId)!;
    const own = items.filter((p) => p.report.source === 'own-meter');
    const partner = items.filter((p) => p.report.source === 'partner');
    const g = coarsest([...own, ...partner].map((p) => p.granularity));
    const pointPairs: PairResult[] = [];
    if (g) {
      // The periods a duplicate meter reading or partner figure fell in.
      // (One set of period starts per direction: no string key per period.)
      const duplicatedImport = new Set<number>();
      const duplicatedExport = new Set<number>();
      for (const p of touchedByPoint.get(pointId) ?? [])
        if (p.report.source !== 'declaration')
          (p.direction === 'import' ? duplicatedImport : duplicatedExport).add(
            periodOf(point, g, p.start).start,
          );
      const sides = {
        own: {
          import: binned(
            point,
            g,
            own.filter((p) => p.direction === 'import'),
          ),
          export: binned(
            point,
            g,
            own.filter((p) => p.direction === 'export'),
          ),
        },
        partner: {
          import: binned(
            point,
            g,
            partner.filter((p) => p.direction === 'import'),
          ),
          export: binned(
            point,
            g,
            partner.filter((p) => p.direction === 'export'),
          ),
        },
      };
      const starts = new Set<number>();
      for (const side of [sides.own, sides.partner])
        for (const dir of [side.import, side.export]) for (const k of dir.keys()) starts.add(k);
      // This loop runs once per period (hundreds of thousands a year): no closures, filtered
      // arrays or spread intermediates in it, since their allocation (and, under tsx, the
      // naming of each closure) cost more than the comparisons. Each result keeps the fields in
      // the order the object spreads gave them.
      for (const start of [...starts].sort((a, b) => a - b)) {
        const oi = sides.own.import.get(start);
        const oe = sides.own.export.get(start);
        const qi = sides.partner.import.get(start);
        const qe = sides.partner.export.get(start);
        const period = (oi ?? oe ?? qi ?? qe)!;
        const periodStart = iso(period.start);
        const periodEnd = iso(period.end);
        const hours = (period.end - period.start) / HOUR_MS;
        // One direction on our side, the other only on the partner's: the flows disagree on which way.
        if (
          (oi === undefined) !== (oe === undefined) &&
          (qi === undefined) !== (qe === undefined)
        ) {
          const od: FlowDirection = oi ? 'import' : 'export';
          const pd: FlowDirection = qi ? 'import' : 'export';
          if (od !== pd) {
            const ob = (oi ?? oe)!;
            const qb = (qi ?? qe)!;
            pointPairs.push({
              pointId,
              direction: od,
              granularity: g,
              periodStart,
              periodEnd,
              own: ob.sum,
              partner: qb.sum,
              ownAtImporter: null,
              partnerAtImporter: null,
              difference: null,
              tolerance: null,
              outcome: 'direction-mismatch',
              detail: `our meter says ${od}, the partner's figure means ${pd} (as we see it)`,
              reports: ob.reports.concat(qb.reports),
            });
            continue;
          }
        }
        for (let k = 0; k < 2; k++) {
          const direction: FlowDirection = k === 0 ? 'import' : 'export';
          const a = k === 0 ? oi : oe;
          const b = k === 0 ? qi : qe;
          if (!a && !b) continue;
          const reports = a
            ? b
              ? a.reports.concat(b.reports)
              : a.reports.slice()
            : b!.reports.slice();
          if ((a?.straddles ?? false) || (b?.straddles ?? false)) {
            pointPairs.push({
              pointId,
              direction,
              granularity: g,
              periodStart,
              periodEnd,
              reports,
              own: a?.sum ?? null,
              partner: b?.sum ?? null,
              ownAtImporter: null,
              partnerAtImporter: null,
              difference: null,
              tolerance: null,
              outcome: 'granularity-mismatch',
              detail: `a report crosses the boundary of the ${g} period`,
            });
            continue;
          }
          const ownComplete = complete(a);
          const partnerComplete = complete(b);
          if (!ownComplete || !partnerComplete) {
            const missing = !ownComplete ? 'own' : 'partner';
            const bin = missing === 'own' ? a : b;
            const hoursCovered = bin ? bin.covered / HOUR_MS : 0;
            pointPairs.push({
              pointId,
              direction,
              granularity: g,
              periodStart,
              periodEnd,
              reports,
              own: ownComplete ? a!.sum : null,
              partner: partnerComplete ? b!.sum : null,
              ownAtImporter: null,
              partnerAtImporter: null,
              difference: null,
              tolerance: null,
              outcome: missing === 'own' ? 'missing-own' : 'missing-partner',
              detail: `${missing === 'own' ? 'our meter' : 'the partner'} covers ${round(hoursCovered)} of ${round(hours)} hours`,
            });
            continue;
          }
          const c = compare(point, direction, a!.sum, b!.sum, hours, point.meterAccuracy);
          const dup = (k === 0 ? duplicatedImport : duplicatedExport).has(period.start);
          const provisional = a!.provisional || b!.provisional;
          const outcome: PairOutcome = dup
            ? 'duplicate'
            : provisional && c.outcome === 'discrepancy'
              ? 'provisional'
              : c.outcome;
          pointPairs.push({
            pointId,
            direction,
            granularity: g,
            periodStart,
            periodEnd,
            reports,
            own: a!.sum,
            partner: b!.sum,
            ownAtImporter: c.ownAtImporter,
            partnerAtImporter: c.partnerAtImporter,
            difference: c.difference,
            tolerance: c.tolerance,
            outcome,
            detail:
              outcome === 'duplicate'
                ? 'a report for this period came twice; the first stands'
                : outcome === 'provisional'
                  ? `differs by ${round(c.difference)} (tolerance ${round(c.tolerance)}), but a figure is provisional`
                  : c.outcome === 'discrepancy'
                    ? `differs by ${round(c.difference)}, beyond the tolerance of ${round(c.tolerance)}`
                    : c.outcome === 'within-tolerance'
                      ? `differs by ${round(c.difference)}, within ${round(c.tolerance)}`
                      : 'the figures agree',
          });
        }
      }
      months.push(...monthly(point, pointPairs, monthlyFactor));
      bias.push(...cusum(point, pointPairs, allowance, threshold));
    }
    pairs.push(...pointPairs);
    declarations.push(...declared(point, items, own, partner));
  }
  return { pairs, months, bias, declarations, issues };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Monthly totals of the periods with both figures, against a tighter tolerance. */
function monthly(
  point: InterconnectionPoint,
  pairs: readonly PairResult[],
  factor: number,
): MonthResult[] {
  interface Group {
    direction: FlowDirection;
    start: number;
    end: number;
    own: number;
    partner: number;
    paired: number;
    periods: number;
  }
  // Per direction, by the month's start (a number key, not a string built per pair).
  const byDirection = { import: new Map<number, Group>(), export: new Map<number, Group>() };
  for (const p of pairs) {
    const t = Date.parse(p.periodStart);
    const m = periodOf(point, 'P1M', t);
    const groups = byDirection[p.direction];
    let g = groups.get(m.start);
    if (!g)
      groups.set(
        m.start,
        (g = {
          direction: p.direction,
          start: m.start,
          end: m.end,
          own: 0,
          partner: 0,
          paired: 0,
          periods: 0,
        }),
      );
    g.periods++;
    if (p.ownAtImporter !== null && p.partnerAtImporter !== null) {
      g.own += p.ownAtImporter;
      g.partner += p.partnerAtImporter;
      g.paired++;
    }
  }
  const out: MonthResult[] = [];
  // Sorted by start, then direction: a total order, so the order the groups were met in is moot.
  for (const g of [...byDirection.import.values(), ...byDirection.export.values()].sort(
    (a, b) => a.start - b.start || a.direction.localeCompare(b.direction),
  )) {
    const hours = (g.end - g.start) / HOUR_MS;
    const difference = g.own - g.partner;
    const larger = Math.max(g.own, g.partner);
    const tolerance = Math.max(
      point.absoluteTolerancePerHour * hours,
      point.meterAccuracy * factor * larger,
    );
    const monthStart = localParts(point.timeZone, g.start);
    out.push({
      pointId: point.id,
      direction: g.direction,
      month: `${monthStart.year}-${String(monthStart.month).padStart(2, '0')}`,
      periodStart: iso(g.start),
      periodEnd: iso(g.end),
      own: g.own,
      partner: g.partner,
      difference,
      tolerance,
      pairedPeriods: g.paired,
      periods: g.periods,
      outcome:
        g.paired < g.periods
          ? 'incomplete'
          : Math.abs(difference) <= 1e-9 * Math.max(1, larger)
            ? 'match'
            : Math.abs(difference) <= tolerance
              ? 'within-tolerance'
              : 'discrepancy',
    });
  }
  return out;
}

/**
 * Tabular CUSUM on the signed relative difference of each paired period, per direction: each
 * period adds (r − k) to the upper sum and (−r − k) to the lower one, floored at 0, with r clamped
 * to ±accuracy so that one wild period moves a sum by less than the threshold. A sum above the
 * threshold is a bias; the sums restart after each signal.
 */
function cusum(
  point: InterconnectionPoint,
  pairs: readonly PairResult[],
  allowance: number,
  threshold: number,
): BiasSignal[] {
  const a = point.meterAccuracy;
  const k = allowance * a;
  const h = threshold * a;
  const out: BiasSignal[] = [];
  for (const direction of ['import', 'export'] as const) {
    let up = 0;
    let down = 0;
    let upFrom = -1;
    let downFrom = -1;
    const series = pairs.filter(
      (p) =>
        p.direction === direction &&
        p.difference !== null &&
        p.ownAtImporter !== null &&
        p.partnerAtImporter !== null,
    );
    const relative = series.map((p) => {
      const larger = Math.max(Math.abs(p.ownAtImporter!), Math.abs(p.partnerAtImporter!));
      return larger > 0 ? p.difference! / larger : 0;
    });
    // Defined once per direction, not per period: a closure per period (each named by tsx) was
    // most of the CUSUM's time.
    const signal = (higher: 'own' | 'partner', from: number, i: number) => {
      const window = relative.slice(from, i + 1);
      out.push({
        pointId: point.id,
        direction,
        higher,
        from: series[from]!.periodStart,
        signalledAt: series[i]!.periodStart,
        periods: window.length,
        meanRelativeDifference: window.reduce((s, x) => s + x, 0) / window.length,
      });
    };
    for (let i = 0; i < series.length; i++) {
      const r = Math.max(-a, Math.min(a, relative[i]!));
      const nextUp = Math.max(0, up + r - k);
      const nextDown = Math.max(0, down - r - k);
      if (up === 0 && nextUp > 0) upFrom = i;
      if (down === 0 && nextDown > 0) downFrom = i;
      up = nextUp;
      down = nextDown;
      if (up > h) {
        signal('own', upFrom, i);
        up = 0;
        down = 0;
      } else if (down > h) {
        signal('partner', downFrom, i);
        up = 0;
        down = 0;
      }
    }
  }
  return out;
}

/**
 * Each declaration against the agreed metered figure for its period: our meter when it covers the
 * period, else the partner's figure brought to our side of the losses.
 */
function declared(
  point: InterconnectionPoint,
  items: readonly Placed[],
  own: readonly Placed[],
  partner: readonly Placed[],
): DeclarationCheck[] {
  const out: DeclarationCheck[] = [];
  const decls = items
    .filter((p) => p.report.source === 'declaration')
    .sort((a, b) => a.start - b.start);
  if (decls.length === 0) return out;
  // Sorted meter reports per direction, summed over a declaration's period by binary search.
  const index = (list: readonly Placed[], direction: FlowDirection) => {
    const sorted = list.filter((p) => p.direction === direction).sort((a, b) => a.start - b.start);
    const prefix = [0];
    const covered = [0];
    for (const p of sorted) {
      prefix.push(prefix[prefix.length - 1]! + p.value);
      covered.push(covered[covered.length - 1]! + (p.end - p.start));
    }
    return { sorted, prefix, covered };
  };
  const lower = (xs: readonly Placed[], t: number) => {
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid]!.start < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const sumOver = (ix: ReturnType<typeof index>, start: number, end: number) => {
    const i = lower(ix.sorted, start);
    const j = lower(ix.sorted, end);
    if (j > i && ix.sorted[j - 1]!.end > end) return null; // a reading crosses the period's end
    const covered = ix.covered[j]! - ix.covered[i]!;
    return covered === end - start ? ix.prefix[j]! - ix.prefix[i]! : null;
  };
  const idx = {
    own: { import: index(own, 'import'), export: index(own, 'export') },
    partner: { import: index(partner, 'import'), export: index(partner, 'export') },
  };
  const keep = 1 - point.lossFraction;
  for (const d of decls) {
    const ownSum = sumOver(idx.own[d.direction], d.start, d.end);
    const partnerSum = sumOver(idx.partner[d.direction], d.start, d.end);
    // The partner's figure on our side of the loss: what our meter would have read.
    const partnerAtOurs =
      partnerSum === null ? null : d.direction === 'import' ? partnerSum * keep : partnerSum / keep;
    // The agreed figure: the mean of both meters when both cover the period (neither side's
    // meter alone decides that a declaration is false), else the one that does.
    const metered =
      ownSum !== null && partnerAtOurs !== null
        ? (ownSum + partnerAtOurs) / 2
        : (ownSum ?? partnerAtOurs);
    const hours = (d.end - d.start) / HOUR_MS;
    const base = {
      reportId: d.report.id,
      pointId: point.id,
      direction: d.direction,
      periodStart: iso(d.start),
      periodEnd: iso(d.end),
      declared: d.value,
    };
    if (metered === null) {
      out.push({
        ...base,
        metered: null,
        meteredBy: null,
        difference: null,
        tolerance: null,
        outcome: 'no-metered-figure',
      });
      continue;
    }
    const difference = d.value - metered;
    const tolerance = Math.max(
      point.absoluteTolerancePerHour * hours,
      point.meterAccuracy * Math.max(d.value, metered),
    );
    out.push({
      ...base,
      metered,
      meteredBy:
        ownSum !== null && partnerAtOurs !== null
          ? 'both'
          : ownSum !== null
            ? 'own-meter'
            : 'partner',
      difference,
      tolerance,
      outcome:
        Math.abs(difference) <= tolerance
          ? 'as-metered'
          : difference < 0
            ? 'under-declared'
            : 'over-declared',
    });
  }
  return out;
}
