import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import {
  DEMO_PARTNER_ADMINISTRATION,
  DEMO_PARTNER_USERS,
  DEMO_PASSWORD,
  DEMO_USERS,
  loadLibraryOnFirstStart,
  seedDemo,
  seedDemoPartner,
} from '../../app/bootstrap.js';
import { seedDemoExchange } from '../../app/demo-exchange.js';
import { describeLoad } from './library-load.js';
import type { Config } from '../../config.js';
import { buildHttpApp } from '../../http/app.js';
import { startExchangeNode, type ExchangeNode } from '../exchange-node.js';
import { describeDatabase, openRuntime, type Runtime } from '../runtime.js';

/** The demo's own embedded database: the only one `serve --demo` seeds. */
export const DEMO_SQLITE_PATH = './data/demo.db';

/** The demo's node on the exchange with partner administrations, and its signing keys. */
export const DEMO_NODE = { id: 'BY/GTK', keyPath: './data/demo-node-key.json' } as const;

/**
 * The demo partner administration `serve --demo` runs beside the demo (same process, next port):
 * its own database, keys and node id.
 */
export const DEMO_PARTNER = {
  id: 'KZ/KGD',
  name: DEMO_PARTNER_ADMINISTRATION.name,
  sqlitePath: './data/demo-partner.db',
  keyPath: './data/demo-partner-key.json',
} as const;

/** One administration served by this process: its database, HTTP server and exchange node. */
interface Site {
  config: Config;
  runtime: Runtime;
  app?: FastifyInstance;
  exchange?: ExchangeNode;
  /** Where it is reached, once listening. */
  base?: string;
  publicUrl?: string;
  /** What the banner says of its exchange node. */
  exchangeLine?: string;
}

