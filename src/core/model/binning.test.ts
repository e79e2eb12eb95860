import { describe, expect, it } from 'vitest';
import { binTable, categoryList, fitBinning, numericBin, numericEdges } from './binning.js';
import { featureTable } from './feature-table.js';

describe('numeric bins', () => {
  it('uses every distinct value but the largest as an edge when they fit', () => {
    expect(numericEdges([3, 1, 2, 2, NaN, 1], 255)).toEqual([1, 2]);
  });

  it('caps the bins and keeps x <= edge[b] ⇔ bin(x) <= b', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1009);
    const edges = numericEdges(values, 16);
    expect(edges.length).toBeLessThanOrEqual(15);
    for (const x of [...values, -5, 2000, 0.5])
      for (let b = 0; b < edges.length; b++) expect(x <= edges[b]!).toBe(numericBin(edges, x) <= b);
    expect(numericBin(edges, NaN)).toBe(edges.length + 1);
  });
});

describe('category codes', () => {
  it('orders by frequency then name, drops rare ones, and codes missing and unseen as 0', () => {
    expect(categoryList(['b', 'a', 'b', 'c', 'a', 'd', null, ''], 2, 10)).toEqual(['a', 'b']);
    const table = featureTable([{ name: 'x', kind: 'categorical', values: ['b', 'a', 'b', 'z'] }]);
    const binnings = fitBinning(table, { maxBins: 255, minCategoryCount: 1, maxCategories: 2 });
    expect(binnings[0]).toEqual({ name: 'x', kind: 'categorical', categories: ['b', 'a'] });
    const other = featureTable([{ name: 'x', kind: 'categorical', values: ['a', 'q', null, 'b'] }]);
    expect([...binTable(other, binnings).bins[0]!]).toEqual([2, 0, 0, 1]);
  });
});
