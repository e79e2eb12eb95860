import type { EventFeed } from './event-feed.js';
import { randomFillSync } from 'node:crypto';
import type { Clock, IdGenerator, Storage } from '../core/ports.js';
import type { RiskRuntime } from './risk.js';
import type { ExchangeRuntime } from './exchange.js';
import type { LedgerRuntime } from './ledger.js';
import type { ReferralSettings } from '../core/cargo/referral.js';
import type { RateTable } from '../core/currency-rates.js';

/** What every use case is given: storage, time, identifiers and the few settings use cases need. */
export interface AppContext {
  storage: Storage;
  clock: Clock;
  ids: IdGenerator;
  settings: {
    sessionTtlSeconds: number;
    /** Service levels of the Single Window: hours for the expedited track, days for the others. */
    permitDeadlines: { expeditedHours: number; standardDays: number };
    /** Pre-arrival referrals of cargo reports; default DEFAULT_REFERRAL_SETTINGS. */
    cargo?: ReferralSettings;
    /** Longest an indicator preview may screen, in ms; default PREVIEW_LIMITS.budgetMs. */
    previewBudgetMs?: number;
    /** Exchange rates the metrics convert values with; default the shipped (illustrative) table. */
    exchangeRates?: RateTable;
    /** Share of examined declarations above which a preview warns; default PREVIEW_DEFAULTS.warnShare. */
    previewWarnShare?: number;
  };
  risk: RiskRuntime;
  /** Committed events as the outbox delivers them, in this process (live views, engine reloads). */
  feed: EventFeed;
  /** The exchange with partner administrations; absent when this node takes no part in it. */
  exchange?: ExchangeRuntime;
  /** Signing the ledger's checkpoints; absent on a node without a node key. */
  ledger?: LedgerRuntime;
}

export const systemClock: Clock = { now: () => new Date() };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// One randomFillSync per 256 identifiers rather than a system call each.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** ULID-style identifiers: time-ordered (48-bit milliseconds) then 80 random bits, 26 characters. */
export const ulidGenerator = (clock: Clock = systemClock): IdGenerator => ({
  next() {
    let t = clock.now().getTime();
    let time = '';
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32]! + time;
      t = Math.floor(t / 32);
    }
    let rand = '';
    for (let i = 0; i < 16; i++) rand += CROCKFORD[randomByte() % 32];
    return time + rand;
  },
});
