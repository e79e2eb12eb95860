import { createHash } from 'node:crypto';
import { compileCondition, type CompiledCondition, type Dimension } from './compile-condition.js';
import type { Indicator, ReferenceList } from './indicator.js';
import type { ScreeningContext } from './screening-context.js';

/** An indicator ready to screen with: its compiled condition and guard. */
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

/** Preference when a guard names several dimensions: the most selective first. */
const DIMENSION_ORDER: Dimension[] = ['hs', 'office', 'origin', 'dispatch', 'mode'];

/**
 * The candidate index: each indicator is filed under one dimension of its guard (an HS prefix,
 * an origin or dispatch country, an office, a transport mode) or, with no guard, under "always".
 * Screening a goods item evaluates only the indicators filed under its own values.
 */
export class RiskEngine {
  readonly indicators: readonly CompiledIndicator[];
  /** Identifies the exact indicator versions screened with (sha-256 of the sorted id@version list). */
  readonly rulesetId: string;
  private readonly always: number[] = [];
  private readonly hs = new Map<string, number[]>();
  private hsLengths: number[] = [];
  private readonly byValue: Record<Exclude<Dimension, 'hs'>, Map<string, number[]>> = {
    origin: new Map(),
    dispatch: new Map(),
    office: new Map(),
    mode: new Map(),
  };
  private readonly stamp: Uint32Array;
  private epoch = 0;

  constructor(indicators: readonly CompiledIndicator[]) {
    this.indicators = indicators;
    this.stamp = new Uint32Array(indicators.length);
    const lengths = new Set<number>();
    indicators.forEach((ci, i) => {
      const guard = ci.condition.guard;
      const dim = DIMENSION_ORDER.find((d) => guard[d] !== undefined);
      if (!dim) {
        this.always.push(i);
        return;
      }
      const values = guard[dim]!;
      const target = dim === 'hs' ? this.hs : this.byValue[dim];
      for (const v of values) {
        let bucket = target.get(v);
        if (!bucket) target.set(v, (bucket = []));
        bucket.push(i);
        if (dim === 'hs') lengths.add(v.length);
      }
    });
    this.hsLengths = [...lengths].sort((a, b) => a - b);
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

  /** Indexes of the indicators whose condition holds for this item (indexed path). */
  matches(c: ScreeningContext): number[] {
    const hits: number[] = [];
    const epoch = this.nextEpoch();
    const consider = (bucket: number[] | undefined) => {
      if (!bucket) return;
      for (const i of bucket) {
        if (this.stamp[i] === epoch) continue;
        this.stamp[i] = epoch;
        if (this.indicators[i]!.condition.evaluate(c)) hits.push(i);
      }
    };
    consider(this.always);
    const hs = c.item.hs;
    for (const length of this.hsLengths) {
      if (length > hs.length) break;
      consider(this.hs.get(hs.slice(0, length)));
    }
    consider(this.byValue.origin.get(c.item.origin));
    consider(this.byValue.dispatch.get(c.declaration.dispatchCountry));
    consider(this.byValue.office.get(c.declaration.office));
    consider(this.byValue.mode.get(c.declaration.transportMode));
    return hits.sort((a, b) => a - b);
  }

  /** The same answer by evaluating every indicator: the reference the index is tested against. */
  matchesWithoutIndex(c: ScreeningContext): number[] {
    const hits: number[] = [];
    this.indicators.forEach((ci, i) => {
      if (ci.condition.evaluate(c)) hits.push(i);
    });
    return hits;
  }

  /** How many indicators the index files under each dimension (for diagnostics and benchmarks). */
  stats(): Record<Dimension | 'always', number> {
    const count = (m: Map<string, number[]>) => new Set([...m.values()].flat()).size;
    return {
      always: this.always.length,
      hs: count(this.hs),
      origin: count(this.byValue.origin),
      dispatch: count(this.byValue.dispatch),
      office: count(this.byValue.office),
      mode: count(this.byValue.mode),
    };
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
