import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { HMRC_DMS_SAMPLES } from '../test-support/fixtures.js';

const SAMPLES = HMRC_DMS_SAMPLES;
const xmlSample = (rel: string) => readFileSync(path.join(SAMPLES, rel), 'utf8');

describe.each(BACKENDS)('declarations over HTTP on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx, { bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const count = () => t.db.read.declarations.count();
  const post = (
    body: unknown,
    headers: Record<string, string> = {},
    token = world.tokens.officer,
  ) =>
    app.inject({
      method: 'POST',
      url: '/api/declarations',
      headers: { 'content-type': 'application/json', ...bearer(token), ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const postXml = (xml: string) =>
    app.inject({
      method: 'POST',
      url: '/api/declarations',
      headers: { 'content-type': 'application/xml', ...bearer(world.tokens.officer) },
      payload: xml,
    });

  /** Asserts a refusal: status, a problem document naming `field`, and nothing stored. */
  async function expectRefused(
    response: Awaited<ReturnType<typeof post>>,
    status: number,
    field: string | RegExp,
    before: number,
  ) {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json<{
      type: string;
      status: number;
      title: string;
      errors?: Array<{ field: string; detail: string }>;
    }>();
    expect(problem.status).toBe(status);
    expect(problem.type).toMatch(/^urn:greenlane:problem:/);
    const fields = (problem.errors ?? []).map((e) => e.field);
    expect(
      fields.some((f) => (typeof field === 'string' ? f === field : field.test(f))),
      JSON.stringify(problem),
    ).toBe(true);
    expect(await count()).toBe(before);
    return problem;
  }

  it('lodges a JSON declaration and reads it back', async () => {
    const before = await count();
    const r = await post(sampleDeclaration({ reference: 'HTTP-1' }));
    expect(r.statusCode, r.body).toBe(201);
    const created = r.json<{
      id: string;
      reference: string;
      channel: string;
      sourceFormat: string;
    }>();
    expect(r.headers.location).toBe(`/api/declarations/${created.id}`);
    expect(created.sourceFormat).toBe('json');
    expect(created.channel).toBe('green');
    expect(await count()).toBe(before + 1);
    const got = await app.inject({
      url: `/api/declarations/${created.id}`,
      headers: bearer(world.tokens.officer),
    });
    expect(got.statusCode).toBe(200);
    const body = got.json<{
      goodsItems: Array<{ hsCode: string; species?: string }>;
      route: { transitCountries: string[] };
    }>();
    expect(body.goodsItems.map((i) => i.hsCode)).toEqual(['8549210000', '0106390000']);
    expect(body.goodsItems[1]?.species).toBe('Psittacus erithacus');
    expect(body.route.transitCountries).toEqual(['KZ', 'RU']);
  });

  it('lodges a WCO-DM XML declaration', async () => {
    const r = await postXml(xmlSample('TT_IM001a/Step1_TT_IM001a.xml'));
    expect(r.statusCode, r.body).toBe(201);
    const d = r.json<{
      reference: string;
      sourceFormat: string;
      goodsItems: Array<{ hsCode: string; value: number; currency: string }>;
    }>();
    expect(d.reference).toBe('7847767E1WB6');
    expect(d.sourceFormat).toBe('wco-xml');
    expect(d.goodsItems[0]).toMatchObject({ hsCode: '8510900000', value: 1000, currency: 'GBP' });
  });

  it('refuses an invalid field, naming it by JSON pointer', async () => {
    const before = await count();
    const bad = sampleDeclaration();
    bad.goodsItems[1]!.hsCode = '12AB';
    const p = await expectRefused(await post(bad), 400, '/goodsItems/1/hsCode', before);
    expect(p.title).toBe('Invalid input');
  });

  it('refuses an unknown HS heading and an unknown country', async () => {
    const before = await count();
    const bad = sampleDeclaration({ route: { dispatchCountry: 'QQ' } });
    bad.goodsItems[0]!.hsCode = '9900000000';
    const p = await expectRefused(await post(bad), 400, '/goodsItems/0/hsCode', before);
    expect(p.errors?.map((e) => e.field)).toContain('/route/dispatchCountry');
  });

  it('refuses unknown fields and missing required ones', async () => {
    const before = await count();
    await expectRefused(
      await post({ ...sampleDeclaration(), surprise: 1 }),
      400,
      '/surprise',
      before,
    );
    const { declarant: _d, ...noDeclarant } = sampleDeclaration();
    await expectRefused(await post(noDeclarant), 400, '/declarant', before);
  });

  it('refuses malformed and empty JSON', async () => {
    const before = await count();
    await expectRefused(await post('{"kind": "import",'), 400, 'body', before);
    await expectRefused(await post(''), 400, 'body', before);
  });

  it('refuses deeply nested JSON', async () => {
    const before = await count();
    const deep = '{"a":'.repeat(100) + '1' + '}'.repeat(100);
    const p = await expectRefused(await post(deep), 400, 'body', before);
    expect(JSON.stringify(p)).toMatch(/nesting/);
  });

  it('refuses an oversized body with 413', async () => {
    const before = await count();
    const big = sampleDeclaration({ reference: 'BIG' });
    big.goodsItems[0]!.description = 'x'.repeat(100 * 1024);
    await expectRefused(await post(big), 413, 'body', before);
  });

  it('refuses an unknown media type with 415', async () => {
    const before = await count();
    const r = await app.inject({
      method: 'POST',
      url: '/api/declarations',
      headers: { 'content-type': 'text/plain', ...bearer(world.tokens.officer) },
      payload: 'kind=import',
    });
    await expectRefused(r, 415, 'Content-Type', before);
  });

  it('refuses XML with a DOCTYPE (entity expansion)', async () => {
    const before = await count();
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><MetaData><Declaration>&lol2;</Declaration></MetaData>`;
    const p = await expectRefused(await postXml(xml), 400, '/', before);
    expect(JSON.stringify(p)).toMatch(/DOCTYPE/i);
  });

  it('refuses deeply nested XML', async () => {
    const before = await count();
    const xml = '<a>'.repeat(200) + 'x' + '</a>'.repeat(200);
    await expectRefused(await postXml(xml), 400, '/', before);
  });

  it('refuses an XML notification, which is not a declaration', async () => {
    const before = await count();
    await expectRefused(
      await postXml(xmlSample('TT_IM001a/Example_Notifications/01_DMSACC.xml')),
      400,
      /.*/,
      before,
    );
  });

  it('names the XML element of an invalid value', async () => {
    const before = await count();
    const xml = xmlSample('TT_IM001a/Step1_TT_IM001a.xml').replace(
      '<ID>85109000</ID>',
      '<ID>99999999</ID>',
    );
    await expectRefused(
      await postXml(xml),
      400,
      /GovernmentAgencyGoodsItem(\[1\])?\/Commodity\/Classification\[1\]\/ID$/,
      before,
    );
  });

  it('replays a retried request with the same Idempotency-Key and creates nothing new', async () => {
    const body = sampleDeclaration({ reference: 'IDEM-1' });
    const before = await count();
    const first = await post(body, { 'idempotency-key': 'key-1' });
    expect(first.statusCode).toBe(201);
    const again = await post(body, { 'idempotency-key': 'key-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await count()).toBe(before + 1);
  });

  it('answers concurrent retries with one declaration', async () => {
    const body = sampleDeclaration({ reference: 'IDEM-RACE' });
    const before = await count();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post(body, { 'idempotency-key': 'key-race' })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((r) => r.json<{ id: string }>().id)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('refuses the same Idempotency-Key with a different body with 422', async () => {
    await post(sampleDeclaration({ reference: 'IDEM-2' }), { 'idempotency-key': 'key-2' });
    const before = await count();
    const r = await post(sampleDeclaration({ reference: 'IDEM-2-changed' }), {
      'idempotency-key': 'key-2',
    });
    await expectRefused(r, 422, 'Idempotency-Key', before);
  });

  it('requires a valid bearer token', async () => {
    const before = await count();
    const none = await app.inject({
      method: 'POST',
      url: '/api/declarations',
      payload: sampleDeclaration(),
    });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await post(sampleDeclaration(), {}, 'gla_not-a-token');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/problem\+json/);
    expect(await count()).toBe(before);
  });

  it('refuses lodging by a role that may not', async () => {
    const before = await count();
    const r = await post(sampleDeclaration(), {}, world.tokens.ecologist);
    expect(r.statusCode).toBe(403);
    expect(await count()).toBe(before);
  });

  it('shows traders only their own declarations and other administrations nothing', async () => {
    const mine = await post(
      sampleDeclaration({ reference: 'TRADER-OWN' }),
      {},
      world.tokens.trader,
    );
    expect(mine.statusCode, mine.body).toBe(201);
    const id = mine.json<{ id: string; agencyId: string }>().id;
    const get = (token: string) =>
      app.inject({ url: `/api/declarations/${id}`, headers: bearer(token) });
    expect((await get(world.tokens.trader)).statusCode).toBe(200);
    expect((await get(world.tokens.officer)).statusCode).toBe(200);
    expect((await get(world.tokens.otherTrader)).statusCode).toBe(404);
    expect((await get(world.tokens.foreignOfficer)).statusCode).toBe(404);
    const list = await app.inject({
      url: '/api/declarations?limit=500',
      headers: bearer(world.tokens.otherTrader),
    });
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
    const own = await app.inject({
      url: '/api/declarations?limit=500',
      headers: bearer(world.tokens.trader),
    });
    expect(
      own.json<{ items: Array<{ reference: string }> }>().items.map((d) => d.reference),
    ).toEqual(['TRADER-OWN']);
    // Lodged by a trader, owned by the administration's customs agency (which the officer sees).
    const stored = (await get(world.tokens.officer)).json<{ agencyId: string }>();
    expect(stored.agencyId).toBe(world.principals.officer.agencyId);
  });

  it('lists with filters and cursor paging', async () => {
    for (let i = 0; i < 5; i++) {
      const d = sampleDeclaration({
        reference: `PAGE-${i}`,
        office: 'PAGING1',
        submittedAt: `2026-06-0${i + 1}T08:00:00.000Z`,
      });
      expect((await post(d)).statusCode).toBe(201);
    }
    const seen: string[] = [];
    let url = '/api/declarations?office=PAGING1&limit=2';
    for (let guard = 0; guard < 10; guard++) {
      const page = await app.inject({ url, headers: bearer(world.tokens.officer) });
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json<{ items: Array<{ reference: string }>; nextCursor?: string }>();
      seen.push(...body.items.map((d) => d.reference));
      if (!body.nextCursor) break;
      url = `/api/declarations?office=PAGING1&limit=2&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(['PAGE-4', 'PAGE-3', 'PAGE-2', 'PAGE-1', 'PAGE-0']);
    const byHs = await app.inject({
      url: '/api/declarations?office=PAGING1&hsPrefix=010639&from=2026-06-02T00:00:00Z&to=2026-06-04T00:00:00Z',
      headers: bearer(world.tokens.officer),
    });
    expect(
      byHs.json<{ items: Array<{ reference: string }> }>().items.map((d) => d.reference),
    ).toEqual(['PAGE-2', 'PAGE-1']);
    const byTrader = await app.inject({
      url: '/api/declarations?office=PAGING1&trader=BY100&channel=green',
      headers: bearer(world.tokens.officer),
    });
    expect(byTrader.json<{ items: unknown[] }>().items).toHaveLength(5);
  });

  it('refuses a bad query parameter, naming it', async () => {
    const r = await app.inject({
      url: '/api/declarations?limit=0&hsPrefix=85a',
      headers: bearer(world.tokens.officer),
    });
    expect(r.statusCode).toBe(400);
    const fields = r.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['querystring/limit', 'querystring/hsPrefix']));
    const cursor = await app.inject({
      url: '/api/declarations?cursor=nonsense',
      headers: bearer(world.tokens.officer),
    });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe('cursor');
  });

  it('writes an audit event with each declaration', async () => {
    const r = await post(sampleDeclaration({ reference: 'AUDITED' }));
    const id = r.json<{ id: string }>().id;
    const events = await t.db.read.audit.listFor('declaration', id);
    expect(events.map((e) => e.action)).toEqual(['declaration.submitted']);
    expect(events[0]?.actorId).toBe(world.principals.officer.userId);
  });
});
