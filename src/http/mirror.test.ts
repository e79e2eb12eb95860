import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { riskRuntime } from '../app/risk.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];

describe.each(BACKENDS)('mirror reconciliation over HTTP (%s)', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  const send = (
    method: 'GET' | 'POST',
    url: string,
    token: string,
    payload?: unknown,
    contentType?: string,
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: { ...bearer(token), ...(contentType ? { 'content-type': contentType } : {}) },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('loads both sides and flags the undervalued months, not the honest ones', async () => {
    // Lithium-ion batteries from China: 100,000 FOB a month; imports declared at CIF 106,000,
    // but in April and May at 45,000.
    const exports = months.map((month) => ({
      side: 'partner-export',
      partner: 'CN',
      hs6: '850760',
      month,
      value: 100_000,
    }));
    const csv = [
      'side,partner,hs6,month,value',
      ...months.map(
        (m) => `own-import,CN,850760,${m},${m === '2026-04' || m === '2026-05' ? 45_000 : 106_000}`,
      ),
    ].join('\n');
    expect(
      (await send('POST', '/api/mirror/records', world.tokens.riskAnalyst, exports)).json(),
    ).toEqual({
      recorded: 6,
    });
    const file = await send(
      'POST',
      '/api/mirror/records',
      world.tokens.riskAnalyst,
      csv,
      'text/csv',
    );
    expect(file.statusCode, file.body).toBe(200);
    const gaps = await send(
      'GET',
      '/api/mirror/gaps?fromMonth=2026-01&toMonth=2026-06',
      world.tokens.riskAnalyst,
    );
    expect(gaps.statusCode, gaps.body).toBe(200);
    const body = gaps.json<{
      records: number;
      flaggedRows: number;
      rows: Array<{ month: string; flags: string[]; valueLogRatio: number }>;
    }>();
    expect(body.records).toBe(12);
    expect(body.rows.map((r) => [r.month, r.flags])).toEqual([
      ['2026-04', ['under-declared-value']],
      ['2026-05', ['under-declared-value']],
    ]);
    expect(body.rows[0]!.valueLogRatio).toBeCloseTo(Math.log(45_000 / 106_000), 6);
  });

  it('a corrected month replaces the figure', async () => {
    const r = await send('POST', '/api/mirror/records', world.tokens.riskAnalyst, [
      { side: 'own-import', partner: 'CN', hs6: '850760', month: '2026-04', value: 106_000 },
    ]);
    expect(r.statusCode).toBe(200);
    const gaps = await send(
      'GET',
      '/api/mirror/gaps?fromMonth=2026-01&toMonth=2026-06',
      world.tokens.riskAnalyst,
    );
    expect(gaps.json<{ rows: Array<{ month: string }> }>().rows.map((x) => x.month)).toEqual([
      '2026-05',
    ]);
  });

  it('refuses a bad batch whole, naming each problem by field or by row and column', async () => {
    const r = await send('POST', '/api/mirror/records', world.tokens.riskAnalyst, [
      { side: 'own-import', partner: 'CN', hs6: '850760', month: '2026-07', value: 1 },
      { side: 'own-import', partner: 'China', hs6: '8507', month: '2026-13', value: -1 },
    ]);
    expect(r.statusCode).toBe(400);
    expect(
      r
        .json<{ errors: Array<{ field: string }> }>()
        .errors.map((e) => e.field)
        .sort(),
    ).toEqual(['/1/hs6', '/1/month', '/1/partner', '/1/value']);
    const csv = 'side,partner,hs6,month,value\nown-import,CN,850760,2026-08,abc';
    const file = await send(
      'POST',
      '/api/mirror/records',
      world.tokens.riskAnalyst,
      csv,
      'text/csv',
    );
    expect(file.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toEqual([
      'row 2, column value',
    ]);
    const gaps = await send(
      'GET',
      '/api/mirror/gaps?fromMonth=2026-07&toMonth=2026-08&all=true',
      world.tokens.riskAnalyst,
    );
    expect(gaps.json<{ records: number }>().records).toBe(0);
  });

  it('gives screening the latest gap of each HS6 and partner', async () => {
    // A fresh runtime, as a process starting now would build it.
    const engine = await riskRuntime(world.ctx.storage, world.ctx.clock).engine();
    // The latest month with both sides is June: as declared.
    expect(engine.mirror.valueGap('8507600000', 'CN')).toBeCloseTo(0, 9);
    expect(engine.mirror.valueGap('8507600000', 'KZ')).toBeNull();
    // May alone: the undervalued month.
    await send('POST', '/api/mirror/records', world.tokens.riskAnalyst, [
      { side: 'own-import', partner: 'KZ', hs6: '850760', month: '2026-05', value: 30_000 },
      { side: 'partner-export', partner: 'KZ', hs6: '850760', month: '2026-05', value: 100_000 },
    ]);
    const later = await riskRuntime(world.ctx.storage, world.ctx.clock).engine();
    expect(later.mirror.valueGap('8507600000', 'KZ')).toBeCloseTo(Math.log(30_000 / 106_000), 6);
  });

  it('is for analysts and managers of the administration only', async () => {
    expect((await send('GET', '/api/mirror/gaps', world.tokens.officer)).statusCode).toBe(403);
    expect((await send('GET', '/api/mirror/gaps', world.tokens.trader)).statusCode).toBe(403);
    expect(
      (await send('POST', '/api/mirror/records', world.tokens.officer, [{ side: 'own-import' }]))
        .statusCode,
    ).toBe(403);
    // Another administration sees none of these figures.
    const foreign = await send(
      'GET',
      '/api/mirror/gaps?fromMonth=2026-01&toMonth=2026-06',
      world.tokens.foreignOfficer,
    );
    expect(foreign.statusCode).toBe(403);
  });
});
