import { readFileSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMovementReference } from '../core/cargo/mrn.js';
import { DEFAULT_REFERRAL_SETTINGS } from '../core/cargo/referral.js';
import { seedWorld, type TestWorld } from '../test-support/app.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { airReport, ensTime } from '../test-support/ens-messages.js';
import { createUser, issueApiToken } from '../app/manage-identity.js';

const ENS = new URL('../../test/fixtures/ens/', import.meta.url);
const example = (name: string) => readFileSync(new URL(`examples/${name}`, ENS), 'utf8');
const golden = (name: string) => readFileSync(new URL(`rule-test-cases-315/${name}`, ENS), 'utf8');

interface Ack {
  action: string;
  mrn: string;
  declarationId: string;
  channel: string;
  outcome: string;
  reason: string;
  /** The trader's acknowledgement: the control to expect instead of the channel. */
  control?: string | null;
  report: {
    version: number;
    lodging: { status: string; minutesLate: number; rule: string | null };
    notes: string[];
  };
  referrals: Array<{
    id: string;
    kind: string;
    status: string;
    deadline: string | null;
    documents: Array<{ anyOf: Array<{ type: string }>; items: number[] }>;
    closedReason: string | null;
    overdue: boolean;
  }>;
}

describe.each(BACKENDS)('advance cargo information on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let trader: string;
  /** A risk analyst of the partner administration's customs. */
  let foreignAnalyst: string;
  const indicators: Record<string, string> = {};

  const send = (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...bearer(token),
        ...(typeof body === 'string' ? { 'content-type': 'application/xml' } : {}),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : typeof body === 'string'
          ? { payload: body }
          : { payload: body as object }),
    });
  const ok = (r: LightMyRequestResponse): unknown => {
    if (r.statusCode >= 300) throw new Error(`${r.statusCode}: ${r.body}`);
    return r.json();
  };
  const count = async () =>
    (await send('GET', '/api/cargo-reports?limit=500', world.tokens.officer)).json<unknown[]>()
      .length;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    trader = world.tokens.trader;
    app = await testHttpApp(world.ctx);
    const partner = await t.db.read.identity.findUserByUsername('kzofficer');
    foreignAnalyst = await t.db.write(async (tx) => {
      const id = await createUser(world.ctx, tx, {
        agencyId: partner!.agencyId,
        username: 'kz-analyst',
        displayName: 'Partner analyst',
        roles: ['risk_analyst'],
        password: null,
      });
      return (await issueApiToken(world.ctx, tx, { userId: id, name: 'test' })).token;
    });
    const analyst = world.tokens.riskAnalyst;
    for (const [name, entries] of [
      ['reptiles', ['0106']],
      ['e-waste-watch', ['8549']],
      ['scrap-watch', ['7204']],
    ] as const) {
      ok(
        await send('PUT', `/api/reference-lists/${name}`, analyst, {
          kind: 'hs-prefixes',
          title: name,
          entries,
        }),
      );
      ok(await send('POST', `/api/reference-lists/${name}/submit`, analyst, { version: 1 }));
      ok(
        await send('POST', `/api/reference-lists/${name}/approve`, world.tokens.secondAnalyst, {
          version: 1,
        }),
      );
    }
    const indicator = async (key: string, body: Record<string, unknown>) => {
      const id = (
        ok(
          await send('POST', '/api/indicators', analyst, {
            controlForm: 'physical-inspection',
            rationale: 'Pre-arrival scenario.',
            ...body,
          }),
        ) as { id: string }
      ).id;
      ok(await send('POST', `/api/indicators/${id}/submit`, analyst, { version: 1 }));
      ok(
        await send('POST', `/api/indicators/${id}/approve`, world.tokens.secondAnalyst, {
          version: 1,
        }),
      );
      indicators[key] = id;
    };
    await indicator('cites', {
      title: 'Reptiles without a CITES document',
      priorityArea: 'endangered-species',
      condition: 'hsIn(item.hs, "reptiles") && !hasDocument("C400")',
      weight: 40,
      expectedDocuments: [{ type: 'C400', title: 'CITES permit' }],
    });
    await indicator('ewaste', {
      title: 'E-waste leaving for a non-OECD country',
      priorityArea: 'e-waste',
      condition: 'hsIn(item.hs, "e-waste-watch")',
      weight: 0,
      directChannel: 'red',
    });
    await indicator('scrap', {
      title: 'Scrap by air',
      priorityArea: 'waste-and-scrap-metal',
      condition: 'hsIn(item.hs, "scrap-watch")',
      weight: 0,
      directChannel: 'red',
    });
    await indicator('late', {
      title: 'Advance cargo information filed late',
      priorityArea: 'endangered-species',
      condition: 'declaration.lateFiling && declaration.minutesLate > 30',
      weight: 45,
      controlForm: 'documentary-check',
    });
    world.ctx.settings.cargo = {
      ...DEFAULT_REFERRAL_SETTINGS,
      doNotLoad: [indicators.ewaste!],
    };
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('accepts the valid example IE315s, maps and screens them, and gives an MRN', async () => {
    // HMRC's valid submission; the reduced example differs in its sender only ('eori/branch'),
    // which rule 4065 refuses, so it is lodged here with a well-formed sender.
    const examples: Array<[string, string]> = [
      ['validSubmission.xml', trader],
      ['CC315A_reduced.xml', world.tokens.otherTrader],
    ];
    for (const [name, token] of examples) {
      const xml = example(name).replace(
        '<MesSenMES3>eori/branch</MesSenMES3>',
        '<MesSenMES3>GB1234231/1234567890</MesSenMES3>',
      );
      const r = await send('POST', '/api/cargo-reports', token, xml);
      expect(r.statusCode, r.body).toBe(201);
      const ack = r.json<Ack>();
      expect(isMovementReference(ack.mrn)).toBe(true);
      expect(ack.mrn.slice(2, 4)).toBe('BY'); // the administration's country
      expect(ack.action).toBe('lodged');
      expect(ack.outcome).toBe('assessment-complete');
      expect(ack.referrals).toEqual([]);
      // Commodity code 1234 is no HS heading: said in the notes, not silently dropped.
      expect(ack.report.notes).toContain(
        "item 1: commodity code '1234' is not an HS 2022 heading or subheading; screened on its description only",
      );
      const view = ok(await send('GET', `/api/cargo-reports/${ack.mrn}`, world.tokens.officer)) as {
        declaration: {
          kind: string;
          sourceFormat: string;
          reference: string;
          declarant: { id: string };
          route: { transportMode: string; officeOfEntry: string; arrivalAt: string };
          goodsItems: Array<{ documents: unknown[]; packages: unknown[] }>;
          assessment: { channel: string } | null;
        };
      };
      expect(view.declaration).toMatchObject({
        kind: 'cargo-report',
        sourceFormat: 'ens-xml',
        reference: 'ABCD1234',
        declarant: { id: 'GBCD12345EFG' },
        route: { officeOfEntry: 'ABCD1234', arrivalAt: '2009-12-31T23:59:00.000Z' },
      });
      expect(view.declaration.goodsItems[0]).toMatchObject({
        documents: [{ type: 'AB12', reference: 'ABCDEF123456' }],
        packages: [{ kind: 'VR' }],
      });
      // Expected in 2009: lodged years after the limit (air 4 h, rail 2 h before arrival), which
      // the late-filing indicator scores.
      expect(ack.report.lodging.status).toBe('late');
      expect(view.declaration.assessment?.channel).toBe('yellow');
      const messages = ok(
        await send('GET', `/api/cargo-reports/${ack.declarationId}/messages`, token),
      ) as Array<{ message: string; messageType: string }>;
      expect(messages).toHaveLength(1);
      expect(messages[0]!.message).toBe(xml);
    }
  });

  it("refuses the examples that break HMRC's own rules", async () => {
    const reduced = await send('POST', '/api/cargo-reports', trader, example('CC315A_reduced.xml'));
    expect(reduced.statusCode).toBe(400);
    expect(reduced.json<{ errors: Array<{ code: string; field: string }> }>().errors).toEqual([
      expect.objectContaining({ code: '4065', field: '/ie:CC315A[1]/MesSenMES3[1]' }),
    ]);
    // CC315A_full.xml fills every optional element, several of which the GB rules forbid
    // (a representative's name, a specific circumstance indicator 'A', goods-item places beside
    // the header's...). HMRC's service refuses it as well.
    const r = await send('POST', '/api/cargo-reports', trader, example('CC315A_full.xml'));
    expect(r.statusCode).toBe(400);
    const errors = r.json<{ errors: Array<{ code: string; field: string }> }>().errors;
    expect(errors).toHaveLength(28);
    expect(errors).toContainEqual(
      expect.objectContaining({ code: '8691', field: '/ie:CC315A[1]/HEAHEA[1]' }),
    );
    expect(errors).toContainEqual(
      expect.objectContaining({ code: '8656', field: '/ie:CC315A[1]/TRAREP[1]/NamTRE1[1]' }),
    );
  });

  it('amends a lodged report with an IE313 naming its MRN, and screens it again', async () => {
    const ack = ok(
      await send(
        'POST',
        '/api/cargo-reports',
        trader,
        airReport({
          lrn: 'AMEND-1',
          hs: '010690',
          arrivalHours: 30,
          documents: [['C400', 'KE-2026-1']],
        }),
      ),
    ) as Ack;
    expect(ack.outcome).toBe('assessment-complete');
    const amendment = example('validAmendment.xml').replace('12AB3C4D5E6F7G8H90', ack.mrn);
    const r = await send('POST', '/api/cargo-reports', trader, amendment);
    expect(r.statusCode, r.body).toBe(200);
    const amended = r.json<Ack>();
    expect(amended.action).toBe('amended');
    expect(amended.mrn).toBe(ack.mrn);
    expect(amended.declarationId).toBe(ack.declarationId);
    expect(amended.report.version).toBe(2);
    const view = ok(await send('GET', `/api/cargo-reports/${ack.declarationId}`, trader)) as {
      declaration: { reference: string; route: { transportMode: string }; goodsItems: unknown[] };
    };
    // The amendment's content replaces the report's (sea, two items), under the same LRN.
    expect(view.declaration.reference).toBe('AMEND-1');
    expect(view.declaration.route.transportMode).toBe('sea');
    expect(view.declaration.goodsItems).toHaveLength(2);
    const messages = ok(
      await send('GET', `/api/cargo-reports/${ack.declarationId}/messages`, trader),
    ) as Array<{ version: number; messageType: string }>;
    expect(messages.map((m) => [m.version, m.messageType])).toEqual([
      [1, 'CC315A'],
      [2, 'CC313A'],
    ]);
    // Another trader cannot amend it, nor can anyone amend an unknown MRN.
    const other = await send('POST', '/api/cargo-reports', world.tokens.otherTrader, amendment);
    expect(other.statusCode).toBe(404);
    const unknown = await send('POST', '/api/cargo-reports', trader, example('validAmendment.xml'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ errors: Array<{ field: string }> }>().errors[0]!.field).toBe(
      '/CC313A/HEAHEA/DocNumHEA5',
    );
  });

  it('refuses a message that breaks a business rule, listing every violation, storing nothing', async () => {
    const before = await count();
    const bad = golden('CITCE124.0.0.xml');
    const r = await send('POST', '/api/cargo-reports', trader, bad);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    const problem = r.json<{ errors: Array<{ field: string; code: string; detail: string }> }>();
    expect(problem.errors).toEqual([
      {
        field: '/ie:CC315A[1]/GOOITEGDS[1]',
        code: '8623',
        detail: expect.stringContaining('Trader consigneee is not used') as string,
      },
    ]);
    const xml = await send('POST', '/api/cargo-reports', trader, bad, {
      accept: 'application/xml',
    });
    expect(xml.statusCode).toBe(400);
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.body).toContain('<err:Number>8623</err:Number>');
    expect(xml.body).toContain('<err:Location>/ie:CC315A[1]/GOOITEGDS[1]</err:Location>');
    // Malformed XML and a non-ENS root are refused too.
    expect((await send('POST', '/api/cargo-reports', trader, '<ie:CC315A>')).statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('accepts the JSON form of the same elements, and refuses a repeated LRN', async () => {
    const json = {
      CC315A: {
        MesSenMES3: 'GB1234231/1234567890',
        MesTypMES20: 'CC315A',
        HEAHEA: {
          RefNumHEA4: 'JSON-1',
          TraModAtBorHEA76: '4',
          TotNumOfIteHEA305: '2',
          ComRefNumHEA: 'AWB1',
          ConRefNumHEA: 'BA0123',
          PlaLoaGOOITE334: 'NAIROBI',
          PlaUnlGOOITE334: 'HEATHROW',
          TotGroMasHEA307: '10',
        },
        TRACONCE1: { TINCE159: 'GB123456789000' },
        GOOITEGDS: [
          {
            IteNumGDS7: 1,
            GooDesGDS23: 'Laptops',
            COMCODGODITM: { ComNomCMD1: '847130' },
            PACGS2: { KinOfPacGS23: 'VR' },
          },
          { IteNumGDS7: 2, GooDesGDS23: 'Phones', PACGS2: { KinOfPacGS23: 'VR' } },
        ],
        ITI: [{ CouOfRouCodITI1: 'CN' }, { CouOfRouCodITI1: 'GB' }],
        PERLODSUMDEC: { TINPLD1: 'GB987654321000' },
        CUSOFFFENT730: { RefNumCUSOFFFENT731: 'GB000060', ExpDatOfArrFIRENT733: ensTime(48) },
      },
    };
    const r = await send('POST', '/api/cargo-reports', trader, json);
    expect(r.statusCode, r.body).toBe(201);
    const view = ok(await send('GET', `/api/cargo-reports/${r.json<Ack>().mrn}`, trader)) as {
      declaration: { sourceFormat: string; goodsItems: Array<{ hsCode?: string }> };
    };
    expect(view.declaration.sourceFormat).toBe('ens-json');
    expect(view.declaration.goodsItems.map((g) => g.hsCode)).toEqual(['847130', undefined]);
    const again = await send('POST', '/api/cargo-reports', trader, json);
    expect(again.statusCode).toBe(409);
    // A rule broken in JSON is reported at the same element path as in XML.
    const wrong = structuredClone(json);
    wrong.CC315A.HEAHEA.RefNumHEA4 = 'JSON-2';
    wrong.CC315A.HEAHEA.TotNumOfIteHEA305 = '3';
    const refused = await send('POST', '/api/cargo-reports', trader, wrong);
    expect(refused.statusCode).toBe(400);
    expect(
      refused.json<{ errors: Array<{ code: string; field: string }> }>().errors,
    ).toContainEqual(expect.objectContaining({ code: '8206', field: '/ie:CC315A[1]/HEAHEA[1]' }));
  });

  it('asks for a missing CITES document, and the reply screens the report again', async () => {
    const ack = ok(
      await send(
        'POST',
        '/api/cargo-reports',
        trader,
        airReport({ lrn: 'RFI-1', hs: '010690', arrivalHours: 30 }),
      ),
    ) as Ack;
    expect(ack.outcome).toBe('information-request');
    expect(ack.reason).toBe('documents needed before arrival: C400 for item 1');
    const [request] = ack.referrals;
    expect(request).toMatchObject({ kind: 'information-request', status: 'open', overdue: false });
    expect(request!.documents).toEqual([
      {
        anyOf: [{ type: 'C400', title: 'CITES permit' }],
        items: [1],
        problem: 'required before the goods arrive',
      },
    ]);
    // The trader is not told which indicator asked for it; the officer is.
    expect(JSON.stringify(ack)).not.toContain('Reptiles');
    const officerView = ok(
      await send('GET', `/api/cargo-reports/${ack.mrn}`, world.tokens.officer),
    ) as { referrals: Array<{ documents: Array<{ why: string }>; indicators: string[] }> };
    expect(officerView.referrals[0]!.documents[0]!.why).toBe('Reptiles without a CITES document');
    expect(officerView.referrals[0]!.indicators).toEqual([`${indicators.cites}@1`]);
    // Due within 24 hours (the arrival is later).
    const due = Date.parse(request!.deadline!) - Date.now();
    expect(due).toBeGreaterThan(23 * 3_600_000);
    expect(due).toBeLessThanOrEqual(24 * 3_600_000);

    // Only the organisation that lodged it replies, and only with documents.
    const stranger = await send(
      'POST',
      `/api/cargo-referrals/${request!.id}/reply`,
      world.tokens.otherTrader,
      {
        documents: [{ type: 'C400', reference: 'X' }],
      },
    );
    expect(stranger.statusCode).toBe(404);
    const noItem = await send('POST', `/api/cargo-referrals/${request!.id}/reply`, trader, {
      documents: [{ type: 'C400', reference: 'KE-2026-77', items: [9] }],
    });
    expect(noItem.statusCode).toBe(400);

    const replied = ok(
      await send('POST', `/api/cargo-referrals/${request!.id}/reply`, trader, {
        documents: [{ type: 'C400', reference: 'KE-2026-77', items: [1] }],
        note: 'Export permit of the Kenya Wildlife Service',
      }),
    ) as Ack;
    expect(replied.outcome).toBe('assessment-complete');
    expect(replied.referrals).toHaveLength(1);
    expect(replied.referrals[0]).toMatchObject({
      status: 'closed',
      closedReason: 'settled by a later screening',
    });
    const view = ok(await send('GET', `/api/cargo-reports/${ack.mrn}`, world.tokens.officer)) as {
      report: { outcome: string };
      declaration: {
        goodsItems: Array<{ documents: Array<{ type: string }> }>;
        assessment: { hits: unknown[] };
      };
    };
    expect(view.report.outcome).toBe('assessment-complete');
    expect(view.declaration.goodsItems[0]!.documents.map((d) => d.type)).toContain('C400');
    expect(view.declaration.assessment.hits).toEqual([]);
    const twice = await send('POST', `/api/cargo-referrals/${request!.id}/reply`, trader, {
      documents: [{ type: 'C400', reference: 'KE-2026-77' }],
    });
    expect(twice.statusCode).toBe(409);
  });

  it('refers high-risk cargo for control at the office of first entry; an officer closes it', async () => {
    const ack = ok(
      await send(
        'POST',
        '/api/cargo-reports',
        trader,
        airReport({ lrn: 'RED-1', hs: '720449', arrivalHours: 30 }),
      ),
    ) as Ack;
    expect(ack.channel).toBeUndefined();
    expect(ack.control).toBe('physical-inspection');
    expect(ack.outcome).toBe('high-risk-control');
    const [control] = ack.referrals;
    expect(control).toMatchObject({ kind: 'high-risk-control', status: 'open' });
    expect(ack.reason).toBe('the goods will be controlled at the office of first entry');
    expect(JSON.stringify(ack)).not.toContain('Scrap by air');
    const view = ok(await send('GET', `/api/cargo-reports/${ack.mrn}`, world.tokens.officer)) as {
      referrals: Array<{ office: string; deadline: string; reason: string }>;
    };
    expect(view.referrals[0]!.office).toBe('GB000060');
    expect(view.referrals[0]!.reason).toContain('Scrap by air');
    // The trader cannot close it; an officer can, saying why.
    expect(
      (await send('POST', `/api/cargo-referrals/${control!.id}/close`, trader, { reason: 'x' }))
        .statusCode,
    ).toBe(403);
    const closed = ok(
      await send('POST', `/api/cargo-referrals/${control!.id}/close`, world.tokens.officer, {
        reason: 'Scanned at Heathrow: consistent with the manifest',
      }),
    ) as { status: string; closedReason: string };
    expect(closed).toMatchObject({
      status: 'closed',
      closedReason: 'Scanned at Heathrow: consistent with the manifest',
    });
  });

  it('stops the loading of goods a do-not-load indicator hits', async () => {
    const ack = ok(
      await send(
        'POST',
        '/api/cargo-reports',
        trader,
        airReport({ lrn: 'DNL-1', hs: '854911', arrivalHours: 30 }),
      ),
    ) as Ack;
    expect(ack.outcome).toBe('do-not-load');
    expect(ack.referrals).toMatchObject([{ kind: 'do-not-load', status: 'open' }]);
    expect(ack.reason).toBe('do not load the goods; contact customs');
    const view = ok(await send('GET', `/api/cargo-reports/${ack.mrn}`, world.tokens.officer)) as {
      referrals: Array<{ reason: string }>;
    };
    expect(view.referrals[0]!.reason).toBe('do not load: E-waste leaving for a non-OECD country');
    const listed = ok(
      await send('GET', '/api/cargo-reports?outcome=do-not-load&limit=10', world.tokens.officer),
    ) as Array<{ lrn: string }>;
    expect(listed.map((r) => r.lrn)).toEqual(['DNL-1']);
  });

  it('checks the lodging time limit, and late filing feeds the indicators', async () => {
    // Air cargo: 4 h before arrival. Arriving in 10 h: on time; in 1 h: 3 h late.
    const onTime = ok(
      await send(
        'POST',
        '/api/cargo-reports',
        trader,
        airReport({ lrn: 'LATE-0', hs: '847130', arrivalHours: 10 }),
      ),
    ) as Ack;
    expect(onTime.report.lodging).toMatchObject({
      status: 'on-time',
      rule: 'air: 4 h before arrival',
      minutesLate: 0,
    });
    expect(onTime.control).toBeNull();
    const late = ok(
      await send(
        'POST',
        '/api/cargo-reports',
        trader,
        airReport({ lrn: 'LATE-1', hs: '847130', arrivalHours: 1 }),
      ),
    ) as Ack;
    expect(late.report.lodging.status).toBe('late');
    expect(late.report.lodging.minutesLate).toBeGreaterThanOrEqual(179);
    expect(late.report.lodging.minutesLate).toBeLessThanOrEqual(181);
    expect(late.control).toBe('documentary-check');
    const view = ok(await send('GET', `/api/cargo-reports/${late.mrn}`, world.tokens.officer)) as {
      declaration: { assessment: { hits: Array<{ indicatorId: string }> } };
    };
    expect(view.declaration.assessment.hits.map((h) => h.indicatorId)).toEqual([indicators.late]);
  });

  it('replaces the rule pack without a release, once a second analyst approves; a bad rule refuses the whole pack', async () => {
    const analyst = world.tokens.riskAnalyst;
    const second = world.tokens.secondAnalyst;
    const current = ok(await send('GET', '/api/rule-packs/hmrc-ens-ie315', analyst)) as {
      version: string;
      seq: number;
      rules: number;
    };
    expect(current).toMatchObject({ version: 'hmrc-ens-ie315/1', seq: 0 });
    const document = ok(await send('GET', '/api/rule-packs/hmrc-ens-ie315/document', analyst)) as {
      version: string;
      rules: Array<{
        name: string;
        context: string;
        asserts: Array<{ test: string; code: string }>;
      }>;
    };
    expect(document.rules).toHaveLength(current.rules);

    // A typo in one assertion: refused, naming the rule and the assertion; nothing changes.
    const broken = structuredClone(document);
    broken.version = 'local/2';
    broken.rules[3]!.asserts[0]!.test = 'exists(node, "X") &&';
    const refused = await send('PUT', '/api/rule-packs/hmrc-ens-ie315', analyst, broken);
    expect(refused.statusCode).toBe(400);
    const issue = refused.json<{ errors: Array<{ field: string; detail: string }> }>().errors[0]!;
    expect(issue.field).toBe('/rules/3/asserts/0/test');
    expect(issue.detail).toContain(`rule '${broken.rules[3]!.name}', assertion 0`);

    // Only customs risk analysts and administrators propose packs.
    const withoutSender = structuredClone(document);
    withoutSender.version = 'local/2';
    withoutSender.rules = withoutSender.rules
      .map((r) => ({ ...r, asserts: r.asserts.filter((a) => a.code !== '4065') }))
      .filter((r) => r.asserts.length > 0);
    expect(
      (await send('PUT', '/api/rule-packs/hmrc-ens-ie315', trader, withoutSender)).statusCode,
    ).toBe(403);

    // Without rule 4065 (the sender's format), the reduced example is accepted, once approved.
    const reduced = (ref: string) =>
      send(
        'POST',
        '/api/cargo-reports',
        trader,
        example('CC315A_reduced.xml').replace('ABCD1234</RefNumHEA4>', `${ref}</RefNumHEA4>`),
      );
    expect((await reduced('PACK-1')).statusCode).toBe(400);
    const proposed = await send('PUT', '/api/rule-packs/hmrc-ens-ie315', analyst, withoutSender);
    expect(proposed.statusCode, proposed.body).toBe(202);
    const proposal = proposed.json<{ id: string; status: string; version: string }>();
    expect(proposal).toMatchObject({
      status: 'pending',
      version: 'local/2',
      proposedBy: world.principals.riskAnalyst.userId,
      decidedBy: null,
    });
    // Proposed is not in force.
    expect((await reduced('PACK-1')).statusCode).toBe(400);
    expect(ok(await send('GET', '/api/rule-packs/hmrc-ens-ie315', analyst))).toMatchObject({
      seq: 0,
    });
    const pending = ok(
      await send('GET', '/api/rule-packs/hmrc-ens-ie315/proposals', second),
    ) as Array<{ id: string }>;
    expect(pending.map((p) => p.id)).toEqual([proposal.id]);
    expect(
      ok(
        await send(
          'GET',
          `/api/rule-packs/hmrc-ens-ie315/proposals/${proposal.id}/document`,
          second,
        ),
      ),
    ).toEqual(withoutSender);
    expect((await send('GET', '/api/rule-packs/hmrc-ens-ie315/proposals', trader)).statusCode).toBe(
      403,
    );
    // One pending proposal per pack.
    const other = { ...document, version: 'local/3' };
    expect((await send('PUT', '/api/rule-packs/hmrc-ens-ie315', second, other)).statusCode).toBe(
      409,
    );

    // The proposer cannot approve; nor can anyone but a customs risk analyst of the administration.
    const approveUrl = `/api/rule-packs/hmrc-ens-ie315/proposals/${proposal.id}/approve`;
    const own = await send('POST', approveUrl, analyst, {});
    expect(own.statusCode, own.body).toBe(403);
    expect(own.headers['content-type']).toMatch(/problem\+json/);
    expect(own.json()).toMatchObject({ detail: expect.stringMatching(/you proposed/) as unknown });
    for (const token of [
      world.tokens.admin,
      world.tokens.ecologist,
      world.tokens.officer,
      foreignAnalyst,
    ]) {
      const r = await send('POST', approveUrl, token, {});
      expect(r.statusCode, r.body).toBe(403);
    }
    expect((await reduced('PACK-1')).statusCode).toBe(400);

    const approved = ok(await send('POST', approveUrl, second, { comment: 'checked' })) as {
      proposal: { status: string; decidedBy: string; seq: number };
      pack: {
        version: string;
        seq: number;
        loadedBy: string;
        versions: Array<{ version: string; seq: number; proposedBy: string | null }>;
      };
    };
    expect(approved.proposal).toMatchObject({
      status: 'approved',
      decidedBy: world.principals.secondAnalyst.userId,
      seq: 1,
    });
    expect(approved.pack).toMatchObject({
      version: 'local/2',
      seq: 1,
      loadedBy: world.principals.secondAnalyst.userId,
    });
    expect(approved.pack.versions.map((v) => [v.seq, v.version, v.proposedBy])).toEqual([
      [1, 'local/2', world.principals.riskAnalyst.userId],
      [0, 'hmrc-ens-ie315/1', null],
    ]);
    const after = await reduced('PACK-1');
    expect(after.statusCode, after.body).toBe(201);
    expect((await send('POST', approveUrl, second, {})).statusCode).toBe(409);
    expect((await t.db.read.audit.listFor('rule-pack', 'hmrc-ens-ie315')).slice(-2)).toMatchObject([
      {
        action: 'rule-pack.proposed',
        actorId: world.principals.riskAnalyst.userId,
        details: { proposalId: proposal.id, version: 'local/2' },
      },
      {
        action: 'rule-pack.loaded',
        actorId: world.principals.secondAnalyst.userId,
        details: {
          proposalId: proposal.id,
          seq: 1,
          proposedBy: world.principals.riskAnalyst.userId,
          approvedBy: world.principals.secondAnalyst.userId,
        },
      },
    ]);

    // The same version label twice is refused. A rejected proposal changes nothing; the original
    // rules come back as a new version once the other analyst approves them.
    expect(
      (await send('PUT', '/api/rule-packs/hmrc-ens-ie315', analyst, withoutSender)).statusCode,
    ).toBe(409);
    const restored = { ...document, version: 'hmrc-ens-ie315/1-restored' };
    const first = (await send('PUT', '/api/rule-packs/hmrc-ens-ie315', second, restored)).json<{
      id: string;
    }>();
    const rejected = ok(
      await send('POST', `/api/rule-packs/hmrc-ens-ie315/proposals/${first.id}/reject`, analyst, {
        reason: 'restore after the peak season',
      }),
    );
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'restore after the peak season' });
    expect(
      (
        await send(
          'POST',
          `/api/rule-packs/hmrc-ens-ie315/proposals/${first.id}/approve`,
          analyst,
          {},
        )
      ).statusCode,
    ).toBe(409);
    expect((await reduced('PACK-2')).statusCode).toBe(201);
    const again = (await send('PUT', '/api/rule-packs/hmrc-ens-ie315', second, restored)).json<{
      id: string;
    }>();
    ok(
      await send(
        'POST',
        `/api/rule-packs/hmrc-ens-ie315/proposals/${again.id}/approve`,
        analyst,
        {},
      ),
    );
    expect((await reduced('PACK-3')).statusCode).toBe(400);
    const all = ok(
      await send('GET', '/api/rule-packs/hmrc-ens-ie315/proposals?status=all', analyst),
    ) as Array<{ status: string }>;
    expect(all.map((p) => p.status)).toEqual(['approved', 'rejected', 'approved']);
  });

  it('keeps other organisations and roles out', async () => {
    const mine = ok(await send('GET', '/api/cargo-reports?limit=500', trader)) as Array<{
      lrn: string;
      mrn: string;
    }>;
    const theirs = ok(
      await send('GET', '/api/cargo-reports?limit=500', world.tokens.otherTrader),
    ) as Array<{ lrn: string }>;
    expect(mine.map((r) => r.lrn)).toContain('RFI-1');
    expect(theirs.map((r) => r.lrn)).toEqual(['ABCD1234']);
    const rfi = mine.find((r) => r.lrn === 'RFI-1')!;
    expect(
      (await send('GET', `/api/cargo-reports/${rfi.mrn}`, world.tokens.otherTrader)).statusCode,
    ).toBe(404);
    const ecologist = await send(
      'POST',
      '/api/cargo-reports',
      world.tokens.ecologist,
      airReport({ lrn: 'E-1', hs: '847130', arrivalHours: 10 }),
    );
    expect(ecologist.statusCode).toBe(403);
  });
});
