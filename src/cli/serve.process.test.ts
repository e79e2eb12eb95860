import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import {
  freePort,
  freePortPair,
  signIn,
  startServer,
  type ServerProcess,
} from '../test-support/server-process.js';
import { tcpProxy, type TcpProxy } from '../test-support/tcp-proxy.js';

/**
 * `greenlane serve` as real processes: several on one PostgreSQL, database outages, kill -9.
 * Each server runs from the sources (tsx) with the demo data: the reference library in force.
 */

const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../examples/declaration.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

let serial = 0;
/** The demo's example declaration (an e-waste hit) under a fresh reference. */
function declaration(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...EXAMPLE, reference: `PROC-${process.pid}-${Date.now()}-${serial++}`, ...over };
}

async function lodge(
  url: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const r = await fetch(`${url}/api/declarations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: r.status, body: parsed, headers: r.headers };
}

/** Lodges from `clients` concurrent closed-loop clients until `until()`; every answer kept. */
async function load(
  url: () => string,
  token: string,
  clients: number,
  until: () => boolean,
): Promise<
  Array<{
    status: number;
    id?: string;
    reference: string;
    retryAfter: string | null;
    type: string | null;
  }>
> {
  const answers: Array<{
    status: number;
    id?: string;
    reference: string;
    retryAfter: string | null;
    type: string | null;
  }> = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        const body = declaration();
        try {
          const r = await lodge(url(), token, body);
          answers.push({
            status: r.status,
            reference: body.reference as string,
            retryAfter: r.headers.get('retry-after'),
            type: r.headers.get('content-type'),
            ...(r.status === 201 ? { id: r.body.id as string } : {}),
          });
          if (r.status === 503) await new Promise((x) => setTimeout(x, 50));
        } catch {
          // The server is gone (kill -9): the answer never came, so nothing was acknowledged.
          answers.push({
            status: 0,
            reference: body.reference as string,
            retryAfter: null,
            type: null,
          });
          await new Promise((x) => setTimeout(x, 50));
        }
      }
    }),
  );
  return answers;
}

/** Collects the `declaration` events of a live stream. */
function liveStream(url: string, token: string): { ids: Set<string>; close(): void } {
  const ids = new Set<string>();
  const controller = new AbortController();
  void (async () => {
    try {
      const r = await fetch(`${url}/api/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      const reader = r.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        text += decoder.decode(chunk.value);
        for (const m of text.matchAll(/data: (\{.*\})\n/g)) {
          ids.add((JSON.parse(m[1]!) as { declarationId: string }).declarationId);
        }
      }
    } catch {
      // closed
    }
  })();
  return { ids, close: () => controller.abort() };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Positions in an event log file (one NDJSON event per line). */
function loggedPositions(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { position: number }).position);
}

const POSTGRES = BACKENDS.includes('postgres');

