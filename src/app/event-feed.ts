import { isAfter, OUTBOX_START, type DomainEvent, type OutboxCursor } from '../core/events.js';
import type { Repositories } from '../core/ports.js';

export interface EventFeedSource {
  readonly read: Repositories;
  /** Commits made by this process, to read them at once rather than at the next poll. */
  onCommit?(listener: () => void): () => void;
}

type Listener = (event: DomainEvent) => void;

/**
 * This process's view of the outbox, as it grows: every committed event, in delivery order, once,
 * to every listener (the console's live streams, the risk engine's reload). It polls the outbox
 * (every `pollMs`, and at once after each local commit), so events committed by other processes
 * sharing the database arrive within a poll interval. It keeps no state of its own: a listener
 * that needs to resume (a stream with `Last-Event-ID`) replays from the outbox with `replay`.
 *
 * PostgreSQL's LISTEN/NOTIFY is not used to wake it: NOTIFY takes a database-wide lock while each
 * notifying transaction commits, which would serialise every lodging in every process.
 */
export class EventFeed {
  private readonly listeners = new Set<Listener>();
  private cursor: OutboxCursor | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private offCommit: (() => void) | undefined;
  private failures = 0;

  constructor(
    private readonly source: EventFeedSource,
    private readonly options: { pollMs: number; onError?: (error: unknown) => void } = {
      pollMs: 250,
    },
  ) {}

  /** Starts following the outbox from its current end. */
  async start(): Promise<void> {
    if (this.cursor !== undefined || this.stopped) return;
    this.cursor = await this.source.read.outbox.head();
    this.offCommit = this.source.onCommit?.(() => this.wake());
    this.schedule();
  }

  /** Hears every event committed from now on; returns the function that stops it. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many listeners are attached. */
  get size(): number {
    return this.listeners.size;
  }

  /** Where the feed has read up to (events up to here have been given to the listeners). */
  get position(): OutboxCursor {
    return this.cursor ?? OUTBOX_START;
  }

  /**
   * Events after `from` up to the feed's position, page by page, for a listener catching up
   * before it relies on `on` (events after the position reach it through `on`).
   */
  async replay(from: OutboxCursor, each: Listener, pageSize = 500): Promise<OutboxCursor> {
    let cursor = from;
    const until = this.position;
    while (isAfter(until, cursor)) {
      const page = await this.source.read.outbox.after(cursor, pageSize);
      if (page.length === 0) break;
      for (const e of page) {
        if (isAfter(e, until)) return cursor;
        each(e);
        cursor = { txid: e.txid, position: e.position };
      }
    }
    return cursor;
  }

  /** Reads now (after a local commit) instead of at the next poll. */
  wake(): void {
    if (this.stopped || this.cursor === undefined) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.offCommit?.();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.wake();
      this.schedule();
    }, this.options.pollMs);
    this.timer.unref();
  }

  private async readAll(): Promise<void> {
    try {
      for (;;) {
        const page = await this.source.read.outbox.after(this.cursor!, 500);
        for (const event of page) {
          this.cursor = { txid: event.txid, position: event.position };
          for (const listener of this.listeners) {
            try {
              listener(event);
            } catch (error) {
              this.options.onError?.(error);
            }
          }
        }
        this.failures = 0;
        if (page.length < 500) return;
      }
    } catch (error) {
      // The database is away: try again at the next poll; say so once per outage.
      if (this.failures++ === 0) this.options.onError?.(error);
    }
  }
}
