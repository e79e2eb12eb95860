/**
 * Drift of a model's features: how far the distribution of recent rows has moved from the
 * training rows', by the population stability index over the model's own bins. Pure.
 */
import { binCount, categoryCodes, numericBin, type FeatureBinning } from './binning.js';
import type { FeatureColumn, FeatureTable } from './feature-table.js';

/**
 * Share of the rows in each bin of a model feature, in bin order: for a numeric feature its
 * bins by `numericBin` (the last one NaN, missing), for a categorical one code order (code 0:
 * missing, rare or unseen). Sums to 1; all zeros for an empty column. With `weights`, each row
 * counts for its weight (training rows weighted for selection stand for all the traffic).
 */
export function binShares(
  binning: FeatureBinning,
  column: FeatureColumn,
  weights?: ArrayLike<number>,
): number[] {
  const counts = new Array<number>(binCount(binning)).fill(0);
  const n = column.values.length;
  const w = (i: number) => (weights ? weights[i]! : 1);
  if (binning.kind === 'numeric') {
    if (column.kind !== 'numeric') throw new TypeError(`feature ${column.name} must be numeric`);
    for (let i = 0; i < n; i++) counts[numericBin(binning.edges, column.values[i]!)]! += w(i);
  } else {
    if (column.kind !== 'categorical')
      throw new TypeError(`feature ${column.name} must be categorical`);
    const codes = categoryCodes(binning.categories);
    for (let i = 0; i < n; i++) {
      const v = column.values[i];
      counts[v === null || v === undefined || v === '' ? 0 : (codes.get(v) ?? 0)]! += w(i);
    }
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return total === 0 ? counts : counts.map((c) => c / total);
}

/** Shares below this count as this much, so that an empty bin keeps the index finite. */
const FLOOR = 1e-4;

/** PSI = Σ (a − e) · ln(a / e) over the bins, each share floored at 1e-4. */
export function populationStability(
  expected: readonly number[],
  actual: readonly number[],
): number {
  if (expected.length !== actual.length)
    throw new RangeError(`${expected.length} expected shares against ${actual.length} actual`);
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(expected[b]!, FLOOR);
    const a = Math.max(actual[b]!, FLOOR);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

export interface FeatureDrift {
  feature: string;
  psi: number;
  /** The usual rule of thumb: below 0.1 stable, below 0.25 moderate, else significant. */
  level: 'stable' | 'moderate' | 'significant';
}

export function driftLevel(psi: number): FeatureDrift['level'] {
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'significant';
}

/**
 * The drift of every model feature: `expected` holds the training rows' shares in model feature
 * order (as `binShares` gave them at training), `recent` the rows to compare, matched by name.
 * Sorted by PSI, largest first (then by name).
 */
export function featureDrift(
  binnings: readonly FeatureBinning[],
  expected: ReadonlyArray<readonly number[]>,
  recent: FeatureTable,
): FeatureDrift[] {
  const byName = new Map(recent.columns.map((c) => [c.name, c]));
  return binnings
    .map((binning, f) => {
      const column = byName.get(binning.name);
      if (!column) throw new RangeError(`the recent rows have no feature ${binning.name}`);
      const reference = expected[f];
      if (!reference) throw new RangeError(`no training shares for feature ${binning.name}`);
      const psi = populationStability(reference, binShares(binning, column));
      return { feature: binning.name, psi: Math.round(psi * 1e6) / 1e6, level: driftLevel(psi) };
    })
    .sort((a, b) => b.psi - a.psi || (a.feature < b.feature ? -1 : 1));
}
