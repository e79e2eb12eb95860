import type { FastifyInstance, InjectOptions } from 'fastify';
import { DEMO_LINE } from '../app/demo-energy.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { createAdministration, createAgency, createUser } from '../app/manage-identity.js';
import { principalOfUser } from '../app/authenticate.js';
import { recordAgreement, registerPartner } from '../app/exchange-directory.js';
import { receiveMessage } from '../app/exchange-receive.js';
import { startExchangeNode } from '../cli/exchange-node.js';
import type { Role } from '../core/auth/identity.js';
import { canonicalBytes } from '../core/exchange/canonical-json.js';
import { outsiderKeys } from '../test-support/exchange-nodes.js';
import { testContext } from '../test-support/app.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { airReport } from '../test-support/ens-messages.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { CALLERS, ROUTE_ACCESS, type Caller } from './access-matrix.js';

/**
 * Every route of the OpenAPI document × every caller (each role of one administration, another
 * trading company, staff of another administration, no token, a bad token) against the table in
 * access-matrix.ts: any 2xx the table does not expect fails, a caller the table allows is never
 * refused as unauthenticated or forbidden, and no 2xx to another organisation or administration
 * carries the demo trader's records. Percent-encoded and dot-segment spellings of every path are
 * held to the same answers.
 */

const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../examples/declaration.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

interface Fixtures {
  declarationId: string;
  permitId: string;
  certificateId: string;
  cargoReportId: string;
  referralId: string;
  indicatorId: string;
  listName: string;
  traderUserId: string;
  traderAgencyId: string;
  traderEori: string;
  proposalId: string;
  exchangeMessageId: string;
  /** The demo right holder's application and the demo detention case. */
  iprApplicationId: string;
  iprCaseId: string;
  /** A reconciliation case the demo line's figures raised. */
  energyCaseId: string;
  /** The ledger event of the fixture declaration's lodging. */
  declarationEventPosition: number;
}

type Route = { method: string; path: string; key: string };

let serial = 0;

function pathFor(route: Route, fx: Fixtures): string {
  const p = route.path;
  const id = (): string => {
    if (p.startsWith('/api/declarations/')) return fx.declarationId;
    if (p.startsWith('/api/permits/')) return fx.permitId;
    if (p.startsWith('/api/certificates/')) return fx.certificateId;
    if (p.startsWith('/api/cargo-reports/')) return fx.cargoReportId;
    if (p.startsWith('/api/cargo-referrals/')) return fx.referralId;
    if (p.startsWith('/api/rule-packs/')) return fx.proposalId;
    if (p.startsWith('/api/indicators/')) return fx.indicatorId;
    if (p.startsWith('/api/representations/')) return 'none';
    if (p.startsWith('/api/api-tokens/') || p.startsWith('/api/sessions/')) return 'none';
    if (p.startsWith('/api/agencies/')) return fx.traderAgencyId;
    if (p.startsWith('/api/exchange/messages/')) return fx.exchangeMessageId;
    if (p.startsWith('/api/exchange/contacts/')) return 'matrix-contact';
    if (p.startsWith('/api/ipr/applications/')) return fx.iprApplicationId;
    if (p.startsWith('/api/ipr/cases/')) return fx.iprCaseId;
    if (p.startsWith('/api/energy/points/')) return DEMO_LINE;
    if (p.startsWith('/api/energy/cases/')) return fx.energyCaseId;
    throw new Error(`no fixture for {id} in ${p}`);
  };
  return p
    .replace('{id}', p.includes('{id}') ? id() : '')
    .replace('{key}', p.startsWith('/api/reference-lists/') ? fx.listName : fx.indicatorId)
    .replace('{name}', p.startsWith('/api/reference-lists/') ? fx.listName : 'hmrc-ens-ie315')
    .replace('{subjectType}', 'declaration')
    .replace('{subjectId}', fx.declarationId)
    .replace('{position}', String(fx.declarationEventPosition))
    .replace('{userId}', fx.traderUserId)
    .replace('{traderId}', fx.traderEori)
    .replace('{version}', '1')
    .replace('{a}', '1')
    .replace('{b}', '1')
    .concat(p.endsWith('/drift') ? '?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z' : '');
}

