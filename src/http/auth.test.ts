import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

describe('sign-in, tokens and public routes', () => {
  let t: TestDatabase;
  let ctx: AppContext;
  let app: FastifyInstance;
  let adminToken: string;
  let now = new Date('2026-11-23T10:00:00.000Z');

  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    ctx = { ...testContext(t.db), clock: { now: () => now } };
    const seeded = await seedDemo(ctx);
    if (!seeded.seeded) throw new Error('demo not seeded');
    adminToken = seeded.adminToken;
    app = await testHttpApp(ctx, { signInLimit: { max: 3, windowMs: 60_000 } });
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const login = (username: string, password: string, ip = '10.0.0.1') =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: ip,
      payload: { username, password },
    });

  it('seeds the demo only once', async () => {
    expect(await seedDemo(ctx)).toEqual({ seeded: false });
  });

  it('signs in with the right password and the session token works until it expires', async () => {
    const r = await login('officer', DEMO_PASSWORD);
    expect(r.statusCode, r.body).toBe(200);
    const { token, expiresAt } = r.json<{ token: string; expiresAt: string }>();
    expect(token).toMatch(/^gls_/);
    const me = await app.inject({ url: '/api/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      username: 'officer',
      roles: ['border_officer'],
      roleTitles: ['Border officer'],
      via: 'session',
    });
    expect(expiresAt).toBe('2026-11-23T11:00:00.000Z');
    now = new Date('2026-11-23T11:00:01.000Z');
    const late = await app.inject({ url: '/api/me', headers: bearer(token) });
    expect(late.statusCode).toBe(401);
    now = new Date('2026-11-23T10:00:00.000Z');
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await login('analyst', 'nope', '10.0.0.2');
    const unknown = await login('nobody', 'nope', '10.0.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ detail: string }>().detail).toBe(unknown.json<{ detail: string }>().detail);
  });

  it('rate-limits sign-in attempts per address and username', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await login('manager', 'guess' + i, '10.0.0.9')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await login('manager', DEMO_PASSWORD, '10.0.0.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    // Another user from the same address is not locked out.
    expect((await login('liaison', DEMO_PASSWORD, '10.0.0.9')).statusCode).toBe(200);
  });

  it('sign-out revokes the session token', async () => {
    const { token } = (await login('analyst', DEMO_PASSWORD, '10.0.0.3')).json<{ token: string }>();
    expect(
      (await app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) }))
        .statusCode,
    ).toBe(204);
    expect((await app.inject({ url: '/api/me', headers: bearer(token) })).statusCode).toBe(401);
  });

  it('stores tokens and passwords only as hashes', async () => {
    const rows = await t.db.kysely.selectFrom('tokens').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === adminToken)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    const users = await t.db.kysely.selectFrom('users').select('password_hash').execute();
    expect(
      users.every(
        (u) => u.password_hash?.startsWith('scrypt$') && !u.password_hash.includes(DEMO_PASSWORD),
      ),
    ).toBe(true);
  });

  it('lets an administrator issue an API token, and nobody else', async () => {
    const officer = await t.db.read.identity.findUserByUsername('officer');
    const issued = await app.inject({
      method: 'POST',
      url: `/api/users/${officer!.id}/api-tokens`,
      headers: bearer(adminToken),
      payload: { name: 'scanner gateway' },
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const apiToken = issued.json<{ token: string }>().token;
    const me = await app.inject({ url: '/api/me', headers: bearer(apiToken) });
    expect(me.json()).toMatchObject({ username: 'officer', via: 'api-token' });
    const refused = await app.inject({
      method: 'POST',
      url: `/api/users/${officer!.id}/api-tokens`,
      headers: bearer(apiToken),
      payload: { name: 'self-service' },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('serves health, OpenAPI and docs without a token, and metrics only with one', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const spec = await app.inject({ url: '/api/openapi.json' });
    expect(spec.statusCode).toBe(200);
    const doc = spec.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/declarations', '/api/declarations/{id}', '/api/auth/login']),
    );
    const post = doc.paths['/api/declarations']?.post as {
      requestBody: { content: Record<string, unknown> };
    };
    expect(Object.keys(post.requestBody.content)).toEqual(['application/json', 'application/xml']);
    const docs = await app.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toMatch(/swagger/i);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const metrics = await app.inject({ url: '/metrics', headers: bearer(adminToken) });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/greenlane_http_request_duration_seconds_bucket/);
  });

  it('answers unknown routes with a problem document', async () => {
    const r = await app.inject({ url: '/api/nothing-here', headers: bearer(adminToken) });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
  });
});
