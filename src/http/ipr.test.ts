import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLibrary, readLibrary } from '../app/library.js';
import { createAgency, createUser, issueApiToken } from '../app/manage-identity.js';
import type { Clock } from '../core/ports.js';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

const DAY = 86_400_000;

/** A clock the test moves forward, so that deadlines can pass. */
function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** An application for action of the right holder, authorising one importer (BY200). */
const application = {
  applicant: {
    kind: 'right-holder',
    name: 'Swoosh Brands B.V.',
    address: 'Colosseum 1, 1213 NL Hilversum',
    id: 'NL800000001',
    country: 'NL',
  },
  representatives: [],
  rights: [
    {
      type: 'trademark',
      mark: 'Swooshex',
      registrationNumber: 'EUTM 000123456',
      registeredIn: 'EUIPO',
      goods: ['6403', '6404', '4202'],
    },
  ],
  goods: [
    { hs: '6403', description: 'Footwear with leather uppers' },
    { hs: '6404', description: 'Footwear with textile uppers' },
    { hs: '4202', description: 'Bags' },
  ],
  authenticFeatures: [
    {
      description: 'Hologram label inside the tongue with a 12-digit serial number',
      images: [],
    },
  ],
  placesOfProduction: ['Ho Chi Minh City, VN'],
  authorisedTraders: [{ name: 'Trader two', id: 'BY200', country: 'BY' }],
  knownInfringers: [],
  knownRoutes: [{ origin: 'CN', via: ['KZ'] }],
  smallConsignmentsProcedure: true,
  undertakings: { liability: true, costs: true },
};

