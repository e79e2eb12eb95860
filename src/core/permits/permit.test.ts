import { describe, expect, it } from 'vitest';
import {
  effectiveStatus,
  isPermitNumber,
  permitNumber,
  validatePermitApplication,
} from './permit.js';

describe('permit numbers', () => {
  it('recognises only the numbers the register gives', () => {
    const n = permitNumber('BY-ENV', 'waste-consent', 2026, 12);
    expect(n).toBe('BY-ENV-WSC-2026-000012');
    expect(isPermitNumber(n)).toBe(true);
    for (const other of ['INV-2026-77', 'CITES-CM-2026-0042', 'BY-ENV-XYZ-2026-000012', '']) {
      expect(isPermitNumber(other), other).toBe(false);
    }
  });

  it('reads an issued permit past its validity as expired', () => {
    const p = { status: 'issued' as const, validTo: '2026-06-01T00:00:00.000Z' };
    expect(effectiveStatus(p, '2026-05-31T23:59:59.000Z')).toBe('issued');
    expect(effectiveStatus(p, '2026-06-01T00:00:00.000Z')).toBe('expired');
    expect(effectiveStatus({ ...p, status: 'revoked' }, '2027-01-01T00:00:00.000Z')).toBe(
      'revoked',
    );
  });
});

describe('permit applications', () => {
  const base = {
    type: 'waste-consent',
    issuerAgency: 'BY-ENV',
    counterpart: { name: 'Recycler', country: 'CN' },
    hsScope: ['8549'],
    quantity: 20,
    unit: 'TNE',
    validFrom: '2026-01-01T00:00:00Z',
    validTo: '2027-01-01T00:00:00Z',
    details: { wasteCode: 'A1180', operation: 'R4' },
  };
  it('accepts a complete application', () => {
    expect(validatePermitApplication(base)).toMatchObject({ ok: true });
  });
  it('names every field that is wrong', () => {
    const r = validatePermitApplication({
      ...base,
      hsScope: ['8549', '9999'],
      unit: 'NAR',
      counterpart: { name: 'X', country: 'QQ' },
      route: { transit: ['KZ', 'ZZ'] },
      validTo: '2025-01-01T00:00:00Z',
      details: { operation: 'R4' },
      wasteToResource: true,
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path).sort()).toEqual(
      [
        '/counterpart/country',
        '/details/wasteCode',
        '/hsScope/1',
        '/route/transit/1',
        '/unit',
        '/validTo',
      ].sort(),
    );
  });
});
