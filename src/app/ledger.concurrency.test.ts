import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashesEqual, verifyConsistency } from '../core/ledger/merkle.js';
import type { Principal } from '../core/auth/identity.js';
import { testContext } from '../test-support/app.js';
import {
  BACKENDS,
  freshDatabase,
  openAgain,
  type TestDatabase,
} from '../test-support/databases.js';
import { startLedgerNode } from '../test-support/exchange-nodes.js';
import type { AppContext } from './context.js';
import { principalOfUser } from './authenticate.js';
import { seedDemo } from './bootstrap.js';
import { generateDeclarations } from './generate-declarations.js';
import { consistencyProof, LedgerAppender, rootAt, signCheckpointIfDue } from './ledger.js';
import { verifyKeysOf } from './ledger-proofs.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { submitDeclaration } from './submit-declaration.js';
import { verifyLedger } from './verify-ledger.js';

/**
 * The ledger under concurrent lodging (issue 16): 32 clients lodge a realistic mix (the demo's
 * reference library in force) through two database handles, as two processes would, while two
 * outbox dispatchers, each with its own ledger appender and its own handle, append, and the
 * checkpoint signer signs as leaves come. At the end every event is exactly one leaf, in delivery
 * order; each checkpoint's root is the stored tree's at its size and each is consistent with the
 * one before (RFC 9162 consistency proofs from the stored hashes); and the log verifies.
 */

const CLIENTS = 32;
const LODGINGS: Record<string, number> = { sqlite: 6000, postgres: 3000 };

/** Errors two appenders may meet without a lock between them (SQLite handles do not share one). */
const CONTENDED = /the ledger grew during an append|cursor of ledger moved during delivery/;

describe.each(BACKENDS)('the ledger under concurrent lodging on %s', (backend) => {
  let t: TestDatabase;
  let second: TestDatabase['db'];
  let keyDir: string;
  const nodes: Array<Awaited<ReturnType<typeof startLedgerNode>>> = [];
  const ctxs: AppContext[] = [];

  beforeAll(async () => {
    t = await freshDatabase(backend);
    const first = testContext(t.db);
    await seedDemo(first);
    // The second "process": its own connection(s) to the same database.
    second = await openAgain(t);
    ctxs.push(first, testContext(second));
    keyDir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-ledger-conc-'));
    // Both are the node BY/GTK with its key; SQLite's locks are per handle, so one signer there.
    for (const ctx of backend === 'postgres' ? ctxs : ctxs.slice(0, 1)) {
      nodes.push(
        await startLedgerNode(ctx, 'BY/GTK', path.join(keyDir, 'node-key.json'), {
          checkpointEvery: 150,
          checkpointSeconds: 1,
          pollMs: 50,
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) await n.close();
    await second?.close();
    await t?.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it(`appends each of ${LODGINGS[backend]} lodgings' events exactly once with two appenders and the signer running`, async () => {
    const started = performance.now();
    const errors: string[] = [];
    // Events each appender was handed (a page it found appended already is skipped).
    const handed = ctxs.map(() => 0);
    const dispatchers = ctxs.map((ctx, i) => {
      const appender = new LedgerAppender(ctx.storage, ctx.clock);
      const counting = {
        name: appender.name,
        deliver: async (events: Parameters<LedgerAppender['deliver']>[0]) => {
          await appender.deliver(events);
          handed[i]! += events.length;
        },
      };
      return new OutboxDispatcher(ctx.storage, ctx.clock, [counting], {
        pollMs: 10,
        pageSize: 37,
        onError: (_, e) => errors.push(e instanceof Error ? e.message : String(e)),
      });
    });
    for (const d of dispatchers) d.start();

    const officers: Principal[] = await Promise.all(
      ctxs.map((ctx) => principalOfUser(ctx, 'officer')),
    );
    const inputs = [...generateDeclarations(LODGINGS[backend]!, 16)];
    let next = 0;
    let lodged = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = next++; i < inputs.length; i = next++) {
          const ctx = ctxs[client % 2]!;
          const input = { ...inputs[i]!, submittedAt: new Date().toISOString() };
          const r = await submitDeclaration(ctx, officers[client % 2]!, {
            sourceFormat: 'json',
            input,
          });
          if (r.outcome === 'created') lodged++;
        }
      }),
    );
    expect(lodged).toBe(inputs.length);

    // Let both appenders finish what is there, then stop them and sign the last checkpoint.
    const read = ctxs[0]!.storage.read;
    const head = await read.outbox.head();
    for (const until = Date.now() + 60_000; ;) {
      const { cursor } = await read.ledger.state();
      if (cursor.txid === head.txid && cursor.position === head.position) break;
      if (Date.now() > until) throw new Error('the ledger did not catch up with the outbox');
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const d of dispatchers) await d.stop();
    for (const n of nodes) await n.checkpoints.stop();
    await signCheckpointIfDue(ctxs[0]!, { force: true });

    expect(errors.filter((e) => !CONTENDED.test(e))).toEqual([]);
    // Both took part.
    expect(
      handed.every((n) => n > 0),
      String(handed),
    ).toBe(true);
    if (backend === 'postgres') expect(errors).toEqual([]);

    // Every event one leaf, in delivery order.
    const kysely = t.db.kysely;
    const outbox = await kysely
      .selectFrom('outbox')
      .select('position')
      .orderBy('txid')
      .orderBy('position')
      .execute();
    const leaves = await kysely
      .selectFrom('ledger_leaves')
      .select(['idx', 'position'])
      .orderBy('idx')
      .execute();
    const state = await read.ledger.state();
    expect(state.size).toBe(outbox.length);
    expect(leaves.map((l) => Number(l.idx))).toEqual(outbox.map((_, i) => i));
    expect(leaves.map((l) => Number(l.position))).toEqual(outbox.map((e) => Number(e.position)));

    // Checkpoints: each the stored tree's root at its size, each consistent with the one before.
    const checkpoints = await read.ledger.checkpoints(-1, 100_000);
    expect(checkpoints.length).toBeGreaterThan(3);
    expect(checkpoints.at(-1)!.size).toBe(state.size);
    for (const [i, c] of checkpoints.entries()) {
      expect(hashesEqual(c.root, await rootAt(read, c.size)), `checkpoint of ${c.size}`).toBe(true);
      const before = checkpoints[i - 1];
      if (!before) continue;
      const proof = await consistencyProof(read, before.size, c.size);
      expect(() =>
        verifyConsistency(before.size, c.size, before.root, c.root, proof),
      ).not.toThrow();
    }

    const report = await verifyLedger(read, verifyKeysOf(ctxs[0]!));
    expect(report).toMatchObject({ ok: true, leaves: state.size, checkpoints: checkpoints.length });
    console.log(
      `${backend}: ${lodged} lodgings from ${CLIENTS} clients, ${state.size} leaves, ` +
        `${checkpoints.length} checkpoints; events handed to the appenders ${handed.join(' and ')}, ` +
        `${errors.length} contended deliveries; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 170_000);
});
