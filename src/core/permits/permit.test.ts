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
  it('tells what the type asks for in the same answer as a malformed field', () => {
    const r = validatePermitApplication({
      ...base,
      hsScope: ['85A9'],
      details: { operation: 'Z9', colour: 'green' },
    });
    expect(!r.ok && r.issues).toEqual([
      { path: '/hsScope/0', reason: 'must match pattern "^[0-9]{2,10}$"' },
      { path: '/details/wasteCode', reason: 'required for a Waste shipment consent' },
      { path: '/details/operation', reason: 'not an operation code; choose one of the list' },
      { path: '/details/colour', reason: 'not a particular of a Waste shipment consent' },
    ]);
    // A CITES application without species, whatever else is wrong.
    const cites = validatePermitApplication({ ...base, type: 'cites-import', quantity: 'four' });
    expect(!cites.ok && cites.issues.map((i) => i.path)).toEqual([
      '/quantity',
      '/species',
      '/details/purpose',
      '/details/sourceCode',
      '/details/wasteCode',
      '/details/operation',
    ]);
  });
});