describe.skipIf(!POSTGRES)('two greenlane serve processes on one PostgreSQL', () => {
  let t: TestDatabase;
  let dir: string;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    t = await freshDatabase('postgres');
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-proc-'));
    const env = (name: string) => ({
      GREENLANE_DATABASE_URL: t.url!,
      GREENLANE_OUTBOX_POLL_MS: '100',
      GREENLANE_EVENT_LOG: path.join(dir, `${name}.ndjson`),
    });
    a = await startServer(env('a'), ['--seed-demo']);
    await a.waitUntilUp(120_000);
    b = await startServer(env('b'));
    await b.waitUntilUp();
  }, 180_000);

  afterAll(async () => {
    a?.kill();
    b?.kill();
    await Promise.all([a?.exited, b?.exited]);
    rmSync(dir, { recursive: true, force: true });
    await t?.drop();
  });

  it('shows a declaration lodged at one on the live stream of the other', async () => {
    const officer = await signIn(a.url, 'officer');
    const trader = await signIn(a.url, 'trader');
    const stream = liveStream(b.url, officer);
    try {
      await new Promise((r) => setTimeout(r, 300)); // the stream is open
      const r = await lodge(a.url, trader, declaration());
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      // The trader's answer says a control is coming, not which channel or why.
      expect(r.body.status).toBe('awaiting-control');
      await waitFor(() => stream.ids.has(r.body.id as string), 5_000, 'the event at b');
      // And the declaration reads back identically at both.
      const at = async (url: string) =>
        (await fetch(`${url}/api/declarations/${r.body.id as string}`, {
          headers: { authorization: `Bearer ${officer}` },
        }).then((x) => x.json())) as { assessment: unknown };
      expect((await at(b.url)).assessment).toEqual((await at(a.url)).assessment);
    } finally {
      stream.close();
    }
  });

  it('screens with an indicator approved at the other process within a second', async () => {
    const analyst = await signIn(a.url, 'analyst');
    // Lodged by an officer, whose answer carries the hits (a trader's does not).
    const trader = await signIn(b.url, 'officer');
    const call = async (method: string, url: string, body: unknown) => {
      const r = await fetch(`${a.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await r.json()) as Record<string, unknown>;
      expect(r.status, JSON.stringify(json)).toBeLessThan(300);
      return json;
    };
    const created = await call('POST', '/api/indicators', {
      title: 'Goods declared as of Antarctic origin',
      priorityArea: 'endangered-species',
      condition: 'item.origin == "AQ"',
      weight: 40,
      controlForm: 'documentary-check',
      rationale: 'No goods originate in Antarctica: a false origin',
    });
    const key = created.id as string;
    const antarctic = () =>
      declaration({
        goodsItems: [
          {
            ...(EXAMPLE.goodsItems as Array<Record<string, unknown>>)[0],
            originCountry: 'AQ',
          },
        ],
      });
    // Before: b does not know it.
    const before = await lodge(b.url, trader, antarctic());
    const hitIds = (r: { body: Record<string, unknown> }) =>
      ((r.body.assessment as { hits: Array<{ indicatorId: string }> }).hits ?? []).map(
        (h) => h.indicatorId,
      );
    expect(hitIds(before)).not.toContain(key);
    await call('POST', `/api/indicators/${key}/submit`, { version: 1 });
    // Four eyes: another analyst approves what the first one saved.
    const second = await signIn(a.url, 'analyst2');
    const approval = await fetch(`${a.url}/api/indicators/${key}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${second}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, comment: 'checked' }),
    });
    const approved = (await approval.json()) as Record<string, unknown>;
    expect(approval.status, JSON.stringify(approved)).toBe(200);
    expect(approved.status).toBe('active');
    const t0 = Date.now();
    let elapsed = -1;
    while (Date.now() - t0 < 5_000) {
      const started = Date.now() - t0;
      const r = await lodge(b.url, trader, antarctic());
      expect(r.status).toBe(201);
      if (hitIds(r).includes(key)) {
        elapsed = started;
        break;
      }
      await new Promise((x) => setTimeout(x, 20));
    }
    console.log(`indicator approved at a screened at b after ${elapsed} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(0);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('dispatches each outbox event once across both processes', async () => {
    const trader = await signIn(a.url, 'trader');
    let n = 0;
    const answers = await load(
      () => (n++ % 2 === 0 ? a.url : b.url),
      trader,
      32,
      () => n >= 400,
    );
    expect(answers.filter((x) => x.status !== 201)).toEqual([]);
    const head = await t.db.read.outbox.head();
    await waitFor(
      async () => {
        const c = await t.db.read.outbox.subscriberCursor('event-log');
        return c.txid === head.txid && c.position === head.position;
      },
      20_000,
      'the event-log subscriber to catch up',
    );
    const all = await t.db.kysely
      .selectFrom('outbox')
      .select('position')
      .orderBy('position')
      .execute();
    const logged = [
      ...loggedPositions(path.join(dir, 'a.ndjson')),
      ...loggedPositions(path.join(dir, 'b.ndjson')),
    ];
    expect(logged.length).toBe(new Set(logged).size); // none twice
    expect([...logged].sort((x, y) => x - y)).toEqual(all.map((r) => Number(r.position)));
    console.log(
      `outbox: ${all.length} events, ${loggedPositions(path.join(dir, 'a.ndjson')).length} dispatched by a, ${loggedPositions(path.join(dir, 'b.ndjson')).length} by b`,
    );
  }, 120_000);
});

describe.skipIf(!POSTGRES)('a server whose PostgreSQL goes away', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let server: ServerProcess;

  beforeAll(async () => {
    t = await freshDatabase('postgres');
    const target = new URL(t.url!);
    proxy = await tcpProxy(
      { host: target.hostname, port: Number(target.port || 5432) },
      await freePort(),
    );
    const viaProxy = new URL(t.url!);
    viaProxy.port = String(proxy.port);
    // Started while its database cannot be reached: it waits with back-off, then comes up.
    server = await startServer({ GREENLANE_DATABASE_URL: viaProxy.toString() }, ['--seed-demo']);
    await waitFor(() => /trying again in/.test(server.output()), 60_000, 'the server to wait');
    expect(server.child.exitCode).toBeNull();
    await proxy.up();
    await server.waitUntilUp(120_000);
  }, 180_000);

  afterAll(async () => {
    server?.kill();
    await server?.exited;
    await proxy?.close();
    await t?.drop();
  });

  it('answers 503 with Retry-After while it is gone and recovers by itself; nothing acknowledged is lost', async () => {
    const trader = await signIn(server.url, 'trader');
    let stop = false;
    const running = load(
      () => server.url,
      trader,
      32,
      () => stop,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    await proxy.down(); // every connection cut, new ones refused
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // alive all along
    await proxy.up();
    await new Promise((r) => setTimeout(r, 2_500));
    stop = true;
    const answers = await running;
    expect(server.child.exitCode).toBeNull();
    const statuses = new Set(answers.map((x) => x.status));
    console.log(
      `outage: ${answers.length} answers, ${answers.filter((x) => x.status === 201).length} × 201, ${answers.filter((x) => x.status === 503).length} × 503`,
    );
    expect([...statuses].every((s) => s === 201 || s === 503)).toBe(true);
    expect(answers.some((x) => x.status === 503)).toBe(true);
    for (const x of answers.filter((y) => y.status === 503)) {
      expect(x.retryAfter).not.toBeNull();
      expect(x.type).toMatch(/problem\+json/);
    }
    // Serving again after the outage.
    const after = await lodge(server.url, trader, declaration());
    expect(after.status).toBe(201);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    // Every acknowledged lodging is stored.
    const acknowledged = answers.filter((x) => x.status === 201).map((x) => x.id!);
    const stored = await t.db.kysely
      .selectFrom('declarations')
      .select('id')
      .where('id', 'in', acknowledged)
      .execute();
    expect(stored.length).toBe(acknowledged.length);
  }, 60_000);

  it('also survives pg_terminate_backend on its own database', async () => {
    const trader = await signIn(server.url, 'trader');
    let stop = false;
    const running = load(
      () => server.url,
      trader,
      32,
      () => stop,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    let terminated = 0;
    for (let i = 0; i < 3; i++) {
      // Only this test's database: the machine's shared server is never touched otherwise.
      const killed = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid)) as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`.execute(t.db.kysely);
      terminated += Number(killed.rows[0]?.n ?? 0);
      await new Promise((r) => setTimeout(r, 300));
    }
    await new Promise((r) => setTimeout(r, 1_000));
    stop = true;
    const answers = await running;
    console.log(
      `pg_terminate_backend: ${terminated} connections cut; ${answers.filter((x) => x.status === 201).length} × 201, ${answers.filter((x) => x.status === 503).length} × 503`,
    );
    expect(terminated).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull();
    expect(answers.filter((x) => x.status !== 201 && x.status !== 503)).toEqual([]);
    expect((await lodge(server.url, trader, declaration())).status).toBe(201);
  }, 60_000);
});

