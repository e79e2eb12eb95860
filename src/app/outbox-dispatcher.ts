import type { OutboxSubscriber } from '../core/events.js';
import type { Clock, Storage } from '../core/ports.js';

export type { OutboxSubscriber };

export interface DispatcherOptions {
  pollMs: number;
  pageSize: number;
  onError?: (subscriber: string, error: unknown) => void;
}

/**
 * Hands outbox events to durable subscribers. Each subscriber's cursor is stored in the database;
 * one dispatcher at a time per subscriber across every process sharing the database holds its
 * lock (`Storage.exclusive`), reads the page after the cursor, delivers it and then moves the
 * cursor. A crash between delivery and the cursor's move delivers that page again after the
 * restart (at least once); an event is never delivered before its transaction has committed.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly subscribers: readonly OutboxSubscriber[],
    private readonly options: DispatcherOptions = { pollMs: 250, pageSize: 500 },
  ) {}

  start(): void {
    this.stopped = false;
    this.loop();
  }

  /** Stops polling and waits for a delivery in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Delivers until every subscriber has caught up (or another process holds it); the number of
   * events this process delivered.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (const s of this.subscribers) {
      for (;;) {
        const n = await this.once(s);
        if (n === 0) break;
        total += n;
      }
    }
    return total;
  }

  /** One page for one subscriber; 0 when nothing was waiting or another process has it. */
  async once(subscriber: OutboxSubscriber): Promise<number> {
    const held = await this.storage.exclusive(`outbox:${subscriber.name}`, async () => {
      const from = await this.storage.read.outbox.subscriberCursor(subscriber.name);
      const events = await this.storage.read.outbox.after(from, this.options.pageSize);
      if (events.length === 0) return 0;
      await subscriber.deliver(events);
      const last = events[events.length - 1]!;
      const to = { txid: last.txid, position: last.position };
      const at = this.clock.now().toISOString();
      const moved = await this.storage.write((tx) =>
        tx.outbox.advance(subscriber.name, from, to, events.length, at),
      );
      // Someone moved it although we held the lock (a lost lock): those events went twice.
      if (!moved) throw new Error(`cursor of ${subscriber.name} moved during delivery`);
      return events.length;
    });
    return held?.value ?? 0;
  }

  private loop(): void {
    if (this.stopped) return;
    this.running = (async () => {
      for (const s of this.subscribers) {
        try {
          while (!this.stopped && (await this.once(s)) === this.options.pageSize);
        } catch (error) {
          this.options.onError?.(s.name, error);
        }
      }
    })();
    void this.running.finally(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.loop(), this.options.pollMs);
      this.timer.unref();
    });
  }
}
