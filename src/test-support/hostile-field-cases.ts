import type { DeclarationInput } from '../core/declaration/declaration.js';
import {
  mutate,
  ODD_AMOUNTS,
  ODD_COUNTS,
  ODD_DATES,
  type HostileCase,
  type HostileFixtures,
  type HostileRole,
  type RawJson,
} from './hostile-cases.js';

/** A valid permit application of the demo trader (green technology, expedited). */
export const VALID_PERMIT = {
  type: 'green-tech',
  issuerAgency: 'BY-ENV',
  counterpart: { name: 'Solar Panels GmbH', country: 'DE' },
  hsScope: ['8541'],
  quantity: 100,
  unit: 'NAR',
  validFrom: '2026-01-01T00:00:00Z',
  validTo: '2027-01-01T00:00:00Z',
  maxShipments: 5,
  attachments: [
    { name: 'spec.pdf', mediaType: 'application/pdf', size: 1000, sha256: '0'.repeat(64) },
  ],
};

/**
 * Field-level hostile cases: a valid body of each route that stores numbers and dates, with one
 * field set to an odd value. The problem must name that field, so a case cannot pass by being
 * refused for something else.
 */
export function fieldCases(
  f: HostileFixtures,
  sampleDeclaration: (o: Partial<DeclarationInput>) => DeclarationInput,
): HostileCase[] {
  const cases: HostileCase[] = [];
  const json = { 'content-type': 'application/json' };
  const on = (
    method: string,
    url: string,
    as: HostileRole,
    body: unknown,
    group: string,
    mutations: Array<[string, string, RawJson]>,
  ) => {
    for (const [pointer, what, raw] of mutations) {
      // A new local reference per case: a repeated one would be refused as a duplicate first.
      const b =
        typeof body === 'object' && body !== null && 'reference' in body && 'goodsItems' in body
          ? { ...body, reference: `LRN-HOSTILE-${cases.length}` }
          : body;
      cases.push({
        group,
        name: `${method} ${url.replace(/\/[0-9A-Z]{26}(?=\/|$)/g, '/{id}')}: ${pointer} = ${what}`,
        method,
        url,
        as,
        headers: json,
        payload: mutate(b, pointer, raw),
        expect: 'refused',
        status: [400, 422],
        field: pointer,
        body: true,
      });
    }
  };
  const amounts = (pointer: string): Array<[string, string, RawJson]> =>
    ODD_AMOUNTS.map(([w, v]) => [pointer, w, v]);
  const dates = (pointer: string): Array<[string, string, RawJson]> =>
    ODD_DATES.map(([w, v]) => [pointer, w, v]);
  const counts = (pointer: string): Array<[string, string, RawJson]> =>
    ODD_COUNTS.map(([w, v]) => [pointer, w, v]);
  const lone = (pointer: string): Array<[string, string, RawJson]> => [
    [pointer, 'lone surrogate', '"goods \\ud800"'],
  ];

  const party = { id: f.traderId, name: 'EcoMet Recycling LLC', country: 'BY' };
  const declaration = sampleDeclaration({
    reference: 'LRN-HOSTILE-1',
    declarant: party,
    consignee: party,
  });
  on('POST', '/api/declarations', 'trader', declaration, 'odd numbers', [
    ...amounts('/goodsItems/0/quantity'),
    ...amounts('/goodsItems/0/netMass'),
    ...amounts('/goodsItems/0/grossMass'),
    ...amounts('/goodsItems/0/value'),
    ...counts('/goodsItems/0/sequence'),
  ]);
  on('POST', '/api/declarations', 'trader', declaration, 'odd dates', dates('/submittedAt'));
  on('POST', '/api/declarations', 'trader', declaration, 'invalid UTF-8 and lone surrogates', [
    ...lone('/goodsItems/0/description'),
    ...lone('/reference'),
    ...lone('/consignor/name'),
  ]);

  const permit = VALID_PERMIT;
  on('POST', '/api/permits', 'trader', permit, 'odd numbers', [
    ...amounts('/quantity'),
    ['/quantity', '1e-9 (zero thousandths)', '1e-9'],
    ['/quantity', '0.0004 (rounds to zero thousandths)', '0.0004'],
    ['/quantity', '-0', '-0'],
    ...counts('/maxShipments'),
    ...counts('/attachments/0/size'),
  ]);
  on('POST', '/api/permits', 'trader', permit, 'odd dates', [
    ...dates('/validFrom'),
    ...dates('/validTo'),
  ]);
  on('POST', '/api/permits', 'trader', permit, 'invalid UTF-8 and lone surrogates', [
    ...lone('/counterpart/name'),
  ]);
  on(
    'POST',
    `/api/permits/${f.issuablePermitId}/issue`,
    'ecologist',
    { quantity: 10 },
    'odd numbers',
    [
      ['/quantity', '1e-9', '1e-9'],
      ['/quantity', '1e308', '1e308'],
      ['/quantity', '1e400', '1e400'],
      ['/quantity', '"NaN"', '"NaN"'],
    ],
  );
  on(
    'POST',
    `/api/permits/${f.issuablePermitId}/issue`,
    'ecologist',
    { validTo: 'x' },
    'odd dates',
    [...dates('/validTo')],
  );

  const certificate = {
    type: 'environmental-compliance',
    reference: 'ENV-HOSTILE-1',
    holderId: f.traderId,
    holderName: 'EcoMet Recycling LLC',
    hsScope: ['7602'],
    validFrom: '2026-01-01T00:00:00Z',
    validTo: '2028-01-01T00:00:00Z',
  };
  on('POST', '/api/certificates', 'ecologist', certificate, 'odd dates', [
    ...dates('/validFrom'),
    ...dates('/validTo'),
  ]);

  const inspection = {
    controlForm: 'physical-inspection',
    startedAt: '2026-11-02T10:00:00Z',
    endedAt: '2026-11-02T11:00:00Z',
    result: 'non-compliant',
    findings: ['protected-species'],
    findingsText: 'Parrots without a CITES permit',
    itemsAffected: [1],
    seizures: [
      {
        itemSequence: 1,
        quantity: 2,
        unit: 'NAR',
        estimatedValue: 100,
        currency: 'USD',
        storageLocation: 'Warehouse 3',
        legalBasis: 'Customs Code',
      },
    ],
  };
  const inspections = `/api/declarations/${f.declarationId}/inspections`;
  on('POST', inspections, 'officer', inspection, 'odd numbers', [
    ...amounts('/seizures/0/estimatedValue'),
    ...amounts('/seizures/0/quantity'),
    ...counts('/itemsAffected/0'),
    ...counts('/seizures/0/itemSequence'),
  ]);
  on('POST', inspections, 'officer', inspection, 'odd dates', [
    ...dates('/startedAt'),
    ...dates('/endedAt'),
  ]);
  on('POST', inspections, 'officer', inspection, 'formula cells', [
    ['/seizures/0/currency', 'formula', '"=1+1"'],
  ]);

  on(
    'POST',
    `/api/users/${f.userId}/api-tokens`,
    'admin',
    { name: 'hostile', expiresAt: '2027-01-01T00:00:00Z' },
    'odd dates',
    dates('/expiresAt'),
  );

  const query = (
    group: string,
    name: string,
    url: string,
    as: HostileRole,
    field: string,
  ): HostileCase => ({
    group,
    name,
    method: 'GET',
    url,
    as,
    expect: 'refused',
    status: [400],
    field,
    body: false,
  });
  cases.push(
    query(
      'odd dates',
      'GET /api/worklist ?olderThanHours=99999999999 (a Date out of range)',
      '/api/worklist?olderThanHours=99999999999',
      'officer',
      'olderThanHours',
    ),
    query(
      'odd dates',
      'GET /api/worklist ?olderThanHours=87601 (over ten years)',
      '/api/worklist?olderThanHours=87601',
      'officer',
      'olderThanHours',
    ),
    query(
      'odd dates',
      'GET /api/permits/due ?withinHours=99999999999',
      '/api/permits/due?withinHours=99999999999',
      'ecologist',
      'withinHours',
    ),
    query(
      'odd numbers',
      'GET /api/indicators/{id}/versions/{version} version beyond 2^31',
      `/api/indicators/${f.indicatorId}/versions/2147483648`,
      'analyst',
      'version',
    ),
  );

  // Crafted names where a name picks a property of a plain object.
  const names = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
  for (const n of names) {
    for (const [method, url] of [
      ['GET', `/api/rule-packs/${n}`],
      ['GET', `/api/rule-packs/${n}/document`],
      ['PUT', `/api/rule-packs/${n}`],
    ] as const)
      cases.push({
        group: 'crafted names',
        name: `${method} /api/rule-packs/{name} = ${n}`,
        method,
        url,
        as: 'analyst',
        ...(method === 'PUT' ? { headers: json, payload: '{}' } : {}),
        expect: 'refused',
        status: method === 'PUT' ? [400, 404] : [404],
        body: method === 'PUT',
      });
    cases.push({
      group: 'crafted names',
      name: `PUT /api/rule-packs/{name}: an assertion calling ${n}()`,
      method: 'PUT',
      url: `/api/rule-packs/${f.rulePack}`,
      as: 'analyst',
      headers: json,
      payload: JSON.stringify(
        rulePack({ name: 'r1', context: '/', asserts: [assertion(`${n}(node, 'HEAHEA')`)] }, f),
      ),
      expect: 'refused',
      status: [400],
      body: true,
    });
    cases.push({
      group: 'crafted names',
      name: `PUT /api/rule-packs/{name}: an assertion calling node.${n}()`,
      method: 'PUT',
      url: `/api/rule-packs/${f.rulePack}`,
      as: 'analyst',
      headers: json,
      payload: JSON.stringify(
        rulePack({ name: 'r1', context: '/', asserts: [assertion(`node.${n}() == 'x'`)] }, f),
      ),
      expect: 'refused',
      status: [400],
      body: true,
    });
    cases.push({
      group: 'crafted names',
      name: `POST /api/cargo-reports: JSON elements named ${n}`,
      method: 'POST',
      url: '/api/cargo-reports',
      as: 'trader',
      headers: json,
      payload: `{"CC315A":{"${n}":{"${n}":"x"},"HEAHEA":{"${n}":"1"}}}`,
      expect: 'refused',
      status: [400],
      body: true,
    });
    cases.push({
      group: 'crafted names',
      name: `POST /api/permits: details key ${n}`,
      method: 'POST',
      url: '/api/permits',
      as: 'trader',
      headers: json,
      payload: mutate(
        { ...permit, type: 'ods-licence', unit: 'KGM', hsScope: ['2903'], details: {} },
        '/details',
        `{"${n}":"x"}`,
      ),
      expect: 'refused',
      status: [400],
      body: true,
    });
  }
  return cases;
}

function assertion(test: string) {
  return { test, code: 'H1', message: 'hostile' };
}

function rulePack(rule: unknown, f: HostileFixtures) {
  return {
    name: f.rulePack,
    version: `hostile-${Math.random().toString(36).slice(2)}`,
    source: { repository: 'hostile', licence: 'none' },
    rules: [rule],
  };
}
