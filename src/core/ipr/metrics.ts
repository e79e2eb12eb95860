import type { IprCase } from './case.js';

/** Counts of one group of detention cases. */
export interface IprCounts {
  detentions: number;
  /** Cases in which the right holder confirmed the infringement. */
  confirmedInfringements: number;
  destroyed: number;
  /** Released from detention (no infringement, holder silent, or no proceedings in time) or cleared. */
  released: number;
  /** Court proceedings started: the goods stay detained until the court decides. */
  proceedings: number;
  /** Still open (no destruction, release or proceedings yet). */
  pending: number;
}

export interface IprMetrics {
  from: string | null;
  to: string | null;
  totals: IprCounts;
  byRightHolder: Array<{ rightHolder: string } & IprCounts>;
  byHsChapter: Array<{ hsChapter: string } & IprCounts>;
  byRoute: Array<{ route: string } & IprCounts>;
  byProcedure: Array<{ procedure: string } & IprCounts>;
  /** Hours from suspension to destruction, release, clearance or proceedings, over decided cases. */
  hoursToDecision: { cases: number; median: number | null; p90: number | null };
}

const DECIDING = new Set(['destroyed', 'released', 'cleared', 'proceedings-started']);

/** The IPR metrics of cases suspended in [from, to): what was detained, confirmed, destroyed, released. */
export function iprMetricsOf(
  cases: readonly IprCase[],
  from: string | null,
  to: string | null,
): IprMetrics {
  const inPeriod = cases.filter(
    (c) => (from === null || c.suspendedAt >= from) && (to === null || c.suspendedAt < to),
  );
  const groups = {
    holder: new Map<string, IprCounts>(),
    chapter: new Map<string, IprCounts>(),
    route: new Map<string, IprCounts>(),
    procedure: new Map<string, IprCounts>(),
  };
  const totals = zero();
  const hours: number[] = [];
  for (const c of inPeriod) {
    const types = new Set(c.events.map((e) => e.event.type));
    const add = (n: IprCounts) => {
      n.detentions++;
      if (types.has('holder-confirmed')) n.confirmedInfringements++;
      if (types.has('destroyed')) n.destroyed++;
      else if (types.has('released') || types.has('cleared')) n.released++;
      else if (types.has('proceedings-started')) n.proceedings++;
      else n.pending++;
    };
    add(totals);
    add(bucket(groups.holder, c.holderName ?? 'ex officio (no application)'));
    for (const chapter of new Set(c.items.map((g) => g.hs.slice(0, 2)).filter((h) => h !== '')))
      add(bucket(groups.chapter, chapter));
    const origins = c.route.originCountries.length > 0 ? c.route.originCountries.join('/') : '?';
    const dispatch = c.route.dispatchCountry === '' ? '?' : c.route.dispatchCountry;
    const route = `${origins} → ${dispatch}${c.route.transportMode ? ` (${c.route.transportMode})` : ''}`;
    add(bucket(groups.route, route));
    add(bucket(groups.procedure, c.procedure));
    const decided = c.events.find((e) => DECIDING.has(e.event.type));
    if (decided) hours.push((Date.parse(decided.event.at) - Date.parse(c.suspendedAt)) / 3_600_000);
  }
  hours.sort((a, b) => a - b);
  const rows = <K extends string>(m: Map<string, IprCounts>, key: K) =>
    [...m.entries()]
      .sort((a, b) => b[1].detentions - a[1].detentions || (a[0] < b[0] ? -1 : 1))
      .map(([k, v]) => ({ [key]: k, ...v }) as { [P in K]: string } & IprCounts);
  return {
    from,
    to,
    totals,
    byRightHolder: rows(groups.holder, 'rightHolder'),
    byHsChapter: rows(groups.chapter, 'hsChapter'),
    byRoute: rows(groups.route, 'route'),
    byProcedure: rows(groups.procedure, 'procedure'),
    hoursToDecision: {
      cases: hours.length,
      median: quantile(hours, 0.5),
      p90: quantile(hours, 0.9),
    },
  };
}

function zero(): IprCounts {
  return {
    detentions: 0,
    confirmedInfringements: 0,
    destroyed: 0,
    released: 0,
    proceedings: 0,
    pending: 0,
  };
}

function bucket(m: Map<string, IprCounts>, key: string): IprCounts {
  let b = m.get(key);
  if (!b) m.set(key, (b = zero()));
  return b;
}

/** Nearest-rank quantile of sorted values, rounded to a tenth of an hour; null when empty. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const v = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return Math.round(v * 10) / 10;
}