describe.each(BACKENDS)('kill -9 under load on %s', (backend) => {
  let dir: string;
  let t: TestDatabase | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-kill-'));
    if (backend === 'postgres') t = await freshDatabase('postgres');
    env = {
      ...(backend === 'postgres'
        ? { GREENLANE_DATABASE_URL: t!.url! }
        : { GREENLANE_SQLITE_PATH: path.join(dir, 'greenlane.db') }),
      GREENLANE_OUTBOX_POLL_MS: '100',
      GREENLANE_EVENT_LOG: path.join(dir, 'events.ndjson'),
    };
  });

  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every committed change with its event, delivers every event, none uncommitted', async () => {
    const answers: Awaited<ReturnType<typeof load>> = [];
    for (let round = 0; round < 4; round++) {
      const server = await startServer(env, round === 0 ? ['--seed-demo'] : []);
      await server.waitUntilUp(120_000);
      const trader = await signIn(server.url, 'trader');
      let gone = false;
      void server.exited.then(() => (gone = true));
      const running = load(
        () => server.url,
        trader,
        16,
        () => gone,
      );
      if (round < 3) {
        // At a random point of the load: no shutdown, no flush.
        await new Promise((r) => setTimeout(r, 700 + Math.random() * 1_500));
        server.kill('SIGKILL');
        answers.push(...(await running));
        continue;
      }
      // The last round: load a little, then wait until the subscriber has caught up.
      await new Promise((r) => setTimeout(r, 1_000));
      server.kill('SIGTERM');
      answers.push(...(await running));
      const after = await startServer(env);
      await after.waitUntilUp();
      const db = t?.db ?? (await openDatabase({ sqlitePath: env.GREENLANE_SQLITE_PATH! }));
      try {
        const head = await db.read.outbox.head();
        await waitFor(
          async () => {
            const c = await db.read.outbox.subscriberCursor('event-log');
            return c.txid === head.txid && c.position === head.position;
          },
          30_000,
          'the event log to catch up',
        );
        after.kill('SIGTERM');
        await after.exited;
        const acknowledged = answers.filter((x) => x.status === 201).map((x) => x.id!);
        expect(acknowledged.length).toBeGreaterThan(50);
        // Besides 201: cut off by the kill (0), or refused during the SIGTERM shutdown (503).
        expect(
          answers.filter(
            (x) => x.status !== 201 && x.status !== 0 && !(x.status === 503 && x.retryAfter),
          ),
        ).toEqual([]);
        // Nothing acknowledged is lost.
        const stored = new Set(
          (await db.kysely.selectFrom('declarations').select('id').execute()).map((r) => r.id),
        );
        expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
        // Every committed lodging has its audit event and its outbox row.
        const lodged = await db.kysely
          .selectFrom('declarations as d')
          .select('d.id')
          .where('d.reference', 'like', 'PROC-%')
          .where((eb) =>
            eb.or([
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('audit_events as a')
                    .select('a.seq')
                    .whereRef('a.subject_id', '=', 'd.id')
                    .where('a.action', '=', 'declaration.submitted'),
                ),
              ),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('outbox as o')
                    .select('o.position')
                    .whereRef('o.subject_id', '=', 'd.id')
                    .where('o.kind', '=', 'declaration.submitted'),
                ),
              ),
            ]),
          )
          .execute();
        expect(lodged).toEqual([]);
        // Every event delivered at least once; none that did not commit.
        const outbox = new Set(
          (await db.kysely.selectFrom('outbox').select('position').execute()).map((r) =>
            Number(r.position),
          ),
        );
        const logged = loggedPositions(env.GREENLANE_EVENT_LOG!);
        const distinct = new Set(logged);
        expect([...outbox].filter((p) => !distinct.has(p))).toEqual([]);
        expect([...distinct].filter((p) => !outbox.has(p))).toEqual([]);
        console.log(
          `kill -9 on ${backend}: ${acknowledged.length} acknowledged, ${answers.filter((x) => x.status === 0).length} cut off, ${outbox.size} events, ${logged.length - distinct.size} delivered twice`,
        );
      } finally {
        if (!t) await db.close();
      }
    }
  }, 300_000);
});

