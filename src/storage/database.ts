import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
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
import type { Repositories, Storage } from '../core/ports.js';
import { migrateToLatest } from './migrate.js';
import { createRepositories } from './repositories.js';
import type { DB } from './schema.js';
import { WriteBatcher } from './write-batcher.js';

export type Backend = 'sqlite' | 'postgres';

/** An open database: the Kysely instance, which backend it is, and the Storage port over it. */
export interface Database extends Storage {
  readonly backend: Backend;
  readonly kysely: Kysely<DB>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…`, or undefined for embedded SQLite. */
  url?: string | undefined;
  /** SQLite file (`:memory:` for tests). */
  sqlitePath?: string;
  /** Run migrations on open (default true). */
  migrate?: boolean;
}

/** Opens the configured backend, migrated to the latest schema. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const backend: Backend = options.url ? 'postgres' : 'sqlite';
  const kysely =
    backend === 'postgres'
      ? postgres(options.url!)
      : sqlite(options.sqlitePath ?? './data/greenlane.db');
  if (options.migrate !== false) await migrateToLatest(kysely as Kysely<unknown>, backend);
  const batcher = new WriteBatcher(kysely, {
    maxBatch: 500,
    concurrentBatches: backend === 'postgres' ? 4 : 1,
  });
  const read = createRepositories(kysely);
  return {
    backend,
    kysely,
    read,
    write: <T>(work: (tx: Repositories) => Promise<T>) =>
      batcher.run((trx) => work(createRepositories(trx))),
    close: () => kysely.destroy(),
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
  database.pragma('busy_timeout = 5000');
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
    return new ImmediateSqliteDriver(this.config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

let typeParsersSet = false;

function postgres(url: string): Kysely<DB> {
  if (!typeParsersSet) {
    // COUNT(*) is int8 and sums are numeric: return them as numbers, not strings.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
    typeParsersSet = true;
  }
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }),
  });
}
