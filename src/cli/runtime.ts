import { DomainEvents } from '../app/events.js';
import { systemClock, ulidGenerator, type AppContext } from '../app/context.js';
import { riskRuntime } from '../app/risk.js';
import type { Config } from '../config.js';
import { openDatabase, type Database } from '../storage/database.js';

/** An opened database and the app context over it, as every command needs. */
export interface Runtime {
  db: Database;
  ctx: AppContext;
  close(): Promise<void>;
}

/** Opens the configured database (migrating it) and builds the app context. */
export async function openRuntime(config: Config): Promise<Runtime> {
  const db = await openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
  const ctx: AppContext = {
    storage: db,
    clock: systemClock,
    ids: ulidGenerator(systemClock),
    settings: {
      sessionTtlSeconds: config.sessionTtlSeconds,
      permitDeadlines: config.permitDeadlines,
      cargo: config.cargo,
    },
    risk: riskRuntime(db, systemClock),
    events: new DomainEvents(),
  };
  return { db, ctx, close: () => db.close() };
}

/** Where the data lives, for messages to the person at the terminal. */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `SQLite ${config.sqlitePath}`;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL ${url.host}${url.pathname}`;
}
