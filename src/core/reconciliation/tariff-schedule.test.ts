import { describe, expect, it } from 'vitest';
import { tariffLookup, validateTariffRate } from './tariff-schedule.js';

describe('the duty rate of an HS6', () => {
  const rate = tariffLookup([
    { hsCode: '61', rate: 0.2 },
    { hsCode: '6109', rate: 0.05 },
    { hsCode: '610910', rate: 0.12 },
    // Two national lines of 850760 at one rate, two of 850780 at different rates.
    { hsCode: '8507600010', rate: 0.03 },
    { hsCode: '8507600090', rate: 0.03 },
    { hsCode: '8507800010', rate: 0.03 },
    { hsCode: '8507800090', rate: 0.06 },
    { hsCode: '85', rate: 0.1 },
  ]);
  it.each([
    ['610910', 0.12],
    ['610990', 0.05],
    ['611020', 0.2],
    ['850760', 0.03],
    ['850780', 0.1],
    ['940510', undefined],
  ])('%s pays %s', (hs6, expected) => {
    expect(rate(hs6)).toBe(expected);
  });

  it('refuses a rate that is not one', () => {
    expect(validateTariffRate({ hsCode: '6109', rate: 0.05 }).ok).toBe(true);
    expect(validateTariffRate({ hsCode: '6', rate: 0.05 }).ok).toBe(false);
    expect(validateTariffRate({ hsCode: '6109', rate: -1 }).ok).toBe(false);
    expect(validateTariffRate({ hsCode: '6109', rate: 0.05, note: 'x' }).ok).toBe(false);
  });
});
