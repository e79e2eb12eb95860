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

/** Starts the HTTP server; with `demo`, seeds demo agencies and users on an empty database. */
export async function serve(config: Config, options: { demo: boolean }): Promise<void> {
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
  const seeded = options.demo ? await seedDemo(runtime.ctx) : { seeded: false as const };
  const library = options.demo ? null : await loadLibraryOnFirstStart(runtime.ctx);
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
  if (options.demo) {
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
