import { EventFeed } from '../app/event-feed.js';
import { systemClock, ulidGenerator, type AppContext } from '../app/context.js';
import { LedgerAppender } from '../app/ledger.js';
import { OutboxDispatcher } from '../app/outbox-dispatcher.js';
import { riskRuntime } from '../app/risk.js';
import { readRateTable } from '../app/currency-rates.js';
import type { Config } from '../config.js';
import { changesIndicators, type OutboxSubscriber } from '../core/events.js';
import { eventLogSubscriber } from '../exchange/event-log.js';
import {
  openDatabase,
  openDatabaseWhenReachable,
  type Database,
  type DatabaseOptions,
} from '../storage/database.js';

/** An opened database and the app context over it, as every command needs. */
export interface Runtime {
  db: Database;
  ctx: AppContext;
  /** Durable outbox subscribers of this process (started by `serve`). */
  dispatcher: OutboxDispatcher;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Wait for an unreachable database with back-off (a server); otherwise fail at once. */
  waitForDatabase?: (error: Error, delayMs: number) => void;
  /** Told about dropped connections and failed background reads (they never end the process). */
  onBackgroundError?: (what: string, error: unknown) => void;
}

/** Opens the configured database (migrating it) and builds the app context. */
export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  // Before the database: a broken rate table stops the start with its file named.
  const exchangeRates = await readRateTable(config.exchangeRatesPath);
  const dbOptions: DatabaseOptions = {
    url: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
    onConnectionError: (error) => options.onBackgroundError?.('database connection', error),
  };
  const db = options.waitForDatabase
    ? await openDatabaseWhenReachable(dbOptions, options.waitForDatabase)
    : await openDatabase(dbOptions);
  const feed = new EventFeed(db, {
    pollMs: config.outboxPollMs,
    onError: (error) => options.onBackgroundError?.('outbox feed', error),
  });
  const risk = riskRuntime(db, systemClock);
  // Indicators approved at any process sharing the database screen here from the next poll on.
  feed.on((e) => {
    if (changesIndicators(e.kind)) risk.invalidate();
  });
  const ctx: AppContext = {
    storage: db,
    clock: systemClock,
    ids: ulidGenerator(systemClock),
    settings: {
      sessionTtlSeconds: config.sessionTtlSeconds,
      permitDeadlines: config.permitDeadlines,
      cargo: config.cargo,
      previewBudgetMs: config.previewBudgetMs,
      exchangeRates,
      previewWarnShare: config.previewWarnShare,
    },
    risk,
    feed,
  };
  // The ledger first: every event becomes a leaf whatever else this process does.
  const subscribers: OutboxSubscriber[] = [new LedgerAppender(db, systemClock)];
  if (config.eventLogPath) subscribers.push(eventLogSubscriber(config.eventLogPath));
  const dispatcher = new OutboxDispatcher(db, systemClock, subscribers, {
    pollMs: config.outboxPollMs,
    pageSize: 500,
    onError: (name, error) => options.onBackgroundError?.(`outbox subscriber ${name}`, error),
  });
  return {
    db,
    ctx,
    dispatcher,
    close: async () => {
      feed.stop();
      await dispatcher.stop();
      await db.close();
    },
  };
}

/** Where the data lives, for messages to the person at the terminal. */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `SQLite ${config.sqlitePath}`;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL ${url.host}${url.pathname}`;
}
