import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { createUser, issueApiToken } from '../app/manage-identity.js';

describe.each(BACKENDS)('indicators and screening over HTTP on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let analyst: string;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    analyst = await t.db.write(async (tx) => {
      const id = await createUser(world.ctx, tx, {
        agencyId: world.principals.officer.agencyId,
        username: 'analyst',
        displayName: 'Analyst',
        roles: ['risk_analyst'],
        password: null,
      });
      return (await issueApiToken(world.ctx, tx, { userId: id, name: 'test' })).token;
    });
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const indicator = (over: Record<string, unknown> = {}) => ({
    title: 'E-waste batteries from China',
    priorityArea: 'e-waste',
    condition: 'hsIn(item.hs, "e-waste") && item.origin == "CN"',
    weight: 50,
    controlForm: 'physical-inspection',
    rationale: 'Waste batteries shipped as second-hand goods',
    ...over,
  });
  const send = (method: 'POST' | 'PUT', url: string, payload: unknown, token = analyst) =>
    app.inject({ method, url, payload: payload as object, headers: bearer(token) });
  /**
   * Submits and approves a version: the analyst's agency is the only one named, so it activates
   * once another analyst of that agency approves it (nobody approves what they saved).
   */
  const activate = async (base: string, version: number) => {
    const submitted = await send('POST', `${base}/submit`, { version });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const approved = await send(
      'POST',
      `${base}/approve`,
      { version, comment: 'checked' },
      world.tokens.secondAnalyst,
    );
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'active' });
  };
  const indicatorCount = async () =>
    (
      await t.db.kysely
        .selectFrom('indicators')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('saves a reference list, then an indicator that uses it', async () => {
    // 8548.10 was the e-waste subheading before HS 2022 moved it to 8549: refused, naming it.
    const outdated = await send('PUT', '/api/reference-lists/e-waste', {
      kind: 'hs-prefixes',
      title: 'E-waste',
      entries: ['8549', '854810'],
    });
    expect(outdated.statusCode).toBe(400);
    expect(outdated.json()).toMatchObject({
      errors: [
        {
          field: '/entries/1',
          detail: expect.stringMatching(/'854810' is not an HS 2022/) as unknown,
        },
      ],
    });
    const list = await send('PUT', '/api/reference-lists/e-waste', {
      kind: 'hs-prefixes',
      title: 'E-waste (HS 2022 8549)',
      entries: ['854911', '8549'],
      source: 'HS 2022',
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({
      name: 'e-waste',
      version: 1,
      status: 'draft',
      entries: ['8549', '854911'],
    });
    await activate('/api/reference-lists/e-waste', 1);
    const created = await send('POST', '/api/indicators', indicator());
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ version: 1, status: 'draft', weight: 50 });
    // A readable code: the owner agency's, the area's letters, the next number in the series.
    expect(created.json<{ id: string }>().id).toBe('BY-C-EW-01');
    await activate(`/api/indicators/${created.json<{ id: string }>().id}`, 1);
  });

  it('lists what a condition may use: fields with type and meaning, helpers, reference lists', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/api/indicators/context',
      headers: bearer(analyst),
    });
    expect(r.statusCode, r.body).toBe(200);
    const ref = r.json<{
      fields: Array<{ name: string; type: string; doc: string }>;
      helpers: Array<{ name: string; signature: string; doc: string }>;
      lists: Array<{ name: string; kind: string; entryCount: number; status: string }>;
    }>();
    expect(ref.fields).toContainEqual({
      name: 'item.hs',
      type: 'string',
      doc: expect.stringContaining('HS code') as unknown,
    });
    expect(ref.fields.map((f) => f.name)).toContain('trader.findingRate');
    for (const f of ref.fields) expect(f.doc, f.name).not.toBe('');
    expect(ref.helpers.map((h) => h.name)).toEqual([
      'hsIn',
      'inList',
      'hasDocument',
      'hasValidPermit',
      'hasValidCertificate',
      'bearsRegisteredRight',
      'brandLike',
      'mirrorValueGap',
      'mirrorUnitValueGap',
      'authorisedForRight',
    ]);
    expect(ref.helpers[0]).toMatchObject({ signature: 'hsIn(string, string): bool' });
    expect(ref.lists).toContainEqual(
      expect.objectContaining({ name: 'e-waste', kind: 'hs-prefixes', entryCount: 2 }),
    );
    // Traders read no method information.
    const trader = await app.inject({
      method: 'GET',
      url: '/api/indicators/context',
      headers: bearer(world.tokens.trader),
    });
    expect(trader.statusCode).toBe(403);
  });

  it.each([
    ['a syntax error', 'item.hs == ', /Unexpected token/],
    ['a type error', 'item.hs.startsWith(8549)', /no matching overload/],
    ['an unknown field', 'item.colour == "red"', /No such key: colour/],
    ['an unknown list', 'hsIn(item.hs, "nonexistent")', /unknown reference list 'nonexistent'/],
    ['a non-boolean condition', 'item.value', /must be bool/],
  ])('refuses %s with the CEL message and saves nothing', async (_what, condition, message) => {
    const before = await indicatorCount();
    const r = await send('POST', '/api/indicators', indicator({ condition }));
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    const errors = r.json<{ errors: Array<{ field: string; detail: string }> }>().errors;
    expect(errors[0]?.field).toBe('/condition');
    expect(errors[0]?.detail).toMatch(message);
    expect(errors[0]?.detail).toMatch(/position \d+/);
    expect(await indicatorCount()).toBe(before);
  });

  it('refuses a condition too costly to evaluate (nested macros over the documents)', async () => {
    const before = await indicatorCount();
    const condition =
      'item.documents.all(a, item.documents.all(b, item.documents.all(c, a == b && b == c)))';
    const r = await send('POST', '/api/indicators', indicator({ condition }));
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({
      errors: [
        {
          field: '/condition',
          detail: expect.stringMatching(/^condition too costly to evaluate: up to/) as unknown,
        },
      ],
    });
    expect(await indicatorCount()).toBe(before);
  });

  it('refuses a malformed indicator naming each field', async () => {
    const r = await send('POST', '/api/indicators', {
      ...indicator(),
      priorityArea: 'fish',
      extra: 1,
    });
    expect(r.statusCode).toBe(400);
    const fields = r.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/priorityArea', '/extra']));
  });

  it('screens lodged declarations and explains the hits', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/declarations',
      headers: bearer(world.tokens.officer),
      payload: sampleDeclaration({ reference: 'SCREEN-1' }),
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json<{ id: string }>().id;
    const got = await app.inject({
      url: `/api/declarations/${id}`,
      headers: bearer(world.tokens.officer),
    });
    const d = got.json<{
      channel: string;
      assessment: {
        score: number;
        hits: Array<{ title: string; itemSequence: number; reason: string }>;
      };
    }>();
    expect(d.channel).toBe('yellow');
    expect(d.assessment.score).toBe(50);
    expect(d.assessment.hits).toHaveLength(1);
    expect(d.assessment.hits[0]).toMatchObject({
      title: 'E-waste batteries from China',
      itemSequence: 1,
    });
    expect(d.assessment.hits[0]?.reason).toMatch(/Waste batteries/);
    // Effectiveness: the declaration counts once for the version it hit; no controls yet.
    const [current] = (await app.inject({ url: '/api/indicators', headers: bearer(analyst) })).json<
      Array<{ id: string }>
    >();
    const eff = await app.inject({
      url: `/api/indicators/${current!.id}/effectiveness`,
      headers: bearer(analyst),
    });
    expect(eff.json()).toEqual({
      id: current!.id,
      versions: [
        { indicatorId: current!.id, version: 1, hits: 1, controls: 0, findings: 0, hitRate: null },
      ],
      total: {
        indicatorId: current!.id,
        version: 0,
        hits: 1,
        controls: 0,
        findings: 0,
        hitRate: null,
      },
    });
  });

  it('keeps every version resolvable and screens with the newest', async () => {
    const [current] = (await app.inject({ url: '/api/indicators', headers: bearer(analyst) })).json<
      Array<{ id: string }>
    >();
    const revised = await send('PUT', `/api/indicators/${current!.id}`, indicator({ weight: 90 }));
    expect(revised.statusCode, revised.body).toBe(200);
    expect(revised.json()).toMatchObject({ version: 2, weight: 90, status: 'draft' });
    // Until the new version is approved, the active one keeps screening.
    const meanwhile = await send('POST', '/api/screen?seed=7', sampleDeclaration());
    expect(meanwhile.json()).toMatchObject({
      assessment: { channel: 'yellow', hits: [{ indicatorVersion: 1 }] },
    });
    await activate(`/api/indicators/${current!.id}`, 2);
    const v1 = await app.inject({
      url: `/api/indicators/${current!.id}/versions/1`,
      headers: bearer(analyst),
    });
    expect(v1.json()).toMatchObject({ version: 1, weight: 50, status: 'superseded' });
    const all = await app.inject({
      url: `/api/indicators/${current!.id}/versions`,
      headers: bearer(analyst),
    });
    expect(all.json<unknown[]>()).toHaveLength(2);
    const whatIf = await send(
      'POST',
      '/api/screen?seed=7',
      sampleDeclaration({ reference: 'WHAT-IF' }),
    );
    expect(whatIf.statusCode, whatIf.body).toBe(200);
    const a = whatIf.json<{
      assessment: {
        channel: string;
        hits: Array<{ indicatorVersion: number }>;
        random: { seed: number };
      };
    }>().assessment;
    expect(a.channel).toBe('red');
    expect(a.hits[0]?.indicatorVersion).toBe(2);
    expect(a.random.seed).toBe(7);
    const again = await send(
      'POST',
      '/api/screen?seed=7',
      sampleDeclaration({ reference: 'WHAT-IF' }),
    );
    expect(again.body).toBe(whatIf.body);
  });

  it('what-if screening stores nothing and refuses bad input', async () => {
    const before = await t.db.read.declarations.count();
    await send('POST', '/api/screen', sampleDeclaration({ reference: 'WHAT-IF-2' }));
    expect(await t.db.read.declarations.count()).toBe(before);
    const bad = await send('POST', '/api/screen', { ...sampleDeclaration(), kind: 'smuggling' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe('/kind');
    const badSeed = await send('POST', '/api/screen?seed=-1', sampleDeclaration());
    expect(badSeed.statusCode).toBe(400);
  });

  it('keeps indicators from traders and authoring from officers', async () => {
    expect(
      (await app.inject({ url: '/api/indicators', headers: bearer(world.tokens.trader) }))
        .statusCode,
    ).toBe(403);
    const r = await send('POST', '/api/indicators', indicator(), world.tokens.officer);
    expect(r.statusCode).toBe(403);
  });

  it('numbers new indicators per agency and area, and keeps the code across versions', async () => {
    const second = (
      await send('POST', '/api/indicators', indicator({ title: 'More e-waste' }))
    ).json<{
      id: string;
    }>();
    expect(second.id).toBe('BY-C-EW-02');
    const energy = await send(
      'POST',
      '/api/indicators',
      indicator({ priorityArea: 'energy', title: 'Fuel' }),
    );
    expect(energy.json<{ id: string }>().id).toBe('BY-C-EN-01');
    const revised = await send('PUT', `/api/indicators/${second.id}`, indicator({ weight: 20 }));
    expect(revised.json()).toMatchObject({ id: 'BY-C-EW-02', version: 2 });
  });
});
