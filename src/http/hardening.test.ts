import type { FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { testContext } from '../test-support/app.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { bearer, testHttpApp } from '../test-support/http.js';

describe('HTTP hardening', () => {
  let t: TestDatabase;
  let ctx: AppContext;
  let app: FastifyInstance;
  let adminToken: string;

  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    ctx = testContext(t.db);
    const seeded = await seedDemo(ctx);
    if (!seeded.seeded) throw new Error('demo not seeded');
    adminToken = seeded.adminToken;
    app = await testHttpApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it.each([
    '/metrics',
    '/%6detrics',
    '/%6D%65%74%72%69%63%73',
    '//metrics',
    '/api/../metrics',
    '/api/%2e%2e/metrics',
    '/%61pi/rule-packs/hmrc-ens-ie315/document',
    '/api/./rule-packs/hmrc-ens-ie315/document',
    '/api//declarations',
    '/%61pi/declarations',
    '/api/declarations/%2e/',
    '/api/me',
  ])('GET %s without a token is 401, with a problem document', async (url) => {
    const r = await app.inject({ url });
    expect(r.statusCode, r.body).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('an encoded path is the same resource as the plain one when authenticated', async () => {
    const plain = await app.inject({ url: '/metrics', headers: bearer(adminToken) });
    const encoded = await app.inject({ url: '/%6detrics', headers: bearer(adminToken) });
    expect(plain.statusCode).toBe(200);
    expect(encoded.statusCode).toBe(200);
  });

  it.each(['/api/%2f%2e%2e/metrics', '/api/declarations%5C..', '/api/x%00', '/api/%zz'])(
    '%s is refused with 400 naming the path',
    async (url) => {
      const r = await app.inject({ url, headers: bearer(adminToken) });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json()).toMatchObject({ errors: [{ field: 'path' }] });
    },
  );

  it('sends the security headers on the console, the API and errors', async () => {
    for (const url of ['/', '/api/me', '/api/nothing-here', '/healthz']) {
      const r = await app.inject({ url, headers: bearer(adminToken) });
      const csp = String(r.headers['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).not.toContain('unsafe-inline');
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.headers['referrer-policy'], url).toBe('no-referrer');
    }
  });

  it('API answers, sign-in above all, are never cached', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'x' },
    });
    expect(login.headers['cache-control']).toBe('no-store');
    const me = await app.inject({ url: '/api/me', headers: bearer(adminToken) });
    expect(me.headers['cache-control']).toBe('no-store');
  });

  it('the API documentation forbids framing too', async () => {
    const r = await app.inject({ url: '/api/docs/' });
    expect(r.statusCode).toBe(200);
    expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('headers too large get a 431 problem document', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (b) => (data += b.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', (e) => (data ? resolve(data) : reject(e)));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('application/problem+json');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431 });
  });
});
