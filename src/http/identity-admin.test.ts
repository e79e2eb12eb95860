import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { createAdministration, createUser } from '../app/manage-identity.js';
import { testContext } from '../test-support/app.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import type { paths } from '../../web/src/api-types.js';

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : never
  : never;
type User = Json<'/api/users', 'get'>[number];
type Problem = {
  status: number;
  detail: string;
  errors?: Array<{ field: string; detail: string }>;
};

/**
 * The administrator manages agencies, users, roles, API tokens and sessions of its own
 * administration, over HTTP on each backend: what it sees (never a hash or a secret but the new
 * token's, once), what it may not do (to itself, to another administration), and that a
 * disabled user's session and token, a revoked token and an ended session are refused at once.
 */
describe.each(BACKENDS)('administration of identity (%s)', (backend) => {
  let t: TestDatabase;
  let ctx: AppContext;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};

  const send = (method: string, url: string, token: string | undefined, body?: unknown) =>
    app.inject({
      method: method as InjectOptions['method'],
      url,
      headers: { ...(token ? bearer(token) : {}) },
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });
  const signIn = async (username: string, password = DEMO_PASSWORD) => {
    const r = await send('POST', '/api/auth/login', undefined, { username, password });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<{ token: string }>().token;
  };
  const users = async (who = 'admin') => {
    const r = await send('GET', '/api/users', tokens[who]);
    expect(r.statusCode, r.body).toBe(200);
    return r.json<User[]>();
  };
  const userNamed = async (username: string) =>
    (await users()).find((u) => u.username === username)!;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    ctx = testContext(t.db);
    const seeded = await seedDemo(ctx);
    if (!seeded.seeded) throw new Error('demo not seeded');
    await ctx.storage.write(async (tx) => {
      const kz = await createAdministration(ctx, tx, {
        country: 'KZ',
        name: 'Kazakhstan (test)',
        customsAgencyCode: 'KZ-CUSTOMS',
        customsAgencyName: 'KZ customs',
      });
      await createUser(ctx, tx, {
        agencyId: kz.customsAgencyId,
        username: 'kz-admin',
        displayName: 'KZ admin',
        roles: ['admin'],
        password: DEMO_PASSWORD,
      });
    });
    app = await testHttpApp(ctx, { signInLimit: { max: 1000, windowMs: 60_000 } });
    for (const u of ['admin', 'officer', 'manager', 'trader', 'kz-admin'])
      tokens[u] = await signIn(u);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('lists agencies with the roles each kind allows, and users without password hashes', async () => {
    const r = await send('GET', '/api/agencies', tokens.admin);
    expect(r.statusCode, r.body).toBe(200);
    const { agencies, kinds } = r.json<Json<'/api/agencies', 'get'>>();
    expect(agencies.map((a) => a.code).sort()).toEqual([
      'BY-CUSTOMS',
      'BY-ENV',
      'RH-NORDSTRIDE',
      'TRADER-ECOMET',
    ]);
    const trader = kinds.find((k) => k.kind === 'trader')!;
    expect(trader.roles).toEqual([{ role: 'trader', title: 'Trader (declarant)' }]);
    expect(kinds.find((k) => k.kind === 'customs')).toMatchObject({ creatable: false });
    expect(kinds.find((k) => k.kind === 'customs')!.roles.map((x) => x.role)).toContain('admin');
    expect(kinds.find((k) => k.kind === 'environment')!.roles.map((x) => x.role)).not.toContain(
      'admin',
    );
    const list = await users();
    expect(list.map((u) => u.username)).toEqual(
      expect.arrayContaining(['admin', 'officer', 'trader', 'ecologist']),
    );
    expect(list.find((u) => u.username === 'admin')).toMatchObject({ self: true, disabled: false });
    expect(list.find((u) => u.username === 'trader')!.agency.code).toBe('TRADER-ECOMET');
    const body = JSON.stringify(list);
    expect(body).not.toMatch(/scrypt|passwordHash|password_hash|tokenHash/);
    // Another administration sees only its own.
    const kz = await users('kz-admin');
    expect(kz.map((u) => u.username)).toEqual(['kz-admin']);
    const kzAgencies = (await send('GET', '/api/agencies', tokens['kz-admin'])).json<{
      agencies: Array<{ code: string }>;
    }>();
    expect(kzAgencies.agencies.map((a) => a.code)).toEqual(['KZ-CUSTOMS']);
  });

  it('refuses everyone but administrators, and another administration finds nothing of ours', async () => {
    for (const who of ['officer', 'manager', 'trader']) {
      for (const [method, url, body] of [
        ['GET', '/api/users'],
        ['GET', '/api/agencies'],
        ['GET', '/api/api-tokens'],
        ['GET', '/api/sessions'],
        ['POST', '/api/agencies', { kind: 'police', code: 'X-POLICE', name: 'Police' }],
      ] as const) {
        const r = await send(method, url, tokens[who], body);
        expect(r.statusCode, `${who} ${method} ${url}`).toBe(403);
      }
    }
    const trader = await userNamed('trader');
    const officerSelf = await send('PUT', `/api/users/${trader.id}/roles`, tokens.officer, {
      roles: ['trader'],
    });
    expect(officerSelf.statusCode).toBe(403);
    for (const [method, url, body] of [
      ['PUT', `/api/users/${trader.id}/roles`, { roles: ['trader'] }],
      ['PUT', `/api/users/${trader.id}/disabled`, { disabled: true }],
      ['POST', `/api/users/${trader.id}/api-tokens`, { name: 'from KZ' }],
    ] as const) {
      const r = await send(method, url, tokens['kz-admin'], body);
      expect(r.statusCode, `kz-admin ${method} ${url}: ${r.body}`).toBe(404);
    }
    const agency = (await userNamed('trader')).agency.id;
    const created = await send('POST', '/api/users', tokens['kz-admin'], {
      agencyId: agency,
      username: 'kz-into-by',
      displayName: 'Intruder',
      roles: ['trader'],
      password: 'long-enough-password',
    });
    expect(created.statusCode).toBe(404);
    expect((await userNamed('trader')).disabled).toBe(false);
  });

  it('adds an agency, refusing bad input field by field', async () => {
    const bad = await send('POST', '/api/agencies', tokens.admin, {
      kind: 'customs',
      code: 'x',
      name: 'A',
      traderId: 'BY1',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<Problem>()
        .errors!.map((e) => e.field)
        .sort(),
    ).toEqual(['/code', '/kind', '/name', '/traderId']);
    const noEori = await send('POST', '/api/agencies', tokens.admin, {
      kind: 'trader',
      code: 'TRADER-BALT',
      name: 'Baltic Logistics',
    });
    const noEoriErrors = noEori.json<Problem>().errors!;
    expect(noEoriErrors.map((e) => e.field)).toEqual(['/traderId']);
    expect(noEoriErrors[0]!.detail).toMatch(/EORI/);
    const r = await send('POST', '/api/agencies', tokens.admin, {
      kind: 'trader',
      code: 'TRADER-BALT',
      name: 'Baltic Logistics',
      traderId: 'BY200000000777',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'trader', kindTitle: 'Trading company' });
    const again = await send('POST', '/api/agencies', tokens.admin, {
      kind: 'police',
      code: 'TRADER-BALT',
      name: 'Duplicate',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<Problem>().errors![0]!.field).toBe('/code');
  });

  it('creates a user who signs in, changes its roles within what its agency allows, audited', async () => {
    const agencies = (await send('GET', '/api/agencies', tokens.admin)).json<{
      agencies: Array<{ id: string; code: string }>;
    }>().agencies;
    const customs = agencies.find((a) => a.code === 'BY-CUSTOMS')!.id;
    const ecomet = agencies.find((a) => a.code === 'TRADER-ECOMET')!.id;
    const bad = await send('POST', '/api/users', tokens.admin, {
      agencyId: ecomet,
      username: 'Bad Name',
      displayName: 'x',
      roles: ['border_officer'],
      password: 'short',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<Problem>()
        .errors!.map((e) => e.field)
        .sort(),
    ).toEqual(['/displayName', '/password', '/roles', '/username']);
    const r = await send('POST', '/api/users', tokens.admin, {
      agencyId: customs,
      username: 'new.officer',
      displayName: 'New Officer',
      roles: ['border_officer'],
      password: 'a-long-initial-password',
    });
    expect(r.statusCode, r.body).toBe(201);
    const created = r.json<User>();
    expect(created).toMatchObject({ signsInWithPassword: true, self: false, disabled: false });
    expect(JSON.stringify(created)).not.toMatch(/scrypt|a-long-initial-password/);
    const taken = await send('POST', '/api/users', tokens.admin, {
      agencyId: customs,
      username: 'new.officer',
      displayName: 'Again',
      roles: ['border_officer'],
      password: 'a-long-initial-password',
    });
    expect(taken.statusCode).toBe(409);
    const session = await signIn('new.officer', 'a-long-initial-password');
    const me = (await send('GET', '/api/me', session)).json<{ roles: string[] }>();
    expect(me.roles).toEqual(['border_officer']);

    const wrong = await send('PUT', `/api/users/${created.id}/roles`, tokens.admin, {
      roles: ['trader'],
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<Problem>().errors![0]).toMatchObject({ field: '/roles' });
    const changed = await send('PUT', `/api/users/${created.id}/roles`, tokens.admin, {
      roles: ['border_officer', 'manager'],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    // The change holds at once for the session already open.
    const after = (await send('GET', '/api/me', session)).json<{ roles: string[] }>();
    expect(after.roles).toEqual(['border_officer', 'manager']);
    const audit = await ctx.storage.read.audit.listFor('user', created.id);
    expect(audit.map((e) => e.action)).toEqual([
      'user.created',
      'user.signed-in',
      'user.roles-changed',
    ]);
    expect(audit[2]).toMatchObject({
      details: { from: ['border_officer'], to: ['border_officer', 'manager'] },
    });
  });

  it('never lets an administrator remove its own administrator role or disable itself', async () => {
    const admin = await userNamed('admin');
    const drop = await send('PUT', `/api/users/${admin.id}/roles`, tokens.admin, {
      roles: ['manager'],
    });
    expect(drop.statusCode).toBe(409);
    expect(drop.json<Problem>().errors![0]!.field).toBe('/roles');
    const self = await send('PUT', `/api/users/${admin.id}/disabled`, tokens.admin, {
      disabled: true,
    });
    expect(self.statusCode).toBe(409);
    expect((await send('GET', '/api/me', tokens.admin)).statusCode).toBe(200);
    expect((await userNamed('admin')).roles.map((r) => r.role)).toEqual(['admin']);
  });

  it('issues an API token shown once, lists it without its secret, revokes it: refused at once', async () => {
    const officer = await userNamed('officer');
    const issued = await send('POST', `/api/users/${officer.id}/api-tokens`, tokens.admin, {
      name: 'scanner at gate 3',
      expiresAt: '2099-01-01T00:00:00Z',
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const { id, token, apiToken } = issued.json<Json<'/api/users/{userId}/api-tokens', 'post'>>();
    expect(apiToken).toMatchObject({ status: 'active', name: 'scanner at gate 3' });
    expect((await send('GET', '/api/me', token)).json()).toMatchObject({
      username: 'officer',
      via: 'api-token',
    });
    const listed = await send('GET', '/api/api-tokens', tokens.admin);
    expect(listed.body).toContain(id);
    expect(listed.body).not.toContain(token);
    expect(listed.body).not.toContain(token.slice(4, 20));
    const past = await send('POST', `/api/users/${officer.id}/api-tokens`, tokens.admin, {
      name: 'late',
      expiresAt: '2001-01-01T00:00:00Z',
    });
    expect(past.json<Problem>().errors![0]!.field).toBe('/expiresAt');
    // Another administration cannot revoke it, nor see it.
    expect(
      (await send('POST', `/api/api-tokens/${id}/revoke`, tokens['kz-admin'])).statusCode,
    ).toBe(404);
    expect((await send('GET', '/api/api-tokens', tokens['kz-admin'])).body).not.toContain(id);
    const revoked = await send('POST', `/api/api-tokens/${id}/revoke`, tokens.admin);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ status: 'revoked' });
    expect((await send('GET', '/api/me', token)).statusCode).toBe(401);
    expect((await send('POST', `/api/api-tokens/${id}/revoke`, tokens.admin)).statusCode).toBe(409);
    const audit = await ctx.storage.read.audit.listFor('user', officer.id);
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['api-token.issued', 'api-token.revoked']),
    );
  });

  it('lists the open sessions and ends one: refused at once', async () => {
    const session = await signIn('manager');
    const r = await send('GET', '/api/sessions', tokens.admin);
    expect(r.statusCode).toBe(200);
    const sessions = r.json<Json<'/api/sessions', 'get'>>();
    expect(sessions.filter((s) => s.current).map((s) => s.user.username)).toEqual(['admin']);
    expect(r.body).not.toContain(session);
    const managers = sessions.filter((s) => s.user.username === 'manager');
    expect(managers.length).toBeGreaterThanOrEqual(2);
    // The newest first: the one opened just now.
    const newest = managers[0]!;
    expect(
      (await send('POST', `/api/sessions/${newest.id}/end`, tokens['kz-admin'])).statusCode,
    ).toBe(404);
    const ended = await send('POST', `/api/sessions/${newest.id}/end`, tokens.admin);
    expect(ended.statusCode, ended.body).toBe(204);
    expect((await send('GET', '/api/me', session)).statusCode).toBe(401);
    expect((await send('GET', '/api/me', tokens.manager)).statusCode).toBe(200);
    const left = (await send('GET', '/api/sessions', tokens.admin)).json<Array<{ id: string }>>();
    expect(left.map((s) => s.id)).not.toContain(newest.id);
    expect((await send('POST', `/api/sessions/${newest.id}/end`, tokens.admin)).statusCode).toBe(
      409,
    );
  });

  it("disables a user: its sessions and tokens are refused at once, sign-in too; enabling doesn't revive them", async () => {
    const trader = await userNamed('trader');
    const apiToken = (
      await send('POST', `/api/users/${trader.id}/api-tokens`, tokens.admin, { name: 'erp link' })
    ).json<{ token: string }>().token;
    expect((await send('GET', '/api/me', apiToken)).statusCode).toBe(200);
    expect((await send('GET', '/api/me', tokens.trader)).statusCode).toBe(200);
    const r = await send('PUT', `/api/users/${trader.id}/disabled`, tokens.admin, {
      disabled: true,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ disabled: true });
    expect((await send('GET', '/api/me', tokens.trader)).statusCode).toBe(401);
    expect((await send('GET', '/api/me', apiToken)).statusCode).toBe(401);
    expect((await send('GET', '/api/declarations', apiToken)).statusCode).toBe(401);
    const login = await send('POST', '/api/auth/login', undefined, {
      username: 'trader',
      password: DEMO_PASSWORD,
    });
    expect(login.statusCode).toBe(401);
    const tokensNow = (await send('GET', '/api/api-tokens', tokens.admin)).json<
      Array<{ user: { username: string }; status: string }>
    >();
    expect(
      tokensNow.filter((x) => x.user.username === 'trader').map((x) => x.status),
    ).not.toContain('active');
    const refused = await send('POST', `/api/users/${trader.id}/api-tokens`, tokens.admin, {
      name: 'while disabled',
    });
    expect(refused.statusCode).toBe(409);

    const enabled = await send('PUT', `/api/users/${trader.id}/disabled`, tokens.admin, {
      disabled: false,
    });
    expect(enabled.statusCode).toBe(200);
    expect((await send('GET', '/api/me', apiToken)).statusCode).toBe(401);
    expect((await send('GET', '/api/me', tokens.trader)).statusCode).toBe(401);
    tokens.trader = await signIn('trader');
    const audit = await ctx.storage.read.audit.listFor('user', trader.id);
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['user.disabled', 'user.enabled']),
    );
    const disabledEvent = audit.find((e) => e.action === 'user.disabled')!;
    expect(disabledEvent.details.tokensRevoked).toBeGreaterThanOrEqual(2);
  });

  it('keeps at least one administrator: a second one may remove the first, not the last', async () => {
    const customs = (await userNamed('admin')).agency.id;
    const second = (
      await send('POST', '/api/users', tokens.admin, {
        agencyId: customs,
        username: 'admin2',
        displayName: 'Second admin',
        roles: ['admin'],
        password: 'second-admin-password',
      })
    ).json<User>();
    const token2 = await signIn('admin2', 'second-admin-password');
    const first = await userNamed('admin');
    const demoted = await send('PUT', `/api/users/${first.id}/roles`, token2, {
      roles: ['manager'],
    });
    expect(demoted.statusCode, demoted.body).toBe(200);
    // The first is no administrator any more: refused at once.
    expect((await send('GET', '/api/users', tokens.admin)).statusCode).toBe(403);
    // admin2 is now the last one: it can neither drop its role nor disable itself.
    expect(
      (await send('PUT', `/api/users/${second.id}/roles`, token2, { roles: ['manager'] }))
        .statusCode,
    ).toBe(409);
    const back = await send('PUT', `/api/users/${first.id}/roles`, token2, { roles: ['admin'] });
    expect(back.statusCode).toBe(200);
    expect((await send('GET', '/api/users', tokens.admin)).statusCode).toBe(200);
  });

  it('bounds hostile input: long strings and unknown fields are 400, never 500', async () => {
    const customs = (await userNamed('admin')).agency.id;
    for (const body of [
      { agencyId: customs, username: 'x'.repeat(500), displayName: 'X', roles: ['manager'] },
      {
        agencyId: customs,
        username: 'ok.user',
        displayName: 'OK',
        roles: Array(100).fill('manager'),
      },
      { agencyId: customs, username: 'ok.user', displayName: 'OK', roles: ['manager'], extra: 1 },
      { agencyId: 'x'.repeat(100), username: 'ok.user', displayName: 'OK', roles: ['manager'] },
    ]) {
      const r = await send('POST', '/api/users', tokens.admin, body);
      expect(r.statusCode, r.body).toBe(400);
    }
    expect(
      (await send('PUT', `/api/users/${'x'.repeat(100)}/roles`, tokens.admin, { roles: [] }))
        .statusCode,
    ).toBe(400);
    expect(
      (await send('PUT', '/api/users/nobody/roles', tokens.admin, { roles: ['manager'] }))
        .statusCode,
    ).toBe(404);
  });
});
