import { createHash } from 'node:crypto';
import {
  compileCondition,
  prefixesByLength,
  type CompiledCondition,
  type Dimension,
  type Guard,
} from './compile-condition.js';
import type { Indicator, ReferenceList } from './indicator.js';
import type { ScreeningContext } from './screening-context.js';

/** An indicator ready to screen with: its compiled condition and guards. */
export interface CompiledIndicator {
  indicator: Indicator;
  condition: CompiledCondition;
}

/** Compiles every indicator; throws ConditionError naming the first that does not compile. */
export function compileIndicators(
  indicators: readonly Indicator[],
  lists: ReadonlyMap<string, ReferenceList>,
): CompiledIndicator[] {
  return indicators.map((indicator) => ({
    indicator,
    condition: compileCondition(indicator.condition, lists),
  }));
}

type ValueDimension = Exclude<Dimension, 'hs'>;

/** Country, office and mode dimensions, most selective first (about 250 countries, 4–9 modes). */
const VALUE_DIMENSIONS: ValueDimension[] = ['origin', 'dispatch', 'office', 'mode'];

const valueOf: Record<ValueDimension, (c: ScreeningContext) => string> = {
  origin: (c) => c.item.origin,
  dispatch: (c) => c.declaration.dispatchCountry,
  office: (c) => c.declaration.office,
  mode: (c) => c.declaration.transportMode,
};

/** One filing of an indicator: its index and the whole alternative guard, checked before the condition. */
interface Entry {
  i: number;
  check: (c: ScreeningContext) => boolean;
}

const SEP = '\u0001';

/**
 * The candidate index. Each alternative guard of an indicator (see `alternativesOf`) is filed
 * under a key built from at most two of its dimensions — HS prefix with a country, office or mode
 * when it has them — and an item looks up only the keys its own values make. Before a condition
 * runs, the rest of that alternative's guard is checked with set look-ups; indicators with no
 * guard are evaluated for every item.
 */
export class RiskEngine {
  readonly indicators: readonly CompiledIndicator[];
  /** Identifies the exact indicator versions screened with (sha-256 of the sorted id@version list). */
  readonly rulesetId: string;
  private readonly always: Entry[] = [];
  private readonly hs = new Map<string, Entry[]>();
  private readonly hsLengths: number[];
  /** HS prefix + one value dimension: key `${prefix}\u0001${value}`. */
  private readonly hsWith = new Map<
    ValueDimension,
    { map: Map<string, Entry[]>; lengths: number[] }
  >();
  /** Two value dimensions: key `${a}\u0001${b}`. */
  private readonly pairs = new Map<
    string,
    { a: ValueDimension; b: ValueDimension; map: Map<string, Entry[]> }
  >();
  private readonly single = new Map<ValueDimension, Map<string, Entry[]>>();
  private readonly filed = { always: 0, hs: 0, 'hs+value': 0, pair: 0, value: 0, never: 0 };
  private readonly stamp: Uint32Array;
  private epoch = 0;

  constructor(indicators: readonly CompiledIndicator[]) {
    this.indicators = indicators;
    this.stamp = new Uint32Array(indicators.length);
    const hsLengths = new Set<number>();
    const withLengths = new Map<ValueDimension, Set<number>>();
    indicators.forEach((ci, i) => {
      const alternatives = ci.condition.alternatives;
      if (alternatives === null) {
        this.always.push({ i, check: () => true });
        this.filed.always++;
        return;
      }
      if (alternatives.length === 0) this.filed.never++; // no context can satisfy it
      for (const guard of alternatives) {
        const entry: Entry = { i, check: guardCheck(guard) };
        const hs = guard.hs;
        const dims = VALUE_DIMENSIONS.filter((d) => guard[d] !== undefined);
        if (hs !== undefined && dims.length > 0) {
          const dim = dims[0]!;
          let slot = this.hsWith.get(dim);
          if (!slot) this.hsWith.set(dim, (slot = { map: new Map(), lengths: [] }));
          let lengths = withLengths.get(dim);
          if (!lengths) withLengths.set(dim, (lengths = new Set()));
          for (const p of hs) {
            lengths.add(p.length);
            for (const v of guard[dim]!) push(slot.map, `${p}${SEP}${v}`, entry);
          }
          this.filed['hs+value']++;
        } else if (hs !== undefined) {
          for (const p of hs) {
            hsLengths.add(p.length);
            push(this.hs, p, entry);
          }
          this.filed.hs++;
        } else if (dims.length >= 2) {
          const [a, b] = dims as [ValueDimension, ValueDimension];
          let slot = this.pairs.get(`${a}${SEP}${b}`);
          if (!slot) this.pairs.set(`${a}${SEP}${b}`, (slot = { a, b, map: new Map() }));
          for (const x of guard[a]!)
            for (const y of guard[b]!) push(slot.map, `${x}${SEP}${y}`, entry);
          this.filed.pair++;
        } else {
          const dim = dims[0]!;
          let map = this.single.get(dim);
          if (!map) this.single.set(dim, (map = new Map<string, Entry[]>()));
          for (const v of guard[dim]!) push(map, v, entry);
          this.filed.value++;
        }
      }
    });
    this.hsLengths = [...hsLengths].sort((a, b) => a - b);
    for (const [dim, lengths] of withLengths)
      this.hsWith.get(dim)!.lengths = [...lengths].sort((a, b) => a - b);
    this.rulesetId = createHash('sha256')
      .update(
        indicators
          .map((ci) => `${ci.indicator.id}@${ci.indicator.version}`)
          .sort()
          .join('\n'),
      )
      .digest('hex')
      .slice(0, 32);
  }

