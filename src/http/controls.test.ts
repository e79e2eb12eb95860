import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { createUser, issueApiToken } from '../app/manage-identity.js';

/**
 * A small day at the border, end to end: lodge → screen → worklist → control → seizure →
 * correction → release, then the feedback (indicator and trader counters) and the metrics,
 * each figure worked out by hand below.
 */
describe.each(BACKENDS)('controls, feedback and metrics on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let officer: string;
  let manager: string;
  const ids: Record<string, string> = {};
  let scrap = '';
  let cheap = '';

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    officer = world.tokens.officer;
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
    const customs = world.tokens.riskAnalyst;
    ok(
      await send('PUT', '/api/reference-lists/scrap-watch', customs, {
        kind: 'hs-prefixes',
        title: 'Ferrous scrap',
        entries: ['7204'],
      }),
    );
    ok(await send('POST', '/api/reference-lists/scrap-watch/submit', customs, { version: 1 }));
    ok(
      await send('POST', '/api/reference-lists/scrap-watch/approve', world.tokens.secondAnalyst, {
        version: 1,
      }),
    );
    const indicator = async (title: string, condition: string, weight: number) => {
      const id = ok(
        await send('POST', '/api/indicators', customs, {
          title,
          priorityArea: 'waste-and-scrap-metal',
          condition,
          weight,
          controlForm: 'physical-inspection',
          rationale: 'Scrap checks for the scenario.',
        }),
      ).id as string;
      ok(await send('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
      ok(
        await send('POST', `/api/indicators/${id}/approve`, world.tokens.secondAnalyst, {
          version: 1,
        }),
      );
      return id;
    };
    scrap = await indicator('Scrap', 'hsIn(item.hs, "scrap-watch")', 50);
    cheap = await indicator(
      'Scrap at a token price',
      'hsIn(item.hs, "scrap-watch") && item.valuePerKg < 0.1',
      40,
    );
    // D1 scrap (yellow, 50), D2 cheap scrap (red, 90), D3 other goods (green), D4 cheap scrap
    // of another trader (red, 90), lodged in that order.
    const lodge = async (key: string, d: DeclarationInput) => {
      ids[key] = (ok(await send('POST', '/api/declarations', officer, d)) as { id: string }).id;
    };
    await lodge('D1', declaration('D1', 'BY100', '7204490000', 20_000, 8_000));
    await lodge('D2', declaration('D2', 'BY100', '7204490000', 20_000, 500));
    await lodge('D3', declaration('D3', 'BY100', '8471300000', 100, 20_000));
    await lodge('D4', declaration('D4', 'BY200', '7204410000', 10_000, 300));
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  function declaration(
    reference: string,
    trader: string,
    hsCode: string,
    netMass: number,
    value: number,
  ): DeclarationInput {
    const base = sampleDeclaration({
      reference,
      // Lodged by customs staff with the date of the metrics period below.
      submittedAt: '2026-11-02T10:00:00.000Z',
      declarant: { id: trader, name: trader, country: 'BY' },
      consignee: { id: trader, name: trader, country: 'BY' },
    });
    return {
      ...base,
      goodsItems: [
        {
          ...base.goodsItems[0]!,
          hsCode,
          netMass,
          grossMass: netMass + 10,
          value,
          description: 'Goods',
        },
      ],
    };
  }
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
  const get = (url: string, token = officer) => app.inject({ url, headers: bearer(token) });
  function ok(r: LightMyRequestResponse): Record<string, unknown> {
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  }
  const inspection = (over: Record<string, unknown> = {}) => ({
    controlForm: 'physical-inspection',
    startedAt: '2026-11-02T11:00:00Z',
    endedAt: '2026-11-02T12:30:00Z',
    result: 'compliant',
    findings: [],
    findingsText: 'Goods as declared.',
    itemsAffected: [],
    ...over,
  });

  it('lists yellow and red declarations by score then arrival, with filters', async () => {
    const list = ok(await get('/api/worklist')) as unknown as Array<{
      id: string;
      channel: string;
      score: number;
      status: string;
    }>;
    expect(list.map((d) => [d.id, d.channel, d.score, d.status])).toEqual([
      [ids.D2, 'red', 90, 'awaiting-control'],
      [ids.D4, 'red', 90, 'awaiting-control'],
      [ids.D1, 'yellow', 50, 'awaiting-control'],
    ]);
    const byTrader = ok(await get('/api/worklist?trader=BY200')) as unknown as Array<{
      id: string;
    }>;
    expect(byTrader.map((d) => d.id)).toEqual([ids.D4]);
    const byIndicator = ok(await get(`/api/worklist?indicator=${cheap}`)) as unknown as Array<{
      id: string;
    }>;
    expect(byIndicator.map((d) => d.id)).toEqual([ids.D2, ids.D4]);
    expect(ok(await get('/api/worklist?priorityArea=e-waste'))).toEqual([]);
    expect((await get('/api/worklist', world.tokens.trader)).statusCode).toBe(403);
    // A manager assigns; the officer's work shows under their name.
    const assigned = ok(
      await send('POST', `/api/declarations/${ids.D2}/assign`, manager, { officer: 'officer' }),
    );
    expect(assigned).toMatchObject({
      status: 'under-control',
      assignedTo: world.principals.officer.userId,
    });
    const mine = ok(
      await get(`/api/worklist?assignedTo=${world.principals.officer.userId}`),
    ) as unknown as Array<{ id: string }>;
    expect(mine.map((d) => d.id)).toEqual([ids.D2]);
  });

  it('records controls, a seizure and a correction, and gates release on a control', async () => {
    // Yellow goods without a recorded control stay.
    const early = await send('POST', `/api/declarations/${ids.D1}/release`, officer);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({
      detail: expect.stringMatching(/released only after its control is recorded/) as unknown,
    });
    // Bad records are refused naming the field.
    const bad = await send(
      'POST',
      `/api/declarations/${ids.D2}/inspections`,
      officer,
      inspection({
        result: 'non-compliant',
        findings: [],
        itemsAffected: [7],
      }),
    );
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<{ errors: Array<{ field: string }> }>()
        .errors.map((e) => e.field)
        .sort(),
    ).toEqual(['/findings', '/itemsAffected/0']);

    ok(await send('POST', `/api/declarations/${ids.D1}/inspections`, officer, inspection()));
    ok(await send('POST', `/api/declarations/${ids.D1}/release`, officer));

    const seized = ok(
      await send(
        'POST',
        `/api/declarations/${ids.D2}/inspections`,
        officer,
        inspection({
          result: 'non-compliant',
          findings: ['undervalued', 'prohibited-waste'],
          findingsText: 'Mixed municipal waste under a layer of scrap; invoice at 0.025 EUR/kg.',
          itemsAffected: [1],
          seizures: [
            {
              itemSequence: 1,
              quantity: 20_000,
              unit: 'KGM',
              estimatedValue: 5000,
              currency: 'EUR',
              storageLocation: 'BY112000 bonded yard, bay 4',
              legalBasis: 'Customs Code art. 198; Basel Convention art. 9',
            },
          ],
        }),
      ),
    );
    expect(seized).toMatchObject({
      status: 'seized',
      outcome: { controlled: true, finding: true },
      seizures: [{ itemSequence: 1, hsCode: '7204490000', quantity: 20_000, estimatedValue: 5000 }],
    });
    expect((await send('POST', `/api/declarations/${ids.D2}/release`, officer)).statusCode).toBe(
      409,
    );

    const first = ok(
      await send('POST', `/api/declarations/${ids.D4}/inspections`, officer, inspection()),
    ) as {
      inspections: Array<{ id: string }>;
    };
    const corrected = ok(
      await send(
        'POST',
        `/api/declarations/${ids.D4}/inspections`,
        officer,
        inspection({
          result: 'non-compliant',
          findings: ['misdeclared-hs'],
          findingsText: 'Laboratory: stainless (7204.21), not 7204.41.',
          itemsAffected: [1],
          corrects: first.inspections[0]!.id,
        }),
      ),
    );
    expect(corrected).toMatchObject({ outcome: { controlled: true, finding: true } });
    expect((corrected.inspections as unknown[]).length).toBe(2);
    ok(
      await send('POST', `/api/declarations/${ids.D4}/refer`, officer, {
        agency: 'BY-E',
        reason: 'Possible hazardous waste: environmental agency to assess',
      }),
    );
    // The environmental agency sees the referred declaration's control record.
    expect(
      (await get(`/api/declarations/${ids.D4}/control`, world.tokens.ecologist)).statusCode,
    ).toBe(200);
    ok(await send('POST', `/api/declarations/${ids.D3}/release`, officer));
  });

  it('feeds outcomes back into indicator versions and trader records', async () => {
    // Scrap hit D1, D2, D4; all three were controlled; D2 and D4 had findings.
    const s = ok(await get(`/api/indicators/${scrap}/effectiveness`, world.tokens.riskAnalyst));
    expect(s.total).toMatchObject({ hits: 3, controls: 3, findings: 2 });
    expect((s.total as { hitRate: number }).hitRate).toBeCloseTo(2 / 3, 12);
    // Cheap scrap hit D2 and D4: both found.
    const c = ok(await get(`/api/indicators/${cheap}/effectiveness`, world.tokens.riskAnalyst));
    expect(c.total).toMatchObject({ hits: 2, controls: 2, findings: 2, hitRate: 1 });
    // BY100: D1 compliant, D2 finding (D3 green, not controlled); BY200: D4, corrected to a finding.
    expect(ok(await get('/api/traders/BY100', world.tokens.riskAnalyst))).toMatchObject({
      record: { controls: 2, findings: 1 },
      findingRate: 0.5,
    });
    expect(ok(await get('/api/traders/BY200', world.tokens.riskAnalyst))).toMatchObject({
      record: { controls: 1, findings: 1 },
    });
  });

  it('computes the metrics by hand: JSON, per group, CSV and training data', async () => {
    const period = 'from=2026-11-01&to=2026-11-03';
    const m = ok(
      await get(`/api/metrics/performance?${period}&groupBy=priority-area`, manager),
    ) as {
      totals: Record<string, unknown>;
      seizures: unknown;
      selection: {
        random: { n: number };
        targeted: { n: number; successes: number; rate: number };
      };
      clearance: { others: { n: number }; certified: { n: number } };
      indicators: Array<{ indicatorId: string; hits: number; controls: number; findings: number }>;
      collaboration: { referrals: number };
      groups: Array<{ group: string; declarations: number; controls: number; findings: number }>;
    };
    expect(m.totals).toMatchObject({
      declarations: 4,
      goodsItems: 4,
      channels: { green: 1, yellow: 1, red: 2 },
      channelShare: { green: 0.25, yellow: 0.25, red: 0.5 },
      controls: 3,
      findings: 2,
    });
    // Detection: D2 and D4 had findings of three controls; seizure: only D2's goods were seized.
    expect((m.totals.detectionRate as { rate: number }).rate).toBeCloseTo(2 / 3, 12);
    expect((m.totals.seizureRate as { rate: number }).rate).toBeCloseTo(1 / 3, 12);
    expect(m.seizures).toMatchObject({ records: 1, estimatedValue: { EUR: 5000 } });
    expect(m.selection.random.n).toBe(0);
    expect(m.selection.targeted).toMatchObject({ n: 3, successes: 2 });
    expect(m.clearance.others.n).toBe(2); // D1 and D3 released, no certificates
    expect(m.clearance.certified.n).toBe(0);
    expect(m.indicators.map((i) => [i.indicatorId, i.hits, i.controls, i.findings])).toEqual([
      [scrap, 3, 3, 2],
      [cheap, 2, 2, 2],
    ]);
    // Collaboration counts events in the period (the referral was made today, not on 2 Nov).
    expect(m.collaboration.referrals).toBe(0);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const recent = ok(
      await get(`/api/metrics/performance?from=2026-11-01&to=${tomorrow}`, manager),
    ) as { collaboration: { referrals: number; byAgencyPair: unknown[] } };
    expect(recent.collaboration.referrals).toBe(1);
    expect(recent.collaboration.byAgencyPair).toEqual([
      {
        from: world.principals.officer.agencyId,
        to: world.principals.ecologist.agencyId,
        events: 1,
      },
    ]);
    // All four were lodged on 2 November: one day, by channel.
    expect((m as unknown as { daily: unknown }).daily).toEqual([
      { date: '2026-11-02', declarations: 4, green: 1, yellow: 1, red: 2, unscreened: 0 },
    ]);
    expect(m.groups.map((g) => [g.group, g.declarations, g.controls, g.findings])).toEqual([
      ['(no hit)', 1, 0, 0],
      ['waste-and-scrap-metal', 3, 3, 2],
    ]);

    const csv = await get(`/api/metrics/performance?${period}&format=csv`, manager);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')).toEqual(
      expect.arrayContaining([
        'section,group,metric,value',
        'totals,,controls,3',
        'totals,,findings,2',
        'seizures,EUR,estimated_value,5000',
        'daily,2026-11-02,declarations,4',
        'daily,2026-11-02,channel_red,2',
      ]),
    );
    const training = await get(`/api/metrics/training-data?${period}`, manager);
    const rows = training.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { declarationId: string; finding: boolean });
    expect(rows.map((r) => [r.declarationId, r.finding]).sort()).toEqual(
      [
        [ids.D1, false],
        [ids.D2, true],
        [ids.D4, true],
      ].sort(),
    );
    expect((await get(`/api/metrics/performance?from=x&to=2026-11-03`, manager)).statusCode).toBe(
      400,
    );
    expect((await get(`/api/metrics/performance?${period}`)).statusCode).toBe(403); // a border officer
  });
});
