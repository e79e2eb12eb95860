import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import { SeededRandom } from '../core/random.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { naiveRelease } from '../test-support/naive-release.js';
import { approve, saveReferenceList, submitForApproval } from './manage-indicators.js';
import { applyForPermit, permitStep, releaseDeclaration } from './manage-permits.js';
import { submitDeclaration } from './submit-declaration.js';

const AUTHORISED = 1000;
const REQUESTS = 1500;
const WORKER = fileURLToPath(new URL('../test-support/release-worker.ts', import.meta.url));

interface Outcome {
  released: number;
  refused: number;
  failed: string[];
}

/**
 * A permit of 1,000 units and 1,500 concurrent releases of 1 unit each: exactly 1,000 succeed
 * and the balance plus the usage always equals what was authorised. SQLite is driven by several
 * processes on one database file, PostgreSQL by one process through a connection pool. A naive
 * read-then-write release is run the same way and must be caught over-drawing.
 */
describe.each(BACKENDS)('permit draw-down under concurrency on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let trader: Principal;
  let officer: Principal;
  let dir: string;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    trader = world.principals.trader;
    officer = world.principals.officer;
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-drawdown-'));
    const analyst = world.principals.riskAnalyst;
    await saveReferenceList(world.ctx, analyst, {
      name: 'e-waste',
      kind: 'hs-prefixes',
      title: 'E-waste',
      entries: ['8549'],
    });
    await submitForApproval(world.ctx, analyst, 'reference-list', 'e-waste', { version: 1 });
    await approve(world.ctx, world.principals.secondAnalyst, 'reference-list', 'e-waste', {
      version: 1,
    });
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh issued consent of 1,000 kg and 1,500 lodged declarations of 1 kg each. */
  async function round(tag: string): Promise<{ permitId: string; ids: string[] }> {
    const applied = await applyForPermit(world.ctx, trader, {
      type: 'waste-consent',
      issuerAgency: 'BY-E',
      counterpart: { name: 'Recycler', country: 'CN' },
      hsScope: ['8549'],
      quantity: AUTHORISED,
      unit: 'KGM',
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2027-01-01T00:00:00Z',
      details: { wasteCode: 'A1180', operation: 'R4' },
    });
    await permitStep(world.ctx, world.principals.ecologist, applied.id, { step: 'issue' });
    const base = sampleDeclaration();
    const ids: string[] = [];
    for (let from = 0; from < REQUESTS; from += 250) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(250, REQUESTS - from) }, (_, k) =>
          submitDeclaration(world.ctx, officer, {
            sourceFormat: 'json',
            input: {
              ...base,
              reference: `${tag}-${from + k}`,
              goodsItems: [{ ...base.goodsItems[0]!, netMass: 1, grossMass: 1.2 }],
            },
          }),
        ),
      );
      for (const r of batch) {
        if (r.outcome !== 'created') throw new Error('a fresh declaration was not created');
        ids.push(r.declaration.id);
      }
    }
    return { permitId: applied.id, ids };
  }

  async function balance(permitId: string) {
    const permit = (await t.db.read.permits.find(permitId))!;
    const used = (await t.db.read.permits.usage(permitId)).reduce((n, u) => n + u.quantityMilli, 0);
    return { remaining: permit.remainingMilli, used, status: permit.status };
  }

  function shuffle<T>(items: T[], random: SeededRandom): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Releases every declaration at once: several processes (SQLite) or one pool (PostgreSQL). */
  async function releaseAll(
    mode: 'correct' | 'naive',
    permitId: string,
    ids: string[],
    random: SeededRandom,
  ): Promise<Outcome> {
    const order = shuffle(ids, random);
    if (backend === 'sqlite') {
      const processes = 3 + Math.floor(random.next() * 3);
      const shares = Array.from({ length: processes }, (_, p) =>
        order.filter((_, k) => k % processes === p),
      );
      const outcomes = await Promise.all(
        shares.map((share, p) => {
          const file = path.join(dir, `${permitId}-${mode}-${p}.json`);
          writeFileSync(file, JSON.stringify(share));
          return runWorker([t.sqlitePath!, world.tokens.officer, mode, permitId, file]);
        }),
      );
      return {
        released: outcomes.reduce((n, o) => n + o.released, 0),
        refused: outcomes.reduce((n, o) => n + o.refused, 0),
        failed: outcomes.flatMap((o) => o.failed),
      };
    }
    const at = new Date().toISOString();
    const results = await Promise.allSettled(
      order.map((id) =>
        mode === 'naive'
          ? naiveRelease(t.db, id, permitId, 1000, at)
          : releaseDeclaration(world.ctx, officer, id),
      ),
    );
    const conflict = (r: PromiseSettledResult<unknown>) =>
      r.status === 'rejected' && r.reason instanceof DomainError && r.reason.code === 'conflict';
    return {
      released: results.filter((r) => r.status === 'fulfilled').length,
      refused: results.filter(conflict).length,
      failed: results.flatMap((r) =>
        r.status === 'rejected' && !conflict(r) ? [String(r.reason)] : [],
      ),
    };
  }

  it('draws exactly the authorised quantity, never more, in repeated randomized runs', async () => {
    for (let run = 1; run <= 3; run++) {
      const seed = (Date.now() + run) >>> 0;
      const { permitId, ids } = await round(`RUN${run}`);
      const outcome = await releaseAll('correct', permitId, ids, new SeededRandom(seed));
      const why = `run ${run}, seed ${seed}: ${JSON.stringify(outcome).slice(0, 500)}`;
      expect(outcome.failed, why).toEqual([]);
      expect(outcome.released, why).toBe(AUTHORISED);
      expect(outcome.refused, why).toBe(REQUESTS - AUTHORISED);
      const b = await balance(permitId);
      expect(b.remaining, why).toBeGreaterThanOrEqual(0);
      expect(b.remaining + b.used, why).toBe(AUTHORISED * 1000);
      expect(b, why).toEqual({ remaining: 0, used: AUTHORISED * 1000, status: 'exhausted' });
      const released = await Promise.all(ids.map((id) => t.db.read.declarations.status(id)));
      expect(released.filter((s) => s?.status === 'released').length, why).toBe(AUTHORISED);
    }
  }, 180_000);

  it('catches the naive read-then-write release over-drawing (negative control)', async () => {
    const seed = Date.now() >>> 0;
    const { permitId, ids } = await round('NAIVE');
    const outcome = await releaseAll('naive', permitId, ids, new SeededRandom(seed));
    const b = await balance(permitId);
    const why = `seed ${seed}: ${JSON.stringify({ ...outcome, failed: outcome.failed.length, ...b })}`;
    process.stdout.write(`naive release on ${backend}: ${why}\n`);
    // Lost updates: the balance no longer accounts for the usage, more than allowed was drawn.
    expect(b.remaining + b.used, why).not.toBe(AUTHORISED * 1000);
    expect(b.used, why).toBeGreaterThan(AUTHORISED * 1000);
  }, 120_000);
});

function runWorker(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`release worker exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Outcome);
    });
  });
}