/**
 * Starts the HTTP server. Demo users share a published password, so they are seeded only into the
 * demo's own database (`demo`: `./data/demo.db`) or, with `seedDemo`, into a database the operator
 * named explicitly; a real install (`greenlane serve`) never gets them. With a node id configured
 * (always in the demo) the server is a node of the exchange with partner administrations; the
 * demo also runs a partner administration on the next port, linked to it.
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
  if (
    options.demo &&
    ((config.node.id !== undefined && config.node.id !== DEMO_NODE.id) || config.node.keyPathSet)
  ) {
    throw new Error(
      `--demo is exchange node ${DEMO_NODE.id} with its own key (${DEMO_NODE.keyPath}), but ` +
        `${config.node.keyPathSet ? 'GREENLANE_NODE_KEY' : `GREENLANE_NODE_ID ${config.node.id}`} is configured: unset GREENLANE_NODE_ID and GREENLANE_NODE_KEY`,
    );
  }
  if (options.demo)
    config = {
      ...config,
      sqlitePath: path.resolve(DEMO_SQLITE_PATH),
      node: { ...config.node, id: DEMO_NODE.id, keyPath: path.resolve(DEMO_NODE.keyPath) },
    };
  const demo = options.demo || options.seedDemo === true;
  const log = pino({ level: config.logLevel });
  const onBackgroundError = (what: string, error: unknown) =>
    log.warn({ err: error }, `${what}: ${error instanceof Error ? error.message : String(error)}`);
  // A server may start before its database (or during a failover): wait for it with back-off.
  const main: Site = {
    config,
    runtime: await openRuntime(config, {
      waitForDatabase: (error, delayMs) =>
        log.warn(`${describeDatabase(config)}: ${error.message}; trying again in ${delayMs} ms`),
      onBackgroundError,
    }),
  };
  const sites = [main];
  let stopping = false;
  const closeAll = async () => {
    for (const site of [...sites].reverse()) {
      await site.exchange?.close();
      await site.app?.close();
      await site.runtime.close();
    }
  };
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Never hang on the way out: whatever is still open after 10 s is cut.
    setTimeout(() => process.exit(1), 10_000).unref();
    await closeAll();
    process.exit(0);
  };
  const lines: string[] = [];
  try {
    const seeded = demo ? await seedDemo(main.runtime.ctx) : { seeded: false as const };
    const library = demo ? null : await loadLibraryOnFirstStart(main.runtime.ctx);
    const noAdmin = !demo && (await main.runtime.ctx.storage.read.identity.countUsers()) === 0;

    let partner: Site | undefined;
    let partnerSeeded = false;
    if (options.demo) {
      // The partner: another administration with its own database and keys, on the next port.
      const partnerConfig: Config = {
        ...config,
        sqlitePath: path.resolve(DEMO_PARTNER.sqlitePath),
        port: config.port === 0 ? 0 : config.port + 1,
        // The event log file, if any, is the main administration's.
        eventLogPath: undefined,
        node: {
          id: DEMO_PARTNER.id,
          keyPath: path.resolve(DEMO_PARTNER.keyPath),
          keyPathSet: false,
          publicUrl: undefined,
        },
      };
      partner = {
        config: partnerConfig,
        runtime: await openRuntime(partnerConfig, { onBackgroundError }),
      };
      sites.push(partner);
      partnerSeeded = (await seedDemoPartner(partner.runtime.ctx)).seeded;
    }

    for (const site of sites) {
      site.app = await buildHttpApp({
        ctx: site.runtime.ctx,
        bodyLimitBytes: config.bodyLimitBytes,
        signInLimit: config.signInLimit,
        logger: {
          level: config.logLevel,
          ...(site === main ? {} : { msgPrefix: `[${site.config.node.id}] ` }),
        },
      });
      await site.runtime.ctx.feed.start();
      site.runtime.dispatcher.start();
    }
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    for (const site of sites) {
      await site.app!.listen({ host: site.config.host, port: site.config.port });
      const port = (site.app!.server.address() as AddressInfo).port;
      site.base = baseUrl(site.config.host, port);
      site.publicUrl = site.config.node.publicUrl ?? site.base;
    }

    lines.push(
      '',
      `GreenLane is running at ${main.base} on ${describeDatabase(config)}`,
      `  API docs: ${main.base}/api/docs    health: ${main.base}/healthz`,
    );
    // The exchange: once the server listens (partners' receipts come to its inbox).
    for (const site of sites) {
      site.exchangeLine = await startExchange(site, (what, e) =>
        onBackgroundError(`${site.config.node.id} ${what}`, e),
      );
    }
    if (main.exchangeLine) lines.push(main.exchangeLine);
    if (library) lines.push('', describeLoad(library));
    if (seeded.seeded) {
      lines.push(
        '',
        'Demo data created. API token of the demo administrator (shown once, keep it):',
        `  ${seeded.adminToken}`,
        '',
        'Try it:',
        `  curl -s -X POST ${main.base}/api/declarations -H "Authorization: Bearer ${seeded.adminToken}" \\`,
        `       -H 'Content-Type: application/json' -d @examples/declaration.json`,
        `  curl -s ${main.base}/api/declarations -H "Authorization: Bearer ${seeded.adminToken}"`,
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
        `  curl -s -X POST ${main.base}/api/auth/login -H 'Content-Type: application/json' \\`,
        `       -d '{"username":"officer","password":"${DEMO_PASSWORD}"}'`,
      );
    }
    if (partner) {
      let exchanged: string;
      if (main.exchange && partner.exchange) {
        try {
          const sent = await seedDemoExchange(
            { ctx: main.runtime.ctx, url: main.publicUrl!, nats: config.natsUrl !== undefined },
            {
              ctx: partner.runtime.ctx,
              url: partner.publicUrl!,
              nats: config.natsUrl !== undefined,
            },
          );
          exchanged =
            sent.length > 0
              ? `  Linked to ${DEMO_NODE.id} (partners both ways, agreements SCO-CUSTOMS-2007 and SCO-IPR-2012, liaison contacts); ${sent.length} demo messages sent: an alert, a request for assistance and its acknowledgement, a seizure report, shared risk information.`
              : `  Linked to ${DEMO_NODE.id} at an earlier start (partners, agreements, liaison contacts, demo messages): nothing seeded again.`;
        } catch (error) {
          onBackgroundError('demo exchange', error);
          exchanged = `  The demo exchange is not complete (${error instanceof Error ? error.message : String(error)}): it is completed at the next start.`;
        }
      } else {
        exchanged = '  The exchange with it did not start (see above).';
      }
      lines.push(
        '',
        `Demo partner administration: ${DEMO_PARTNER.name}, running at ${partner.base} on ${describeDatabase(partner.config)}`,
        ...(partnerSeeded
          ? [
              `  Demo data created: customs users ${DEMO_PARTNER_USERS.map((u) => u.username).join(', ')} (password '${DEMO_PASSWORD}'), the reference library and its own indicators.`,
            ]
          : []),
        ...(partner.exchangeLine ? [partner.exchangeLine] : []),
        exchanged,
        '',
        `Two administrations: sign in as liaison (password '${DEMO_PASSWORD}') on either,`,
        `  ${main.base} (${DEMO_NODE.id}) or ${partner.base} (${DEMO_PARTNER.id}):`,
        `  send an alert with POST /api/exchange/messages at one and read it at the other with`,
        `  GET /api/exchange/messages?box=in (the API docs at /api/docs of each; README: "Two administrations in the demo").`,
      );
    }
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}

/** The URL of a server listening at host:port, as a browser on this machine reaches it. */
function baseUrl(host: string, port: number): string {
  const h =
    host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/**
 * Makes the site a node of the exchange when it has a node id and an administration; the
 * banner line that says which (or why not).
 */
async function startExchange(
  site: Site,
  onError: (what: string, error: unknown) => void,
): Promise<string | undefined> {
  const { config, runtime } = site;
  const nodeId = config.node.id;
  if (!nodeId) return undefined;
  const administrations = await runtime.ctx.storage.read.identity.listAdministrations();
  if (administrations.length === 0)
    return (
      `  Exchange node ${nodeId}: not started, there is no administration yet. The exchange starts ` +
      'once the first administrator is created (greenlane admin create) and the server restarted.'
    );
  site.exchange = await startExchangeNode(runtime.ctx, {
    nodeId,
    keyPath: config.node.keyPath,
    publicUrl: site.publicUrl!,
    natsUrl: config.natsUrl,
    onError,
    ledger: config.ledger,
  });
  return describeNode(site.exchange, site.publicUrl!, config.natsUrl);
}

function describeNode(node: ExchangeNode, publicUrl: string, natsUrl?: string): string {
  const kids = node.runtime.signer.publicKeys().map((k) => k.kid);
  return (
    `  Exchange node ${node.runtime.nodeId} (${node.runtime.name}) at ${publicUrl}/exchange/v1/messages` +
    `${natsUrl ? ' and on NATS' : ''}; key thumbprint${kids.length === 1 ? '' : 's'} (confirm with partners): ${kids.join(', ')}`
  );
}
