import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../config.js';
import { generateDeclarations } from '../app/generate-declarations.js';
import { openDatabase, type Database } from '../storage/database.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { signIn, startServer, type ServerProcess } from '../test-support/server-process.js';
import { ledgerVerify } from './commands/ledger.js';
import { consistencyProof, rootAt } from '../app/ledger.js';
import { hashesEqual, verifyConsistency } from '../core/ledger/merkle.js';

/**
 * The ledger through kill -9 (issue 16): `greenlane serve` as a node of the exchange (the demo
 * data, the reference library in force) lodging a realistic mix from 32 concurrent clients, killed
 * while its ledger appends, restarted, killed again, then stopped. Every outbox event must be
 * exactly one leaf, in delivery order, and `ledger verify` must pass.
 */

const CLIENTS = 32;
const KILLS = 2;

let serial = 0;
/** Generated declarations (seeded, a third hitting an indicator), declared now. */
function* bodies(seed: number): Generator<string> {
  for (const d of generateDeclarations(100_000, seed))
    yield JSON.stringify({
      ...d,
      reference: `${d.reference}-${serial++}`,
      submittedAt: new Date().toISOString(),
    });
}

/** Closed-loop clients lodging until `until()`, spread over the servers; the number of 201s. */
async function load(
  servers: ReadonlyArray<{ url: string; token: string }>,
  until: () => boolean,
): Promise<number> {
  const next = bodies(Date.now() % 100_000);
  let created = 0;
  let sent = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (!until()) {
        const { url, token } = servers[sent++ % servers.length]!;
        let status: number;
        try {
          const r = await fetch(`${url}/api/declarations`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: next.next().value as string,
          });
          await r.text();
          status = r.status;
        } catch {
          // The server is gone (kill -9): the answer never came.
          await new Promise((x) => setTimeout(x, 50));
          continue;
        }
        if (status === 201) created++;
        else if (status !== 503) throw new Error(`lodging answered ${status}`);
      }
    }),
  );
  return created;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Every outbox event is exactly one leaf, in delivery order; each checkpoint is the stored tree's
 * root at its size and consistent with the one before; `ledger verify` passes.
 */
async function expectEveryEventOnce(
  db: Database,
  env: Record<string, string>,
): Promise<{ events: number; checkpoints: number }> {
  const outbox = await db.kysely
    .selectFrom('outbox')
    .select(['position'])
    .orderBy('txid')
    .orderBy('position')
    .execute();
  const leaves = await db.kysely
    .selectFrom('ledger_leaves')
    .select(['idx', 'position'])
    .orderBy('idx')
    .execute();
  const read = db.read;
  const state = await read.ledger.state();
  expect(state.size).toBe(outbox.length);
  expect(leaves.map((l) => Number(l.idx))).toEqual(outbox.map((_, i) => i));
  // One leaf per event, in delivery order (so no position twice).
  expect(leaves.map((l) => Number(l.position))).toEqual(outbox.map((e) => Number(e.position)));

  const checkpoints = await read.ledger.checkpoints(-1, 100_000);
  expect(checkpoints.length).toBeGreaterThan(0);
  for (const [i, c] of checkpoints.entries()) {
    expect(hashesEqual(c.root, await rootAt(read, c.size)), `checkpoint of ${c.size}`).toBe(true);
    const before = checkpoints[i - 1];
    if (before) {
      const proof = await consistencyProof(read, before.size, c.size);
      verifyConsistency(before.size, c.size, before.root, c.root, proof);
    }
  }

  const out: string[] = [];
  const ok = await ledgerVerify(
    readConfig(env),
    { json: true },
    { out: (l) => out.push(l), err: (l) => out.push(l) },
  );
  expect(ok, out.join('\n')).toBe(true);
  const report = JSON.parse(out.at(-1)!) as { leaves: number; checkpoints: number };
  expect(report).toMatchObject({ leaves: outbox.length, checkpoints: checkpoints.length });
  return { events: outbox.length, checkpoints: checkpoints.length };
}

