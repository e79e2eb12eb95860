import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, issueApiToken } from '../app/manage-identity.js';
import type { RateTable } from '../core/currency-rates.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { bearer, testHttpApp } from '../test-support/http.js';

/** A rate table whose conversions are worked out by hand: 1 EUR = 2 USD = 0.5 GBP. */
const RATES: RateTable = {
  name: 'Test rates',
  currency: 'EUR',
  date: '2026-11-02',
  source: 'Made up for this test',
  illustrative: false,
  rates: { USD: 2, GBP: 0.5 },
};

/**
 * The manager's figures by their definitions, each worked out by hand: controls, findings and
 * seizures (a corrected record and its seizure do not count), detection rate = findings ÷
 * controls, seizure rate = seizures ÷ controls, the previous period of the same length, and the
 * seizure values in one currency with those without a rate counted apart.
 */
describe.each(BACKENDS)('performance metrics definitions on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let manager: string;

  const send = (url: string, token: string, payload?: object): Promise<LightMyRequestResponse> =>
    app.inject({
      method: payload ? 'POST' : 'GET',
      url,
      headers: bearer(token),
      ...(payload ? { payload } : {}),
    });
  const ok = (r: LightMyRequestResponse) => {
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json<Record<string, unknown>>();
  };
  const seizure = (itemSequence: number, estimatedValue: number, currency: string) => ({
    itemSequence,
    quantity: 1,
    unit: 'KGM',
    estimatedValue,
    currency,
    storageLocation: 'Bonded warehouse',
    legalBasis: 'Customs Code',
  });
  /** Lodges a declaration on `day` and records the inspections given, in order. */
  const declaration = async (
    reference: string,
    day: string,
    inspections: Array<{
      result: 'compliant' | 'non-compliant';
      seizures?: unknown[];
      corrects?: true;
    }>,
  ) => {
    const d = ok(
      await send(
        '/api/declarations',
        world.tokens.officer,
        sampleDeclaration({ reference, submittedAt: `${day}T10:00:00.000Z` }),
      ),
    ) as { id: string };
    let last = '';
    for (const i of inspections) {
      const view = ok(
        await send(`/api/declarations/${d.id}/inspections`, world.tokens.officer, {
          controlForm: 'physical-inspection',
          startedAt: `${day}T11:00:00.000Z`,
          endedAt: `${day}T12:00:00.000Z`,
          result: i.result,
          findings: i.result === 'non-compliant' ? ['undervalued'] : [],
          findingsText: i.result === 'non-compliant' ? 'Undervalued.' : 'As declared.',
          itemsAffected: i.result === 'non-compliant' ? [1, 2] : [],
          ...(i.seizures ? { seizures: i.seizures } : {}),
          ...(i.corrects ? { corrects: last } : {}),
        }),
      ) as { inspections: Array<{ id: string }> };
      last = view.inspections[view.inspections.length - 1]!.id;
    }
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    world.ctx.settings.exchangeRates = RATES;
    app = await testHttpApp(world.ctx);
    manager = await t.db.write(async (tx) => {
      const id = await createUser(world.ctx, tx, {
        agencyId: world.principals.officer.agencyId,
        username: 'chief',
        displayName: 'Chief',
        roles: ['manager'],
        password: null,
      });
      return (await issueApiToken(world.ctx, tx, { userId: id, name: 't' })).token;
    });
    // This period, 1–3 November: six declarations.
    const day = '2026-11-02';
    await declaration('C1', day, [{ result: 'compliant' }]);
    await declaration('C2', day, [{ result: 'non-compliant', seizures: [seizure(1, 100, 'EUR')] }]);
    await declaration('C3', day, [
      // 50 USD = 25 EUR; the ngultrum has no rate in the table.
      { result: 'non-compliant', seizures: [seizure(1, 50, 'USD'), seizure(2, 30, 'BTN')] },
    ]);
    // A seizure recorded in error and corrected to compliant: neither finding nor seizure.
    await declaration('C4', day, [
      { result: 'non-compliant', seizures: [seizure(1, 1000, 'EUR')] },
      { result: 'compliant', corrects: true },
    ]);
    await declaration('C5', day, []);
    await declaration('C6', day, [{ result: 'non-compliant' }]);
    // The two days before: two declarations, one seizure of 10 GBP (20 EUR).
    await declaration('P1', '2026-10-31', [
      { result: 'non-compliant', seizures: [seizure(1, 10, 'GBP')] },
    ]);
    await declaration('P2', '2026-10-30', [{ result: 'compliant' }]);
    // Before the previous period: in neither.
    await declaration('X1', '2026-10-29', [{ result: 'non-compliant' }]);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const period = 'from=2026-11-01&to=2026-11-03';

  it('counts controls, findings and seizures and rates each with the counts behind it', async () => {
    const m = ok(await send(`/api/metrics/performance?${period}`, manager)) as {
      totals: Record<string, unknown>;
      seizures: Record<string, unknown>;
    };
    expect(m.totals).toMatchObject({
      declarations: 6,
      controls: 5,
      findings: 3,
      seizures: 2,
      detectionRate: { successes: 3, n: 5, rate: 0.6 },
      seizureRate: { successes: 2, n: 5, rate: 0.4 },
    });
    expect(m.seizures).toMatchObject({
      records: 3,
      declarations: 2,
      estimatedValue: { EUR: 100, USD: 50, BTN: 30 },
    });
  });

  it('converts the values at the configured table and counts those without a rate', async () => {
    const m = ok(await send(`/api/metrics/performance?${period}`, manager)) as {
      seizures: { value: unknown };
      rates: unknown;
    };
    expect(m.seizures.value).toEqual({
      currency: 'EUR',
      total: 125,
      records: 2,
      unconverted: [{ currency: 'BTN', records: 1, amount: 30 }],
    });
    expect(m.rates).toEqual({
      name: 'Test rates',
      currency: 'EUR',
      date: '2026-11-02',
      source: 'Made up for this test',
      illustrative: false,
    });
  });

  it('gives the same figures for the previous period of the same length', async () => {
    const m = ok(await send(`/api/metrics/performance?${period}&groupBy=office`, manager)) as {
      previous: {
        period: unknown;
        totals: unknown;
        seizures: { value: unknown };
        groups: unknown;
      };
    };
    expect(m.previous.period).toEqual({
      from: '2026-10-30T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
    });
    expect(m.previous.totals).toMatchObject({
      declarations: 2,
      controls: 2,
      findings: 1,
      seizures: 1,
      detectionRate: { successes: 1, n: 2, rate: 0.5 },
      seizureRate: { successes: 1, n: 2, rate: 0.5 },
    });
    expect(m.previous.seizures.value).toEqual({
      currency: 'EUR',
      total: 20,
      records: 1,
      unconverted: [],
    });
    expect(m.previous.groups).toEqual([
      expect.objectContaining({ group: 'BY112000', declarations: 2, seizures: 1 }),
    ]);
  });

  it('writes the new figures in the CSV', async () => {
    const csv = await send(`/api/metrics/performance?${period}&format=csv`, manager);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')).toEqual(
      expect.arrayContaining([
        'totals,,seizures,2',
        'totals,,detection_rate,0.6',
        'totals,,seizure_rate,0.4',
        'seizures,EUR,value_converted,125',
        'seizures,BTN,records_without_rate,1',
        'rates,,table,Test rates',
        'previous,,from,2026-10-30T00:00:00.000Z',
        'previous,,seizure_rate,0.5',
        'previous_seizures,EUR,value_converted,20',
      ]),
    );
  });

  it('refuses periods outside four-digit years naming the field, never a 500', async () => {
    for (const [query, field] of [
      ['from=0001-01-01&to=2026-11-03', 'from'],
      ['from=2026-11-01&to=%2B275760-09-13', 'to'],
      ['from=-271821-04-20&to=2026-11-03', 'from'],
      [`from=2026-11-01${'0'.repeat(2000)}&to=2026-11-03`, 'from'],
    ] as const) {
      const r = await send(`/api/metrics/performance?${query}`, manager);
      expect(r.statusCode, r.body).toBe(400);
      expect(JSON.stringify(r.json())).toContain(field);
    }
    // The widest period allowed: its previous period starts thousands of years back.
    const wide = ok(await send('/api/metrics/performance?from=1900-01-01&to=9999-12-31', manager));
    expect((wide.totals as { declarations: number }).declarations).toBe(9);
    expect((wide.previous as { totals: { declarations: number } }).totals.declarations).toBe(0);
  });
});
