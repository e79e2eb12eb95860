import path from 'node:path';
import { DEFAULT_REFERRAL_SETTINGS } from './core/cargo/referral.js';

/** GreenLane's configuration, read once at start-up; nothing else reads process.env. */
export interface Config {
  /** `postgres://…` selects PostgreSQL; absent means embedded SQLite at `sqlitePath`. */
  databaseUrl: string | undefined;
  /** `nats://…` or `tls://…`: the shared NATS system of the exchange with partners; absent: none. */
  natsUrl: string | undefined;
  sqlitePath: string;
  /** True when GREENLANE_SQLITE_PATH names the file (else the default below is used). */
  sqlitePathSet: boolean;
  host: string;
  port: number;
  logLevel: string;
  /** Lifetime of a session token issued at sign-in. */
  sessionTtlSeconds: number;
  /** Sign-in attempts allowed per client address and username per window. */
  signInLimit: { max: number; windowMs: number };
  /** Largest request body accepted, in bytes (JSON and XML alike). */
  bodyLimitBytes: number;
  /** Single Window service levels: expedited applications in hours, others in days. */
  permitDeadlines: { expeditedHours: number; standardDays: number };
  /** Pre-arrival referrals: do-not-load indicator ids, hours to answer an information request. */
  cargo: { doNotLoad: string[]; informationRequestHours: number };
  /** How often each process reads new outbox events (live push, engine reloads, subscribers). */
  outboxPollMs: number;
  /** A file that every event is appended to as NDJSON by a durable outbox subscriber. */
  eventLogPath: string | undefined;
  /** PostgreSQL: connections per process, and the longest a statement may run. */
  poolSize: number;
  statementTimeoutMs: number;
  /** Longest an indicator preview may screen (in a worker thread) before it is stopped. */
  previewBudgetMs: number;
  /** The exchange-rate table the metrics convert values with; absent: library/exchange-rates.json. */
  exchangeRatesPath: string | undefined;
  /** Share of the examined declarations (0 to 1) above which a preview warns that a condition is too broad. */
  previewWarnShare: number;
  /**
   * This node on the exchange with partner administrations: its id (`BY/GTK`; absent: the node
   * takes no part), the file of its signing keys (created at first start, never in the
   * database) and the base URL partners reach it at.
   */
  /** The ledger signs a checkpoint after `checkpointEvery` new leaves or `checkpointSeconds`. */
  ledger: { checkpointEvery: number; checkpointSeconds: number };
  node: {
    id: string | undefined;
    keyPath: string;
    /** True when GREENLANE_NODE_KEY names the file (else the default below is used). */
    keyPathSet: boolean;
    publicUrl: string | undefined;
  };
}

