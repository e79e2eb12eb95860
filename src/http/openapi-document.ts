import { EventFeed } from '../app/event-feed.js';
import { systemClock, ulidGenerator } from '../app/context.js';
import { riskRuntime } from '../app/risk.js';
import { openDatabase } from '../storage/database.js';
import { buildHttpApp } from './app.js';

/** The OpenAPI document the running API serves, built on a throw-away in-memory database. */
export async function openApiDocument(): Promise<unknown> {
  const db = await openDatabase({ sqlitePath: ':memory:' });
  try {
    const app = await buildHttpApp({
      ctx: {
        storage: db,
        clock: systemClock,
        ids: ulidGenerator(systemClock),
        settings: {
          sessionTtlSeconds: 3600,
          permitDeadlines: { expeditedHours: 24, standardDays: 30 },
        },
        risk: riskRuntime(db, systemClock),
        feed: new EventFeed(db),
      },
      bodyLimitBytes: 1024 * 1024,
      signInLimit: { max: 10, windowMs: 60_000 },
    });
    await app.ready();
    const doc = app.swagger();
    await app.close();
    return doc;
  } finally {
    await db.close();
  }
}
