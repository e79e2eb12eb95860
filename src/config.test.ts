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

  it('reads the NATS URL of the exchange', () => {
    expect(readConfig({}).natsUrl).toBeUndefined();
    expect(readConfig({ GREENLANE_NATS_URL: '  ' }).natsUrl).toBeUndefined();
    expect(readConfig({ GREENLANE_NATS_URL: ' nats://127.0.0.1:4222 ' }).natsUrl).toBe(
      'nats://127.0.0.1:4222',
    );
    expect(readConfig({ GREENLANE_NATS_URL: 'tls://nats.example:4222' }).natsUrl).toBe(
      'tls://nats.example:4222',
    );
    for (const bad of ['http://user:secret@nats.example', '127.0.0.1:4222', 'natsx://a']) {
      expect(() => readConfig({ GREENLANE_NATS_URL: bad })).toThrow(
        `GREENLANE_NATS_URL must be a nats:// or tls:// URL (got '${bad.split(':')[0]}:…')`,
      );
    }
  });

  it('reads the share above which an indicator preview warns, as a percentage', () => {
    expect(readConfig({}).previewWarnShare).toBe(0.5);
    expect(readConfig({ GREENLANE_PREVIEW_WARN_PERCENT: '20' }).previewWarnShare).toBe(0.2);
    expect(() => readConfig({ GREENLANE_PREVIEW_WARN_PERCENT: '150' })).toThrow(
      "GREENLANE_PREVIEW_WARN_PERCENT must be a percentage from 0 to 100 (got '150')",
    );
  });
});
