import { describe, expect, it } from 'vitest';
import { normaliseUrl } from './normalise-path.js';

describe('one normalised path', () => {
  it.each([
    ['/%6detrics', '/metrics'],
    ['/%61pi/rule-packs/hmrc-ens-ie315/document', '/api/rule-packs/hmrc-ens-ie315/document'],
    ['/%41%50%49', '/API'],
    ['/api/declarations/../../metrics', '/metrics'],
    ['/api/./declarations', '/api/declarations'],
    ['/api/%2e%2e/metrics', '/metrics'],
    ['//api///declarations?limit=5', '/api/declarations?limit=5'],
    ['/api/declarations/', '/api/declarations/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/', '/'],
    ['/api/x%20y', '/api/x%20y'],
    ['/api/x%c3%a9', '/api/x%C3%A9'],
    ['/api/x?q=%2F..%2F', '/api/x?q=%2F..%2F'],
  ])('%s is %s', (raw, expected) => {
    expect(normaliseUrl(raw)).toEqual({ ok: true, url: expected });
  });

  it.each([
    '/api/%2f%2e%2e/metrics',
    '/api/x%5Cy',
    '/api/x%00',
    '/api/x%zz',
    '/api/x%4',
    '/api\\metrics',
    '/api/\x01',
    'api/declarations',
  ])('%j is refused', (raw) => {
    expect(normaliseUrl(raw).ok).toBe(false);
  });
});