describe.each(BACKENDS)('intellectual property at the border (%s)', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let holder: string;
  let otherHolder: string;
  let iprOfficer: string;
  const clock = movableClock();

  const send = (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    token: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const ok = <T = Record<string, unknown>>(r: LightMyRequestResponse): T => {
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json<T>();
  };
  const footwear = (reference: string, declarant: string, brand: string): DeclarationInput =>
    sampleDeclaration({
      reference,
      submittedAt: new Date(clock.now().getTime() - 3_600_000).toISOString(),
      declarant: { id: declarant, name: declarant, country: 'BY' },
      consignor: { name: 'Putian Footwear Trading', country: 'CN' },
      consignee: { id: declarant, name: declarant, country: 'BY' },
      route: {
        dispatchCountry: 'CN',
        destinationCountry: 'BY',
        transitCountries: ['KZ'],
        transportMode: 'road',
      },
      goodsItems: [
        {
          sequence: 1,
          hsCode: '6403990000',
          description: 'Sports shoes, leather uppers',
          brand,
          quantity: 600,
          unit: 'PR',
          netMass: 480,
          grossMass: 520,
          value: 30_000,
          currency: 'USD',
          originCountry: 'CN',
        },
      ],
      documents: [{ type: 'N935', reference: `INV-${reference}` }],
    });
  /** Lodges as the trader, and reads the screening as the officer sees it (traders do not). */
  const lodge = async (token: string, d: DeclarationInput) => {
    const { id } = ok<{ id: string }>(await send('POST', '/api/declarations', token, d));
    return ok<{ id: string; channel: string; assessment: { hits: Array<{ title: string }> } }>(
      await send('GET', `/api/declarations/${id}`, world.tokens.officer),
    );
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    world.ctx.clock = clock;
    const library = await readLibrary();
    await loadLibrary(world.ctx, library, {
      author: world.principals.riskAnalyst,
      coAuthorAgencyIds: [world.principals.ecologist.agencyId],
      approvers: [world.principals.secondAnalyst, world.principals.ecologist],
    });
    const tokens = await t.db.write(async (tx) => {
      const home = world.principals.officer;
      const mk = async (
        agencyId: string,
        username: string,
        role: 'right_holder' | 'ipr_officer',
      ) => {
        const id = await createUser(world.ctx, tx, {
          agencyId,
          username,
          displayName: username,
          roles: [role],
          password: null,
        });
        return (await issueApiToken(world.ctx, tx, { userId: id, name: 'test' })).token;
      };
      const brand = await createAgency(world.ctx, tx, {
        administrationId: home.administrationId,
        kind: 'right-holder',
        code: 'RH-SWOOSH',
        name: 'Swoosh Brands B.V.',
        traderId: 'NL800000001',
      });
      const other = await createAgency(world.ctx, tx, {
        administrationId: home.administrationId,
        kind: 'right-holder',
        code: 'RH-OTHER',
        name: 'Other Brands',
        traderId: 'NL800000002',
      });
      return {
        holder: await mk(brand, 'swoosh-legal', 'right_holder'),
        otherHolder: await mk(other, 'other-legal', 'right_holder'),
        iprOfficer: await mk(home.agencyId, 'ipr-unit', 'ipr_officer'),
      };
    });
    ({ holder, otherHolder, iprOfficer } = tokens);
    app = await testHttpApp(world.ctx);
    // Minsk keeps Saturday and Sunday; no holiday falls in the periods below unless set.
    ok(
      await send('PUT', '/api/ipr/calendar', world.tokens.admin, {
        timeZone: 'Europe/Minsk',
        weekend: [0, 6],
        holidays: [],
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  let applicationId: string;

  it('a right holder applies, the application is its own, and the IPR unit accepts it', async () => {
    const bad = await send('POST', '/api/ipr/applications', holder, {
      ...application,
      rights: [{ ...application.rights[0], goods: ['9503'] }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toEqual([
      '/rights/0/goods/0',
    ]);
    // Traders and officers do not apply for right holders.
    expect(
      (await send('POST', '/api/ipr/applications', world.tokens.trader, application)).statusCode,
    ).toBe(403);

    const submitted = ok<{ id: string; status: string; applicantAgencyId: string }>(
      await send('POST', '/api/ipr/applications', holder, application),
    );
    expect(submitted.status).toBe('submitted');
    applicationId = submitted.id;
    expect(
      (await send('GET', `/api/ipr/applications/${applicationId}`, otherHolder)).statusCode,
    ).toBe(404);
    expect(ok<unknown[]>(await send('GET', '/api/ipr/applications', otherHolder))).toEqual([]);
    // Only the IPR unit decides.
    expect(
      (
        await send(
          'POST',
          `/api/ipr/applications/${applicationId}/decision`,
          world.tokens.officer,
          { decision: 'accept' },
        )
      ).statusCode,
    ).toBe(403);
    const refusedWithoutNote = await send(
      'POST',
      `/api/ipr/applications/${applicationId}/decision`,
      iprOfficer,
      {
        decision: 'request-information',
      },
    );
    expect(refusedWithoutNote.statusCode).toBe(400);
    const accepted = ok<{ status: string; validFrom: string; validTo: string }>(
      await send('POST', `/api/ipr/applications/${applicationId}/decision`, iprOfficer, {
        decision: 'accept',
        expectedVersion: 1,
      }),
    );
    expect(accepted.status).toBe('accepted');
    expect(Date.parse(accepted.validTo) - Date.parse(accepted.validFrom)).toBe(365 * DAY);
    // In force from the day after the decision.
    clock.advance(DAY + 60_000);
  });

  let detainedId: string;
  let caseId: string;

  it('screening flags goods bearing the mark from an unauthorised importer, and release waits for a case', async () => {
    const d = await lodge(world.tokens.trader, footwear('IPR-1', 'BY100', 'SWOOSHEX Air'));
    detainedId = d.id;
    expect(d.channel).toBe('red');
    expect(d.assessment.hits.map((h) => h.title)).toContain(
      'Goods bearing a registered right, from a party the right holder has not authorised',
    );
    const control = ok<{ releaseBlocked: string | null }>(
      await send('GET', `/api/declarations/${d.id}/control`, world.tokens.officer),
    );
    expect(control.releaseBlocked).toMatch(/bears the trademark Swooshex \(Swoosh Brands B\.V\.\)/);
    const refused = await send('POST', `/api/declarations/${d.id}/release`, world.tokens.officer);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toMatch(/Swooshex/);
  });

  it("an authorised importer's goods are neither flagged nor held", async () => {
    const d = await lodge(world.tokens.otherTrader, footwear('IPR-AUTH', 'BY200', 'Swooshex'));
    expect(d.assessment.hits.map((h) => h.title)).not.toContain(
      'Goods bearing a registered right, from a party the right holder has not authorised',
    );
    const control = ok<{ releaseBlocked: string | null; nextActions: string[] }>(
      await send('GET', `/api/declarations/${d.id}/control`, world.tokens.officer),
    );
    expect(control.releaseBlocked ?? '').not.toMatch(/intellectual-property/);
    if (d.channel !== 'green') {
      ok(
        await send('POST', `/api/declarations/${d.id}/inspections`, world.tokens.officer, {
          controlForm: 'document-check',
          startedAt: clock.now().toISOString(),
          endedAt: clock.now().toISOString(),
          result: 'compliant',
          findings: [],
          findingsText: 'Goods as declared.',
          itemsAffected: [],
        }),
      );
    }
    ok(await send('POST', `/api/declarations/${d.id}/release`, world.tokens.officer));
    expect(
      (await send('GET', `/api/declarations/${d.id}/ipr-case`, world.tokens.officer)).statusCode,
    ).toBe(404);
  });

  it('the officer detains the goods; both parties are notified and see the deadline', async () => {
    const noGrounds = await send(
      'POST',
      `/api/declarations/${detainedId}/ipr-case`,
      world.tokens.officer,
      {
        grounds: ' ',
      },
    );
    expect(noGrounds.statusCode).toBe(400);
    const view = ok<{
      case: {
        id: string;
        procedure: string;
        rights: Array<{ mark: string; match: string }>;
        events: Array<{ event: { type: string } }>;
      };
      state: {
        outcome: string;
        releaseBlocked: boolean;
        deadlines: Array<{ party: string; dueAt: string }>;
      };
    }>(
      await send('POST', `/api/declarations/${detainedId}/ipr-case`, world.tokens.officer, {
        grounds: 'Swooshex mark on 600 pairs declared at 50 USD a pair; no hologram labels.',
      }),
    );
    caseId = view.case.id;
    expect(view.case.procedure).toBe('standard');
    expect(view.case.rights).toMatchObject([{ mark: 'Swooshex', match: 'normalised' }]);
    expect(view.case.events.map((e) => e.event.type)).toEqual([
      'declarant-notified',
      'holder-notified',
    ]);
    expect(view.state).toMatchObject({ outcome: 'pending', releaseBlocked: true });
    const holderDeadline = view.state.deadlines.find((x) => x.party === 'right-holder');
    expect(holderDeadline).toBeDefined();
    // Ten working days: at least 12 and at most 16 calendar days away.
    const days = (Date.parse(holderDeadline!.dueAt) - clock.now().getTime()) / DAY;
    expect(days).toBeGreaterThan(11);
    expect(days).toBeLessThan(17);
    // A second detention of the same goods is refused.
    expect(
      (
        await send('POST', `/api/declarations/${detainedId}/ipr-case`, world.tokens.officer, {
          grounds: 'again',
        })
      ).statusCode,
    ).toBe(409);

    const declaration = ok<{ status: string }>(
      await send('GET', `/api/declarations/${detainedId}`, world.tokens.trader),
    );
    expect(declaration.status).toBe('held');
    // The right holder, the declarant and customs see it; another right holder and another trader do not.
    for (const token of [holder, world.tokens.trader, world.tokens.officer, iprOfficer]) {
      const list = ok<Array<{ case: { id: string } }>>(await send('GET', '/api/ipr/cases', token));
      expect(list.map((v) => v.case.id)).toContain(caseId);
    }
    for (const token of [otherHolder, world.tokens.otherTrader, world.tokens.foreignOfficer]) {
      const r = await send('GET', '/api/ipr/cases', token);
      if (r.statusCode === 200)
        expect(r.json<Array<{ case: { id: string } }>>().map((v) => v.case.id)).not.toContain(
          caseId,
        );
      else expect(r.statusCode).toBe(403);
      expect((await send('GET', `/api/ipr/cases/${caseId}`, token)).statusCode).toBe(404);
    }
    // Each party records only its own steps.
    expect(
      (
        await send('POST', `/api/ipr/cases/${caseId}/events`, world.tokens.trader, {
          type: 'holder-confirmed',
          agreesToDestruction: true,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await send('POST', `/api/ipr/cases/${caseId}/events`, holder, { type: 'destroyed' }))
        .statusCode,
    ).toBe(403);
  });

  it('the right holder confirms, the declarant agrees, and the goods are destroyed', async () => {
    clock.advance(2 * DAY);
    ok(
      await send('POST', `/api/ipr/cases/${caseId}/events`, holder, {
        type: 'holder-confirmed',
        agreesToDestruction: true,
      }),
    );
    const agreed = ok<{ state: { outcome: string } }>(
      await send('POST', `/api/ipr/cases/${caseId}/events`, world.tokens.trader, {
        type: 'declarant-agreed',
      }),
    );
    expect(agreed.state.outcome).toBe('destroy');
    expect(
      (await send('POST', `/api/declarations/${detainedId}/release`, world.tokens.officer))
        .statusCode,
    ).toBe(409);
    const destroyed = ok<{ case: { closed: boolean } }>(
      await send('POST', `/api/ipr/cases/${caseId}/events`, world.tokens.officer, {
        type: 'destroyed',
      }),
    );
    expect(destroyed.case.closed).toBe(true);
    const declaration = ok<{ status: string }>(
      await send('GET', `/api/declarations/${detainedId}`, world.tokens.trader),
    );
    expect(declaration.status).toBe('seized');
    // Nothing more is recorded in a closed case.
    expect(
      (
        await send('POST', `/api/ipr/cases/${caseId}/events`, world.tokens.trader, {
          type: 'declarant-objected',
        })
      ).statusCode,
    ).toBe(409);
  });

  it('a second case is released when the deadline passes without an answer', async () => {
    const d = await lodge(world.tokens.trader, footwear('IPR-2', 'BY100', 'Sw00shex'));
    expect(d.channel).toBe('red');
    const opened = ok<{ case: { id: string; rights: Array<{ match: string }> } }>(
      await send('POST', `/api/declarations/${d.id}/ipr-case`, world.tokens.officer, {
        grounds: 'Look-alike spelling of the Swooshex mark.',
      }),
    );
    expect(opened.case.rights[0]!.match).toBe('confusable');
    const id = opened.case.id;
    // Releasing early is refused by the procedure.
    expect(
      (
        await send('POST', `/api/ipr/cases/${id}/events`, world.tokens.officer, {
          type: 'released',
        })
      ).statusCode,
    ).toBe(409);
    clock.advance(20 * DAY);
    const after = ok<{
      state: { outcome: string; releaseBlocked: boolean; outcomeReason: string };
    }>(await send('GET', `/api/ipr/cases/${id}`, iprOfficer));
    expect(after.state).toMatchObject({ outcome: 'release', releaseBlocked: false });
    // The IPR unit sees it among the cases needing action.
    const overdue = ok<Array<{ case: { id: string } }>>(
      await send('GET', '/api/ipr/cases?overdue=true', iprOfficer),
    );
    expect(overdue.map((v) => v.case.id)).toContain(id);
    // The right holder can no longer confirm.
    expect(
      (
        await send('POST', `/api/ipr/cases/${id}/events`, holder, {
          type: 'holder-confirmed',
          agreesToDestruction: true,
        })
      ).statusCode,
    ).toBe(409);
    ok(
      await send('POST', `/api/ipr/cases/${id}/events`, world.tokens.officer, { type: 'released' }),
    );
    ok(
      await send('POST', `/api/declarations/${d.id}/inspections`, world.tokens.officer, {
        controlForm: 'physical-inspection',
        startedAt: clock.now().toISOString(),
        endedAt: clock.now().toISOString(),
        result: 'compliant',
        findings: [],
        findingsText: 'Right holder did not confirm an infringement in time; released.',
        itemsAffected: [],
      }),
    );
    ok(await send('POST', `/api/declarations/${d.id}/release`, world.tokens.officer));
  });

  it('counts detentions, destructions and releases by right holder, chapter and route', async () => {
    const m = ok<{
      totals: {
        detentions: number;
        destroyed: number;
        released: number;
        confirmedInfringements: number;
      };
      byRightHolder: Array<{ rightHolder: string; detentions: number }>;
      byHsChapter: Array<{ hsChapter: string; detentions: number }>;
      byRoute: Array<{ route: string }>;
      hoursToDecision: { cases: number };
    }>(await send('GET', '/api/ipr/metrics', world.tokens.admin));
    expect(m.totals).toMatchObject({
      detentions: 2,
      destroyed: 1,
      released: 1,
      confirmedInfringements: 1,
    });
    expect(m.byRightHolder).toEqual([
      expect.objectContaining({ rightHolder: 'Swoosh Brands B.V.', detentions: 2 }),
    ]);
    expect(m.byHsChapter).toEqual([expect.objectContaining({ hsChapter: '64', detentions: 2 })]);
    expect(m.byRoute.map((r) => r.route)).toEqual(['CN → CN (road)']);
    expect(m.hoursToDecision.cases).toBe(2);
    expect((await send('GET', '/api/ipr/metrics', world.tokens.trader)).statusCode).toBe(403);
  });
});
