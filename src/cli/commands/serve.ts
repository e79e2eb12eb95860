import path from 'node:path';
import pino from 'pino';
import {
  DEMO_PASSWORD,
  DEMO_USERS,
  loadLibraryOnFirstStart,
  seedDemo,
} from '../../app/bootstrap.js';
import { describeLoad } from './library-load.js';
import type { Config } from '../../config.js';
import { buildHttpApp } from '../../http/app.js';
import { describeDatabase, openRuntime } from '../runtime.js';

/** The demo's own embedded database: the only one `serve --demo` seeds. */
export const DEMO_SQLITE_PATH = './data/demo.db';

/**
 * Starts the HTTP server. Demo users share a published password, so they are seeded only into the
 * demo's own database (`demo`: `./data/demo.db`) or, with `seedDemo`, into a database the operator
 * named explicitly; a real install (`greenlane serve`) never gets them.
 */
export async function serve(
  config: Config,
  options: { demo: boolean; seedDemo?: boolean },
): Promise<void> {
  if (options.demo && (config.databaseUrl || config.sqlitePathSet)) {
    throw new Error(
      `--demo runs on its own database (${DEMO_SQLITE_PATH}), but ${describeDatabase(config)} is configured: ` +
        'use --seed-demo to seed demo users with the public password into it, or unset GREENLANE_DATABASE_URL and GREENLANE_SQLITE_PATH',
    );
  }
  if (options.demo) config = { ...config, sqlitePath: path.resolve(DEMO_SQLITE_PATH) };
  const demo = options.demo || options.seedDemo === true;
  const log = pino({ level: config.logLevel });
  // A server may start before its database (or during a failover): wait for it with back-off.
  const runtime = await openRuntime(config, {
    waitForDatabase: (error, delayMs) =>
      log.warn(`${describeDatabase(config)}: ${error.message}; trying again in ${delayMs} ms`),
    onBackgroundError: (what, error) =>
      log.warn(
        { err: error },
        `${what}: ${error instanceof Error ? error.message : String(error)}`,
      ),
  });
  const seeded = demo ? await seedDemo(runtime.ctx) : { seeded: false as const };
  const library = demo ? null : await loadLibraryOnFirstStart(runtime.ctx);
  const noAdmin = !demo && (await runtime.ctx.storage.read.identity.countUsers()) === 0;
  const app = await buildHttpApp({
    ctx: runtime.ctx,
    bodyLimitBytes: config.bodyLimitBytes,
    signInLimit: config.signInLimit,
    logger: { level: config.logLevel },
  });
  await runtime.ctx.feed.start();
  runtime.dispatcher.start();
  const stop = async () => {
    // Never hang on the way out: whatever is still open after 10 s is cut.
    setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await app.listen({ host: config.host, port: config.port });
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const lines = [
    '',
    `GreenLane is running at ${base} on ${describeDatabase(config)}`,
    `  API docs: ${base}/api/docs    health: ${base}/healthz`,
  ];
  if (library) lines.push('', describeLoad(library));
  if (seeded.seeded) {
    lines.push(
      '',
      'Demo data created. API token of the demo administrator (shown once, keep it):',
      `  ${seeded.adminToken}`,
      '',
      'Try it:',
      `  curl -s -X POST ${base}/api/declarations -H "Authorization: Bearer ${seeded.adminToken}" \\`,
      `       -H 'Content-Type: application/json' -d @examples/declaration.json`,
      `  curl -s ${base}/api/declarations -H "Authorization: Bearer ${seeded.adminToken}"`,
    );
  }
  if (noAdmin) {
    lines.push(
      '',
      'No user exists yet: create the first administrator (it prints a generated password and an API token):',
      '  npx greenlane admin create --username <name>',
    );
  }
  if (demo) {
    lines.push(
      '',
      `Demo users (password '${DEMO_PASSWORD}'): ${DEMO_USERS.map((u) => `${u.username} (${u.roles.join(', ')})`).join(', ')}`,
      'Sign in for a session token:',
      `  curl -s -X POST ${base}/api/auth/login -H 'Content-Type: application/json' \\`,
      `       -d '{"username":"officer","password":"${DEMO_PASSWORD}"}'`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}
