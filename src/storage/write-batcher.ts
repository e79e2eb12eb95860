import type { ControlledTransaction, Kysely, Transaction } from 'kysely';
import { DomainError } from '../core/errors.js';
import { TransientConflict } from './database-errors.js';

interface Job<DB, E> {
  work: (trx: Transaction<DB>, atEnd: E) => Promise<unknown>;
  /** Times it was rolled back by a deadlock and queued again. */
  retries: number;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** What a backend knows about a commit that failed half-way (PostgreSQL: `pg_xact_status`). */
export interface CommitProbe<DB> {
  /** Called in the transaction just before COMMIT: a token to ask about the outcome later. */
  before(trx: ControlledTransaction<DB>): Promise<string>;
  /** Whether the transaction of `token` committed; 'unknown' when that cannot be told now. */
  outcome(token: string): Promise<'committed' | 'aborted' | 'unknown'>;
}

/**
 * Writes a job asks to have made at the end of its batch (counters on rows many jobs touch): one
 * collector per job, dropped with the job when it is rolled back to its savepoint, and those of
 * the kept jobs applied together just before COMMIT.
 */
export interface BatchEnd<DB, E> {
  forJob(): E;
  apply(trx: Transaction<DB>, kept: readonly E[]): Promise<void>;
}

export interface WriteBatcherOptions<DB, E = undefined> {
  maxBatch: number;
  concurrentBatches: number;
  probe?: CommitProbe<DB>;
  /** Called after every commit (e.g. to wake the outbox readers). */
  onCommit?: () => void;
  atEnd?: BatchEnd<DB, E>;
}

/**
 * Group commit: writes that arrive together share one transaction and one fsync.
 *
 * Durability is never relaxed (SQLite runs with synchronous=FULL); instead, the jobs queued while
 * the event loop gathers a turn of requests run in one transaction, each inside its own savepoint,
 * and each caller is answered only after the commit. A job that throws is rolled back to its
 * savepoint and refused alone; the others commit. No job ever runs twice. When the transaction
 * itself fails (the connection is lost), every job of the batch is refused as `unavailable`; when
 * COMMIT fails, the backend is asked whether it happened before anyone is answered, so a commit
 * whose outcome is unknown is reported as such, never replayed blindly.
 * SQLite has one writer, so one batch at a time; PostgreSQL can commit several batches at once.
 */
/** How long a batch keeps trying to start its transaction (SQLite locked by another process). */
const START_RETRY_MS = 5_000;

export class WriteBatcher<DB, E = undefined> {
  private queue: Job<DB, E>[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: WriteBatcherOptions<DB, E> = { maxBatch: 500, concurrentBatches: 1 },
  ) {}

  /** Runs `work` in a savepoint of a shared transaction; resolves after its commit. */
  run<T>(work: (trx: Transaction<DB>, atEnd: E) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, retries: 0, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.concurrentBatches) return;
    this.scheduled = true;
    // setImmediate runs after the current I/O phase, so requests read in the same turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.start();
    });
  }

  private start(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.concurrentBatches) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async flush(batch: Job<DB, E>[]): Promise<void> {
    const refused: Array<{ job: Job<DB, E>; error: unknown }> = [];
    let retry: Job<DB, E>[];
    try {
      retry = await this.commitBatch(batch, refused);
    } finally {
      // Refused jobs hear it only once the batch has ended: a refusal that names what another
      // job of the same batch stored (a duplicate reference) can then read it back.
      for (const { job, error } of refused) job.reject(error);
    }
    if (retry.length > 0) {
      this.queue.push(...retry);
      this.schedule();
    }
  }

  /** Runs and commits one batch; returns the jobs to run again (deadlock victims). */
  private async commitBatch(
    batch: Job<DB, E>[],
    refused: Array<{ job: Job<DB, E>; error: unknown }>,
  ): Promise<Job<DB, E>[]> {
    let trx: ControlledTransaction<DB> | undefined;
    // Nothing has run yet when the transaction cannot start (SQLite busy with another process's
    // writes beyond its busy timeout, no PostgreSQL connection): trying again runs nothing twice.
    // The waits are timers, never a blocking busy handler: other requests go on meanwhile.
    const giveUpAt = Date.now() + START_RETRY_MS;
    for (let attempt = 0; trx === undefined; attempt++) {
      try {
        trx = await this.db.startTransaction().execute();
      } catch (error) {
        if (Date.now() >= giveUpAt) {
          for (const job of batch) job.reject(asUnavailable(error, 'the database is unavailable'));
          return [];
        }
        await new Promise((r) => setTimeout(r, Math.min(5 * 2 ** attempt, 250)));
      }
    }
    const done: Array<{ job: Job<DB, E>; value: unknown }> = [];
    const retry: Job<DB, E>[] = [];
    const kept: E[] = [];
    let next = 0;
    try {
      for (; next < batch.length; next++) {
        const job = batch[next]!;
        const sp = await trx.savepoint('job').execute();
        const atEnd = this.options.atEnd?.forJob() as E;
        try {
          const value = await job.work(sp, atEnd);
          await sp.releaseSavepoint('job').execute();
          done.push({ job, value });
          kept.push(atEnd);
        } catch (error) {
          // Jobs of concurrent batches (or processes) can deadlock although each touches only its
          // own rows: the victim, rolled back to its savepoint, runs again in a later batch.
          if (error instanceof TransientConflict && job.retries < 3) {
            job.retries++;
            retry.push(job);
          } else {
            refused.push({ job, error });
          }
          // Only this job's changes go; if even that fails, the transaction is lost (below).
          await sp.rollbackToSavepoint('job').execute();
          await sp.releaseSavepoint('job').execute();
        }
      }
      // Past the last job: a failure here loses the whole batch, answered below like any other.
      if (this.options.atEnd && done.length > 0) await this.options.atEnd.apply(trx, kept);
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      const lost = asUnavailable(error, 'the database is unavailable: nothing was stored, retry');
      for (const { job } of done) job.reject(lost);
      // The job that was running has its own answer unless it never started; those after it
      // never ran.
      const running = batch[next];
      if (running && !refused.some((r) => r.job === running) && !retry.includes(running))
        running.reject(lost);
      for (const job of batch.slice(next + 1)) job.reject(lost);
      return retry;
    }
    if (done.length === 0) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      return retry;
    }
    let token: string | undefined;
    try {
      token = this.options.probe ? await this.options.probe.before(trx) : undefined;
      await trx.commit().execute();
    } catch (error) {
      const outcome =
        token === undefined || !this.options.probe
          ? 'aborted'
          : await this.options.probe.outcome(token);
      // Hands the connection back to the pool (a rollback after a failed COMMIT changes nothing).
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      if (outcome !== 'committed') {
        const refusal =
          outcome === 'aborted'
            ? asUnavailable(error, 'the database is unavailable: nothing was stored, retry')
            : new DomainError(
                'unavailable',
                'the database connection was lost while committing: whether this change was stored is unknown; retry with the same Idempotency-Key, or read it back',
                [],
                5,
              );
        for (const { job } of done) job.reject(refusal);
        return retry;
      }
    }
    for (const { job, value } of done) job.resolve(value);
    this.options.onCommit?.();
    return retry;
  }
}

function asUnavailable(error: unknown, message: string): DomainError {
  if (error instanceof DomainError && error.code === 'unavailable') return error;
  return new DomainError('unavailable', message, [], 1);
}
