import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { DomainEvent, OutboxSubscriber } from '../core/events.js';

/**
 * A durable outbox subscriber that appends every event as one NDJSON line to a file (for a log
 * collector or a SIEM), synced to disk before its cursor moves: after a crash the last page may
 * appear twice (at least once), never be missing. Lines carry the event's position to de-duplicate.
 */
export function eventLogSubscriber(file: string, name = 'event-log'): OutboxSubscriber {
  return {
    name,
    deliver(events: readonly DomainEvent[]) {
      const fd = openSync(file, 'a');
      try {
        writeSync(fd, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return Promise.resolve();
    },
  };
}