/** Reads the configuration from an environment (process.env by default). */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.GREENLANE_DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(
      `GREENLANE_DATABASE_URL must be a postgres:// URL (got '${databaseUrl.split(':')[0]}:…'); leave it unset for embedded SQLite`,
    );
  }
  const natsUrl = env.GREENLANE_NATS_URL?.trim() || undefined;
  if (natsUrl && !/^(nats|tls):\/\//.test(natsUrl)) {
    throw new Error(
      `GREENLANE_NATS_URL must be a nats:// or tls:// URL (got '${natsUrl.split(':')[0]}:…'); leave it unset for no NATS`,
    );
  }
  const eventLog = env.GREENLANE_EVENT_LOG?.trim();
  const nodeId = env.GREENLANE_NODE_ID?.trim() || undefined;
  if (nodeId && !/^[A-Z]{2}\/[A-Z0-9][A-Z0-9-]{0,15}$/.test(nodeId))
    throw new Error(
      `GREENLANE_NODE_ID must be a country code, '/' and a code, e.g. BY/GTK (got '${nodeId}')`,
    );
  const publicUrl = env.GREENLANE_PUBLIC_URL?.trim() || undefined;
  if (publicUrl && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(publicUrl))
    throw new Error(`GREENLANE_PUBLIC_URL must be an http(s) base URL (got '${publicUrl}')`);
  return {
    node: {
      id: nodeId,
      keyPath: path.resolve(env.GREENLANE_NODE_KEY?.trim() || './data/node-key.json'),
      keyPathSet: Boolean(env.GREENLANE_NODE_KEY?.trim()),
      publicUrl: publicUrl?.replace(/\/$/, ''),
    },
    ledger: {
      checkpointEvery: Math.max(
        1,
        integer(env.GREENLANE_LEDGER_CHECKPOINT_EVERY, 'GREENLANE_LEDGER_CHECKPOINT_EVERY', 1000),
      ),
      checkpointSeconds: integer(
        env.GREENLANE_LEDGER_CHECKPOINT_SECONDS,
        'GREENLANE_LEDGER_CHECKPOINT_SECONDS',
        10,
      ),
    },
    databaseUrl,
    natsUrl,
    outboxPollMs: integer(env.GREENLANE_OUTBOX_POLL_MS, 'GREENLANE_OUTBOX_POLL_MS', 250),
    eventLogPath: eventLog ? path.resolve(eventLog) : undefined,
    poolSize: integer(env.GREENLANE_DATABASE_POOL_SIZE, 'GREENLANE_DATABASE_POOL_SIZE', 16),
    statementTimeoutMs: integer(
      env.GREENLANE_STATEMENT_TIMEOUT_MS,
      'GREENLANE_STATEMENT_TIMEOUT_MS',
      15_000,
    ),
    previewBudgetMs: integer(env.GREENLANE_PREVIEW_BUDGET_MS, 'GREENLANE_PREVIEW_BUDGET_MS', 2000),
    exchangeRatesPath: env.GREENLANE_EXCHANGE_RATES?.trim()
      ? path.resolve(env.GREENLANE_EXCHANGE_RATES.trim())
      : undefined,
    previewWarnShare: percent(
      env.GREENLANE_PREVIEW_WARN_PERCENT,
      'GREENLANE_PREVIEW_WARN_PERCENT',
      50,
    ),
    sqlitePath: path.resolve(env.GREENLANE_SQLITE_PATH?.trim() || './data/greenlane.db'),
    sqlitePathSet: Boolean(env.GREENLANE_SQLITE_PATH?.trim()),
    host: env.HOST ?? '127.0.0.1',
    port: integer(env.PORT, 'PORT', 8080),
    logLevel: env.GREENLANE_LOG_LEVEL ?? 'info',
    sessionTtlSeconds: integer(
      env.GREENLANE_SESSION_TTL_SECONDS,
      'GREENLANE_SESSION_TTL_SECONDS',
      8 * 3600,
    ),
    signInLimit: {
      max: integer(env.GREENLANE_SIGN_IN_LIMIT, 'GREENLANE_SIGN_IN_LIMIT', 10),
      windowMs: 60_000,
    },
    bodyLimitBytes: integer(
      env.GREENLANE_BODY_LIMIT_BYTES,
      'GREENLANE_BODY_LIMIT_BYTES',
      5 * 1024 * 1024,
    ),
    permitDeadlines: {
      expeditedHours: integer(
        env.GREENLANE_EXPEDITED_PERMIT_HOURS,
        'GREENLANE_EXPEDITED_PERMIT_HOURS',
        24,
      ),
      standardDays: integer(env.GREENLANE_PERMIT_DAYS, 'GREENLANE_PERMIT_DAYS', 30),
    },
    cargo: {
      doNotLoad:
        env.GREENLANE_DO_NOT_LOAD === undefined
          ? [...DEFAULT_REFERRAL_SETTINGS.doNotLoad]
          : env.GREENLANE_DO_NOT_LOAD.split(',')
              .map((id) => id.trim())
              .filter((id) => id !== ''),
      informationRequestHours: integer(
        env.GREENLANE_INFORMATION_REQUEST_HOURS,
        'GREENLANE_INFORMATION_REQUEST_HOURS',
        DEFAULT_REFERRAL_SETTINGS.informationRequestHours,
      ),
    },
  };
}

/** A whole percentage from 0 to 100, as a share from 0 to 1. */
function percent(value: string | undefined, name: string, fallback: number): number {
  const n = integer(value, name, fallback);
  if (n > 100) throw new Error(`${name} must be a percentage from 0 to 100 (got '${value}')`);
  return n / 100;
}

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer (got '${value}')`);
  return n;
}
