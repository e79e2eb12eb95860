import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

const SHA = 'a'.repeat(64);

/** A valid application of each type, as a trader sends it. */
const APPLICATIONS: Record<string, Record<string, unknown>> = {
  'cites-import': {
    type: 'cites-import',
    counterpart: { name: 'Douala Bird Exporters', country: 'CM' },
    hsScope: ['0106'],
    species: ['Psittacus erithacus'],
    quantity: 4,
    unit: 'NAR',
    details: { purpose: 'T', sourceCode: 'C' },
  },
  'cites-export': {
    type: 'cites-export',
    counterpart: { name: 'Zoo Leipzig', country: 'DE' },
    hsScope: ['0106'],
    species: ['Python regius'],
    quantity: 2,
    unit: 'NAR',
    details: { purpose: 'Z', sourceCode: 'C' },
  },
  'cites-re-export': {
    type: 'cites-re-export',
    counterpart: { name: 'Atelier Cuir', country: 'FR' },
    hsScope: ['4203'],
    species: ['Alligator mississippiensis'],
    quantity: 100,
    unit: 'NAR',
    details: { purpose: 'T', sourceCode: 'W' },
  },
  'waste-consent': {
    type: 'waste-consent',
    counterpart: { name: 'Shenzhen E-Cycle Co', country: 'CN' },
    hsScope: ['8549'],
    quantity: 20,
    unit: 'TNE',
    route: { dispatch: ['CN'], transit: ['KZ', 'RU'], destination: ['BY'] },
    maxShipments: 5,
    wasteToResource: true,
    details: { wasteCode: 'A1180', operation: 'R4' },
  },
  'ods-licence': {
    type: 'ods-licence',
    counterpart: { name: 'Refrigerants Ltd', country: 'IN' },
    hsScope: ['290341'],
    quantity: 500,
    unit: 'KGM',
    details: { substance: 'HFC-23' },
  },
  'pesticide-licence': {
    type: 'pesticide-licence',
    counterpart: { name: 'AgroChem', country: 'DE' },
    hsScope: ['3808'],
    quantity: 2000,
    unit: 'KGM',
    details: { substance: 'glyphosate' },
  },
  'green-tech': {
    type: 'green-tech',
    counterpart: { name: 'Solar Modules GmbH', country: 'DE' },
    hsScope: ['854143'],
    quantity: 5000,
    unit: 'NAR',
  },
};

