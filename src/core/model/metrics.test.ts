import { describe, expect, it } from 'vitest';
import { auc, calibrationTable, logloss, precisionAt, recallAt, topCount } from './metrics.js';

describe('precision and recall at k %', () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
  const labels = [1, 0, 1, 1, 0, 0, 0, 1, 0, 0];
  it.each([
    [0.1, 1, 1 / 4],
    [0.2, 0.5, 1 / 4],
    [0.3, 2 / 3, 2 / 4],
    [0.5, 3 / 5, 3 / 4],
    [1, 4 / 10, 1],
    // 1 % of 10 rows rounds to 0: at least one row is inspected.
    [0.01, 1, 1 / 4],
  ])('top %f: precision %f, recall %f', (k, precision, recall) => {
    expect(precisionAt(scores, labels, k)).toBeCloseTo(precision, 12);
    expect(recallAt(scores, labels, k)).toBeCloseTo(recall, 12);
  });

  it('breaks ties by row order', () => {
    expect(precisionAt([1, 1, 1, 1], [0, 1, 1, 1], 0.25)).toBe(0);
    expect(precisionAt([1, 1, 1, 1], [1, 0, 0, 0], 0.25)).toBe(1);
  });

  it('counts round(k × n) rows', () => {
    expect(topCount(8481, 0.05)).toBe(424);
    expect(topCount(3, 0.5)).toBe(2);
    expect(topCount(3, 2)).toBe(3);
  });
});

describe('AUC', () => {
  it.each([
    ['perfect', [0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], 1],
    ['reversed', [0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1], 0],
    ['all tied', [0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], 0.5],
    // Pairs (pos, neg): (0.8 vs 0.2) 1, (0.8 vs 0.5) 1, (0.5 vs 0.2) 1, (0.5 vs 0.5) 0.5.
    ['a tie across classes', [0.2, 0.5, 0.5, 0.8], [0, 0, 1, 1], 3.5 / 4],
    ['one in the middle', [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75],
  ])('%s', (_, scores, labels, expected) => {
    expect(auc(scores, labels)).toBeCloseTo(expected, 12);
  });

  it('is NaN for one class', () => {
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
  });
});

describe('logloss and calibration', () => {
  it('logloss of known probabilities', () => {
    expect(logloss([0.5, 0.5], [0, 1])).toBeCloseTo(Math.log(2), 12);
    expect(logloss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    expect(Number.isFinite(logloss([0, 1], [1, 0]))).toBe(true);
  });

  it('deciles of predicted probability against the observed rate', () => {
    const p = Array.from({ length: 100 }, (_, i) => i / 100);
    const y = p.map((x) => (x >= 0.5 ? 1 : 0));
    const table = calibrationTable(p, y);
    expect(table).toHaveLength(10);
    expect(table.map((b) => b.rows)).toEqual(Array(10).fill(10));
    expect(table[0]!.meanPredicted).toBeCloseTo(0.045, 12);
    expect(table.map((b) => b.observedRate)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });
});
