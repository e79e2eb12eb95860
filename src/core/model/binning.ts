/**
 * Histogram binning: quantile bins for numeric features, category codes for categorical ones.
 * The same mapping is used at training (on bins) and at scoring (on raw values), so that a
 * threshold on a bin and a threshold on the raw value always agree.
 */
import type { FeatureColumn, FeatureTable } from './feature-table.js';

/**
 * Numeric bins: bin b holds the values x with edges[b-1] < x <= edges[b]; bin edges.length
 * holds x > the last edge; bin edges.length + 1 holds NaN (missing).
 */
export interface NumericBinning {
  readonly name: string;
  readonly kind: 'numeric';
  readonly edges: readonly number[];
}

/**
 * Category codes: code i + 1 is categories[i] (most frequent first); code 0 is missing, a
 * category rarer than the minimum count in training, or one never seen in training.
 */
export interface CategoricalBinning {
  readonly name: string;
  readonly kind: 'categorical';
  readonly categories: readonly string[];
}

export type FeatureBinning = NumericBinning | CategoricalBinning;

export interface BinningOptions {
  /** Bins for the values of a numeric feature (NaN gets one more), at most 65,000. */
  readonly maxBins: number;
  /** Categories seen fewer times than this share code 0 with missing and unseen ones. */
  readonly minCategoryCount: number;
  /** At most this many categories keep a code of their own (the most frequent). */
  readonly maxCategories: number;
}

/** The binned training data: one code array per feature. */
export interface BinnedTable {
  readonly rowCount: number;
  readonly bins: readonly Uint16Array[];
  /** The number of bins of each feature (codes are below it). */
  readonly binCounts: readonly number[];
}

/** The number of bins of a feature, including the missing bin. */
export function binCount(binning: FeatureBinning): number {
  return binning.kind === 'numeric' ? binning.edges.length + 2 : binning.categories.length + 1;
}

/** The bin of a raw numeric value. */
export function numericBin(edges: readonly number[], x: number): number {
  if (Number.isNaN(x)) return edges.length + 1;
  let lo = 0;
  let hi = edges.length;
  // The first edge >= x (binary search); edges.length when x is above them all.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Quantile edges over the non-missing values (each edge is a value that occurs). */
export function numericEdges(values: ArrayLike<number>, maxBins: number): number[] {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isNaN(x)) present.push(x);
  }
  if (present.length === 0) return [];
  const sorted = Float64Array.from(present).sort();
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]!++;
    else {
      distinct.push(sorted[i]!);
      counts.push(1);
    }
  }
  // Every distinct value but the largest is an edge when they fit.
  if (distinct.length <= maxBins) return distinct.slice(0, -1);
  const edges: number[] = [];
  const perBin = sorted.length / maxBins;
  let cumulative = 0;
  for (let i = 0; i < distinct.length - 1; i++) {
    cumulative += counts[i]!;
    if (cumulative >= perBin * (edges.length + 1)) edges.push(distinct[i]!);
    if (edges.length === maxBins - 1) break;
  }
  return edges;
}

const isMissing = (v: string | null | undefined): v is null | undefined | '' =>
  v === null || v === undefined || v === '';

/** Categories by frequency (most frequent first, then by name), above the minimum count. */
export function categoryList(
  values: ReadonlyArray<string | null | undefined>,
  minCount: number,
  maxCategories: number,
): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (!isMissing(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxCategories)
    .map(([c]) => c);
}

/** The binning of each column of a training table. */
export function fitBinning(table: FeatureTable, options: BinningOptions): FeatureBinning[] {
  if (options.maxBins < 2 || options.maxBins > 65_000)
    throw new RangeError(`maxBins must be in 2..65000, got ${options.maxBins}`);
  return table.columns.map((column): FeatureBinning =>
    column.kind === 'numeric'
      ? { name: column.name, kind: 'numeric', edges: numericEdges(column.values, options.maxBins) }
      : {
          name: column.name,
          kind: 'categorical',
          categories: categoryList(
            column.values,
            options.minCategoryCount,
            Math.min(options.maxCategories, 65_000),
          ),
        },
  );
}

/** A lookup from category to its code. */
export function categoryCodes(categories: readonly string[]): Map<string, number> {
  return new Map(categories.map((c, i) => [c, i + 1]));
}

/** Codes one column with a binning; the column must have the binning's kind. */
function binColumn(column: FeatureColumn, binning: FeatureBinning): Uint16Array {
  const n = column.values.length;
  const out = new Uint16Array(n);
  if (binning.kind === 'numeric') {
    if (column.kind !== 'numeric') throw new TypeError(`feature ${column.name} must be numeric`);
    for (let i = 0; i < n; i++) out[i] = numericBin(binning.edges, column.values[i]!);
    return out;
  }
  if (column.kind !== 'categorical')
    throw new TypeError(`feature ${column.name} must be categorical`);
  const codes = categoryCodes(binning.categories);
  for (let i = 0; i < n; i++) {
    const v = column.values[i];
    out[i] = isMissing(v) ? 0 : (codes.get(v) ?? 0);
  }
  return out;
}

/** Bins a table, matching its columns to the binnings by name. */
export function binTable(table: FeatureTable, binnings: readonly FeatureBinning[]): BinnedTable {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const bins = binnings.map((binning) => {
    const column = byName.get(binning.name);
    if (!column) throw new RangeError(`the table has no feature ${binning.name}`);
    return binColumn(column, binning);
  });
  return { rowCount: table.rowCount, bins, binCounts: binnings.map(binCount) };
}
