import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../app/authenticate.js';
import { submitDeclaration } from '../app/submit-declaration.js';
import type { Principal } from '../core/auth/identity.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

interface Preview {
  window: { from: string; to: string; limit: number };
  examined: number;
  declarationsHit: number;
  hitRate: number | null;
  itemsHit: number;
  hits: Array<{
    declarationId: string;
    reference: string;
    itemSequence: number;
    hsCode: string;
    points: number;
    directChannel: string | null;
    reason: string;
  }>;
  truncated: boolean;
  broad: { share: number; exceeded: boolean };
}

describe.each(BACKENDS)('indicator preview over HTTP on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  const ids: Record<string, string> = {};

  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  const base = sampleDeclaration();
  const ewaste = base.goodsItems[0]!;
  const parrots = base.goodsItems[1]!;

  const lodge = async (
    who: Principal,
    reference: string,
    submittedAt: string,
    items = [ewaste],
  ) => {
    const r = await submitDeclaration(world.ctx, who, {
      sourceFormat: 'json',
      input: sampleDeclaration({
        reference,
        submittedAt,
        goodsItems: items.map((g, k) => ({ ...g, sequence: k + 1 })),
      }),
    });
    if (r.outcome !== 'created') throw new Error(`${reference} not created`);
    ids[reference] = r.declaration.id;
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    const officer = world.principals.officer;
    // Newest first: P-4 (two e-waste items), P-3 (parrots only), P-2 (e-waste and parrots), P-1.
    await lodge(officer, 'P-1', daysAgo(5), [ewaste]);
    await lodge(officer, 'P-2', daysAgo(3), [ewaste, parrots]);
    await lodge(officer, 'P-3', daysAgo(2), [parrots]);
    await lodge(officer, 'P-4', daysAgo(1), [ewaste, { ...ewaste, hsCode: '8549110000' }]);
    // Outside the default 30 days, and another administration's: neither is examined.
    await lodge(officer, 'P-OLD', daysAgo(45), [ewaste]);
    const foreign = await authenticate(world.ctx, world.tokens.foreignOfficer);
    await lodge(foreign, 'P-KZ', daysAgo(1), [ewaste]);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const draft = (over: Record<string, unknown> = {}) => ({
    title: 'E-waste under chapter 8549',
    priorityArea: 'e-waste',
    condition: 'item.hs.startsWith("8549")',
    weight: 45,
    controlForm: 'documentary-check',
    rationale: 'Waste electrical equipment declared as used goods',
    ...over,
  });
  const preview = (body: unknown, token = world.tokens.riskAnalyst, query = '') =>
    app.inject({
      method: 'POST',
      url: `/api/indicators/preview${query}`,
      payload: body as object,
      headers: bearer(token),
    });
  const count = async (table: 'indicators' | 'audit_events') =>
    Number(
      (
        await t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('counts and lists the recent declarations the draft would hit, storing nothing', async () => {
    const before = [await count('indicators'), await count('audit_events')];
    const r = await preview(draft());
    expect(r.statusCode, r.body).toBe(200);
    const p = r.json<Preview>();
    expect(p.examined).toBe(4);
    expect(p.declarationsHit).toBe(3);
    expect(p.itemsHit).toBe(4);
    expect(p.hitRate).toBeCloseTo(3 / 4, 12);
    expect(p.truncated).toBe(false);
    expect(p.window.limit).toBe(500);
    expect(p.hits.map((h) => [h.reference, h.itemSequence, h.hsCode, h.points])).toEqual([
      ['P-4', 1, '8549210000', 45],
      ['P-4', 2, '8549110000', 45],
      ['P-2', 1, '8549210000', 45],
      ['P-1', 1, '8549210000', 45],
    ]);
    expect(p.hits[0]).toMatchObject({
      declarationId: ids['P-4'],
      directChannel: null,
      reason: expect.stringContaining('Waste electrical equipment') as unknown,
    });
    expect([await count('indicators'), await count('audit_events')]).toEqual(before);
  });

  it('answers six previews sent at once: two screen, the others wait their turn (none refused)', async () => {
    // An approver's page and an author's editor each preview; the cap (2 at once) queues them.
    const answers = await Promise.all(Array.from({ length: 6 }, () => preview(draft())));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((r) => r.json<Preview>().declarationsHit))).toEqual(new Set([3]));
  });

  it('warns when a condition hits more than the configured share of declarations', async () => {
    // `true` hits every declaration: over the default 50 %.
    const all = (await preview(draft({ condition: 'true' }))).json<Preview>();
    expect([all.examined, all.declarationsHit, all.hitRate]).toEqual([4, 4, 1]);
    expect(all.broad).toEqual({ share: 0.5, exceeded: true });
    const narrow = (
      await preview(draft({ condition: 'item.hs.startsWith("8549110")' }))
    ).json<Preview>();
    expect([narrow.declarationsHit, narrow.broad]).toEqual([1, { share: 0.5, exceeded: false }]);
    // The share is the server's setting (GREENLANE_PREVIEW_WARN_PERCENT): 3 of 4 is not over 80 %.
    world.ctx.settings.previewWarnShare = 0.8;
    try {
      const p = (await preview(draft())).json<Preview>();
      expect([p.hitRate, p.broad]).toEqual([0.75, { share: 0.8, exceeded: false }]);
    } finally {
      delete world.ctx.settings.previewWarnShare;
    }
  });

  it('takes the newest declarations up to the limit, within the days asked for', async () => {
    const two = (await preview(draft(), undefined, '?limit=2')).json<Preview>();
    expect([two.examined, two.declarationsHit, two.hitRate]).toEqual([2, 1, 0.5]);
    const old = (await preview(draft(), undefined, '?days=60')).json<Preview>();
    expect(old.examined).toBe(5);
    expect(old.hits.map((h) => h.reference)).toContain('P-OLD');
    expect((await preview(draft(), undefined, '?limit=0')).statusCode).toBe(400);
  });

  it('says when nothing would hit, and a direct channel adds no points', async () => {
    const none = (
      await preview(draft({ condition: 'item.hs.startsWith("2903")' }))
    ).json<Preview>();
    expect([none.examined, none.declarationsHit, none.hitRate, none.hits]).toEqual([4, 0, 0, []]);
    const red = (
      await preview(draft({ condition: 'item.species != ""', directChannel: 'red' }))
    ).json<Preview>();
    expect(red.hits.map((h) => [h.reference, h.itemSequence, h.points, h.directChannel])).toEqual([
      ['P-3', 1, 0, 'red'],
      ['P-2', 2, 0, 'red'],
    ]);
  });

  it('refuses a bad CEL condition with the same problem document as saving would', async () => {
    const bad = draft({ condition: 'item.hs.startsWith("8549" &&' });
    const r = await preview(bad);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    const saved = await app.inject({
      method: 'POST',
      url: '/api/indicators',
      payload: bad,
      headers: bearer(world.tokens.riskAnalyst),
    });
    expect(saved.statusCode).toBe(400);
    const problem = r.json<{ errors: Array<{ field: string; detail: string }> }>();
    expect(problem.errors).toEqual(saved.json<{ errors: unknown }>().errors);
    expect(problem.errors).toEqual([
      { field: '/condition', detail: expect.stringMatching(/position \d+/) as unknown },
    ]);
    const unknownField = await preview(draft({ condition: 'item.colour == "red"' }));
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json<{ errors: Array<{ field: string }> }>().errors[0]!.field).toBe(
      '/condition',
    );
  });

  it('is for indicator authors only: an environmental officer may, a border officer and a trader may not', async () => {
    const env = await preview(draft(), world.tokens.ecologist);
    expect(env.statusCode, env.body).toBe(200);
    // The environmental agency previews against its administration's customs declarations.
    expect(env.json<Preview>()).toMatchObject({ examined: 4, declarationsHit: 3 });
    for (const token of [world.tokens.officer, world.tokens.trader, world.tokens.admin]) {
      const r = await preview(draft(), token);
      expect(r.statusCode).toBe(403);
      expect(r.json<{ detail: string }>().detail).toMatch(
        /risk analysts and environmental officers/,
      );
    }
  });
});

