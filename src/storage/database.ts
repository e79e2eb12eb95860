import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  sql,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DomainError } from '../core/errors.js';
import type { Repositories, Storage } from '../core/ports.js';
import { mappingErrors } from './database-errors.js';
import { migrateToLatest } from './migrate.js';
import { createRepositories } from './repositories.js';
import type { DB } from './schema.js';
import { WriteBatcher, type CommitProbe } from './write-batcher.js';
import { TraderRecordChanges } from './trader-store.js';

export type Backend = 'sqlite' | 'postgres';

/** An open database: the Kysely instance, which backend it is, and the Storage port over it. */
export interface Database extends Storage {
  readonly backend: Backend;
  readonly kysely: Kysely<DB>;
  /** Resolves when the database answers a query within `timeoutMs`; rejects otherwise. */
  ready(timeoutMs?: number): Promise<void>;
  /** Subscribes to commits made through this process (the outbox readers wake on them). */
  onCommit(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…`, or undefined for embedded SQLite. */
  url?: string | undefined;
  /** SQLite file (`:memory:` for tests). */
  sqlitePath?: string;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL: largest pool (default 16). */
  poolSize?: number;
  /** PostgreSQL: longest a statement may run before the server cancels it (default 15 s). */
  statementTimeoutMs?: number;
  /** Told about errors of idle connections (they are dropped and replaced, never fatal). */
  onConnectionError?: (error: Error) => void;
}

/** Opens the configured backend, migrated to the latest schema. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const backend: Backend = options.url ? 'postgres' : 'sqlite';
  const kysely =
    backend === 'postgres'
      ? postgres(options)
      : sqlite(options.sqlitePath ?? './data/greenlane.db');
  try {
    if (options.migrate !== false) await migrateToLatest(kysely as Kysely<unknown>, backend);
  } catch (error) {
    await kysely.destroy().catch(() => undefined);
    throw error;
  }
  const commitListeners = new Set<() => void>();
  const batcher = new WriteBatcher(kysely, {
    // PostgreSQL: smaller batches, so that a batch holding a hot row (one permit drawn by many
    // releases) keeps the others waiting for milliseconds, not for the length of 500 jobs.
    maxBatch: backend === 'postgres' ? 100 : 500,
    concurrentBatches: backend === 'postgres' ? 2 : 1,
    ...(backend === 'postgres' ? { probe: postgresCommitProbe(kysely) } : {}),
    onCommit: () => {
      for (const listener of commitListeners) listener();
    },
    atEnd: {
      forJob: () => new TraderRecordChanges(),
      apply: (trx, kept) => TraderRecordChanges.apply(trx, kept),
    },
  });
  const read = createRepositories(kysely, backend);
  const held = new Set<string>();
  return {
    backend,
    kysely,
    read,
    write: <T>(work: (tx: Repositories) => Promise<T>) =>
      batcher.run((trx, atEnd) => work(createRepositories(trx, backend, atEnd))),
    async exclusive<T>(name: string, work: () => Promise<T>) {
      if (held.has(name)) return undefined;
      held.add(name);
      try {
        if (backend === 'sqlite') return { value: await work() };
        return await kysely.connection().execute(async (connection) => {
          const key = sql<boolean>`pg_try_advisory_lock(hashtext(${`greenlane:${name}`}))`;
          const got = await sql<{ ok: boolean }>`select ${key} as ok`.execute(connection);
          if (!got.rows[0]?.ok) return undefined;
          try {
            return { value: await work() };
          } finally {
            await sql`select pg_advisory_unlock(hashtext(${`greenlane:${name}`}))`
              .execute(connection)
              .catch(() => undefined);
          }
        });
      } finally {
        held.delete(name);
      }
    },
    async ready(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DomainError('unavailable', 'the database did not answer in time')),
          timeoutMs,
        );
      });
      try {
        await Promise.race([sql`select 1`.execute(kysely), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    onCommit(listener) {
      commitListeners.add(listener);
      return () => commitListeners.delete(listener);
    },
    close: () => kysely.destroy(),
  };
}

/**
 * Opens the database, waiting for it with back-off while it cannot be reached (a server started
 * before its database, or during a failover). Other errors (a failed migration) are thrown.
 */
export async function openDatabaseWhenReachable(
  options: DatabaseOptions,
  onRetry: (error: Error, delayMs: number) => void,
  maxDelayMs = 10_000,
): Promise<Database> {
  for (let delay = 250; ; delay = Math.min(delay * 2, maxDelayMs)) {
    try {
      return await openDatabase(options);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'unavailable')) throw error;
      onRetry(error, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** PostgreSQL reports the outcome of a transaction by its id, even after its connection is gone. */
function postgresCommitProbe(kysely: Kysely<DB>): CommitProbe<DB> {
  return {
    async before(trx) {
      const r = await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(trx);
      return r.rows[0]!.xid;
    },
    async outcome(xid) {
      // The backend of a cut connection may take a moment to end its transaction; a database
      // that stays away leaves the outcome unknown after a few seconds (the callers are told so).
      const until = Date.now() + 6_000;
      while (Date.now() < until) {
        try {
          const r = await Promise.race([
            sql<{
              status: string | null;
            }>`select pg_xact_status(${xid}::xid8) as status`.execute(kysely),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error('no answer')), 1_500).unref(),
            ),
          ]);
          const status = r.rows[0]?.status;
          if (status === 'committed') return 'committed';
          if (status === 'aborted') return 'aborted';
        } catch {
          // Unreachable now: ask again shortly.
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      return 'unknown';
    },
  };
}

function sqlite(file: string): Kysely<DB> {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new SQLite(file);
  // 8 KiB pages (set before the file gets its first table): fewer WAL frames per group commit.
  // Measured with bench/ingest.ts: 4 KiB 1,857–1,961/s, 8 KiB 2,191–2,300/s, 16 KiB 1,725/s.
  database.pragma('page_size = 8192');
  database.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before it is acknowledged (WAL's default NORMAL can lose the last ones).
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // better-sqlite3 waits for a lock synchronously, freezing the event loop: wait at most 5 ms
  // here, and let the write batcher retry a busy BEGIN asynchronously (for up to 5 s).
  database.pragma('busy_timeout = 5');
  // 64 MiB page cache (default 2 MiB): index pages stay in memory between commits.
  database.pragma('cache_size = -65536');
  return new Kysely<DB>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
  });
}

/**
 * Kysely prepares every query anew; on SQLite preparing costs more than running a small insert.
 * Reuse prepared statements by SQL text (bounded: multi-row inserts vary in shape).
 */
function withStatementCache(database: SQLite.Database, capacity = 512): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (sql: string): SQLite.Statement => {
    let statement = cache.get(sql);
    if (statement) return statement;
    statement = database.prepare(sql);
    if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
    cache.set(sql, statement);
    return statement;
  };
  return new Proxy(database, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

/** SQLite dialect whose transactions start with BEGIN IMMEDIATE: take the write lock up front. */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return mappingErrors(new ImmediateSqliteDriver(this.config));
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

let typeParsersSet = false;

function postgres(options: DatabaseOptions): Kysely<DB> {
  if (!typeParsersSet) {
    // COUNT(*) is int8 and sums are numeric: return them as numbers, not strings.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
    typeParsersSet = true;
  }
  const statementTimeout = options.statementTimeoutMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: options.url!,
    max: options.poolSize ?? 16,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Every statement has a limit on the server, and the client gives up a little later.
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 5_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'greenlane',
  });
  const report = (error: Error) => options.onConnectionError?.(error);
  // A connection the server drops (restart, failover, pg_terminate_backend) emits 'error': without
  // these listeners that would end the process. The pool discards it and opens a new one on demand.
  pool.on('error', report);
  pool.on('connect', (client) => {
    client.on('error', report);
    preparingStatements(client);
  });
  return new Kysely<DB>({
    dialect: new MappedErrorsPostgresDialect({ pool }),
  });
}

/**
 * Each connection prepares the statements it runs (a few dozen shapes) once and then only binds
 * and executes them: PostgreSQL parses and plans a small statement in about as long as it runs it.
 * A plan a schema change made stale ("cached plan must not change result type") is prepared again.
 */
function preparingStatements(client: pg.PoolClient): void {
  const names = new Map<string, string>();
  let next = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
    ...args: unknown[]
  ) => {
    const [text, values] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || text.length > 8_000)
      return query(...args);
    let name = names.get(text);
    if (name === undefined && names.size < 500) {
      name = `greenlane_${next++}`;
      names.set(text, name);
    }
    if (name === undefined) return query(...args);
    return query({ name, text, values }).catch((error: unknown) => {
      if ((error as { code?: string }).code !== '0A000') throw error;
      names.set(text, `greenlane_${next++}`);
      return query(text, values);
    });
  };
}

/** PostgreSQL whose errors arrive as domain errors where they have a domain meaning. */
class MappedErrorsPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return mappingErrors(super.createDriver());
  }
}
