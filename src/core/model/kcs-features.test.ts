import { describe, expect, it } from 'vitest';
import {
  fitKcsStatistics,
  kcsFeatureTable,
  kcsHs6,
  kcsLabel,
  type KcsRow,
} from './kcs-features.js';

const row = (over: Partial<Record<string, string>>): KcsRow => ({
  'Declaration ID': '1',
  Date: '2020-03-04',
  'Office ID': '40',
  'Process Type': 'B',
  'Import Type': '11',
  'Import Use': '21',
  'Payment Type': '11',
  'Mode of Transport': '40',
  'Declarant ID': 'D1',
  'Importer ID': 'I1',
  'Seller ID': '',
  'Courier ID': '',
  'HS6 Code': '90121',
  'Country of Departure': 'CN',
  'Country of Origin': 'CN',
  'Tax Rate': '8.0',
  'Tax Type': 'A',
  'Country of Origin Indicator': 'G',
  'Net Mass': '10',
  'Item Price': '1000',
  Fraud: '0',
  'Critical Fraud': '0',
  ...over,
});

const column = (table: ReturnType<typeof kcsFeatureTable>, name: string) => {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return Array.from(c.values as ArrayLike<number | string | null | undefined>);
};

describe('KCS features', () => {
  const train = [
    row({ 'Importer ID': 'I1', Fraud: '1', 'Item Price': '1000' }),
    row({ 'Importer ID': 'I1', Fraud: '0', 'Item Price': '4000' }),
    row({ 'Importer ID': 'I2', Fraud: '2', 'HS6 Code': '420231', 'Net Mass': '' }),
    row({ 'Importer ID': 'I2', Fraud: '0', 'HS6 Code': '420231' }),
  ];
  const stats = fitKcsStatistics(train, { smoothing: 0, folds: 2, seed: 3 });

  it('labels Fraud > 0 and restores the leading zeros of HS6', () => {
    expect(train.map(kcsLabel)).toEqual([1, 0, 1, 0]);
    expect(kcsHs6(train[0]!)).toBe('090121');
    expect(column(kcsFeatureTable(train, stats), 'HS2')).toEqual(['09', '09', '42', '42']);
  });

  it('compares the unit value with the HS6 median of training (NaN without a mass)', () => {
    const values = column(kcsFeatureTable(train, stats), 'log unit value vs HS6 median');
    expect(values[0]).toBeCloseTo(Math.log(100) - (Math.log(100) + Math.log(400)) / 2, 12);
    expect(values[2]).toBeNaN();
  });

  it('computes the same features for a row at screening as for any row not trained on', () => {
    const fresh = row({ 'Importer ID': 'I1', 'Declarant ID': 'never-seen' });
    const alone = kcsFeatureTable([fresh], stats);
    const among = kcsFeatureTable([train[3]!, fresh], stats);
    for (const c of alone.columns)
      expect(column(among, c.name)[1]).toEqual(column(alone, c.name)[0]);
    expect(column(alone, 'Importer ID finding rate')).toEqual([0.5]);
    expect(column(alone, 'Importer ID training rows')).toEqual([2]);
  });

  it('gives training rows target rates from the other folds only', () => {
    const rates = column(kcsFeatureTable(train, stats, true), 'Importer ID finding rate');
    expect(column(kcsFeatureTable(train, stats), 'Importer ID finding rate')).toEqual([
      0.5, 0.5, 0.5, 0.5,
    ]);
    // Each importer has two rows with labels 1 and 0: a row sees its partner's label (other
    // fold) or nothing at all (same fold, NaN with no smoothing), never its own.
    const partner = [1, 0, 3, 2];
    rates.forEach((r, i) => {
      if (!Number.isNaN(r)) expect(r).toBe(kcsLabel(train[partner[i]!]!));
    });
    expect(rates.some((r) => !Number.isNaN(r))).toBe(true);
  });
});
