import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.js';
import { featureTable, type FeatureTable, type LabelledTable } from './feature-table.js';
import { auc } from './metrics.js';
import type { TrainingParams } from './model-schema.js';
import { compileModel } from './scorer.js';
import { sigmoid, trainGradientBoosting } from './train-gradient-boosting.js';

/** Synthetic rows: a (numeric), b (numeric), c (categorical), noise; the label by `rule`. */
function synthetic(
  n: number,
  seed: number,
  rule: (a: number, b: number, c: string) => number,
): LabelledTable {
  const random = new SeededRandom(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const noise = new Float64Array(n);
  const c: string[] = [];
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = random.next() * 2 - 1;
    b[i] = random.next() < 0.05 ? NaN : random.next() * 2 - 1;
    noise[i] = random.next();
    c.push(`k${random.int(0, 19)}`);
    // 5 % label noise so that nothing is perfectly separable.
    const y = rule(a[i]!, b[i]!, c[i]!);
    labels[i] = random.chance(0.05) ? 1 - y : y;
  }
  const table = featureTable([
    { name: 'a', kind: 'numeric', values: a },
    { name: 'b', kind: 'numeric', values: b },
    { name: 'c', kind: 'categorical', values: c },
    { name: 'noise', kind: 'numeric', values: noise },
  ]);
  return { table, labels };
}

const xor = (a: number, b: number) => (a > 0 !== (Number.isNaN(b) ? false : b > 0) ? 1 : 0);
const threshold = (a: number) => (a > 0.3 ? 1 : 0);
const HOT = new Set(['k3', 'k7', 'k11', 'k12', 'k19']);
const categorical = (_a: number, _b: number, c: string) => (HOT.has(c) ? 1 : 0);

const fast: Partial<TrainingParams> = { rounds: 40, learningRate: 0.3, maxLeaves: 8 };

function testAuc(rule: Parameters<typeof synthetic>[2], params: Partial<TrainingParams>) {
  const model = trainGradientBoosting(synthetic(3000, 1, rule), { params });
  const test = synthetic(2000, 2, rule);
  return auc(compileModel(model).margins(test.table), test.labels);
}

describe('trainGradientBoosting recovers known structure', () => {
  it.each([
    ['an XOR of two features', xor],
    ['a threshold', threshold],
    ['a categorical effect', categorical],
  ] as const)('%s (AUC on fresh rows > 0.9)', (_, rule) => {
    expect(testAuc(rule, fast)).toBeGreaterThan(0.9);
  });

  it('one split cannot learn the XOR (the bound above is not trivial)', () => {
    expect(testAuc(xor, { ...fast, maxLeaves: 2 })).toBeLessThan(0.7);
  });

  it('splits a categorical feature into its hot and cold categories in one split', () => {
    const model = trainGradientBoosting(synthetic(3000, 1, categorical), {
      params: { rounds: 1, maxLeaves: 2, learningRate: 1 },
    });
    const tree = model.trees[0]!;
    expect(model.features[tree.feature[0]!]!.name).toBe('c');
    const feature = model.features[2]!;
    if (feature.kind !== 'categorical') throw new Error('c is categorical');
    const left = new Set(tree.categories[0]!.map((code) => feature.categories[code - 1]));
    const hotLeft = HOT.has([...left][0]!);
    for (const k of feature.categories) expect(left.has(k)).toBe(hotLeft === HOT.has(k));
  });
});

describe('the model as JSON', () => {
  const data = synthetic(2000, 3, xor);
  const params = { ...fast, rowSubsample: 0.7, featureSubsample: 0.75, seed: 42 };

  it('scores identically after JSON.parse(JSON.stringify(model))', () => {
    const model = trainGradientBoosting(data, { params });
    const reloaded = compileModel(JSON.parse(JSON.stringify(model)));
    expect([...reloaded.margins(data.table)]).toEqual([...compileModel(model).margins(data.table)]);
  });

  it('same seed, same bytes; another seed, other bytes', () => {
    const one = JSON.stringify(trainGradientBoosting(data, { params }));
    expect(JSON.stringify(trainGradientBoosting(data, { params }))).toBe(one);
    expect(
      JSON.stringify(trainGradientBoosting(data, { params: { ...params, seed: 7 } })),
    ).not.toBe(one);
    expect(JSON.parse(one)).toMatchObject({ schemaVersion: 1, params: { seed: 42 } });
  });

  it('refuses a model of another schema version', () => {
    const model = trainGradientBoosting(data, { params: { rounds: 1 } });
    expect(() => compileModel({ ...model, schemaVersion: 2 })).toThrow(/schemaVersion/);
  });

  it('scores unseen categories and missing numbers', () => {
    const model = compileModel(trainGradientBoosting(synthetic(2000, 1, categorical), { params }));
    const odd = featureTable([
      { name: 'a', kind: 'numeric', values: [NaN, 0.5] },
      { name: 'b', kind: 'numeric', values: [NaN, NaN] },
      { name: 'c', kind: 'categorical', values: ['never-seen', null] },
      { name: 'noise', kind: 'numeric', values: [0.5, NaN] },
    ]);
    for (const p of model.probabilities(odd)) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });
});

