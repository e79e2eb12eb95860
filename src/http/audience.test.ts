import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

/** Keys of the risk engine's explanation: none may reach a trader, at any depth. */
const FORBIDDEN_KEYS = [
  'assessment',
  'hits',
  'indicatorId',
  'indicatorVersion',
  'indicators',
  'condition',
  'weight',
  'score',
  'hitScore',
  'seed',
  'random',
  'rationale',
  'rulesetId',
  'effects',
  'override',
  'channel',
  'why',
];

/** Every key and every string value in a JSON document, at any depth. */
function walk(value: unknown, keys: Set<string> = new Set(), strings: string[] = []) {
  if (Array.isArray(value)) for (const v of value) walk(v, keys, strings);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      keys.add(k);
      walk(v, keys, strings);
    }
  } else if (typeof value === 'string') strings.push(value);
  return { keys, strings };
}

describe.each(BACKENDS)('what each party sees of a declaration on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  const ids: Record<string, string> = {};
  const secrets: string[] = [];

  const send = (method: 'GET' | 'POST', url: string, token: string, body?: unknown, headers = {}) =>
    app.inject({
      method,
      url,
      headers: { ...bearer(token), ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const ok = (r: LightMyRequestResponse): Record<string, unknown> => {
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };

  /** Asserts that nothing of the targeting is in the document a trader got. */
  function expectNoTargeting(doc: unknown) {
    const { keys, strings } = walk(doc);
    for (const k of FORBIDDEN_KEYS) expect([...keys], `key ${k}`).not.toContain(k);
    const text = strings.join('\n');
    for (const s of [...secrets, ...Object.values(ids)]) expect(text).not.toContain(s);
    expect(text).not.toMatch(/condition|weight|score|seed|indicator/i);
  }

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    const analyst = world.tokens.riskAnalyst;
    const indicator = async (key: string, body: Record<string, unknown>) => {
      const id = ok(await send('POST', '/api/indicators', analyst, body)).id as string;
      ok(await send('POST', `/api/indicators/${id}/submit`, analyst, { version: 1 }));
      // Four eyes: the second analyst approves what the first saved.
      ok(
        await send('POST', `/api/indicators/${id}/approve`, world.tokens.secondAnalyst, {
          version: 1,
        }),
      );
      ids[key] = id;
      secrets.push(body.title as string, body.rationale as string, body.condition as string);
    };
    await indicator('batteries', {
      title: 'Lead-acid battery scrap declared as goods',
      priorityArea: 'e-waste',
      condition: 'item.hs.startsWith("8549")',
      weight: 30,
      controlForm: 'documentary-check',
      rationale: 'Battery scrap is hazardous waste under Basel Annex VIII.',
      sharing: 'shareable',
      expectedDocuments: [{ type: 'C672', title: 'waste movement document' }],
    });
    await indicator('profile', {
      title: 'Confidential profile of importer BY100',
      priorityArea: 'e-waste',
      condition: 'declaration.declarantId == "BY100"',
      weight: 20,
      controlForm: 'documentary-check',
      rationale: 'Intelligence from the 2026 joint operation.',
      sharing: 'national',
    });
    await indicator('parrots', {
      title: 'Live parrots from Central Africa',
      priorityArea: 'endangered-species',
      condition: 'item.hs.startsWith("0106")',
      weight: 15,
      controlForm: 'documentary-check',
      rationale: 'Grey parrots are Appendix I since 2017.',
      sharing: 'national',
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  /** The sample, its parrots without their CITES permit: hit by all three indicators. */
  const lodging = (reference: string) =>
    sampleDeclaration({
      reference,
      goodsItems: sampleDeclaration().goodsItems.map((g) =>
        g.sequence === 2 ? { ...g, documents: [] } : g,
      ),
    });

  it('gives a trader status, control and missing documents, and nothing of the targeting', async () => {
    const body = lodging('AUD-1');
    const r = await send('POST', '/api/declarations', world.tokens.trader, body, {
      'idempotency-key': 'aud-1',
    });
    expect(r.statusCode, r.body).toBe(201);
    const answer = r.json<Record<string, unknown>>();
    expectNoTargeting(answer);
    expect(answer).toMatchObject({
      audience: 'trader',
      reference: 'AUD-1',
      status: 'awaiting-control',
      control: 'documentary-check',
    });
    const missing = answer.missingDocuments as Array<{
      anyOf: Array<{ type: string; title: string }>;
      items: number[];
    }>;
    expect(missing).toContainEqual(
      expect.objectContaining({
        anyOf: [{ type: 'cites-import', title: 'CITES import permit' }],
        items: [2],
      }),
    );
    expect(missing).toContainEqual(
      expect.objectContaining({
        anyOf: [{ type: 'C672', title: 'waste movement document' }],
        items: [1],
      }),
    );
    expect(answer.message).toMatch(/^Your declaration was selected for a documentary check\./);
    expect(answer.message).toContain('CITES import permit for item 2');
    expect(answer.message).not.toContain('(cites-import)'); // a permit is named in words

    // The replay is the trader's answer again, not the officer's record.
    const replay = await send('POST', '/api/declarations', world.tokens.trader, body, {
      'idempotency-key': 'aud-1',
    });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expectNoTargeting(replay.json());
    expect(replay.json()).toEqual(answer);

    const id = answer.id as string;
    const mine = ok(await send('GET', `/api/declarations/${id}`, world.tokens.trader));
    expectNoTargeting(mine);
    expect(mine).toMatchObject({ status: 'awaiting-control', control: 'documentary-check' });
    expect(mine.goodsItems).toEqual(answer.goodsItems);
    const list = ok(await send('GET', '/api/declarations?limit=10', world.tokens.trader));
    expectNoTargeting(list);
    expect((list.items as Array<{ id: string }>).map((d) => d.id)).toContain(id);
    expectNoTargeting(
      ok(await send('GET', `/api/declarations/${id}/versions`, world.tokens.trader)),
    );

    // The officer still sees why: every indicator, its weight, the score and the seed.
    const full = ok(await send('GET', `/api/declarations/${id}`, world.tokens.officer)) as {
      status: string;
      assessment: {
        score: number;
        random: { seed: number };
        hits: Array<{ indicatorId: string; title: string; weight: number; reason: string }>;
      };
    };
    expect(full.status).toBe('awaiting-control');
    expect(new Set(full.assessment.hits.map((h) => h.indicatorId))).toEqual(
      new Set(Object.values(ids)),
    );
    expect(full.assessment.hits.map((h) => h.title)).toContain(
      'Confidential profile of importer BY100',
    );
    expect(full.assessment.hits.every((h) => h.weight > 0 && h.reason.includes('condition'))).toBe(
      true,
    );
    expect(full.assessment.score).toBe(65);
    expect(typeof full.assessment.random.seed).toBe('number');
    const officerList = ok(await send('GET', '/api/declarations?limit=10', world.tokens.officer));
    expect((officerList.items as Array<{ assessment: unknown }>)[0]!.assessment).not.toBeNull();
  });

  it('shows a held shipment as held, and an amendment answer in the trader view', async () => {
    const lodged = ok(
      await send('POST', '/api/declarations', world.tokens.trader, lodging('AUD-2')),
    );
    const id = lodged.id as string;
    const amended = ok(
      await send('POST', `/api/declarations/${id}/amendments`, world.tokens.trader, {
        version: 1,
        changes: [{ item: 1, field: '/netMass', value: 1100 }],
      }),
    );
    expectNoTargeting(amended);
    expect(amended.declaration).toMatchObject({ audience: 'trader', status: 'awaiting-control' });

    ok(
      await send('POST', `/api/declarations/${id}/hold`, world.tokens.officer, {
        reason: 'Profile BY100 matched; verify the battery scrap',
      }),
    );
    const held = ok(await send('GET', `/api/declarations/${id}`, world.tokens.trader));
    expectNoTargeting(held);
    expect(held.status).toBe('held');
    expect(held.message).toMatch(/^Your goods are held by customs/);
    expect(JSON.stringify(held)).not.toContain('Profile BY100');
  });

  it('keeps officers on the full record when they lodge', async () => {
    const r = ok(await send('POST', '/api/declarations', world.tokens.officer, lodging('AUD-3')));
    expect(r.audience).toBeUndefined();
    expect((r.assessment as { hits: unknown[] }).hits.length).toBeGreaterThan(0);
  });
});