describe('shutdown on SIGTERM', () => {
  it('does not wait out keep-alive connections with requests in flight, and refuses late ones with a problem document', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-stop-'));
    try {
      const server = await startServer({ GREENLANE_SQLITE_PATH: path.join(dir, 'greenlane.db') }, [
        '--seed-demo',
      ]);
      await server.waitUntilUp(120_000);
      const trader = await signIn(server.url, 'trader');
      // Closed-loop clients on keep-alive connections (fetch keeps them), lodging until the
      // server is gone: some request is always in flight when SIGTERM arrives.
      let gone = false;
      void server.exited.then(() => (gone = true));
      const answers = load(
        () => server.url,
        trader,
        8,
        () => gone,
      );
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      server.kill('SIGTERM');
      const code = await server.exited;
      const took = Date.now() - t0;
      const all = await answers;
      console.log(
        `SIGTERM under load of 8 clients: exited ${String(code)} after ${took} ms; ${all.filter((a) => a.status === 503).length} late requests refused with 503`,
      );
      expect(code).toBe(0);
      // Fastify's keep-alive timeout is 72 s; the server must not wait for idle connections.
      expect(took).toBeLessThan(10_000);
      for (const a of all) {
        // Served, refused as shutting down (a problem document), or cut once the server was gone.
        expect([0, 201, 503]).toContain(a.status);
        if (a.status === 503) expect(a.type).toMatch(/problem\+json/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('demo users only on the demo database', () => {
  it('a real install gets no demo user (its exchange waits for an administration), and --demo refuses a configured database or node', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-real-'));
    try {
      const file = path.join(dir, 'greenlane.db');
      const refused = await startServer({ GREENLANE_SQLITE_PATH: file }, ['--demo']);
      expect(await refused.exited).not.toBe(0);
      expect(refused.output()).toMatch(/--demo runs on its own database.*--seed-demo/s);

      // The demo is its own exchange node too.
      const other = await startServer({ GREENLANE_NODE_ID: 'KZ/KGD' }, ['--demo']);
      expect(await other.exited).not.toBe(0);
      expect(other.output()).toMatch(/--demo is exchange node BY\/GTK.*GREENLANE_NODE_ID KZ\/KGD/s);

      // A node id before any administration: the server runs, the exchange waits for one.
      const real = await startServer({
        GREENLANE_SQLITE_PATH: file,
        GREENLANE_NODE_ID: 'BY/GTK',
        GREENLANE_NODE_KEY: path.join(dir, 'node-key.json'),
      });
      try {
        await real.waitUntilUp(120_000);
        await waitFor(() => /admin create --username/.test(real.output()), 10_000, 'the banner');
        expect(real.output()).toContain('greenlane admin create');
        expect(real.output()).toMatch(
          /Exchange node BY\/GTK: not started, there is no administration yet\. The exchange starts once the first administrator is created/,
        );
        expect(existsSync(path.join(dir, 'node-key.json'))).toBe(false);
        for (const username of ['admin', 'officer', 'trader']) {
          const r = await fetch(`${real.url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username, password: 'greenlane-demo' }),
          });
          expect(r.status, username).toBe(401);
        }
      } finally {
        real.kill('SIGTERM');
        await real.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('serve --demo: the demo and its partner administration', () => {
  let dir: string;
  let port: number;
  const by = () => `http://127.0.0.1:${port}`;
  const kz = () => `http://127.0.0.1:${port + 1}`;

  beforeAll(async () => {
    // Its own working directory: the demo's files go to ./data there.
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-demo-'));
    port = await freePortPair();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `serve --demo` up, both servers answering, the banner printed (the exchange seeded). */
  async function up(): Promise<ServerProcess> {
    const server = await startServer({}, ['--demo'], { cwd: dir, port });
    await server.waitUntilUp(180_000);
    await waitFor(() => /Two administrations/.test(server.output()), 60_000, 'the banner');
    expect((await fetch(`${kz()}/healthz`)).status).toBe(200);
    return server;
  }

  async function get<T>(url: string, token: string): Promise<T> {
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await r.json()) as T;
    expect(r.status, JSON.stringify(body)).toBe(200);
    return body;
  }

  interface Message {
    id: string;
    direction: 'in' | 'out';
    type: string;
    from: string;
    to: string;
    delivery: string;
    caseStatus: string | null;
    body: Record<string, unknown>;
  }
  const messages = (url: string, token: string, box?: 'in' | 'out') =>
    get<Message[]>(`${url}/api/exchange/messages${box ? `?box=${box}` : ''}`, token);
  const kinds = (list: Message[]) => list.map((m) => `${m.direction} ${m.type}`).sort();
  /** What a restart must leave as it is: messages, partners with keys and agreements, contacts. */
  const state = async (url: string, token: string) => ({
    messages: (await messages(url, token)).map((m) => `${m.direction} ${m.type} ${m.id}`).sort(),
    partners: (
      await get<Array<{ id: string; keys: unknown[]; agreements: Array<{ legalBasis: string }> }>>(
        `${url}/api/exchange/partners`,
        token,
      )
    ).map((p) => ({
      id: p.id,
      keys: p.keys.length,
      agreements: p.agreements.map((a) => a.legalBasis).sort(),
    })),
    contacts: (
      await get<Array<{ nodeId: string; id: string }>>(`${url}/api/exchange/contacts`, token)
    )
      .map((c) => `${c.nodeId} ${c.id}`)
      .sort(),
  });

  it('links BY/GTK and KZ/KGD with demo messages; an alert sent at one arrives at the other; a restart seeds nothing twice', async () => {
    let server = await up();
    let before: { by: unknown; kz: unknown };
    let exitCode: number | string;
    try {
      const out = server.output();
      expect(out).toContain(`running at ${by()}`);
      expect(out).toContain(
        `Demo partner administration: State Revenue Committee of Kazakhstan (demo), running at ${kz()}`,
      );
      expect(out).toMatch(/sign in as liaison/);
      const byLiaison = await signIn(by(), 'liaison');
      const kzLiaison = await signIn(kz(), 'liaison');
      // The banner names each node and its key thumbprint.
      for (const [url, token] of [
        [by(), byLiaison],
        [kz(), kzLiaison],
      ] as const) {
        const node = await get<{ nodeId: string; keys: Array<{ kid: string }> }>(
          `${url}/api/exchange/node`,
          token,
        );
        expect(out).toContain(`Exchange node ${node.nodeId} (`);
        for (const k of node.keys) expect(out).toContain(k.kid);
      }

      // The seeded exchange, every message delivered with a receipt.
      const outboxes = async () => [
        ...(await messages(by(), byLiaison, 'out')),
        ...(await messages(kz(), kzLiaison, 'out')),
      ];
      await waitFor(
        async () => {
          const out = await outboxes();
          return out.length === 7 && out.every((m) => m.delivery === 'delivered');
        },
        30_000,
        'the demo messages to be delivered',
      );
      expect(kinds(await messages(by(), byLiaison))).toEqual([
        'in assistance.request',
        'in directory.update',
        'in risk.share',
        'in seizure.report',
        'out alert',
        'out assistance.status',
        'out directory.update',
      ]);
      expect(kinds(await messages(kz(), kzLiaison))).toEqual([
        'in alert',
        'in assistance.status',
        'in directory.update',
        'out assistance.request',
        'out directory.update',
        'out risk.share',
        'out seizure.report',
      ]);
      const [request] = await get<Message[]>(
        `${kz()}/api/exchange/messages?box=out&type=assistance.request`,
        kzLiaison,
      );
      expect(request!.caseStatus).toBe('acknowledged');
      const byState = await state(by(), byLiaison);
      expect(byState.partners).toEqual([
        { id: 'KZ/KGD', keys: 1, agreements: ['SCO-CUSTOMS-2007', 'SCO-IPR-2012'] },
      ]);
      expect(byState.contacts.filter((c) => c.startsWith('KZ/KGD '))).toHaveLength(2);
      expect(
        (await state(kz(), kzLiaison)).contacts.filter((c) => c.startsWith('BY/GTK ')),
      ).toHaveLength(2);

      // The newcomer's try: an alert from BY's liaison officer arrives at KZ.
      const r = await fetch(`${by()}/api/exchange/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${byLiaison}`, 'content-type': 'application/json' },
        // The README's example.
        body: readFileSync(new URL('../../examples/exchange-alert.json', import.meta.url), 'utf8'),
      });
      const sent = (await r.json()) as Message[];
      expect(r.status, JSON.stringify(sent)).toBe(202);
      let arrived: Message | undefined;
      await waitFor(
        async () => {
          arrived = (await messages(kz(), kzLiaison, 'in')).find((m) => m.id === sent[0]!.id);
          return arrived !== undefined;
        },
        20_000,
        'the alert at KZ/KGD',
      );
      expect(arrived!.type).toBe('alert');
      expect(arrived!.from).toBe('BY/GTK');
      expect(arrived!.body.summary).toBe(
        'Live parrots in hand luggage on flights from Minsk to Almaty',
      );

      // BY's analyst takes KZ's shared indicators as drafts.
      const analyst = await signIn(by(), 'analyst');
      const [shared] = await get<Message[]>(
        `${by()}/api/exchange/messages?type=risk.share`,
        analyst,
      );
      const adopt = await fetch(`${by()}/api/exchange/messages/${shared!.id}/adopt`, {
        method: 'POST',
        headers: { authorization: `Bearer ${analyst}` },
      });
      const adopted = (await adopt.json()) as { adopted: unknown[]; failed: unknown[] };
      expect(adopt.status, JSON.stringify(adopted)).toBe(200);
      expect(adopted.adopted.length).toBeGreaterThan(0);
      expect(adopted.failed).toEqual([]);

      await waitFor(
        async () =>
          (await messages(by(), byLiaison, 'out')).every((m) => m.delivery === 'delivered'),
        20_000,
        'the alert to be receipted',
      );
      before = { by: await state(by(), byLiaison), kz: await state(kz(), kzLiaison) };
    } finally {
      server.kill('SIGTERM');
      exitCode = await server.exited;
    }
    // Both administrations, their exchange nodes and databases closed in order.
    expect(exitCode).toBe(0);

    // Again on the same files: nothing is seeded twice.
    server = await up();
    try {
      expect(server.output()).not.toContain('Demo data created');
      expect(server.output()).toContain('nothing seeded again');
      const byLiaison = await signIn(by(), 'liaison');
      const kzLiaison = await signIn(kz(), 'liaison');
      expect({ by: await state(by(), byLiaison), kz: await state(kz(), kzLiaison) }).toEqual(
        before,
      );
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  }, 400_000);
});