describe('contributions (Saabas)', () => {
  it('bias + contributions = margin, for every row', () => {
    const data = synthetic(1000, 4, xor);
    const model = compileModel(trainGradientBoosting(data, { params: fast }));
    const rows = model.encode(data.table);
    const margins = model.marginsOf(rows);
    for (let i = 0; i < 200; i++) {
      const c = model.contributionsOf(rows, i);
      const sum = c.byFeature.reduce((s, x) => s + x, c.bias);
      expect(sum).toBeCloseTo(margins[i]!, 9);
      expect(c.margin).toBeCloseTo(margins[i]!, 9);
    }
    const top = model.topContributions(rows, 0, 2).map((c) => c.feature);
    expect(top.every((f) => f === 'a' || f === 'b')).toBe(true);
  });
});

describe('tree limits', () => {
  const depthOf = (tree: {
    feature: readonly number[];
    left: readonly number[];
    right: readonly number[];
  }) => {
    const depth = new Array<number>(tree.feature.length).fill(0);
    for (let i = 0; i < tree.feature.length; i++)
      if (tree.feature[i]! >= 0) depth[tree.left[i]!] = depth[tree.right[i]!] = depth[i]! + 1;
    return Math.max(...depth);
  };

  it.each([
    [{ maxLeaves: 64, maxDepth: 3 }, 8, 3],
    [{ maxLeaves: 5, maxDepth: 0 }, 5, 4],
  ])('%o: at most %i leaves, depth %i', (limits, leaves, depth) => {
    const model = trainGradientBoosting(synthetic(3000, 1, xor), {
      params: { rounds: 3, minSamplesLeaf: 5, ...limits },
    });
    for (const tree of model.trees) {
      expect(tree.feature.filter((f) => f < 0).length).toBeLessThanOrEqual(leaves);
      expect(depthOf(tree)).toBeLessThanOrEqual(depth);
    }
  });

  it('keeps minSamplesLeaf rows in every leaf', () => {
    const data = synthetic(500, 2, xor);
    const model = compileModel(
      trainGradientBoosting(data, { params: { rounds: 1, maxLeaves: 64, minSamplesLeaf: 40 } }),
    );
    const margins = model.margins(data.table);
    const perLeaf = new Map<number, number>();
    for (const m of margins) perLeaf.set(m, (perLeaf.get(m) ?? 0) + 1);
    expect(perLeaf.size).toBeGreaterThan(2);
    for (const count of perLeaf.values()) expect(count).toBeGreaterThanOrEqual(40);
  });
});

describe('training options', () => {
  const split = (table: FeatureTable, labels: ArrayLike<number>) => ({ table, labels });

  it('early stopping keeps the best iteration and drops the rest', () => {
    const train = synthetic(1500, 5, threshold);
    const validSet = synthetic(1000, 6, threshold);
    const model = trainGradientBoosting(train, {
      params: {
        rounds: 300,
        learningRate: 0.5,
        maxLeaves: 31,
        minSamplesLeaf: 2,
        earlyStoppingRounds: 10,
      },
      valid: split(validSet.table, validSet.labels),
    });
    expect(model.training.roundsTrained).toBeLessThan(300);
    expect(model.training.roundsTrained).toBe(model.training.bestIteration + 10);
    expect(model.trees).toHaveLength(model.training.bestIteration);
    expect(model.training.bestValidMetric).toBeGreaterThan(0);
  });

  it('a positive weight raises the predicted probabilities', () => {
    const data = synthetic(2000, 7, (a) => (a > 0.6 ? 1 : 0));
    const mean = (w: number) => {
      const p = compileModel(
        trainGradientBoosting(data, { params: { ...fast, positiveWeight: w } }),
      ).probabilities(data.table);
      return p.reduce((s, x) => s + x, 0) / p.length;
    };
    const plain = mean(1);
    expect(plain).toBeCloseTo(0.24, 1);
    // Odds × 4 where labels are mixed (the 5 % label noise): the mean moves by several points.
    expect(mean(4)).toBeGreaterThan(plain + 0.04);
    expect(mean(0.25)).toBeLessThan(plain - 0.02);
  });

  it('sample weights count as repeated rows', () => {
    const data = synthetic(1000, 8, threshold);
    const weights = Float64Array.from({ length: 1000 }, (_, i) => (i % 2 ? 3 : 1));
    const model = trainGradientBoosting({ ...data, weights }, { params: { rounds: 1 } });
    let pos = 0;
    let all = 0;
    for (let i = 0; i < 1000; i++) {
      all += weights[i]!;
      pos += weights[i]! * data.labels[i]!;
    }
    expect(sigmoid(model.baseScore)).toBeCloseTo(pos / all, 12);
  });

  it('refuses labels other than 0 and 1', () => {
    const data = synthetic(10, 9, threshold);
    expect(() =>
      trainGradientBoosting({ table: data.table, labels: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0] }),
    ).toThrow(/label 2/);
  });
});
