import { NO_MIRROR, type MirrorGaps } from '../reconciliation/mirror-gaps.js';
import { createHash } from 'node:crypto';
import {
  compileCondition,
  prefixesByLength,
  type CompiledCondition,
  type Alternative,
  type Dimension,
  type NumericBound,
} from './compile-condition.js';
import type { Indicator, ReferenceList } from './indicator.js';
import type { PermitRules } from '../permits/check.js';
import { NO_RIGHTS, type RightsRegister } from '../ipr/register.js';
import type { ScreeningContext } from './screening-context.js';
import type { ModelInUse } from '../model/risk-model.js';

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

/**
 * One filing of an indicator: its index and what its key does not already ensure of the
 * alternative guard (null: nothing), checked before the condition.
 */
interface Entry {
  i: number;
  check: Check | null;
}

type Check = (c: ScreeningContext) => boolean;

/** Index keys by value, then a second value. */
type Nested = Map<string, Map<string, Entry[]>>;

/**
 * A node of the HS prefix trie: the node reached by walking an HS code's first n digits holds
 * what is filed under that n-digit prefix — alone, or with a country, office or mode.
 */
interface HsNode {
  /** Children by digit 0–9. */
  digits: Array<HsNode | undefined> | null;
  /** Children by any other character (a `startsWith` constant may hold one; it never matches a valid code). */
  other: Map<number, HsNode> | null;
  /** Filed under the prefix alone. */
  entries: Entry[] | null;
  /** Filed under the prefix with a value of one dimension. */
  byValue: Array<{ dim: ValueDimension; map: Map<string, Entry[]> }> | null;
}

const hsNode = (): HsNode => ({ digits: null, other: null, entries: null, byValue: null });

function hsNodeAt(root: HsNode, prefix: string): HsNode {
  let node = root;
  for (let k = 0; k < prefix.length; k++) {
    const code = prefix.charCodeAt(k);
    const digit = code - 48;
    let next: HsNode | undefined;
    if (digit >= 0 && digit <= 9) {
      node.digits ??= new Array<HsNode | undefined>(10).fill(undefined);
      next = node.digits[digit] ??= hsNode();
    } else {
      node.other ??= new Map();
      next = node.other.get(code);
      if (!next) node.other.set(code, (next = hsNode()));
    }
    node = next;
  }
  return node;
}

interface BoundSlot extends Omit<NumericBound, 'k'> {
  /** Thresholds, ascending, with their entries in the same order. */
  ks: number[];
  entries: Entry[];
}

