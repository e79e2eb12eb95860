import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

interface Assessment {
  channel: string;
  score: number;
  hitScore: number;
  effects: Array<{
    kind: string;
    subject: string;
    reference: string | null;
    points: number;
    reason: string;
  }>;
}

describe.each(BACKENDS)(
  'certificates, trader records and their effect on screening on %s',
  (backend) => {
    let t: TestDatabase;
    let world: TestWorld;
    let app: FastifyInstance;
    let customs: string;
    let env: string;

    beforeAll(async () => {
      t = await freshDatabase(backend);
      world = await seedWorld(t.db);
      app = await testHttpApp(world.ctx);
      customs = world.tokens.riskAnalyst;
      env = world.tokens.ecologist;
      // One active indicator: e-waste (item 1 of the sample declaration) scores 55, yellow. Its list
      // has its own name so that no permit requirement (they read 'e-waste') applies here.
      ok(
        await send('PUT', '/api/reference-lists/ewaste-watch', customs, {
          kind: 'hs-prefixes',
          title: 'E-waste',
          entries: ['8549'],
        }),
      );
      ok(await send('POST', '/api/reference-lists/ewaste-watch/submit', customs, { version: 1 }));
      ok(
        await send(
          'POST',
          '/api/reference-lists/ewaste-watch/approve',
          world.tokens.secondAnalyst,
          { version: 1 },
        ),
      );
      const id = ok(
        await send('POST', '/api/indicators', customs, {
          title: 'E-waste',
          priorityArea: 'e-waste',
          condition: 'hsIn(item.hs, "ewaste-watch")',
          weight: 55,
          controlForm: 'physical-inspection',
          rationale: 'E-waste needs prior informed consent.',
        }),
      ).id as string;
      ok(await send('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
      ok(
        await send('POST', `/api/indicators/${id}/approve`, world.tokens.secondAnalyst, {
          version: 1,
        }),
      );
    });
    afterAll(async () => {
      await app.close();
      await t.drop();
    });

    function send(
      method: 'POST' | 'PUT',
      url: string,
      token: string,
      payload: unknown,
    ): Promise<LightMyRequestResponse> {
      return app.inject({ method, url, payload: payload as object, headers: bearer(token) });
    }
    function ok(r: LightMyRequestResponse): Record<string, unknown> {
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    }
    const screen = async (): Promise<Assessment> =>
      (
        ok(await send('POST', '/api/screen?seed=3', customs, sampleDeclaration())) as {
          assessment: Assessment;
        }
      ).assessment;
    const certificate = (over: Record<string, unknown> = {}) => ({
      type: 'environmental-compliance',
      reference: 'EC-1',
      holderId: 'BY100',
      holderName: 'Trader one',
      hsScope: ['8549'],
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2027-01-01T00:00:00Z',
      ...over,
    });

    it('issues only for the issuing agency kind and role, with valid HS scope', async () => {
      const cases: Array<[string, string, Record<string, unknown>, number]> = [
        ['border officer', world.tokens.officer, certificate(), 403],
        ['customs issuing an environmental certificate', customs, certificate(), 403],
        [
          'environment granting trusted-trader status',
          env,
          certificate({ type: 'trusted-trader' }),
          403,
        ],
        ['a trader', world.tokens.trader, certificate(), 403],
        ['an HS code that is not in HS 2022', env, certificate({ hsScope: ['8549', '9999'] }), 400],
        ['validTo before validFrom', env, certificate({ validTo: '2025-01-01T00:00:00Z' }), 400],
      ];
      for (const [what, token, body, status] of cases) {
        const r = await send('POST', '/api/certificates', token, body);
        expect(r.statusCode, what).toBe(status);
        expect(r.headers['content-type'], what).toMatch(/problem\+json/);
      }
      const bad = await send('POST', '/api/certificates', env, certificate({ hsScope: ['9999'] }));
      expect(bad.json()).toMatchObject({ errors: [{ field: '/hsScope/0' }] });
      expect(await t.db.read.certificates.list({})).toEqual([]);
    });

    it('lowers the channel only for a valid certificate covering the goods under suspicion', async () => {
      const base = await screen();
      expect(base).toMatchObject({ channel: 'yellow', score: 55, effects: [] });

      // Out of scope (plastics only): recorded, no reduction.
      ok(
        await send(
          'POST',
          '/api/certificates',
          env,
          certificate({ reference: 'EC-P', hsScope: ['3915'] }),
        ),
      );
      let a = await screen();
      expect(a.channel).toBe('yellow');
      expect(a.score).toBe(55);
      expect(a.effects).toEqual([
        expect.objectContaining({
          subject: 'environmental-compliance',
          reference: 'EC-P',
          points: 0,
          reason: expect.stringMatching(/does not cover item 1 \(HS 8549210000\)/) as unknown,
        }),
      ]);

      // Expired: nothing at all.
      ok(
        await send(
          'POST',
          '/api/certificates',
          env,
          certificate({
            reference: 'EC-OLD',
            validFrom: '2024-01-01T00:00:00Z',
            validTo: '2025-01-01T00:00:00Z',
          }),
        ),
      );
      a = await screen();
      expect(a.score).toBe(55);
      expect(a.effects.map((e) => e.reference)).toEqual(['EC-P']);

      // Valid and in scope: 55 - 20 = 35, green; the Assessment says which certificate did it.
      const ec = ok(
        await send('POST', '/api/certificates', env, certificate({ reference: 'EC-1' })),
      );
      a = await screen();
      expect(a).toMatchObject({ channel: 'green', score: 35 });
      expect(a.effects).toEqual([
        {
          kind: 'certificate',
          subject: 'environmental-compliance',
          reference: 'EC-1',
          points: -20,
          reason: 'valid environmental-compliance certificate EC-1 (scope: 8549)',
        },
      ]);

      // Suspended, then revoked: no effect; only the issuer may change it.
      expect(
        (
          await send('POST', `/api/certificates/${ec.id as string}/suspend`, customs, {
            reason: 'x',
          })
        ).statusCode,
      ).toBe(403);
      ok(
        await send('POST', `/api/certificates/${ec.id as string}/suspend`, env, {
          reason: 'audit pending',
        }),
      );
      expect((await screen()).channel).toBe('yellow');
      ok(
        await send('POST', `/api/certificates/${ec.id as string}/reinstate`, env, {
          reason: 'audit passed',
        }),
      );
      expect((await screen()).channel).toBe('green');
      ok(
        await send('POST', `/api/certificates/${ec.id as string}/revoke`, env, { reason: 'fraud' }),
      );
      expect((await screen()).channel).toBe('yellow');
      const again = await send('POST', `/api/certificates/${ec.id as string}/reinstate`, env, {
        reason: 'undo',
      });
      expect(again.statusCode).toBe(409);
      const events = (await t.db.read.audit.listFor('certificate', ec.id as string)).map(
        (e) => e.action,
      );
      expect(events).toEqual([
        'certificate.issued',
        'certificate.suspended',
        'certificate.reinstated',
        'certificate.revoked',
      ]);

      // Trusted-trader status granted by customs, no HS scope: 55 - 30 = 25, green.
      ok(
        await send('POST', '/api/certificates', customs, {
          ...certificate({ type: 'trusted-trader', reference: 'AEO-BY-7', hsScope: [] }),
        }),
      );
      a = await screen();
      expect(a).toMatchObject({ channel: 'green', score: 25 });
      expect(a.effects.find((e) => e.subject === 'trusted-trader')).toMatchObject({
        reference: 'AEO-BY-7',
        points: -30,
      });
    });

    it('raises scrutiny for a non-compliant trader and records why in a lodged declaration', async () => {
      // 2 findings in 5 controls: finding rate 0.4 ≥ 0.2 → +25.
      await t.db.write(async (tx) => {
        for (const finding of [true, false, true, false, false]) {
          await tx.traderRecords.adjust('BY100', 1, finding ? 1 : 0, '2026-10-01T00:00:00.000Z');
        }
      });
      const lodged = ok(
        await app.inject({
          method: 'POST',
          url: '/api/declarations',
          headers: bearer(world.tokens.officer),
          payload: sampleDeclaration({ reference: 'CERT-1' }),
        }),
      ) as { channel: string; assessment: Assessment };
      // 55 - 30 (trusted trader) + 25 (record) = 50.
      expect(lodged.assessment.score).toBe(50);
      expect(lodged.channel).toBe('yellow');
      expect(lodged.assessment.effects).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'compliance-record',
            points: 25,
            reason: '2 findings in 5 controls',
          }),
          expect.objectContaining({ kind: 'certificate', reference: 'AEO-BY-7', points: -30 }),
        ]),
      );
      const trader = ok(await app.inject({ url: '/api/traders/BY100', headers: bearer(customs) }));
      expect(trader).toMatchObject({
        traderId: 'BY100',
        record: { controls: 5, findings: 2, lastFindingAt: '2026-10-01T00:00:00.000Z' },
        findingRate: 0.4,
      });
    });

    it('shows a trader only its own certificates and record', async () => {
      const own = ok(
        await app.inject({ url: '/api/certificates', headers: bearer(world.tokens.trader) }),
      );
      expect(
        (own as unknown as Array<{ holderId: string }>).every((c) => c.holderId === 'BY100'),
      ).toBe(true);
      const other = await app.inject({
        url: '/api/certificates',
        headers: bearer(world.tokens.otherTrader),
      });
      expect(other.json()).toEqual([]);
      const someone = (own as unknown as Array<{ id: string }>)[0]!.id;
      expect(
        (
          await app.inject({
            url: `/api/certificates/${someone}`,
            headers: bearer(world.tokens.otherTrader),
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (await app.inject({ url: '/api/traders/BY100', headers: bearer(world.tokens.otherTrader) }))
          .statusCode,
      ).toBe(403);
      expect(
        (await app.inject({ url: '/api/traders/BY100', headers: bearer(world.tokens.trader) }))
          .statusCode,
      ).toBe(200);
    });
  },
);
