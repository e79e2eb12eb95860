import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

/** A 330 kV line to Lithuania, metered hourly on both sides. */
const LINE = {
  id: 'BY-LT-330-1',
  name: 'Smorgon – Vilnius 330 kV',
  commodity: 'electricity',
  hsCode: '2716',
  partner: 'LT/MUITINE',
  partnerPointId: 'LT-330-SMORGON',
  eic: '10T-BY-LT-00001A',
  meteringPoints: [
    { id: 'M-SMORGON', side: 'own', operator: 'Belenergo' },
    { id: 'M-VILNIUS', side: 'partner', operator: 'Litgrid' },
  ],
  timeZone: 'Europe/Minsk',
  dayStartHour: 0,
  lossFraction: 0.01,
  meterAccuracy: 0.005,
  absoluteTolerancePerHour: 0.5,
  agreement: 'SCO Protocol on energy transfer control (Astana, 2008)',
};

const HOUR = 3_600_000;
// 1 June 2026, 00:00 in Minsk (UTC+3).
const DAY_START = Date.parse('2026-05-31T21:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

/** Our meter for 24 hours of imports (after the line loss), one hour 3% short. */
const ownDay = Array.from({ length: 24 }, (_, h) => ({
  id: `SMORGON-${h}`,
  source: 'own-meter',
  pointId: LINE.id,
  direction: 'import',
  start: iso(DAY_START + h * HOUR),
  end: iso(DAY_START + (h + 1) * HOUR),
  quantity: 198 * (h === 13 ? 0.97 : 1),
  unit: 'MWh',
}));
/** The partner's export figures for the same hours, in kWh. */
const partnerDay = Array.from({ length: 24 }, (_, h) => ({
  id: `LT-${h}`,
  source: 'partner',
  pointId: LINE.id,
  direction: 'export',
  start: iso(DAY_START + h * HOUR),
  end: iso(DAY_START + (h + 1) * HOUR),
  quantity: 200_000,
  unit: 'kWh',
}));

describe.each(BACKENDS)('energy transfer control over HTTP (%s)', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  const send = (
    method: 'GET' | 'POST' | 'PUT',
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
  const reconciliation = (token: string) =>
    send(
      'GET',
      `/api/energy/points/${LINE.id}/reconciliation?from=${iso(DAY_START)}&to=${iso(DAY_START + 24 * HOUR)}`,
      token,
    );

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('an analyst records a point; a bad one is refused by field and a second with its id conflicts', async () => {
    const bad = await send('POST', '/api/energy/points', world.tokens.riskAnalyst, {
      ...LINE,
      timeZone: 'Europe/Smorgon',
      hsCode: '2711',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<{ errors: Array<{ field: string }> }>()
        .errors.map((e) => e.field)
        .sort(),
    ).toEqual(['/hsCode', '/timeZone']);
    const created = await send('POST', '/api/energy/points', world.tokens.riskAnalyst, LINE);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ id: LINE.id, version: 1 });
    const again = await send('POST', '/api/energy/points', world.tokens.riskAnalyst, LINE);
    expect(again.statusCode).toBe(409);
  });

  it('changes a point only at the version read (If-Match)', async () => {
    const url = `/api/energy/points/${LINE.id}`;
    const put = (version: string | null, body: unknown) =>
      app.inject({
        method: 'PUT',
        url,
        headers: {
          ...bearer(world.tokens.riskAnalyst),
          ...(version ? { 'if-match': version } : {}),
        },
        payload: body as Record<string, unknown>,
      });
    expect((await put(null, LINE)).statusCode).toBe(400);
    const changed = await put('"1"', { ...LINE, lossFraction: 0.01 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ version: 2 });
    // A second writer who read version 1 is told to read again.
    expect((await put('"1"', { ...LINE, lossFraction: 0.02 })).statusCode).toBe(409);
    expect((await put('"2"', { ...LINE, id: 'OTHER' })).statusCode).toBe(400);
  });

  it('officers read points but do not record them; traders and other administrations see none', async () => {
    expect(
      (await send('GET', `/api/energy/points/${LINE.id}`, world.tokens.officer)).statusCode,
    ).toBe(200);
    expect(
      (await send('POST', '/api/energy/points', world.tokens.officer, { ...LINE, id: 'X-1' }))
        .statusCode,
    ).toBe(403);
    expect((await send('GET', '/api/energy/points', world.tokens.trader)).statusCode).toBe(403);
    const foreign = await send('GET', '/api/energy/points', world.tokens.foreignOfficer);
    expect(foreign.json()).toEqual([]);
    expect(
      (await send('GET', `/api/energy/points/${LINE.id}`, world.tokens.foreignOfficer)).statusCode,
    ).toBe(404);
  });

  it('a batch with one bad report is refused whole, naming it; nothing is recorded', async () => {
    const batch = [ownDay[0], { ...ownDay[1], quantity: -4 }, { ...ownDay[2], pointId: 'NOWHERE' }];
    const r = await send('POST', '/api/energy/reports', world.tokens.riskAnalyst, batch);
    expect(r.statusCode).toBe(400);
    expect(r.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toEqual([
      '/1/quantity',
      '/2/pointId',
    ]);
    const rec = await reconciliation(world.tokens.riskAnalyst);
    expect(rec.json<{ reports: number }>().reports).toBe(0);
    // An officer may not record figures.
    expect(
      (await send('POST', '/api/energy/reports', world.tokens.officer, [ownDay[0]])).statusCode,
    ).toBe(403);
  });

  it('records a day of both sides, counts a batch sent again, and reconciles it', async () => {
    const first = await send('POST', '/api/energy/reports', world.tokens.riskAnalyst, ownDay);
    expect(first.json()).toEqual({
      received: 24,
      recorded: 24,
      alreadyRecorded: 0,
      casesOpened: 0,
    });
    const again = await send('POST', '/api/energy/reports', world.tokens.riskAnalyst, ownDay);
    expect(again.json()).toEqual({
      received: 24,
      recorded: 0,
      alreadyRecorded: 24,
      casesOpened: 0,
    });
    // The partner's figures come as a CSV file.
    const csv = [
      'id,source,pointId,direction,start,end,quantity,unit',
      ...partnerDay.map((p) =>
        [p.id, p.source, p.pointId, p.direction, p.start, p.end, p.quantity, p.unit].join(','),
      ),
    ].join('\n');
    const fromFile = await send(
      'POST',
      '/api/energy/reports',
      world.tokens.riskAnalyst,
      csv,
      'text/csv',
    );
    expect(fromFile.statusCode, fromFile.body).toBe(200);
    // The hour our meter read short opens one case for June's imports.
    expect(fromFile.json()).toMatchObject({ recorded: 24, casesOpened: 1 });

    const rec = await reconciliation(world.tokens.riskAnalyst);
    expect(rec.statusCode, rec.body).toBe(200);
    const body = rec.json<{
      reports: number;
      summary: Record<string, number>;
      pairs: Array<{ outcome: string; periodStart: string; own: number; partner: number }>;
    }>();
    expect(body.reports).toBe(48);
    // 200 MWh sent, 1% lost on the line: 198 arrive. The hour our meter read 3% short stands out.
    expect(body.summary).toEqual({ match: 23, discrepancy: 1 });
    expect(body.pairs.filter((p) => p.outcome === 'discrepancy').map((p) => p.periodStart)).toEqual(
      [iso(DAY_START + 13 * HOUR)],
    );
    expect(body.pairs[0]).toMatchObject({ own: 198, partner: 200 });
    // Managers follow it; officers do not.
    expect((await reconciliation(world.tokens.officer)).statusCode).toBe(403);
    expect((await reconciliation(world.tokens.foreignOfficer)).statusCode).toBe(404);
  });

  it('names the row and column of a bad CSV line and records none of the file', async () => {
    const csv = [
      'id,source,pointId,direction,start,end,quantity,unit',
      `D1,declaration,${LINE.id},import,${iso(DAY_START)},${iso(DAY_START + 24 * HOUR)},4752,MWh`,
      `D2,declaration,${LINE.id},import,${iso(DAY_START)},${iso(DAY_START + 24 * HOUR)},lots,MWh`,
    ].join('\n');
    const r = await send('POST', '/api/energy/reports', world.tokens.riskAnalyst, csv, 'text/csv');
    expect(r.statusCode).toBe(400);
    expect(r.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toEqual([
      'row 3, column quantity',
    ]);
    const header = await send(
      'POST',
      '/api/energy/reports',
      world.tokens.riskAnalyst,
      'id,what\n1,2',
      'text/csv',
    );
    expect(header.statusCode).toBe(400);
    expect(header.body).toMatch(/unknown column what/);
    expect(
      (await reconciliation(world.tokens.riskAnalyst)).json<{ reports: number }>().reports,
    ).toBe(48);
  });

  it('checks a declaration against the agreed metered figure', async () => {
    // 23 hours of 198 and one of 192.06: 4,746.06 MWh arrived; the declarant says 4,300.
    const r = await send('POST', '/api/energy/reports', world.tokens.riskAnalyst, [
      {
        id: 'DECL-0601',
        source: 'declaration',
        pointId: LINE.id,
        direction: 'import',
        start: iso(DAY_START),
        end: iso(DAY_START + 24 * HOUR),
        quantity: 4300,
        unit: 'MWh',
      },
    ]);
    expect(r.statusCode, r.body).toBe(200);
    const rec = (await reconciliation(world.tokens.riskAnalyst)).json<{
      declarations: Array<{ reportId: string; outcome: string; meteredBy: string }>;
    }>();
    expect(rec.declarations).toEqual([
      expect.objectContaining({
        reportId: 'DECL-0601',
        outcome: 'under-declared',
        meteredBy: 'both',
      }),
    ]);
    expect(r.json()).toMatchObject({ casesOpened: 1 });
  });

  it('raises one case per finding, never twice, and analysts work them at the version read', async () => {
    type Case = {
      id: string;
      kind: string;
      month: string;
      status: string;
      version: number;
      periodCount: number;
      periods: Array<{ start: string; own: number; partner: number }>;
      declaration?: { reportId: string };
      history: Array<{ action: string; note?: string }>;
      resolution?: string;
    };
    const list = async (query = '', token = world.tokens.riskAnalyst) => {
      const r = await send('GET', `/api/energy/cases${query}`, token);
      expect(r.statusCode, r.body).toBe(200);
      return r.json<Case[]>();
    };
    const cases = await list('?status=open');
    expect(cases.map((c) => [c.kind, c.month]).sort()).toEqual([
      ['discrepancy', '2026-06'],
      ['under-declared', '2026-06'],
    ]);
    const discrepancy = cases.find((c) => c.kind === 'discrepancy')!;
    expect(discrepancy).toMatchObject({ periodCount: 1, status: 'open', version: 1 });
    expect(discrepancy.periods[0]).toMatchObject({
      start: iso(DAY_START + 13 * HOUR),
      partner: 198,
    });
    expect(cases.find((c) => c.kind === 'under-declared')!.declaration).toMatchObject({
      reportId: 'DECL-0601',
    });
    // The same figures again, and a late partner figure of another day: nothing raised twice.
    const late = await send('POST', '/api/energy/reports', world.tokens.riskAnalyst, [
      {
        ...partnerDay[0]!,
        id: 'LT-LATE',
        start: iso(DAY_START + 48 * HOUR),
        end: iso(DAY_START + 49 * HOUR),
      },
    ]);
    expect(late.json()).toMatchObject({ recorded: 1, casesOpened: 0 });
    expect(await list()).toHaveLength(2);
    // The open case follows the month's figures: the late hour counts in its month total.
    const refreshed = (await list()).find((c) => c.id === discrepancy.id)!;
    expect(refreshed.version).toBe(2);
    const v = refreshed.version;

    const decide = (body: unknown, token = world.tokens.riskAnalyst) =>
      send('POST', `/api/energy/cases/${discrepancy.id}/decision`, token, body);
    // A close needs a resolution and a note; a stale version is refused; administrators only read.
    const noResolution = await decide({ action: 'close', note: 'x', expectedVersion: v });
    expect(noResolution.statusCode).toBe(400);
    expect(noResolution.body).toMatch(/resolution/);
    expect(
      (await decide({ action: 'close', resolution: 'meter-fault', note: 'x', expectedVersion: 7 }))
        .statusCode,
    ).toBe(409);
    expect(
      (
        await decide(
          { action: 'close', resolution: 'meter-fault', note: 'x', expectedVersion: v },
          world.tokens.admin,
        )
      ).statusCode,
    ).toBe(403);
    const closed = await decide({
      action: 'close',
      resolution: 'meter-fault',
      note: 'Smorgon meter recalibrated on 2 June',
      expectedVersion: v,
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({
      status: 'closed',
      resolution: 'meter-fault',
      version: v + 1,
    });
    expect((await list('?status=open')).map((c) => c.kind)).toEqual(['under-declared']);
    const again = await decide({
      action: 'close',
      resolution: 'no-action',
      note: 'y',
      expectedVersion: v + 1,
    });
    expect(again.statusCode).toBe(409);
    const one = await send('GET', `/api/energy/cases/${discrepancy.id}`, world.tokens.admin);
    expect(one.json<Case>().history.map((h) => h.action)).toEqual(['opened', 'closed']);
    // Figures arriving for a closed case's month do not raise it again.
    const corrected = await send('POST', '/api/energy/reports', world.tokens.riskAnalyst, [
      { ...ownDay[13]!, id: 'SMORGON-13-BIS' },
    ]);
    expect(corrected.json()).toMatchObject({ casesOpened: 0 });
    // Officers, traders and other administrations do not read cases.
    expect((await send('GET', '/api/energy/cases', world.tokens.officer)).statusCode).toBe(403);
    expect((await send('GET', '/api/energy/cases', world.tokens.trader)).statusCode).toBe(403);
    expect(
      (await send('GET', `/api/energy/cases/${discrepancy.id}`, world.tokens.foreignOfficer))
        .statusCode,
    ).toBe(404);
    expect(
      (await send('GET', '/api/energy/cases?status=maybe', world.tokens.riskAnalyst)).statusCode,
    ).toBe(400);
  });
});
