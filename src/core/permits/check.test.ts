import { describe, expect, it } from 'vitest';
import type { ReferenceList } from '../risk/indicator.js';
import type { ScreeningDeclaration, ScreeningItem } from '../risk/screening-context.js';
import {
  checkPermits,
  DEFAULT_PERMIT_REQUIREMENTS,
  PermitRules,
  type PermitCheck,
  type PermitOnFile,
} from './check.js';

const lists = new Map<string, ReferenceList>([
  ['e-waste', { name: 'e-waste', version: 1, kind: 'hs-prefixes', title: 'E', entries: ['8549'] }],
  ['ods-hfc', { name: 'ods-hfc', version: 1, kind: 'hs-prefixes', title: 'O', entries: ['3827'] }],
]);
const rules = new PermitRules(DEFAULT_PERMIT_REQUIREMENTS, lists);

const declaration = (over: Partial<ScreeningDeclaration> = {}): ScreeningDeclaration => ({
  kind: 'import',
  office: 'BY112000',
  transportMode: 'road',
  dispatchCountry: 'DE',
  destinationCountry: 'BY',
  transitCountries: ['PL'],
  declarantId: 'BY100',
  consignorId: '',
  consignorCountry: 'DE',
  consigneeId: 'BY100',
  itemCount: 1,
  date: '2026-11-02T10:00:00.000Z',
  lateFiling: false,
  minutesLate: 0,
  ...over,
});

const item = (over: Partial<ScreeningItem> = {}): ScreeningItem => ({
  sequence: 1,
  hs: '8549110000',
  description: 'Spent lead-acid batteries',
  quantity: 12,
  unit: 'TNE',
  netMass: 12_000,
  grossMass: 12_500,
  value: 6000,
  currency: 'EUR',
  origin: 'DE',
  species: '',
  brand: '',
  documents: [],
  valuePerKg: 0.5,
  ...over,
});

const consent = (over: Partial<PermitOnFile> = {}): PermitOnFile => ({
  id: 'P1',
  number: 'BY-ENV-WSC-2026-000001',
  type: 'waste-consent',
  holderId: 'BY100',
  hsScope: ['8549'],
  species: [],
  unit: 'TNE',
  remainingMilli: 100_000,
  route: { dispatch: ['DE'], transit: ['PL'], destination: ['BY'] },
  maxShipments: 10,
  shipments: 0,
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-01T00:00:00.000Z',
  status: 'issued',
  ...over,
});

function check(
  permits: PermitOnFile[],
  o: {
    d?: Partial<ScreeningDeclaration>;
    items?: Array<Partial<ScreeningItem>>;
    refs?: string[];
  } = {},
): PermitCheck[] {
  return checkPermits(
    declaration(o.d),
    (o.items ?? [{}]).map((x, k) => item({ sequence: k + 1, ...x })),
    'BY100',
    permits,
    rules,
    () => o.refs ?? [],
  );
}