describe.each(BACKENDS)('the Single Window on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let trader: string;
  let env: string;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    trader = world.tokens.trader;
    env = world.tokens.ecologist;
    const customs = world.tokens.riskAnalyst;
    // The permit requirements read the e-waste list: put it in force.
    ok(
      await send('PUT', '/api/reference-lists/e-waste', customs, {
        kind: 'hs-prefixes',
        title: 'E-waste',
        entries: ['8549'],
      }),
    );
    ok(await send('POST', '/api/reference-lists/e-waste/submit', customs, { version: 1 }));
    ok(
      await send('POST', '/api/reference-lists/e-waste/approve', world.tokens.secondAnalyst, {
        version: 1,
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  function send(
    method: 'POST' | 'PUT',
    url: string,
    token: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> {
    return app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      headers: bearer(token),
    });
  }
  const get = (url: string, token: string) => app.inject({ url, headers: bearer(token) });
  function ok(r: LightMyRequestResponse): Record<string, unknown> {
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  }
  const apply = (type: string, over: Record<string, unknown> = {}, token = trader) =>
    send('POST', '/api/permits', token, {
      issuerAgency: 'BY-E',
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2027-06-30T00:00:00Z',
      attachments: [
        { name: 'contract.pdf', mediaType: 'application/pdf', size: 1200, sha256: SHA },
      ],
      ...APPLICATIONS[type],
      ...over,
    });

  it.each(Object.keys(APPLICATIONS))(
    'takes a %s application through review to issue',
    async (type) => {
      const applied = ok(await apply(type));
      expect(applied).toMatchObject({
        type,
        status: 'applied',
        number: null,
        holderId: 'BY100',
        expedited: type === 'green-tech' || type === 'waste-consent',
      });
      const id = applied.id as string;
      ok(await send('POST', `/api/permits/${id}/review`, env));
      const issued = ok(await send('POST', `/api/permits/${id}/issue`, env, {}));
      expect(issued.status).toBe('issued');
      expect(issued.number).toMatch(/^BY-E-[A-Z]{3}-\d{4}-\d{6}$/);
      expect(issued.remainingMilli).toBe(issued.authorisedMilli);
      expect(typeof issued.processingSeconds).toBe('number');
      expect(issued.processingSeconds as number).toBeGreaterThanOrEqual(0);
      const events = (await t.db.read.audit.listFor('permit', id)).map((e) => e.action);
      expect(events).toEqual(['permit.applied', 'permit.under-review', 'permit.issued']);
    },
  );

  it('describes every permit type, and a valid application of each follows its description', async () => {
    const types = ok(await get('/api/permits/types', trader)) as unknown as Array<{
      type: string;
      name: string;
      issuers: Array<{ code: string }>;
      units: Array<{ code: string; meaning: string }>;
      speciesRequired: boolean;
      details: Array<{ key: string; required: boolean; codes?: Array<{ code: string }> }>;
    }>;
    expect(types.map((d) => d.type).sort()).toEqual(Object.keys(APPLICATIONS).sort());
    const waste = types.find((d) => d.type === 'waste-consent')!;
    expect(waste.name).toBe('Waste shipment consent');
    expect(waste.units.map((u) => u.code)).toEqual(['TNE', 'KGM']);
    expect(waste.details.find((f) => f.key === 'operation')?.codes?.map((c) => c.code)).toContain(
      'R4',
    );
    const cites = types.find((d) => d.type === 'cites-import')!;
    expect(cites.speciesRequired).toBe(true);
    expect(cites.details.find((f) => f.key === 'purpose')?.codes).toContainEqual({
      code: 'Z',
      meaning: 'Zoo',
    });
    for (const d of types) {
      // Issued by an agency of the caller's own administration, never customs.
      expect(d.issuers.map((i) => i.code)).toContain('BY-E');
      expect(d.issuers.map((i) => i.code)).not.toContain('BY-C');
      const sample = APPLICATIONS[d.type]!;
      expect(d.units.map((u) => u.code)).toContain(sample.unit);
      const details = (sample.details ?? {}) as Record<string, string>;
      for (const f of d.details) {
        if (f.required) expect(details[f.key], `${d.type} ${f.key}`).toBeTruthy();
        if (f.codes && details[f.key]) expect(f.codes.map((c) => c.code)).toContain(details[f.key]);
      }
    }
    // Staff read it too; a request without a token does not.
    expect((await get('/api/permits/types', env)).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/permits/types' })).statusCode).toBe(401);
  });

  it('refuses codes outside the lists and particulars a type does not have', async () => {
    const r = await apply('cites-export', { details: { purpose: 'K', sourceCode: 'C', x: 'y' } });
    expect(r.statusCode).toBe(400);
    const fields = r.json<{ errors: Array<{ field: string; detail: string }> }>().errors;
    expect(fields.map((e) => e.field).sort()).toEqual(['/details/purpose', '/details/x']);
    expect(fields.find((e) => e.field === '/details/purpose')?.detail).toMatch(/choose one/);
    const kilolitres = await apply('waste-consent', { unit: 'LTR' });
    expect(kilolitres.json<{ errors: Array<{ detail: string }> }>().errors[0]?.detail).toBe(
      'a Waste shipment consent is given in tonnes or kilograms',
    );
  });

  it('asks for more information, takes the answer, and refuses with a reason', async () => {
    const id = ok(await apply('ods-licence')).id as string;
    const asked = ok(
      await send('POST', `/api/permits/${id}/request-information`, env, {
        message: 'Attach the quota allocation letter',
      }),
    );
    expect(asked).toMatchObject({
      status: 'information-requested',
      note: 'Attach the quota allocation letter',
    });
    // Only the applicant answers; the issuer cannot issue while waiting.
    expect((await send('POST', `/api/permits/${id}/issue`, env, {})).statusCode).toBe(409);
    expect(
      (await send('POST', `/api/permits/${id}/respond`, world.tokens.otherTrader, { message: 'x' }))
        .statusCode,
    ).toBe(404);
    const answered = ok(
      await send('POST', `/api/permits/${id}/respond`, trader, {
        message: 'Letter attached',
        attachments: [{ name: 'quota.pdf', mediaType: 'application/pdf', size: 99, sha256: SHA }],
      }),
    );
    expect(answered).toMatchObject({ status: 'under-review' });
    expect((answered.attachments as unknown[]).length).toBe(2);
    const refused = ok(
      await send('POST', `/api/permits/${id}/refuse`, env, {
        reason: 'HFC-23 quota for 2026 is used up',
      }),
    );
    expect(refused).toMatchObject({ status: 'refused', note: 'HFC-23 quota for 2026 is used up' });
    expect(typeof refused.processingSeconds).toBe('number');
    const events = (await t.db.read.audit.listFor('permit', id)).map((e) => e.action);
    expect(events).toEqual([
      'permit.applied',
      'permit.information-requested',
      'permit.information-provided',
      'permit.refused',
    ]);
  });

  it('refuses bad applications naming the field, and decisions by anyone but the issuer', async () => {
    const noSpecies = await apply('cites-import', { species: [] });
    expect(noSpecies.statusCode).toBe(400);
    expect(noSpecies.json()).toMatchObject({ errors: [{ field: '/species' }] });
    const noWasteCode = await apply('waste-consent', { details: { operation: 'R4' } });
    expect(noWasteCode.json()).toMatchObject({ errors: [{ field: '/details/wasteCode' }] });
    const customsIssuer = await apply('waste-consent', { issuerAgency: 'BY-C' });
    expect(customsIssuer.statusCode).toBe(400);
    expect(customsIssuer.json()).toMatchObject({ errors: [{ field: '/issuerAgency' }] });
    const officerApplies = await send('POST', '/api/permits', world.tokens.officer, {
      issuerAgency: 'BY-E',
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2027-01-01T00:00:00Z',
      ...APPLICATIONS['green-tech'],
    });
    expect(officerApplies.statusCode).toBe(403);

    const id = ok(await apply('green-tech')).id as string;
    for (const token of [world.tokens.riskAnalyst, world.tokens.officer, trader]) {
      expect((await send('POST', `/api/permits/${id}/issue`, token, {})).statusCode).toBe(403);
    }
    // Traders see only their own; the issuer and customs see it.
    expect((await get(`/api/permits/${id}`, world.tokens.otherTrader)).statusCode).toBe(404);
    expect((await get(`/api/permits/${id}`, env)).statusCode).toBe(200);
    expect((await get(`/api/permits/${id}`, world.tokens.officer)).statusCode).toBe(200);
    const others = ok(await get('/api/permits', world.tokens.otherTrader));
    expect(others).toEqual([]);
  });

  // Trader two (BY200) holds no permit from the tests above.
  const ewaste = (reference: string, tonnes: number, over: Partial<DeclarationInput> = {}) => {
    const base = sampleDeclaration({
      reference,
      declarant: { id: 'BY200', name: 'Trader two', country: 'BY' },
      consignee: { id: 'BY200', name: 'Trader two', country: 'BY' },
      ...over,
    });
    return {
      ...base,
      goodsItems: [
        { ...base.goodsItems[0]!, netMass: tonnes * 1000, quantity: tonnes, unit: 'TNE' },
      ],
    };
  };
  const lodge = async (body: unknown) =>
    ok(
      await app.inject({
        method: 'POST',
        url: '/api/declarations',
        headers: bearer(world.tokens.officer),
        payload: body as object,
      }),
    ) as {
      id: string;
      assessment: { permits: Array<Record<string, unknown>>; effects: unknown[] };
    };
  const permitOf = async (id: string) => ok(await get(`/api/permits/${id}`, env));

  it('checks the consent at screening and draws it down at release, all or nothing', async () => {
    const id = ok(await apply('waste-consent', { quantity: 5 }, world.tokens.otherTrader))
      .id as string;
    const issued = ok(await send('POST', `/api/permits/${id}/issue`, env, {}));

    const first = await lodge(ewaste('REL-1', 1.2));
    expect(first.assessment.permits).toEqual([
      expect.objectContaining({
        itemSequence: 1,
        required: 'waste-consent',
        outcome: 'matched',
        permitNumber: issued.number,
        quantityMilli: 1200,
      }),
    ]);
    const released = ok(
      await send('POST', `/api/declarations/${first.id}/release`, world.tokens.officer),
    );
    expect(released.draws).toEqual([
      { permitId: id, permitNumber: issued.number, itemSequence: 1, quantityMilli: 1200 },
    ]);
    expect(await permitOf(id)).toMatchObject({
      remainingMilli: 3800,
      shipments: 1,
      status: 'issued',
    });
    expect(
      (await send('POST', `/api/declarations/${first.id}/release`, world.tokens.officer))
        .statusCode,
    ).toBe(409);

    // 4 t declared, 3.8 t left: screening says so, and release fails naming item and permit.
    const tooMuch = await lodge(ewaste('REL-2', 4));
    expect(tooMuch.assessment.permits[0]).toMatchObject({
      outcome: 'insufficient-balance',
      reason: `waste-consent permit ${issued.number as string}: 4 TNE declared, 3.8 TNE left`,
    });
    expect(tooMuch.assessment.effects).toContainEqual(
      expect.objectContaining({
        kind: 'permit',
        subject: 'insufficient-balance',
        points: 0,
        minimumChannel: 'yellow',
      }),
    );
    const refused = await send(
      'POST',
      `/api/declarations/${tooMuch.id}/release`,
      world.tokens.officer,
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.json()).toMatchObject({
      detail: expect.stringContaining(issued.number as string) as unknown,
      errors: [
        {
          field: '/goodsItems/0',
          detail: expect.stringMatching(/item 1 needs waste-consent/) as unknown,
        },
      ],
    });
    expect(await permitOf(id)).toMatchObject({ remainingMilli: 3800, shipments: 1 });
    expect(await t.db.read.declarations.status(tooMuch.id)).toMatchObject({
      status: 'awaiting-control',
    });

    // Exactly what is left: the permit is exhausted.
    const rest = await lodge(ewaste('REL-3', 3.8));
    ok(await send('POST', `/api/declarations/${rest.id}/release`, world.tokens.officer));
    expect(await permitOf(id)).toMatchObject({
      remainingMilli: 0,
      status: 'exhausted',
      shipments: 2,
    });
    const usage = ok(
      await get(`/api/permits/${id}/usage`, world.tokens.otherTrader),
    ) as unknown as Array<{
      declarationId: string;
      quantityMilli: number;
    }>;
    expect(usage.map((u) => [u.declarationId, u.quantityMilli])).toEqual([
      [first.id, 1200],
      [rest.id, 3800],
    ]);
  });

  it('explains a missing consent and a consent for another route', async () => {
    const missing = await lodge(
      ewaste('MISS-1', 1, {
        declarant: { id: 'BY300', name: 'Three' },
        consignee: { id: 'BY300', name: 'Three' },
      }),
    );
    expect(missing.assessment.permits[0]).toMatchObject({ outcome: 'missing', permitId: null });
    const id = ok(await apply('waste-consent', {}, world.tokens.otherTrader)).id as string;
    ok(await send('POST', `/api/permits/${id}/issue`, env, {}));
    const viaLithuania = await lodge(
      ewaste('ROUTE-1', 1, {
        route: {
          dispatchCountry: 'CN',
          destinationCountry: 'BY',
          transitCountries: ['KZ', 'LT'],
          transportMode: 'rail',
        },
      }),
    );
    expect(viaLithuania.assessment.permits[0]).toMatchObject({
      outcome: 'route-mismatch',
      reason: expect.stringMatching(/transit through LT, the permit allows KZ, RU/) as unknown,
    });
  });
});
