import { describe, expect, it } from 'vitest';
import type { CategoricalBinning, NumericBinning } from './binning.js';
import { binShares, driftLevel, featureDrift, populationStability } from './drift.js';
import { featureTable } from './feature-table.js';

const numeric: NumericBinning = { name: 'x', kind: 'numeric', edges: [1, 2, 3] };
const categorical: CategoricalBinning = {
  name: 'c',
  kind: 'categorical',
  categories: ['CN', 'DE'],
};

describe('feature drift', () => {
  it("counts rows in the model's own bins, NaN last and unseen categories in code 0", () => {
    const x = { name: 'x', kind: 'numeric' as const, values: [0.5, 1, 1.5, 2.5, 9, NaN, NaN, 3] };
    // Bins: ≤1, ≤2, ≤3, >3, NaN.
    expect(binShares(numeric, x)).toEqual([2 / 8, 1 / 8, 2 / 8, 1 / 8, 2 / 8]);
    const c = {
      name: 'c',
      kind: 'categorical' as const,
      values: ['CN', 'CN', 'DE', 'KZ', null, ''],
    };
    expect(binShares(categorical, c)).toEqual([3 / 6, 2 / 6, 1 / 6]);
    expect(binShares(categorical, { ...c, values: [] })).toEqual([0, 0, 0]);
    expect(() => binShares(numeric, c)).toThrow(/must be numeric/);
    // Weighted: the second row counts three times.
    expect(binShares(categorical, { ...c, values: ['CN', 'DE'] }, [1, 3])).toEqual([0, 0.25, 0.75]);
  });

  it('computes the population stability index by hand and floors empty bins', () => {
    expect(populationStability([0.5, 0.5], [0.5, 0.5])).toBe(0);
    const psi = (0.7 - 0.5) * Math.log(0.7 / 0.5) + (0.3 - 0.5) * Math.log(0.3 / 0.5);
    expect(populationStability([0.5, 0.5], [0.7, 0.3])).toBeCloseTo(psi, 12);
    const empty = (1e-4 - 0.2) * Math.log(1e-4 / 0.2) + (1 - 0.8) * Math.log(1 / 0.8);
    expect(populationStability([0.2, 0.8], [0, 1])).toBeCloseTo(empty, 12);
    expect(() => populationStability([1], [0.5, 0.5])).toThrow(RangeError);
    expect([driftLevel(0.05), driftLevel(0.1), driftLevel(0.3)]).toEqual([
      'stable',
      'moderate',
      'significant',
    ]);
  });

  it('finds a shifted numeric feature significant and an unchanged categorical one stable', () => {
    const training = featureTable([
      {
        name: 'x',
        kind: 'numeric',
        values: Float64Array.from({ length: 400 }, (_, i) => (i % 4) + 0.5),
      },
      {
        name: 'c',
        kind: 'categorical',
        values: Array.from({ length: 400 }, (_, i) => (i % 2 ? 'CN' : 'DE')),
      },
    ]);
    const expected = [numeric, categorical].map((b) =>
      binShares(
        b,
        training.columns.find((c) => c.name === b.name)!,
      ),
    );
    const recent = featureTable([
      {
        name: 'c',
        kind: 'categorical',
        values: Array.from({ length: 100 }, (_, i) => (i % 2 ? 'DE' : 'CN')),
      },
      { name: 'x', kind: 'numeric', values: Float64Array.from({ length: 100 }, () => 9) },
    ]);
    const drift = featureDrift([numeric, categorical], expected, recent);
    expect(drift.map((d) => [d.feature, d.level])).toEqual([
      ['x', 'significant'],
      ['c', 'stable'],
    ]);
    expect(drift[1]!.psi).toBe(0);
    expect(() =>
      featureDrift([numeric], [expected[0]!], featureTable([recent.columns[0]!])),
    ).toThrow(/no feature x/);
  });
});
