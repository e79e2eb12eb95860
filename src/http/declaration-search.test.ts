import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { airReport } from '../test-support/ens-messages.js';
import { bearer, testHttpApp } from '../test-support/http.js';

interface Listed {
  items: Array<{ id: string; reference: string; status: string }>;
  nextCursor?: string;
}
interface Batch {
  lodged: number;
  refused: number;
  results: Array<{
    location: string;
    reference?: string;
    outcome: 'lodged' | 'refused';
    declaration?: { id: string; reference: string; audience?: string; status: string };
    problem?: { status: number; errors?: Array<{ field: string; detail: string }> };
  }>;
}

describe.each(BACKENDS)('declaration search and batch lodging on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  const ids: Record<string, string> = {};

  const lodge = async (
    token: string,
    reference: string,
    extra: Parameters<typeof sampleDeclaration>[0] = {},
  ) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/declarations',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      payload: JSON.stringify(sampleDeclaration({ reference, ...extra })),
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json<{ id: string }>().id;
  };
  const search = async (query: string, token = world.tokens.officer) => {
    const r = await app.inject({ url: `/api/declarations?${query}`, headers: bearer(token) });
    expect(r.statusCode, r.body).toBe(200);
    return r
      .json<Listed>()
      .items.map((d) => d.reference)
      .sort();
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx, { bodyLimitBytes: 256 * 1024 });
    const route = (containers: string[]) => ({
      dispatchCountry: 'CN',
      destinationCountry: 'BY',
      transitCountries: ['KZ'],
      transportMode: 'rail' as const,
      containers,
    });
    ids.a = await lodge(world.tokens.trader, 'SEARCH-A', { route: route(['MSCU1234565']) });
    ids.b = await lodge(world.tokens.trader, 'SEARCH-B', {
      route: route(['MSCU1234565', 'TGHU7654321']),
    });
    // The other trader uses the same reference and container: a trader's search never shows it.
    ids.other = await lodge(world.tokens.otherTrader, 'SEARCH-A', {
      declarant: { id: 'BY200', name: 'Trader two', country: 'BY' },
      consignee: { id: 'BY200', name: 'Trader two', country: 'BY' },
      route: route(['MSCU1234565']),
    });
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('finds declarations by reference, container, MRN and status', async () => {
    expect(await search('reference=SEARCH-A')).toEqual(['SEARCH-A', 'SEARCH-A']);
    expect(await search('container=MSCU1234565')).toEqual(['SEARCH-A', 'SEARCH-A', 'SEARCH-B']);
    expect(await search('container=TGHU7654321')).toEqual(['SEARCH-B']);
    expect(await search('container=ZZZU0000000')).toEqual([]);
    expect(await search(`mrn=${ids.b}`)).toEqual(['SEARCH-B']);
    expect(await search('reference=SEARCH-B&trader=BY100&hsPrefix=0106')).toEqual(['SEARCH-B']);
    expect(await search('reference=SEARCH-B&hsPrefix=2709')).toEqual([]);
    const status = (
      await app.inject({ url: `/api/declarations/${ids.a}`, headers: bearer(world.tokens.officer) })
    ).json<{ status: string }>().status;
    expect(await search(`reference=SEARCH-A&trader=BY100&status=${status}`)).toEqual(['SEARCH-A']);
    const other = status === 'released' ? 'held' : 'released';
    expect(await search(`reference=SEARCH-A&status=${other}`)).toEqual([]);
  });

  it("a trader's search never returns another's declaration", async () => {
    expect(await search('reference=SEARCH-A', world.tokens.trader)).toEqual(['SEARCH-A']);
    expect(await search('container=MSCU1234565', world.tokens.trader)).toEqual([
      'SEARCH-A',
      'SEARCH-B',
    ]);
    expect(await search('trader=BY200', world.tokens.trader)).toEqual([]);
    expect(await search(`mrn=${ids.other}`, world.tokens.trader)).toEqual([]);
    expect(await search(`mrn=${ids.a}`, world.tokens.otherTrader)).toEqual([]);
    expect(await search('reference=SEARCH-B', world.tokens.otherTrader)).toEqual([]);
    // Nor its channel: filtering by it would tell what the trader's view leaves out.
    const byChannel = await app.inject({
      url: '/api/declarations?channel=red',
      headers: bearer(world.tokens.trader),
    });
    expect(byChannel.statusCode).toBe(400);
    expect(byChannel.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe('channel');
    // Another administration's officer finds nothing of this one's.
    expect(await search('container=MSCU1234565', world.tokens.foreignOfficer)).toEqual([]);
  });

  it('finds a cargo report by the MRN it was given', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/cargo-reports',
      headers: { 'content-type': 'application/xml', ...bearer(world.tokens.trader) },
      payload: airReport({ lrn: 'SEARCH-ENS-1', hs: '010690', arrivalHours: 48 }),
    });
    expect(r.statusCode, r.body).toBe(201);
    const { mrn } = r.json<{ mrn: string }>();
    expect(await search(`mrn=${mrn}`, world.tokens.trader)).toEqual(['SEARCH-ENS-1']);
    expect(await search(`mrn=${mrn}&kind=cargo-report`)).toEqual(['SEARCH-ENS-1']);
    expect(await search(`mrn=${mrn}`, world.tokens.otherTrader)).toEqual([]);
  });

  it('an amendment that changes the containers changes what a container search finds', async () => {
    const id = await lodge(world.tokens.trader, 'SEARCH-AMEND', {
      route: { dispatchCountry: 'CN', destinationCountry: 'BY', containers: ['AAAU1111111'] },
    });
    const r = await app.inject({
      method: 'POST',
      url: `/api/declarations/${id}/amendments`,
      headers: { 'content-type': 'application/json', ...bearer(world.tokens.trader) },
      payload: JSON.stringify({
        version: 1,
        changes: [{ field: '/route/containers', value: ['BBBU2222222'] }],
      }),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(await search('container=AAAU1111111')).toEqual([]);
    expect(await search('container=BBBU2222222')).toEqual(['SEARCH-AMEND']);
  });

  it('refuses bad search parameters, naming each', async () => {
    const r = await app.inject({
      url: `/api/declarations?container=${'A'.repeat(18)}&mrn=a%27b&status=blue&reference=${'x'.repeat(71)}`,
      headers: bearer(world.tokens.officer),
    });
    expect(r.statusCode, r.body).toBe(400);
    const fields = r.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'querystring/container',
        'querystring/mrn',
        'querystring/status',
        'querystring/reference',
      ]),
    );
  });

  const batch = (payload: string, contentType: string, token = world.tokens.trader) =>
    app.inject({
      method: 'POST',
      url: '/api/declarations/batch',
      headers: { 'content-type': contentType, ...bearer(token) },
      payload,
    });

  it('lodges a CSV file, one result per declaration, naming the row and column of a refusal', async () => {
    const csv = [
      'reference,kind,declarantId,dispatchCountry,destinationCountry,transportMode,hsCode,description,quantity,unit,netMass,value,currency,originCountry',
      'CSV-1,import,BY100,CN,BY,rail,8471300000,"Laptops, 14 inch",50,NAR,120,21000,USD,CN',
      'CSV-1,,,,,,8504400000,Power supplies,50,NAR,30,900,USD,CN',
      'CSV-2,import,BY100,CN,BY,rail,84713,Laptops,5,NAR,12,2000,USD,CN',
    ].join('\n');
    const r = await batch(csv, 'text/csv');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<Batch>();
    expect(body.lodged).toBe(1);
    expect(body.refused).toBe(1);
    const [first, second] = body.results;
    expect(first).toMatchObject({ location: 'rows 2–3', reference: 'CSV-1', outcome: 'lodged' });
    expect(first?.declaration?.audience).toBe('trader');
    expect(second).toMatchObject({ location: 'row 4', reference: 'CSV-2', outcome: 'refused' });
    expect(second?.problem?.errors?.map((e) => e.field)).toContain('row 4, column hsCode');
    expect(await search('reference=CSV-1', world.tokens.trader)).toEqual(['CSV-1']);
    // Sent again: the reference is taken, each refused as a conflict, nothing stored twice.
    const again = await batch(csv, 'text/csv');
    // None lodged: a problem document, with the outcome of each (a conflict and an invalid row).
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    const refused = again.json<Batch & { errors: Array<{ field: string }> }>();
    expect(refused.results[0]?.problem?.status).toBe(409);
    expect(refused.errors.map((e) => e.field)).toEqual(['rows 2–3', 'row 4']);
    expect(await search('reference=CSV-1', world.tokens.trader)).toEqual(['CSV-1']);
  });

  it('lodges NDJSON and JSON arrays', async () => {
    const lines = [JSON.stringify(sampleDeclaration({ reference: 'ND-1' })), '', '{not json'].join(
      '\n',
    );
    const nd = (await batch(lines, 'application/x-ndjson')).json<Batch>();
    expect(nd.results.map((x) => [x.location, x.outcome])).toEqual([
      ['line 1', 'lodged'],
      ['line 3', 'refused'],
    ]);
    const arr = await batch(
      JSON.stringify([
        sampleDeclaration({ reference: 'ARR-1' }),
        { ...sampleDeclaration({ reference: 'ARR-2' }), goodsItems: [] },
      ]),
      'application/json',
    );
    expect(arr.statusCode, arr.body).toBe(200);
    const body = arr.json<Batch>();
    expect(body.results.map((x) => [x.location, x.outcome])).toEqual([
      ['item 1', 'lodged'],
      ['item 2', 'refused'],
    ]);
    expect(body.results[1]?.problem?.errors?.map((e) => e.field)).toContain('/goodsItems');
    // Every one a reference used already: 409, nothing stored twice.
    const twice = await batch(
      JSON.stringify([sampleDeclaration({ reference: 'ARR-1' })]),
      'application/json',
    );
    expect(twice.statusCode).toBe(409);
    expect(twice.json<Batch>().results[0]?.outcome).toBe('refused');
    expect(await search('reference=ARR-1', world.tokens.trader)).toEqual(['ARR-1']);
  });

  it('refuses a batch from one who may not lodge, too large, empty, or unreadable', async () => {
    const one = JSON.stringify([sampleDeclaration({ reference: 'NOPE-1' })]);
    const forbidden = await batch(one, 'application/json', world.tokens.ecologist);
    expect(forbidden.statusCode).toBe(403);
    const many = Array.from({ length: 201 }, (_, i) =>
      JSON.stringify({ reference: `MANY-${i}` }),
    ).join('\n');
    const tooMany = await batch(many, 'application/x-ndjson');
    expect(tooMany.statusCode, tooMany.body).toBe(400);
    expect(await search('reference=MANY-0', world.tokens.trader)).toEqual([]);
    expect((await batch('', 'text/csv')).statusCode).toBe(400);
    expect((await batch('[]', 'application/json')).statusCode).toBe(400);
    const badHeader = await batch('reference,colour\nX,red', 'text/csv');
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe(
      'row 1, column colour',
    );
    const notUtf8 = await app.inject({
      method: 'POST',
      url: '/api/declarations/batch',
      headers: { 'content-type': 'text/csv', ...bearer(world.tokens.trader) },
      payload: Buffer.from([0xff, 0xfe, 0x00, 0x41]),
    });
    expect(notUtf8.statusCode).toBe(400);
    expect((await batch('x', 'text/plain')).statusCode).toBe(415);
  });
});