  /** Indexes of the indicators whose condition holds for this item (indexed path), ascending. */
  matches(c: ScreeningContext): number[] {
    const hits: number[] = [];
    const epoch = this.nextEpoch();
    this.consider(this.always, c, epoch, hits);
    const hs = c.item.hs;
    for (const length of this.hsLengths) {
      if (length > hs.length) break;
      this.consider(this.hs.get(hs.slice(0, length)), c, epoch, hits);
    }
    for (const [dim, slot] of this.hsWith) {
      const v = valueOf[dim](c);
      for (const length of slot.lengths) {
        if (length > hs.length) break;
        this.consider(slot.map.get(`${hs.slice(0, length)}${SEP}${v}`), c, epoch, hits);
      }
    }
    for (const slot of this.pairs.values()) {
      this.consider(
        slot.map.get(`${valueOf[slot.a](c)}${SEP}${valueOf[slot.b](c)}`),
        c,
        epoch,
        hits,
      );
    }
    for (const [dim, map] of this.single) this.consider(map.get(valueOf[dim](c)), c, epoch, hits);
    return hits.length > 1 ? hits.sort((a, b) => a - b) : hits;
  }

  /** The same answer by evaluating every indicator: the reference the index is tested against. */
  matchesWithoutIndex(c: ScreeningContext): number[] {
    const hits: number[] = [];
    this.indicators.forEach((ci, i) => {
      if (ci.condition.evaluate(c)) hits.push(i);
    });
    return hits;
  }

  /** How the index filed the indicators' alternatives (for diagnostics and benchmarks). */
  stats(): Record<keyof RiskEngine['filed'], number> {
    return { ...this.filed };
  }

  private consider(
    bucket: Entry[] | undefined,
    c: ScreeningContext,
    epoch: number,
    hits: number[],
  ): void {
    if (!bucket) return;
    for (const { i, check } of bucket) {
      // Stamp only once the guard holds: another alternative of the same indicator may still match.
      if (this.stamp[i] === epoch || !check(c)) continue;
      this.stamp[i] = epoch;
      if (this.indicators[i]!.condition.evaluate(c)) hits.push(i);
    }
  }

  private nextEpoch(): number {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }
}

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const bucket = map.get(key);
  if (bucket) bucket.push(entry);
  else map.set(key, [entry]);
}

/** A fast check of every dimension of a conjunctive guard. */
function guardCheck(guard: Guard): (c: ScreeningContext) => boolean {
  const checks: Array<(c: ScreeningContext) => boolean> = [];
  if (guard.hs !== undefined) {
    const byLength = [...prefixesByLength(guard.hs)];
    checks.push((c) => {
      const hs = c.item.hs;
      for (const [length, set] of byLength)
        if (hs.length >= length && set.has(hs.slice(0, length))) return true;
      return false;
    });
  }
  for (const dim of VALUE_DIMENSIONS) {
    const values = guard[dim];
    if (values === undefined) continue;
    const set = new Set(values);
    const get = valueOf[dim];
    checks.push((c) => set.has(get(c)));
  }
  if (checks.length === 1) return checks[0]!;
  return (c) => checks.every((check) => check(c));
}
