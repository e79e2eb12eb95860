import { describe, expect, it } from 'vitest';
import { landPath, SEA_GATEWAYS, shareLandBorder, hasSeaPort } from './trade-geography.js';

describe('trade geography', () => {
  it('has symmetric land borders and finds the way from the Baltic ports and China to Belarus', () => {
    expect(shareLandBorder('BY', 'PL')).toBe(true);
    expect(shareLandBorder('PL', 'BY')).toBe(true);
    expect(shareLandBorder('DE', 'BY')).toBe(false);
    // Closed to trade since 2022.
    expect(shareLandBorder('BY', 'UA')).toBe(false);
    expect(landPath('DE', 'BY')).toEqual(['DE', 'PL', 'BY']);
    expect(landPath('LT', 'BY')).toEqual(['LT', 'BY']);
    expect(landPath('CN', 'BY')).toEqual(['CN', 'RU', 'BY']);
    expect(landPath('GB', 'US')).toBeUndefined();
  });

  it('gives landlocked countries gateways that have ports and reach them by land', () => {
    for (const [country, gateways] of Object.entries(SEA_GATEWAYS)) {
      expect(hasSeaPort(country)).toBe(false);
      for (const g of gateways) {
        expect(hasSeaPort(g)).toBe(true);
        expect(landPath(g, country)).toBeDefined();
      }
    }
  });
});