const MATRIX_POINT = {
  name: 'Matrix line',
  commodity: 'electricity',
  hsCode: '2716',
  partner: 'LT/MUITINE',
  meteringPoints: [],
  timeZone: 'Europe/Minsk',
  dayStartHour: 0,
  lossFraction: 0.01,
  meterAccuracy: 0.005,
  absoluteTolerancePerHour: 0.5,
};

/** A body that would be accepted from someone allowed: a refusal then proves the check. */
function bodyFor(route: Route, caller: Caller, eori: string | null): InjectOptions | undefined {
  const json = (payload: unknown): InjectOptions => ({
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
  const reference = `MATRIX-${caller}-${serial++}`;
  const declaration = {
    ...EXAMPLE,
    reference,
    // Each caller names only itself (customs staff a walk-in trader), so that what a list shows
    // back is what the caller may read, not what it typed.
    declarant: { id: eori ?? 'BY000000000009', name: caller, country: 'BY' },
    consignee: { id: eori ?? 'BY000000000009', name: caller, country: 'BY' },
  };
  const reason = json({ reason: 'matrix test' });
  const k = route.key;
  if (k === 'POST /api/declarations' || k === 'POST /api/screen') return json(declaration);
  if (k === 'POST /api/declarations/batch') return json([declaration]);
  if (k.endsWith('/amendments'))
    return json({ version: 1, changes: [{ item: 1, field: '/netMass', value: 1 }] });
  if (k.endsWith('/cancellation')) return reason;
  if (k === 'POST /api/auth/login') return json({ username: 'nobody', password: 'wrong' });
  if (k.endsWith('/api-tokens')) return json({ name: `matrix-${serial++}` });
  // The demo trader keeps its role and stays enabled: later routes still run as it.
  if (k === 'PUT /api/users/{userId}/roles') return json({ roles: ['trader'] });
  if (k === 'PUT /api/users/{userId}/disabled') return json({ disabled: false });
  if (k === 'POST /api/agencies')
    return json({ kind: 'police', code: `MATRIX-${serial++}`, name: `Matrix agency ${caller}` });
  if (k === 'POST /api/representations')
    return json({ representativeAgencyId: 'none', traderId: 'GB000000000001', mode: 'direct' });
  if (k.endsWith('/simplified-procedures')) return json({ authorised: true });
  if (
    k === 'POST /api/indicators' ||
    k === 'POST /api/indicators/preview' ||
    k.startsWith('PUT /api/indicators/')
  )
    return json({
      title: 'Matrix test indicator',
      priorityArea: 'e-waste',
      condition: 'item.hs.startsWith("8549")',
      controlForm: 'documentary-check',
      rationale: 'authorisation matrix',
      weight: 10,
    });
  if (k.startsWith('PUT /api/reference-lists/'))
    return json({ kind: 'hs-prefixes', title: 'Matrix list', entries: ['8549'] });
  if (/\/(submit|approve|retire)$/.test(k) && !k.includes('proposals')) return json({ version: 1 });
  if (k.endsWith('/reject') && !k.includes('proposals'))
    return json({ version: 1, reason: 'matrix test' });
  if (k.includes('proposals') && k.endsWith('/approve')) return json({});
  if (k.includes('proposals') && k.endsWith('/reject')) return reason;
  if (k === 'POST /api/certificates')
    return json({
      type: 'environmental-compliance',
      reference: reference,
      holderId: 'BY000000000001',
      holderName: 'Matrix Holder',
      hsScope: ['8549'],
      validFrom: '2026-01-01T00:00:00Z',
    });
  if (/\/(suspend|reinstate|revoke|refuse)$/.test(k)) return reason;
  if (k === 'POST /api/permits')
    return json({
      type: 'waste-consent',
      issuerAgency: 'BY-ENV',
      counterpart: { name: 'Shenzhen E-Cycle Co', country: 'CN' },
      hsScope: ['8549'],
      quantity: 20,
      unit: 'TNE',
      route: { dispatch: ['CN'], transit: ['KZ', 'RU'], destination: ['BY'] },
      maxShipments: 5,
      wasteToResource: true,
      details: { wasteCode: 'A1180', operation: 'R4' },
      validFrom: '2027-01-01T00:00:00Z',
      validTo: '2027-12-31T00:00:00Z',
    });
  if (k.endsWith('/request-information') || k.endsWith('/respond'))
    return json({ message: 'matrix test' });
  if (k.endsWith('/permits/{id}/issue') || k.endsWith('/review')) return json({});
  if (k.endsWith('/assign')) return json({ officer: 'officer' });
  if (k.endsWith('/inspections'))
    return json({
      controlForm: 'documentary-check',
      startedAt: '2026-11-02T11:00:00Z',
      endedAt: '2026-11-02T12:30:00Z',
      result: 'compliant',
      findings: [],
      findingsText: 'Goods as declared.',
      itemsAffected: [],
    });
  if (k.endsWith('/refer')) return json({ agency: 'BY-ENV', reason: 'matrix test' });
  if (k.endsWith('/hold') || k.endsWith('/close')) return reason;
  if (k === 'POST /api/cargo-reports')
    return {
      headers: { 'content-type': 'application/xml' },
      payload: airReport({ lrn: reference.slice(0, 22), hs: '850650', arrivalHours: 48 }),
    };
  if (k.endsWith('/reply')) return json({ documents: [{ type: 'N380', reference: 'INV-9' }] });
  if (k.startsWith('PUT /api/rule-packs/')) return undefined; // filled in by the test
  if (k === 'POST /api/exchange/messages')
    return json({
      to: ['KZ/KGD'],
      type: 'alert',
      sharing: 'shareable',
      body: {
        priorityArea: 'e-waste',
        summary: `Matrix alert from ${caller}`,
        details: 'authorisation matrix',
        goods: [],
        routes: [],
        conveyances: [],
      },
    });
  if (k === 'POST /api/exchange/risk-information') return json({ to: ['KZ/KGD'] });
  if (k === 'PUT /api/exchange/contacts/{id}')
    return json({
      id: 'matrix-contact',
      agency: 'Customs',
      name: `Matrix ${caller}`,
      function: 'liaison officer',
      languages: ['ru'],
      priorityAreas: ['e-waste'],
      channels: [{ kind: 'email', value: 'matrix@example.org' }],
    });
  if (k === 'POST /api/exchange/partners') return json({ id: 'UZ/DTK', name: 'Uzbekistan' });
  if (k === 'POST /api/exchange/partners/import')
    return json({ entry: 'not.a.jws', confirmedKid: 'none' });
  if (k === 'POST /api/exchange/agreements')
    return json({
      partnerId: 'KZ/KGD',
      title: 'Matrix agreement',
      legalBasis: 'MATRIX',
      messageTypes: ['alert'],
      validFrom: '2026-01-01T00:00:00Z',
    });
  if (k === 'POST /api/declarations/{id}/ipr-case')
    return json({ grounds: 'matrix test', mark: 'Matrix' });
  if (k === 'POST /api/ipr/cases/{id}/events')
    // Each party's own kind of step: a refusal then is for who asks, not for what.
    return json({
      type:
        caller === 'holder'
          ? 'samples-requested'
          : caller === 'trader'
            ? 'declarant-objected'
            : 'samples-provided',
    });
  if (k === 'POST /api/ipr/cases/{id}/report') return json({ to: ['KZ/KGD'] });
  if (k === 'PUT /api/ipr/calendar')
    return json({ timeZone: 'Europe/Minsk', weekend: [0, 6], holidays: [] });
  if (k === 'POST /api/ipr/applications/{id}/decision')
    return json({ decision: 'request-information', note: 'matrix test', expectedVersion: 99 });
  if (k === 'POST /api/energy/points') return json({ ...MATRIX_POINT, id: `MATRIX-${serial++}` });
  if (k === 'PUT /api/energy/points/{id}')
    return {
      ...json({ ...MATRIX_POINT, id: DEMO_LINE }),
      headers: { 'content-type': 'application/json', 'if-match': '"1"' },
    };
  if (k === 'POST /api/energy/points/{id}/send')
    return json({
      from: new Date(Date.now() - 5 * 86_400_000).toISOString(),
      to: new Date().toISOString(),
    });
  if (k === 'POST /api/energy/cases/{id}/decision')
    return json({ action: 'note', note: 'matrix test', expectedVersion: 99 });
  if (k === 'POST /api/energy/cases/{id}/alert') return json({ expectedVersion: 99 });
  if (k === 'POST /api/energy/statements/check' || k === 'POST /api/energy/statements/countersign')
    return json({ note: 'not a statement\n' });
  if (k === 'POST /api/models')
    return json({ from: '2000-01-01T00:00:00Z', to: new Date().toISOString() });
  if (k === 'POST /api/models/{version}/reject' || k === 'POST /api/models/{version}/retire')
    return json({ note: 'matrix test' });
  if (k === 'POST /api/mirror/send') return json({ to: 'KZ/KGD' });
  if (k === 'POST /api/mirror/tariffs') return json([{ hsCode: '8507', rate: 0.05 }]);
  if (k === 'POST /api/mirror/records')
    return json([
      { side: 'own-import', partner: 'CN', hs6: '850760', month: '2026-05', value: 1000 },
    ]);
  if (k === 'POST /api/energy/reports')
    return json([
      {
        id: `MATRIX-${serial++}`,
        source: 'own-meter',
        pointId: DEMO_LINE,
        direction: 'import',
        start: '2026-06-01T00:00:00Z',
        end: '2026-06-01T01:00:00Z',
        quantity: 100,
        unit: 'MWh',
      },
    ]);
  if (route.method === 'POST' || route.method === 'PUT') return json({});
  return undefined;
}

/** Spellings of a path the router must treat exactly as the plain one. */
function variants(path: string): string[] {
  const [, first, ...rest] = path.split('/');
  if (rest.length === 0)
    return [
      `/%${first!.charCodeAt(0).toString(16)}${first!.slice(1)}`,
      `/./${first}`,
      `/x/../${first}`,
    ];
  const encodedFirst = `/%${first!.charCodeAt(0).toString(16)}${first!.slice(1)}/${rest.join('/')}`;
  return [
    encodedFirst.replace(/\/$/, ''),
    `/${first}/./${rest.join('/')}`,
    `/${first}/x/../${rest.join('/')}`,
  ];
}

describe.each(BACKENDS)('authorisation matrix (%s)', (backend) => {
  let t: TestDatabase;
  let ctx: AppContext;
  let app: FastifyInstance;
  const tokens = {} as Record<Caller, string>;
  const eoris = {} as Record<Caller, string | null>;
  let fx: Fixtures;
  let routes: Route[];
  let rulePackDocument: Record<string, unknown>;
  let stopExchange: (() => Promise<void>) | undefined;
  let partner: Awaited<ReturnType<typeof outsiderKeys>> | undefined;

  // A request that never answers (a stream opened by a caller the table does not expect) fails
  // naming itself, instead of hanging the whole matrix until the run's time limit.
  const send = async (
    method: string,
    url: string,
    token: string | undefined,
    extra?: InjectOptions,
  ) => {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${method} ${url}: no answer within 30 s`)),
        30_000,
      );
    });
    try {
      return await Promise.race([
        app.inject({
          method: method as 'GET',
          url,
          ...extra,
          headers: { ...(extra?.headers ?? {}), ...(token ? bearer(token) : {}) },
        }),
        stuck,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    ctx = testContext(t.db);
    const seeded = await seedDemo(ctx);
    if (!seeded.seeded) throw new Error('demo not seeded');
    await ctx.storage.write(async (tx) => {
      const by = (await tx.identity.listAdministrations())[0]!;
      const other = await createAgency(ctx, tx, {
        administrationId: by.id,
        kind: 'trader',
        code: 'TRADER-OTHER',
        name: 'Other Trading Ltd',
        traderId: 'BY999999999999',
      });
      const user = (username: string, agencyId: string, roles: Role[]) =>
        createUser(ctx, tx, {
          agencyId,
          username,
          displayName: username,
          roles,
          password: DEMO_PASSWORD,
        });
      await user('other-trader', other, ['trader']);
      const kz = await createAdministration(ctx, tx, {
        country: 'KZ',
        name: 'Kazakhstan (matrix)',
        customsAgencyCode: 'KZ-CUSTOMS',
        customsAgencyName: 'KZ customs',
      });
      await user('kz-officer', kz.customsAgencyId, ['border_officer']);
      await user('kz-analyst', kz.customsAgencyId, ['risk_analyst']);
      await user('kz-admin', kz.customsAgencyId, ['admin']);
    });
    // This node on the exchange, with one partner and a message received from it.
    const node = await startExchangeNode(ctx, {
      nodeId: 'BY/GTK',
      keyPath: path.join(mkdtempSync(path.join(os.tmpdir(), 'matrix-key-')), 'key.json'),
      publicUrl: null,
      startSender: false,
    });
    stopExchange = () => node.close();
    partner = await outsiderKeys('KZ/KGD');
    const admin = await principalOfUser(ctx, 'admin');
    await registerPartner(ctx, admin, {
      id: 'KZ/KGD',
      name: 'KZ',
      keys: partner.keys.publicKeys(),
    });
    await recordAgreement(ctx, admin, {
      partnerId: 'KZ/KGD',
      title: 'Matrix agreement',
      legalBasis: 'SCO-CUSTOMS-2007',
      messageTypes: ['alert', 'risk.share', 'seizure.report', 'ipr.report'],
      validFrom: '2020-01-01T00:00:00Z',
    });
    const now = new Date();
    const envelope = {
      v: 1,
      id: ctx.ids.next(),
      from: 'KZ/KGD',
      to: 'BY/GTK',
      type: 'risk.share',
      conversation: 'MATRIXCONVERSATION',
      refTo: null,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      legalBasis: 'SCO-CUSTOMS-2007',
      handling: 'non-nominal',
      body: { indicators: [], lists: [] },
    };
    const received = await receiveMessage(
      ctx,
      await partner.keys.sign(canonicalBytes(envelope), now),
    );
    expect(received.status, received.detail).toBe('accepted');

    app = await testHttpApp(ctx, { signInLimit: { max: 1000, windowMs: 60_000 } });
    for (const c of CALLERS) {
      const r = await send('POST', '/api/auth/login', undefined, {
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ username: c, password: DEMO_PASSWORD }),
      });
      expect(r.statusCode, `${c}: ${r.body}`).toBe(200);
      tokens[c] = r.json<{ token: string }>().token;
      const me = (await send('GET', '/api/me', tokens[c])).json<{ traderId: string | null }>();
      eoris[c] = me.traderId;
    }

    const get = async <T>(url: string, who: Caller): Promise<T> => {
      const r = await send('GET', url, tokens[who]);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      return r.json<T>();
    };
    // The trader's own declaration, lodged now (the example's e-waste is routed to control).
    const traderMe = await get<{ traderId: string }>('/api/me', 'trader');
    const lodged = await send('POST', '/api/declarations', tokens.trader, {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        ...EXAMPLE,
        reference: 'MATRIX-FIXTURE-1',
        declarant: { ...(EXAMPLE.declarant as object), id: traderMe.traderId },
        consignee: { ...(EXAMPLE.consignee as object), id: traderMe.traderId },
      }),
    });
    expect(lodged.statusCode, lodged.body).toBe(201);
    const declaration = lodged.json<{ id: string }>();
    const permits = await get<Array<{ id: string }>>('/api/permits', 'trader');
    const certificates = await get<Array<{ id: string }>>('/api/certificates', 'trader');
    const reports = await get<Array<{ declarationId: string }>>('/api/cargo-reports', 'trader');
    let referralId = 'none';
    let cargoReportId = reports[0]!.declarationId;
    for (const r of reports) {
      const one = await get<{ referrals: Array<{ id: string }> }>(
        `/api/cargo-reports/${r.declarationId}`,
        'officer',
      );
      if (one.referrals.length > 0) {
        referralId = one.referrals[0]!.id;
        cargoReportId = r.declarationId;
        break;
      }
    }
    const indicators = await get<Array<{ id: string }>>('/api/indicators', 'analyst');
    const lists = await get<Array<{ name: string }>>('/api/reference-lists', 'analyst');
    rulePackDocument = await get<Record<string, unknown>>(
      '/api/rule-packs/hmrc-ens-ie315/document',
      'analyst',
    );
    const proposed = await send('PUT', '/api/rule-packs/hmrc-ens-ie315', tokens.analyst, {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...rulePackDocument, version: 'matrix-fixture' }),
    });
    expect(proposed.statusCode, proposed.body).toBe(202);
    const me = await get<{ userId: string; traderId: string; agencyId: string }>(
      '/api/me',
      'trader',
    );
    const ledgered = await get<Array<{ position: number }>>(
      `/api/ledger/records/declaration/${declaration.id}`,
      'admin',
    );
    fx = {
      declarationEventPosition: ledgered[0]!.position,
      declarationId: declaration.id,
      permitId: permits[0]!.id,
      certificateId: certificates[0]!.id,
      cargoReportId,
      referralId,
      indicatorId: indicators[0]!.id,
      listName: lists[0]!.name,
      traderUserId: me.userId,
      traderAgencyId: me.agencyId,
      traderEori: me.traderId,
      exchangeMessageId: envelope.id,
      iprApplicationId: (await get<Array<{ id: string }>>('/api/ipr/applications', 'holder'))[0]!
        .id,
      iprCaseId: (await get<Array<{ case: { id: string } }>>('/api/ipr/cases', 'holder'))[0]!.case
        .id,
      energyCaseId: (await get<Array<{ id: string }>>('/api/energy/cases', 'analyst'))[0]!.id,
      proposalId:
        proposed.json<{ id?: string; proposal?: { id: string } }>().id ??
        proposed.json<{ proposal: { id: string } }>().proposal.id,
    };
    const doc = (
      await get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json', 'admin')
    ).paths;
    routes = Object.entries(doc).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => ({
        method: m.toUpperCase(),
        path,
        key: `${m.toUpperCase()} ${path}`,
      })),
    );
  }, 300_000);
  afterAll(async () => {
    await stopExchange?.();
    partner?.drop();
    await app?.close();
    await t?.drop();
  });

  const bodyOf = (route: Route, caller: Caller): InjectOptions | undefined =>
    route.key === 'PUT /api/rule-packs/{name}'
      ? {
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ ...rulePackDocument, version: `matrix-${serial++}` }),
        }
      : route.key === 'POST /api/users'
        ? {
            // A user of the demo trader's organisation: another administration does not find it.
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({
              agencyId: fx.traderAgencyId,
              username: `matrix-user-${serial++}`,
              displayName: 'Matrix user',
              roles: ['trader'],
              password: 'matrix-password-1',
            }),
          }
        : bodyFor(route, caller, eoris[caller]);

  const secrets = () =>
    [
      fx.declarationId,
      fx.permitId,
      fx.certificateId,
      fx.cargoReportId,
      fx.traderEori,
      fx.iprApplicationId,
      fx.iprCaseId,
    ].filter((s) => s.length > 4);

  it('every route of the API is in the table, and nothing else is', () => {
    const keys = routes.map((r) => r.key).sort();
    expect(keys).toEqual(Object.keys(ROUTE_ACCESS).sort());
  });

  it('no token, a bad token: 401 on every route that is not public, whatever the spelling', async () => {
    for (const route of routes) {
      if (ROUTE_ACCESS[route.key] === 'public') continue;
      const path = pathFor(route, fx);
      for (const url of [path, ...variants(path)]) {
        for (const token of [undefined, 'gls_not-a-token']) {
          const r = await send(route.method, url, token, bodyOf(route, 'trader'));
          expect(r.statusCode, `${route.key} as ${url} with ${token ?? 'no token'}`).toBe(401);
          expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
        }
      }
    }
  }, 240_000);

  it('no caller the table does not list ever gets a 2xx, in any spelling of the path', async () => {
    const unexpected: string[] = [];
    for (const route of routes) {
      const allowed = ROUTE_ACCESS[route.key];
      if (allowed === 'public' || allowed === undefined) continue;
      const path = pathFor(route, fx);
      for (const caller of CALLERS) {
        if (allowed.includes(caller)) continue;
        for (const url of [path, ...variants(path)]) {
          const r = await send(route.method, url, tokens[caller], bodyOf(route, caller));
          if (r.statusCode < 300)
            unexpected.push(`${caller} ${route.method} ${url} → ${r.statusCode}`);
          else if (r.statusCode >= 500)
            unexpected.push(`${caller} ${route.method} ${url} → ${r.statusCode} ${r.body}`);
          else if (url === path && r.statusCode !== 400 && r.statusCode !== 422)
            // A valid request refused for who asks: 401, 403 or 404 (the record does not exist for them).
            expect([401, 403, 404, 409], `${caller} ${route.key}: ${r.body}`).toContain(
              r.statusCode,
            );
        }
      }
    }
    expect(unexpected).toEqual([]);
  }, 600_000);

  it('callers the table lists are never refused as unauthenticated or forbidden, and see only their own', async () => {
    const refused: string[] = [];
    const leaks: string[] = [];
    for (const route of routes) {
      const allowed = ROUTE_ACCESS[route.key];
      if (allowed === 'public' || allowed === undefined) continue;
      if (route.key === 'POST /api/auth/logout' || route.key === 'GET /api/events') continue;
      const path = pathFor(route, fx);
      for (const caller of allowed) {
        const r = await send(route.method, path, tokens[caller], bodyOf(route, caller));
        if (r.statusCode === 401 || r.statusCode === 403 || r.statusCode >= 500)
          refused.push(`${caller} ${route.key} → ${r.statusCode} ${r.body.slice(0, 200)}`);
        if (
          r.statusCode < 300 &&
          (caller === 'other-trader' || caller.startsWith('kz-')) &&
          route.method === 'GET'
        ) {
          for (const s of secrets())
            if (r.body.includes(s)) leaks.push(`${caller} ${route.key} shows ${s}`);
        }
      }
    }
    expect(refused).toEqual([]);
    // Known, documented gap (issue 14 closing note): compliance records are kept per trader id,
    // not per administration, so a second administration in the same database reads the first
    // one's record of a trader. Listed here so that a new leak fails, and so does fixing this one.
    const known = leaks.filter((l) => /^kz-\S+ GET \/api\/traders\/\{traderId\} /.test(l));
    expect(leaks.filter((l) => !known.includes(l))).toEqual([]);
    expect(known.length).toBeGreaterThan(0);
  }, 600_000);
});
