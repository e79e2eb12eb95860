import type { Kysely, Transaction } from 'kysely';

interface Job<DB> {
  work: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: writes that arrive together share one transaction and one fsync.
 *
 * Durability is never relaxed (SQLite runs with synchronous=FULL); instead, the jobs queued while
 * the event loop gathers a turn of requests are committed together, and each caller is answered
 * only after that commit. When any job in a batch throws, the batch is rolled back and every job
 * is run again in its own transaction, so one bad job never takes the others down with it.
 * SQLite has one writer, so one batch at a time; PostgreSQL can commit several batches at once.
 */
export class WriteBatcher<DB> {
  private queue: Job<DB>[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: { maxBatch: number; concurrentBatches: number } = {
      maxBatch: 500,
      concurrentBatches: 1,
    },
  ) {}

  /** Runs `work` in a (shared) transaction; resolves after its commit. */
  run<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
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

  private async flush(batch: Job<DB>[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await this.db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const job of batch) out.push(await job.work(trx));
          return out;
        });
        batch.forEach((job, i) => job.resolve(results[i]));
        return;
      } catch {
        // Fall through: find out which job failed by running each on its own.
      }
    }
    for (const job of batch) {
      try {
        job.resolve(await this.db.transaction().execute(job.work));
      } catch (error) {
        job.reject(error);
      }
    }
  }
}