describe.each(BACKENDS)('the ledger through kill -9 of greenlane serve on %s', (backend) => {
  let dir: string;
  let t: TestDatabase | undefined;
  let db: Database | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-ledger-kill-'));
    if (backend === 'postgres') t = await freshDatabase('postgres');
    env = {
      ...(backend === 'postgres'
        ? { GREENLANE_DATABASE_URL: t!.url! }
        : { GREENLANE_SQLITE_PATH: path.join(dir, 'greenlane.db') }),
      GREENLANE_NODE_ID: 'BY/GTK',
      GREENLANE_NODE_KEY: path.join(dir, 'node-key.json'),
      GREENLANE_LEDGER_CHECKPOINT_EVERY: '200',
      GREENLANE_LEDGER_CHECKPOINT_SECONDS: '1',
      GREENLANE_OUTBOX_POLL_MS: '50',
    };
  });

  afterAll(async () => {
    if (backend === 'sqlite') await db?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps every event exactly once, in delivery order, through ${KILLS} kills while appending`, async () => {
    let created = 0;
    /** Kills at which the ledger had committed pages its dispatcher cursor had not yet passed. */
    let redelivered = 0;
    for (let round = 0; round <= KILLS; round++) {
      const server: ServerProcess = await startServer(env, round === 0 ? ['--seed-demo'] : []);
      await server.waitUntilUp(120_000);
      db ??= t?.db ?? (await openDatabase({ sqlitePath: env.GREENLANE_SQLITE_PATH! }));
      const read = db.read;
      const officer = await signIn(server.url, 'officer');
      let gone = false;
      void server.exited.then(() => (gone = true));
      let stop = false;
      const running = load([{ url: server.url, token: officer }], () => gone || stop);
      const from = (await read.ledger.state()).size;
      if (round < KILLS) {
        // Mid-append: the ledger has grown under load and the outbox is ahead of it.
        await waitFor(
          async () => {
            const state = await read.ledger.state();
            const head = await read.outbox.head();
            return state.size >= from + 100 && head.position !== state.cursor.position;
          },
          60_000,
          'the ledger to append under load',
        );
        server.kill('SIGKILL');
        await server.exited;
        created += await running;
        const state = await read.ledger.state();
        const cursor = await read.outbox.subscriberCursor('ledger');
        if (state.cursor.position !== cursor.position) redelivered++;
        continue;
      }
      // The last round: lodge a while, then let the ledger catch up and stop the server.
      await new Promise((r) => setTimeout(r, 2_000));
      stop = true;
      created += await running;
      await waitFor(
        async () => {
          const [state, head] = [await read.ledger.state(), await read.outbox.head()];
          return state.cursor.txid === head.txid && state.cursor.position === head.position;
        },
        60_000,
        'the ledger to catch up',
      );
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }

    const { events, checkpoints } = await expectEveryEventOnce(db!, env);
    expect(created).toBeGreaterThan(100);
    console.log(
      `kill -9 of serve on ${backend}: ${created} lodged, ${events} events, each one leaf; ` +
        `${checkpoints} checkpoints; ${redelivered} of ${KILLS} kills left a page to deliver again`,
    );
  }, 240_000);
});

describe.skipIf(!BACKENDS.includes('postgres'))(
  'the ledger of several greenlane serve processes on one PostgreSQL',
  () => {
    let dir: string;
    let t: TestDatabase;
    const servers: ServerProcess[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-ledger-procs-'));
      t = await freshDatabase('postgres');
    });
    afterAll(async () => {
      for (const s of servers) s.kill('SIGKILL');
      await Promise.all(servers.map((s) => s.exited));
      await t?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('appends every event once whichever of three processes lodged it, all three running appenders and signers', async () => {
      const env = {
        GREENLANE_DATABASE_URL: t.url!,
        GREENLANE_NODE_ID: 'BY/GTK',
        GREENLANE_NODE_KEY: path.join(dir, 'node-key.json'),
        GREENLANE_LEDGER_CHECKPOINT_EVERY: '200',
        GREENLANE_LEDGER_CHECKPOINT_SECONDS: '1',
        GREENLANE_OUTBOX_POLL_MS: '50',
      };
      servers.push(await startServer(env, ['--seed-demo']));
      await servers[0]!.waitUntilUp(120_000);
      servers.push(await startServer(env), await startServer(env));
      await Promise.all(servers.slice(1).map((s) => s.waitUntilUp(120_000)));
      const targets = await Promise.all(
        servers.map(async (s) => ({ url: s.url, token: await signIn(s.url, 'officer') })),
      );
      let stop = false;
      const running = load(targets, () => stop);
      await new Promise((r) => setTimeout(r, 6_000));
      stop = true;
      const created = await running;
      const read = t.db.read;
      await waitFor(
        async () => {
          const [state, head] = [await read.ledger.state(), await read.outbox.head()];
          return state.cursor.txid === head.txid && state.cursor.position === head.position;
        },
        60_000,
        'the ledger to catch up',
      );
      for (const s of servers) s.kill('SIGTERM');
      expect(await Promise.all(servers.map((s) => s.exited))).toEqual([0, 0, 0]);
      const { events, checkpoints } = await expectEveryEventOnce(t.db, env);
      expect(created).toBeGreaterThan(100);
      console.log(
        `3 serve processes on one PostgreSQL: ${created} lodged, ${events} events, each one leaf; ${checkpoints} checkpoints`,
      );
    }, 200_000);
  },
);