describe('indicator preview within its time budget', () => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    // 999 goods items of 99 documents each: a condition that walks the documents of every item
    // takes a while, though its estimated cost is within the bound.
    const item = sampleDeclaration().goodsItems[0]!;
    const r = await submitDeclaration(world.ctx, world.principals.officer, {
      sourceFormat: 'json',
      input: sampleDeclaration({
        reference: 'BIG-1',
        submittedAt: new Date().toISOString(),
        goodsItems: Array.from({ length: 999 }, (_, k) => ({
          ...item,
          sequence: k + 1,
          documents: Array.from({ length: 99 }, (_, j) => ({
            type: `D${j}`,
            reference: `R-${k}-${j}`,
          })),
        })),
      }),
    });
    expect(r.outcome).toBe('created');
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const slowDraft = {
    title: 'Documents walked item by item',
    priorityArea: 'e-waste',
    // 11 comparisons per document, none true: every document of every item is looked at.
    condition: `item.documents.exists(d, ${Array.from({ length: 11 }, (_, k) => `d == "NONE${k}"`).join(' || ')})`,
    weight: 10,
    controlForm: 'documentary-check',
    rationale: 'A slow but admissible condition',
  };
  const preview = () =>
    app.inject({
      method: 'POST',
      url: '/api/indicators/preview',
      payload: slowDraft,
      headers: bearer(world.tokens.riskAnalyst),
    });

  it('answers 503 when the screening passes the budget, and other requests meanwhile', async () => {
    world.ctx.settings.previewBudgetMs = 20_000;
    let started = performance.now();
    const whole = await preview();
    expect(whole.statusCode, whole.body).toBe(200);
    expect(whole.json<Preview>()).toMatchObject({ examined: 1, declarationsHit: 0 });
    const took = performance.now() - started;

    world.ctx.settings.previewBudgetMs = 10;
    started = performance.now();
    let pending = true;
    const cut = preview().finally(() => (pending = false));
    // Requests made while the preview screens are answered at once.
    const health: number[] = [];
    while (pending) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const at = performance.now();
      const h = await app.inject({ method: 'GET', url: '/healthz' });
      expect(h.statusCode).toBe(200);
      health.push(performance.now() - at);
    }
    const r = await cut;
    expect(r.statusCode, r.body).toBe(503);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.json<{ detail: string }>().detail).toMatch(
      /^the preview took longer than 10 ms and was stopped: preview fewer declarations/,
    );
    console.log(
      `preview: ${Math.round(took)} ms in full, ${Math.round(performance.now() - started)} ms when cut at 10 ms; ` +
        `${health.length} health checks meanwhile, slowest ${Math.round(Math.max(...health))} ms`,
    );
    expect(health.length).toBeGreaterThan(0);
  });
});
