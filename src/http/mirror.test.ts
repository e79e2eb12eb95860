import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRateTable } from '../app/currency-rates.js';
import { riskRuntime } from '../app/risk.js';
import type { GoodsItem } from '../core/declaration/declaration.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
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

  describe('own imports from our declarations', () => {
    // Declared an hour ago: the month is the declarations' own.
    const declaredAt = new Date(Date.now() - 3_600_000).toISOString();
    const month = declaredAt.slice(0, 7);
    const span = `fromMonth=${month}&toMonth=${month}`;
    const item = (sequence: number, over: Partial<GoodsItem>): GoodsItem => ({
      sequence,
      hsCode: '8507600090',
      description: 'Lithium-ion accumulators',
      quantity: 100,
      unit: 'NAR',
      netMass: 500,
      value: 10_000,
      currency: 'EUR',
      originCountry: 'CN',
      ...over,
    });
    const lodge = async (reference: string, over: Parameters<typeof sampleDeclaration>[0]) => {
      const r = await send(
        'POST',
        '/api/declarations',
        world.tokens.trader,
        JSON.stringify(sampleDeclaration({ reference, submittedAt: declaredAt, ...over })),
        'application/json',
      );
      expect(r.statusCode, r.body).toBe(201);
      return r.json<{ id: string }>().id;
    };
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const cn = {
        route: { dispatchCountry: 'CN', destinationCountry: 'BY', transportMode: 'rail' as const },
      };
      // Two batteries declarations from China (one in dollars), one item with no mass; one
      // dispatched from nowhere named, whose origin (Viet Nam) is the partner; an export and a
      // cancelled import, which are not our imports.
      ids.a = await lodge('MIRROR-A', {
        ...cn,
        goodsItems: [
          item(1, {}),
          item(2, { hsCode: '8507100000', value: 3000, netMass: undefined }),
        ],
      });
      ids.b = await lodge('MIRROR-B', {
        ...cn,
        goodsItems: [item(1, { value: 2_200, currency: 'USD', netMass: 100 })],
      });
      ids.c = await lodge('MIRROR-C', {
        route: { destinationCountry: 'BY', transportMode: 'road' },
        goodsItems: [item(1, { originCountry: 'VN', value: 4_000 })],
      });
      await lodge('MIRROR-X', { ...cn, kind: 'export', goodsItems: [item(1, {})] });
      const cancelled = await lodge('MIRROR-Z', { ...cn, goodsItems: [item(1, {})] });
      const r = await send(
        'POST',
        `/api/declarations/${cancelled}/cancellation`,
        world.tokens.trader,
        JSON.stringify({ reason: 'lodged twice' }),
        'application/json',
      );
      expect(r.statusCode, r.body).toBe(200);
      // The partner's exports of the month: the batteries at 30,000 FOB, twice what we declared.
      const loaded = await send('POST', '/api/mirror/records', world.tokens.riskAnalyst, [
        { side: 'partner-export', partner: 'CN', hs6: '850760', month, value: 30_000 },
        { side: 'own-import', partner: 'KZ', hs6: '850760', month, value: 999 },
      ]);
      expect(loaded.statusCode, loaded.body).toBe(200);
    });

    it('sums the declared goods items by HS6, partner and month, replacing the loaded figures', async () => {
      const usd = (await readRateTable()).rates.USD!;
      const r = await send(
        'POST',
        `/api/mirror/own-imports/refresh?${span}`,
        world.tokens.riskAnalyst,
      );
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({
        fromMonth: month,
        toMonth: month,
        rates: { currency: 'EUR' },
        items: 4,
        records: 3,
        replaced: 1,
        unconverted: [],
        itemsWithoutValue: 0,
      });
      const gaps = await send(
        'GET',
        `/api/mirror/gaps?${span}&all=true&lagMonths=0`,
        world.tokens.riskAnalyst,
      );
      expect(gaps.statusCode, gaps.body).toBe(200);
      const rows = gaps.json<{
        rows: Array<{
          partner: string;
          hs6: string;
          importCif: number;
          importQuantity: { total: number | null; units: string[]; incomplete: boolean };
          flags: string[];
        }>;
      }>().rows;
      expect(rows.map((x) => [x.hs6, x.partner])).toEqual([
        ['850710', 'CN'],
        ['850760', 'CN'],
      ]);
      // Viet Nam sent no export figures: named, not compared.
      expect(gaps.json<{ partnersWithoutExports: string[] }>().partnersWithoutExports).toEqual([
        'VN',
      ]);
      // No mass declared for the lead-acid item: the figure has a value and no quantity.
      expect(rows[0]!.importQuantity).toMatchObject({ units: [], incomplete: true });
      const batteries = rows[1]!;
      expect(batteries.importCif).toBeCloseTo(10_000 + Math.round((2_200 / usd) * 100) / 100, 2);
      expect(batteries.importQuantity).toMatchObject({ total: 600, units: ['KGM'] });
      expect(batteries.flags).toEqual(['under-declared-value']);
      // The loaded figure for Kazakhstan is gone: no declaration says so.
      expect(rows.some((x) => x.partner === 'KZ')).toBe(false);
    });

    it('lists the declarations behind a gap row, a page at a time', async () => {
      const q = `partner=CN&hs6=850760&${span}`;
      const first = await send(
        'GET',
        `/api/mirror/declarations?${q}&limit=1`,
        world.tokens.riskAnalyst,
      );
      expect(first.statusCode, first.body).toBe(200);
      type Page = {
        currency: string;
        next: string | null;
        items: Array<{
          declarationId: string;
          hsCode: string;
          declarant: { name: string | null };
          value: number;
          comparisonValue: number | null;
          netMass: number | null;
        }>;
      };
      const one = first.json<Page>();
      expect(one.items).toHaveLength(1);
      expect(one.next).not.toBeNull();
      const second = (
        await send(
          'GET',
          `/api/mirror/declarations?${q}&limit=1&after=${one.next!}`,
          world.tokens.riskAnalyst,
        )
      ).json<Page>();
      expect(second.next).toBeNull();
      const items = [...one.items, ...second.items];
      expect(items.map((i) => i.declarationId).sort()).toEqual([ids.a, ids.b].sort());
      expect(
        items.every((i) => i.hsCode === '8507600090' && i.declarant.name === 'Trader one'),
      ).toBe(true);
      expect(items.find((i) => i.declarationId === ids.a)).toMatchObject({
        value: 10_000,
        comparisonValue: 10_000,
        netMass: 500,
      });
      // The origin stands in for the dispatch country not given.
      const vn = (
        await send('GET', `/api/mirror/declarations?partner=VN&${span}`, world.tokens.admin)
      ).json<Page>();
      expect(vn.items.map((i) => i.declarationId)).toEqual([ids.c]);
      const bad = await send(
        'GET',
        `/api/mirror/declarations?${q}&after=nonsense`,
        world.tokens.riskAnalyst,
      );
      expect(bad.statusCode).toBe(400);
    });

    it('is refused to those without the right, before anything is read or written', async () => {
      for (const token of [
        world.tokens.officer,
        world.tokens.trader,
        world.tokens.ecologist,
        world.tokens.foreignOfficer,
      ]) {
        expect(
          (await send('POST', `/api/mirror/own-imports/refresh?${span}`, token)).statusCode,
        ).toBe(403);
        expect((await send('GET', `/api/mirror/declarations?${span}`, token)).statusCode).toBe(403);
      }
      // The administrator recomputes them too.
      expect(
        (await send('POST', `/api/mirror/own-imports/refresh?${span}`, world.tokens.admin))
          .statusCode,
      ).toBe(200);
    });
  });

  it('flags a misclassification once the duty rates are loaded, naming both codes', async () => {
    // Cotton T-shirts (12 %) exported by Vietnam, declared here mostly as "other" (5 %).
    const records = [
      { side: 'partner-export', partner: 'VN', hs6: '610910', month: '2026-03', value: 100_000 },
      { side: 'partner-export', partner: 'VN', hs6: '610990', month: '2026-03', value: 20_000 },
      { side: 'own-import', partner: 'VN', hs6: '610910', month: '2026-03', value: 30_000 },
      { side: 'own-import', partner: 'VN', hs6: '610990', month: '2026-03', value: 95_000 },
    ];
    expect(
      (await send('POST', '/api/mirror/records', world.tokens.riskAnalyst, records)).statusCode,
    ).toBe(200);
    const gaps = async () => {
      const r = await send(
        'GET',
        '/api/mirror/gaps?fromMonth=2026-03&toMonth=2026-03&partner=VN',
        world.tokens.riskAnalyst,
      );
      expect(r.statusCode, r.body).toBe(200);
      return r.json<{
        misclassifications: Array<{ fromHs6: string; toHs6: string; tariffDifference: number }>;
        rows: Array<{ hs6: string; tariffRate: number | null; flags: string[] }>;
      }>();
    };
    // Without rates: two plain gaps, no misclassification.
    const before = await gaps();
    expect(before.misclassifications).toEqual([]);
    expect(before.rows.map((r) => r.tariffRate)).toEqual([null, null]);
    // A bad rate refuses the file by row and column; nothing is recorded.
    const bad = await send(
      'POST',
      '/api/mirror/tariffs',
      world.tokens.riskAnalyst,
      'hsCode,rate\n6109,0.05\n610910,twelve',
      'text/csv',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toEqual([
      'row 3, column rate',
    ]);
    expect((await send('GET', '/api/mirror/tariffs', world.tokens.riskAnalyst)).json()).toEqual([]);
    // A code twice in one batch is refused at its second place.
    const twice = await send('POST', '/api/mirror/tariffs', world.tokens.riskAnalyst, [
      { hsCode: '6109', rate: 0.05 },
      { hsCode: '6109', rate: 0.07 },
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json<{ errors: Array<{ field: string; detail: string }> }>().errors).toEqual([
      expect.objectContaining({ field: '/1/hsCode', detail: 'this HS code came twice' }),
    ]);
    // The heading at 5 %, the cotton subheading at 12 %.
    const ok = await send(
      'POST',
      '/api/mirror/tariffs',
      world.tokens.riskAnalyst,
      'hsCode,rate\n6109,0.05\n610910,0.12',
      'text/csv',
    );
    expect(ok.json()).toEqual({ recorded: 2 });
    const after = await gaps();
    expect(after.rows.map((r) => [r.hs6, r.tariffRate])).toEqual([
      ['610910', 0.12],
      ['610990', 0.05],
    ]);
    expect(after.misclassifications).toEqual([
      expect.objectContaining({ fromHs6: '610910', toHs6: '610990' }),
    ]);
    expect(after.misclassifications[0]!.tariffDifference).toBeCloseTo(0.07, 10);
    expect(after.rows.every((r) => r.flags.includes('possible-misclassification'))).toBe(true);
    // Officers neither load nor read rates.
    expect((await send('GET', '/api/mirror/tariffs', world.tokens.officer)).statusCode).toBe(403);
    expect(
      (
        await send('POST', '/api/mirror/tariffs', world.tokens.officer, [
          { hsCode: '6109', rate: 0.1 },
        ])
      ).statusCode,
    ).toBe(403);
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
