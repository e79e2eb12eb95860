import { describe, expect, it } from 'vitest';
import { nextIndicatorCode, PRIORITY_AREA_CODES, PRIORITY_AREAS } from './indicator.js';

describe('nextIndicatorCode', () => {
  it.each([
    ['BY-CUSTOMS', 'e-waste', [], 'BY-CUSTOMS-EW-01'],
    [
      'BY-CUSTOMS',
      'e-waste',
      ['BY-CUSTOMS-EW-01', 'BY-CUSTOMS-EW-07', 'GL-EW-09'],
      'BY-CUSTOMS-EW-08',
    ],
    // Another area's series, the library's codes and ULIDs of older installs are not counted.
    [
      'BY-CUSTOMS',
      'energy',
      ['BY-CUSTOMS-EW-03', 'GL-EN-01', '01JB8X2Q7M4N5P6R7S8T9V0W1X'],
      'BY-CUSTOMS-EN-01',
    ],
    ['BY-CUSTOMS', 'e-waste', ['BY-CUSTOMS-EW-99'], 'BY-CUSTOMS-EW-100'],
    ['BY-CUSTOMS', 'e-waste', ['BY-CUSTOMS-EW-2x', 'BY-CUSTOMS-EW-'], 'BY-CUSTOMS-EW-01'],
    ['by env/ž', 'plastic-waste', [], 'BY-ENV-PW-01'],
    ['', 'plastic-waste', [], 'IND-PW-01'],
  ] as const)('%s %s after %j is %s', (agency, area, taken, expected) => {
    expect(nextIndicatorCode(agency, area, taken)).toBe(expected);
  });

  it('gives every priority area its own two letters', () => {
    const codes = PRIORITY_AREAS.map((a) => PRIORITY_AREA_CODES[a]);
    expect(new Set(codes).size).toBe(PRIORITY_AREAS.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z]{2}$/);
  });
});
