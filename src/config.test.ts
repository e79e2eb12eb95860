import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';

describe('configuration', () => {
  it('reads the do-not-load indicators and the information request hours', () => {
    expect(readConfig({}).cargo).toEqual({
      doNotLoad: ['GL-EW-02', 'GL-AC-02'],
      informationRequestHours: 24,
    });
    expect(
      readConfig({
        GREENLANE_DO_NOT_LOAD: ' GL-EW-02 , X-1,,',
        GREENLANE_INFORMATION_REQUEST_HOURS: '6',
      }).cargo,
    ).toEqual({ doNotLoad: ['GL-EW-02', 'X-1'], informationRequestHours: 6 });
    expect(readConfig({ GREENLANE_DO_NOT_LOAD: '' }).cargo.doNotLoad).toEqual([]);
    expect(() => readConfig({ GREENLANE_INFORMATION_REQUEST_HOURS: 'soon' })).toThrow(
      "GREENLANE_INFORMATION_REQUEST_HOURS must be a non-negative integer (got 'soon')",
    );
  });
});