interface PairSlot {
  a: ValueDimension;
  b: ValueDimension;
  map: Nested;
}

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
  // A trie walked digit by digit, arrays and nested maps rather than Map iteration and joined
  // keys: nothing allocated per item, no HS prefix sliced or hashed, and a value looked up only
  // at the prefixes that file something with it.
  private readonly hsRoot: HsNode = hsNode();
  private readonly pairs: PairSlot[] = [];
  private readonly single: Array<{ dim: ValueDimension; map: Map<string, Entry[]> }> = [];
  /** Indicators known only by a numeric bound, sorted by threshold. */
  private readonly bounds: BoundSlot[] = [];
  private readonly filed = {
    always: 0,
    hs: 0,
    'hs+value': 0,
    pair: 0,
    value: 0,
    bound: 0,
    never: 0,
  };
  private readonly stamp: Uint32Array;
  private epoch = 0;

  /** Which goods need which permits (compiled against the same lists); null: no permit checks. */
  readonly permitRules: PermitRules | null;
  /** True when some indicator asks `hasValidPermit` (so screening needs the trader's permits). */
  readonly usesPermits: boolean;

  /** The register of intellectual-property rights the IPR helpers match against. */
  readonly rights: RightsRegister;
  /** The mirror reconciliation's latest gaps, for the mirror helpers. */
  readonly mirror: MirrorGaps;
  /** The approved learned models in use, by administration. */
  readonly models: ReadonlyMap<string, ModelInUse>;

  constructor(
    indicators: readonly CompiledIndicator[],
    permitRules: PermitRules | null = null,
    rights: RightsRegister = NO_RIGHTS,
    mirror: MirrorGaps = NO_MIRROR,
    models: ReadonlyMap<string, ModelInUse> = new Map(),
  ) {
    this.indicators = indicators;
    this.models = models;
    this.permitRules = permitRules;
    this.rights = rights;
    this.mirror = mirror;
    // The condition text names every helper it calls.
    this.usesPermits = indicators.some((ci) => ci.indicator.condition.includes('hasValidPermit'));
    this.stamp = new Uint32Array(indicators.length);
    indicators.forEach((ci, i) => {
      const alternatives = ci.condition.alternatives;
      if (alternatives === null) {
        this.always.push({ i, check: null });
        this.filed.always++;
        return;
      }
      if (alternatives.length === 0) this.filed.never++; // no context can satisfy it
      for (const guard of alternatives) {
        const hs = guard.hs;
        const dims = VALUE_DIMENSIONS.filter((d) => guard[d] !== undefined);
        // The key ensures the HS prefix and up to two value dimensions; the check does the rest.
        const keyed: Dimension[] =
          hs !== undefined ? ['hs', ...dims.slice(0, 1)] : dims.slice(0, 2);
        if (hs === undefined && dims.length === 0 && guard.bound !== undefined) {
          // Only a numeric bound is known: file by threshold, the key ensures the bound.
          const b = guard.bound;
          let slot = this.bounds.find(
            (x) => x.field === b.field && x.below === b.below && x.inclusive === b.inclusive,
          );
          if (!slot) {
            this.bounds.push(
              (slot = {
                field: b.field,
                below: b.below,
                inclusive: b.inclusive,
                ks: [],
                entries: [],
              }),
            );
          }
          slot.ks.push(b.k);
          slot.entries.push({ i, check: null });
          this.filed.bound++;
          continue;
        }
        const entry: Entry = { i, check: guardCheck(guard, keyed) };
        if (hs !== undefined && dims.length > 0) {
          const dim = dims[0]!;
          for (const p of hs) {
            const node = hsNodeAt(this.hsRoot, p);
            node.byValue ??= [];
            let slot = node.byValue.find((x) => x.dim === dim);
            if (!slot) node.byValue.push((slot = { dim, map: new Map() }));
            for (const v of guard[dim]!) push(slot.map, v, entry);
          }
          this.filed['hs+value']++;
        } else if (hs !== undefined) {
          for (const p of hs) (hsNodeAt(this.hsRoot, p).entries ??= []).push(entry);
          this.filed.hs++;
        } else if (dims.length >= 2) {
          const [a, b] = dims as [ValueDimension, ValueDimension];
          let slot = this.pairs.find((x) => x.a === a && x.b === b);
          if (!slot) this.pairs.push((slot = { a, b, map: new Map() }));
          for (const x of guard[a]!) for (const y of guard[b]!) push2(slot.map, x, y, entry);
          this.filed.pair++;
        } else {
          const dim = dims[0]!;
          let slot = this.single.find((x) => x.dim === dim);
          if (!slot) this.single.push((slot = { dim, map: new Map() }));
          for (const v of guard[dim]!) push(slot.map, v, entry);
          this.filed.value++;
        }
      }
    });
    for (const slot of this.bounds) {
      const order = slot.ks.map((_, j) => j).sort((x, y) => slot.ks[x]! - slot.ks[y]!);
      slot.ks = order.map((j) => slot.ks[j]!);
      slot.entries = order.map((j) => slot.entries[j]!);
    }
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
    for (const slot of this.bounds) {
      const v = c.item[slot.field];
      if (typeof v !== 'number') continue; // a bound on an absent value never holds
      // field < k holds for thresholds above v: a suffix; field > k for thresholds below v: a prefix.
      if (slot.below)
        this.consider(slot.entries, c, epoch, hits, firstAbove(slot.ks, v, slot.inclusive));
      else this.consider(slot.entries, c, epoch, hits, 0, firstAbove(slot.ks, v, !slot.inclusive));
    }
    const hs = c.item.hs;
    // Every prefix of the item's HS code, the empty one included, from the root down.
    let node: HsNode | undefined = this.hsRoot;
    for (let k = 0; ; k++) {
      if (node.entries !== null) this.consider(node.entries, c, epoch, hits);
      const byValue = node.byValue;
      if (byValue !== null) {
        for (let j = 0; j < byValue.length; j++) {
          const slot = byValue[j]!;
          this.consider(slot.map.get(valueOf[slot.dim](c)), c, epoch, hits);
        }
      }
      if (k === hs.length) break;
      const code = hs.charCodeAt(k);
      const digit = code - 48;
      node = digit >= 0 && digit <= 9 ? node.digits?.[digit] : node.other?.get(code);
      if (node === undefined) break;
    }
    const pairs = this.pairs;
    for (let k = 0; k < pairs.length; k++) {
      const slot = pairs[k]!;
      this.consider(slot.map.get(valueOf[slot.a](c))?.get(valueOf[slot.b](c)), c, epoch, hits);
    }
    const single = this.single;
    for (let k = 0; k < single.length; k++) {
      const slot = single[k]!;
      this.consider(slot.map.get(valueOf[slot.dim](c)), c, epoch, hits);
    }
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
    from = 0,
    to = bucket?.length ?? 0,
  ): void {
    if (!bucket) return;
    const stamp = this.stamp;
    const indicators = this.indicators;
    for (let k = from; k < to; k++) {
      const { i, check } = bucket[k]!;
      // Stamp only once the guard holds: another alternative of the same indicator may still match.
      if (stamp[i] === epoch || (check !== null && !check(c))) continue;
      stamp[i] = epoch;
      if (indicators[i]!.condition.evaluate(c)) hits.push(i);
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

function push2(map: Nested, first: string, second: string, entry: Entry): void {
  let inner = map.get(first);
  if (!inner) map.set(first, (inner = new Map<string, Entry[]>()));
  push(inner, second, entry);
}

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const bucket = map.get(key);
  if (bucket) bucket.push(entry);
  else map.set(key, [entry]);
}

/** A fast check of the dimensions of a conjunctive guard that its key does not ensure. */
function guardCheck(guard: Alternative, keyed: readonly Dimension[]): Check | null {
  const checks: Check[] = [];
  if (guard.hs !== undefined && !keyed.includes('hs')) {
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
    if (values !== undefined && !keyed.includes(dim)) checks.push(valueCheck(dim, new Set(values)));
  }
  if (guard.bound !== undefined) checks.push(boundCheck(guard.bound));
  if (checks.length === 0) return null;
  if (checks.length === 1) return checks[0]!;
  if (checks.length === 2) {
    const [x, y] = checks as [Check, Check];
    return (c) => x(c) && y(c);
  }
  return (c) => checks.every((check) => check(c));
}

function valueCheck(dim: ValueDimension, set: ReadonlySet<string>): Check {
  switch (dim) {
    case 'origin':
      return (c) => set.has(c.item.origin);
    case 'dispatch':
      return (c) => set.has(c.declaration.dispatchCountry);
    case 'office':
      return (c) => set.has(c.declaration.office);
    case 'mode':
      return (c) => set.has(c.declaration.transportMode);
  }
}

function boundCheck({ field, below, inclusive, k }: NumericBound): Check {
  if (below) {
    return inclusive
      ? (c) => {
          const v = c.item[field];
          return typeof v === 'number' && v <= k;
        }
      : (c) => {
          const v = c.item[field];
          return typeof v === 'number' && v < k;
        };
  }
  return inclusive
    ? (c) => {
        const v = c.item[field];
        return typeof v === 'number' && v >= k;
      }
    : (c) => {
        const v = c.item[field];
        return typeof v === 'number' && v > k;
      };
}

/**
 * Index of the first threshold in ascending `ks` that is above v (or at least v when `orEqual`).
 * `field < k` holds for k above v, `field <= k` for k at least v; `field > k` for the thresholds
 * before the first that is at least v, `field >= k` before the first above v.
 */
function firstAbove(ks: readonly number[], v: number, orEqual: boolean): number {
  let lo = 0;
  let hi = ks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (orEqual ? ks[mid]! >= v : ks[mid]! > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
