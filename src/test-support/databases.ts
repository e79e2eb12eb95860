import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Backend, type Database } from '../storage/database.js';

/** The PostgreSQL server the tests use; CI always sets it. */
export const TEST_POSTGRES_URL = process.env.GREENLANE_TEST_POSTGRES_URL;

if (!TEST_POSTGRES_URL) {
  if (process.env.CI) {
    throw new Error(
      'CI must set GREENLANE_TEST_POSTGRES_URL: the PostgreSQL tests may not be skipped there',
    );
  }
  console.warn(
    '\n  ⚠ PostgreSQL tests SKIPPED: set GREENLANE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run them\n',
  );
}

/** The backends every contract test runs on: SQLite always, PostgreSQL when a server is given. */
export const BACKENDS: Backend[] = TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  db: Database;
  /** Closes the database and deletes it. */
  drop(): Promise<void>;
  /** The SQLite file, for tests that open it from other processes. */
  sqlitePath?: string;
  /** The PostgreSQL database's URL, for tests that open it from other processes. */
  url?: string;
}

/** A fresh, migrated (unless told not to), empty database on the given backend. */
export async function freshDatabase(
  backend: Backend,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-test-'));
    const sqlitePath = path.join(dir, 'test.db');
    const db = await openDatabase({ sqlitePath, migrate });
    return {
      db,
      sqlitePath,
      drop: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `greenlane_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL!);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), migrate });
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      // pg's Pool.end() resolves once it has asked its clients to end, not when they have: wait
      // for their sessions to go, so that FORCE never cuts one mid-goodbye (an unhandled error).
      for (let i = 0; i < 100; i++) {
        const { rows } = await c.query<{ n: string }>(
          'select count(*) as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (Number(rows[0]!.n) === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Another handle on the test database (its own connections and write batcher), as a second process has. */
export function openAgain(t: TestDatabase): Promise<Database> {
  return openDatabase(t.url ? { url: t.url } : { sqlitePath: t.sqlitePath! });
}
