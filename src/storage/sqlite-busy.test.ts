import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';

describe('SQLite locked by another connection', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('a write waits on timers, not on a blocking busy handler: the event loop keeps running', async () => {
    const other = new SQLite(t.sqlitePath);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const holdMs = 1_000;
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec('COMMIT');
        other.close();
        resolve();
      }, holdMs),
    );
    let last = performance.now();
    let worstGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    const t0 = performance.now();
    const written = await t.db.write(async (tx) => {
      await tx.identity.insertAdministration({
        id: 'LOCKED-1',
        country: 'BY',
        name: 'written while locked',
        createdAt: new Date().toISOString(),
      });
      return 'ok';
    });
    const took = performance.now() - t0;
    clearInterval(ticker);
    await released;
    console.log(
      `write waited ${Math.round(took)} ms for the lock; worst event-loop gap ${Math.round(worstGap)} ms`,
    );
    expect(written).toBe('ok');
    expect(took).toBeGreaterThanOrEqual(holdMs - 50);
    // A blocking busy handler would freeze the loop for the whole hold (1 s).
    expect(worstGap).toBeLessThan(holdMs / 4);
  });
});