describe('permit checks at screening: one declaration per outcome, explained', () => {
  const cases: Array<[string, PermitOnFile[], Parameters<typeof check>[1], Partial<PermitCheck>]> =
    [
      [
        'a consent held by the trader covers the item',
        [consent()],
        {},
        {
          outcome: 'matched',
          permitNumber: 'BY-ENV-WSC-2026-000001',
          quantityMilli: 12_000,
          unit: 'TNE',
          reason: 'waste-consent permit BY-ENV-WSC-2026-000001: covers 12 TNE',
        },
      ],
      [
        'no permit at all',
        [],
        {},
        {
          outcome: 'missing',
          permitId: null,
          reason:
            'no waste-consent permit referenced or held by BY100 (e-waste needs prior informed consent)',
        },
      ],
      [
        "a permit quoted on the declaration that is someone else's",
        [consent({ holderId: 'BY999' })],
        { refs: ['BY-ENV-WSC-2026-000001'] },
        {
          outcome: 'wrong-holder',
          reason: 'waste-consent permit BY-ENV-WSC-2026-000001: held by BY999, not by BY100',
        },
      ],
      [
        'an expired consent',
        [consent({ validTo: '2026-10-01T00:00:00.000Z' })],
        {},
        {
          outcome: 'expired',
          reason:
            'waste-consent permit BY-ENV-WSC-2026-000001: expired on 2026-10-01T00:00:00.000Z',
        },
      ],
      [
        'a consent not yet valid',
        [consent({ validFrom: '2026-12-01T00:00:00.000Z' })],
        {},
        { outcome: 'not-yet-valid' },
      ],
      ['a suspended consent', [consent({ status: 'suspended' })], {}, { outcome: 'suspended' }],
      ['a revoked consent', [consent({ status: 'revoked' })], {}, { outcome: 'revoked' }],
      [
        'an application not decided yet',
        [consent({ status: 'under-review', number: null })],
        {},
        { outcome: 'not-issued', reason: 'waste-consent permit P1: not issued (under-review)' },
      ],
      [
        'a consent for other goods',
        [consent({ hsScope: ['8548'] })],
        {},
        {
          outcome: 'out-of-scope',
          reason:
            'waste-consent permit BY-ENV-WSC-2026-000001: HS 8549110000 is outside its scope 8548',
        },
      ],
      [
        'a consent for another route (transit)',
        [consent()],
        { d: { transitCountries: ['PL', 'LT'] } },
        {
          outcome: 'route-mismatch',
          reason:
            'waste-consent permit BY-ENV-WSC-2026-000001: transit through LT, the permit allows PL',
        },
      ],
      [
        'a consent from another dispatch country',
        [consent()],
        { d: { dispatchCountry: 'NL' } },
        { outcome: 'route-mismatch' },
      ],
      [
        'not enough left',
        [consent({ remainingMilli: 5_000 })],
        {},
        {
          outcome: 'insufficient-balance',
          reason: 'waste-consent permit BY-ENV-WSC-2026-000001: 12 TNE declared, 5 TNE left',
        },
      ],
      [
        'every shipment used',
        [consent({ maxShipments: 2, shipments: 2 })],
        {},
        {
          outcome: 'insufficient-balance',
          reason: 'waste-consent permit BY-ENV-WSC-2026-000001: all 2 shipments used',
        },
      ],
      [
        'no quantity in the permit unit',
        [consent({ unit: 'NAR' })],
        { items: [{ unit: 'TNE', quantity: 12 }] },
        { outcome: 'quantity-not-declared' },
      ],
    ];
  it.each(cases)('%s', (_name, permits, o, expected) => {
    const checks = check(permits, o);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ itemSequence: 1, required: 'waste-consent', ...expected });
  });

  it('prefers a working permit to a failing one, and reports the closest failure otherwise', () => {
    const good = consent({ id: 'P2', number: 'BY-ENV-WSC-2026-000002' });
    const expired = consent({ validTo: '2026-10-01T00:00:00.000Z' });
    expect(check([expired, good])[0]).toMatchObject({ outcome: 'matched', permitId: 'P2' });
    const poorer = consent({ id: 'P3', number: 'N3', remainingMilli: 1000 });
    expect(check([expired, poorer])[0]).toMatchObject({
      outcome: 'insufficient-balance',
      permitId: 'P3',
    });
  });

  it('counts what earlier items of the same declaration take from the same permit', () => {
    const checks = check([consent({ remainingMilli: 20_000 })], {
      items: [{ netMass: 12_000 }, { netMass: 9_000 }],
    });
    expect(checks.map((c) => c.outcome)).toEqual(['matched', 'insufficient-balance']);
    expect(checks[1]?.reason).toMatch(/9 TNE declared, 8 TNE left/);
  });

  it('asks CITES permits by direction for goods that name a species, matching the species', () => {
    const cites: PermitOnFile = consent({
      id: 'C1',
      number: 'BY-ENV-CTI-2026-000001',
      type: 'cites-import',
      hsScope: [],
      species: ['Psittacus erithacus'],
      unit: 'NAR',
      remainingMilli: 10_000,
      route: { dispatch: [], transit: [], destination: [] },
      maxShipments: null,
    });
    const parrots = { hs: '0106390000', species: 'Psittacus erithacus', unit: 'NAR', quantity: 4 };
    expect(check([cites], { items: [parrots] })[0]).toMatchObject({
      required: 'cites-import',
      outcome: 'matched',
      quantityMilli: 4000,
    });
    expect(check([cites], { items: [{ ...parrots, species: 'Ara ararauna' }] })[0]).toMatchObject({
      outcome: 'out-of-scope',
      reason: expect.stringMatching(
        /species Ara ararauna is not among Psittacus erithacus/,
      ) as unknown,
    });
    expect(check([cites], { d: { kind: 'export' }, items: [parrots] })[0]).toMatchObject({
      required: 'cites-export',
      outcome: 'missing',
    });
  });

  it('takes a foreign CITES permit quoted on an import (C400) for the officer to check', () => {
    const parrots = { hs: '0106390000', species: 'Psittacus erithacus', unit: 'NAR', quantity: 4 };
    expect(check([], { items: [{ ...parrots, documents: ['C400'] }] })[0]).toMatchObject({
      required: 'cites-import',
      outcome: 'document-declared',
      permitId: null,
      reason:
        'document C400 declared: a foreign cites-import permit, not in the register, for the officer to check',
    });
    // Not on export: the export permit is ours to issue.
    expect(
      check([], { d: { kind: 'export' }, items: [{ ...parrots, documents: ['C400'] }] })[0],
    ).toMatchObject({ outcome: 'missing' });
  });

  it('asks nothing of goods no requirement names, nor for lists not in force', () => {
    expect(check([], { items: [{ hs: '7204490000' }] })).toEqual([]);
    const noLists = new PermitRules(DEFAULT_PERMIT_REQUIREMENTS, new Map());
    expect(checkPermits(declaration(), [item()], 'BY100', [], noLists, () => [])).toEqual([]);
  });
});
