import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { authenticate } from '../app/authenticate.js';
import { recordAgreement, registerPartner } from '../app/exchange-directory.js';
import { createAdministration, createUser, issueApiToken } from '../app/manage-identity.js';
import {
  startExchangeNode,
  type ExchangeNode,
  type ExchangeNodeOptions,
} from '../cli/exchange-node.js';
import { httpTransport } from '../exchange/http-transport.js';
import { openKeyring, type Keyring } from '../exchange/keyring.js';
import type { Principal } from '../core/auth/identity.js';
import type { MessageType } from '../core/exchange/messages.js';
import type { Backend } from '../storage/database.js';
import { testContext } from './app.js';
import { freshDatabase, type TestDatabase } from './databases.js';
import { testHttpApp } from './http.js';

/** The nats-server the exchange tests use (CI starts one; so does every machine of this kind). */
export const TEST_NATS_URL = process.env.GREENLANE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export type Binding = 'http' | 'nats';

/** One administration's node: its own database, keys, HTTP server and (with NATS) inbox. */
export interface TestNode {
  id: string;
  backend: Backend;
  db: TestDatabase;
  ctx: AppContext;
  app: FastifyInstance;
  url: string;
  port: number;
  keyPath: string;
  exchange: ExchangeNode;
  users: Record<'admin' | 'liaison' | 'analyst' | 'analyst2' | 'officer' | 'manager', Principal>;
  tokens: Record<'admin' | 'liaison' | 'analyst' | 'analyst2' | 'officer' | 'manager', string>;
  /** Stops the exchange (sender, NATS inbox) and the HTTP server, keeping the database. */
  stop(): Promise<void>;
  /** Starts them again on the same port, database and keys. */
  restart(): Promise<void>;
  /** Stops and drops the database and keys. */
  close(): Promise<void>;
}

export interface NodeOptions {
  binding: Binding;
  /** NATS stream and subject prefix, one per test so tests never share state. */
  nats?: { stream: string; subjectPrefix: string };
  senderPollMs?: number;
  /** The ledger's checkpoint and witness settings (startExchangeNode's `ledger`). */
  ledger?: ExchangeNodeOptions['ledger'];
}

const COUNTRY_NAMES: Record<string, string> = {
  BY: 'State Customs Committee of Belarus (test)',
  KZ: 'State Revenue Committee of Kazakhstan (test)',
  UZ: 'Customs Committee of Uzbekistan (test)',
  CN: 'General Administration of Customs of China (test)',
};

/** Deletes a test's stream (nothing when it is gone already). */
export async function dropNatsSpace(space: { stream: string }): Promise<void> {
  const nc = await connect({ servers: TEST_NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(space.stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/** A fresh NATS stream and subject prefix for one test. */
export function natsSpace(): { stream: string; subjectPrefix: string } {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return { stream: `GLTEST_${tag.toUpperCase()}`, subjectPrefix: `gltest.${tag}` };
}

/** Starts a node with an administration, a customs agency and one user per role it needs. */
export async function startNode(
  backend: Backend,
  id: string,
  options: NodeOptions,
): Promise<TestNode> {
  const db = await freshDatabase(backend);
  const ctx = testContext(db.db);
  const country = id.slice(0, 2);
  const tokens = await db.db.write(async (tx) => {
    const { customsAgencyId } = await createAdministration(ctx, tx, {
      country,
      name: COUNTRY_NAMES[country] ?? `${country} customs (test)`,
      customsAgencyCode: `${country}-C`,
      customsAgencyName: `${country} customs agency`,
    });
    const mk = async (username: string, roles: Principal['roles'][number][]) => {
      const userId = await createUser(ctx, tx, {
        agencyId: customsAgencyId,
        username,
        displayName: username,
        roles,
        password: null,
      });
      return (await issueApiToken(ctx, tx, { userId, name: 'test' })).token;
    };
    return {
      admin: await mk('admin', ['admin']),
      liaison: await mk('liaison', ['liaison_officer']),
      analyst: await mk('analyst', ['risk_analyst']),
      analyst2: await mk('analyst2', ['risk_analyst']),
      officer: await mk('officer', ['border_officer']),
      manager: await mk('manager', ['manager']),
    };
  });
  const users = Object.fromEntries(
    await Promise.all(
      Object.entries(tokens).map(async ([k, t]) => [k, await authenticate(ctx, t)] as const),
    ),
  ) as TestNode['users'];
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-node-key-'));
  const keyPath = path.join(keyDir, 'node-key.json');

  let port = 0;
  const node = {
    id,
    backend,
    db,
    ctx,
    users,
    tokens,
    keyPath,
  } as TestNode;
  const up = async () => {
    node.app = await testHttpApp(ctx);
    await node.app.listen({ host: '127.0.0.1', port });
    port = (node.app.server.address() as AddressInfo).port;
    node.port = port;
    node.url = `http://127.0.0.1:${port}`;
    node.exchange = await startExchangeNode(ctx, {
      nodeId: id,
      keyPath,
      publicUrl: node.url,
      natsUrl: options.binding === 'nats' ? TEST_NATS_URL : undefined,
      ...(options.nats
        ? { nats: { ...options.nats, receiptTimeoutMs: 3000, streamMaxBytes: 64 * 1024 * 1024 } }
        : {}),
      senderPollMs: options.senderPollMs ?? 100,
      maxBackoffMs: 1500,
      httpTimeoutMs: 3000,
      ...(options.ledger ? { ledger: options.ledger } : {}),
    });
    await ctx.feed.start();
  };
  node.stop = async () => {
    await node.exchange.close();
    await node.app.close();
  };
  node.restart = up;
  node.close = async () => {
    await node.stop().catch(() => undefined);
    // The stream reserves storage on the shared server: every node of a test deletes it.
    if (options.nats) await dropNatsSpace(options.nats);
    ctx.feed.stop();
    await db.drop();
    rmSync(keyDir, { recursive: true, force: true });
  };
  await up();
  return node;
}

/** The types users send (the default of `connectNodes`). */
export const ALL_TYPES: MessageType[] = [
  'alert',
  'assistance.request',
  'assistance.status',
  'assistance.reply',
  'seizure.report',
  'risk.share',
];

/**
 * The ledger's own messages: nodes connected with these witness each other's checkpoints. Not in
 * ALL_TYPES, so that only the tests about witnessing carry that traffic.
 */
export const WITNESS_TYPES: MessageType[] = ['ledger.checkpoint', 'ledger.cosignature'];

/**
 * Makes every node a partner of every other, trusting each other's current keys as an
 * administrator who confirmed them, with one agreement each way covering `types`.
 */
export async function connectNodes(
  nodes: readonly TestNode[],
  options: { binding: Binding; types?: MessageType[]; nominal?: boolean; legalBasis?: string } = {
    binding: 'http',
  },
): Promise<void> {
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      await registerPartner(a.ctx, a.users.admin, {
        id: b.id,
        name: `${b.id} customs`,
        httpEndpoint: b.url,
        nats: options.binding === 'nats',
        keys: b.exchange.runtime.signer.publicKeys(),
      });
      await recordAgreement(a.ctx, a.users.admin, {
        partnerId: b.id,
        title: 'Agreement on cooperation and mutual assistance in customs matters (test)',
        legalBasis: options.legalBasis ?? 'SCO-CUSTOMS-2007',
        messageTypes: options.types ?? ALL_TYPES,
        nominal: options.nominal ?? false,
        validFrom: '2020-01-01T00:00:00Z',
      });
    }
  }
}

/** Waits until `check` holds (polling), or fails naming what was awaited. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Everything a refused message must leave untouched: messages, directory, outbox. */
export async function stateOf(node: TestNode): Promise<string> {
  const read = node.ctx.storage.read;
  const messages = await read.exchange.listMessages({ limit: 10_000 });
  return JSON.stringify({
    messages: messages.map((m) => [m.direction, m.id, m.delivery, m.caseStatus, m.adoptedAt]),
    partners: await read.exchange.listPartners(),
    keys: await Promise.all(
      (await read.exchange.listPartners()).map((p) => read.exchange.keysOf(p.id)),
    ),
    contacts: await read.exchange.contacts({}),
    outbox: await read.outbox.head(),
  });
}

/** The node's own keyring, opened from its file as anyone holding the file could (a stolen key). */
export function keyringOf(node: TestNode): Promise<Keyring> {
  return openKeyring(node.keyPath, { now: new Date(), create: false });
}

/** Posts a signed message to the node's HTTP inbox, as any sender could; resolves with the receipt. */
export function postToInbox(node: TestNode, messageId: string, jws: string): Promise<string> {
  return httpTransport().deliver(
    { nodeId: node.id, httpEndpoint: node.url, nats: false },
    messageId,
    jws,
  );
}

/** Signing keys of a node that is not part of the test network (an outsider, or a stolen id). */
export async function outsiderKeys(nodeId: string): Promise<{ keys: Keyring; drop(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-outsider-'));
  const keys = await openKeyring(path.join(dir, 'key.json'), {
    now: new Date(),
    create: true,
    nodeId,
  });
  return { keys, drop: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Makes a seeded test world's node (its first administration) a node of the exchange as BY/GTK,
 * with one partner, KZ/KGD (keys of an outsider), under an agreement covering alerts, shared
 * risk information and seizure reports. The sender is not started: nothing leaves the test.
 */
export async function joinExchange(
  ctx: AppContext,
  admin: Principal,
): Promise<{ partner: Keyring; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-world-key-'));
  const node = await startExchangeNode(ctx, {
    nodeId: 'BY/GTK',
    keyPath: path.join(dir, 'key.json'),
    publicUrl: null,
    startSender: false,
  });
  const partner = await outsiderKeys('KZ/KGD');
  await registerPartner(ctx, admin, { id: 'KZ/KGD', name: 'KZ', keys: partner.keys.publicKeys() });
  await recordAgreement(ctx, admin, {
    partnerId: 'KZ/KGD',
    title: 'Test agreement',
    legalBasis: 'SCO-CUSTOMS-2007',
    messageTypes: ['alert', 'risk.share', 'seizure.report'],
    validFrom: '2020-01-01T00:00:00Z',
  });
  return {
    partner: partner.keys,
    close: async () => {
      await node.close();
      partner.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes a context (a seeded world, the demo) the exchange node `nodeId` with the key file at
 * `keyPath` (created when missing) and the given ledger settings; the sender is not started.
 */
export function startLedgerNode(
  ctx: AppContext,
  nodeId: string,
  keyPath: string,
  ledger: NonNullable<Parameters<typeof startExchangeNode>[1]['ledger']>,
): Promise<ExchangeNode> {
  return startExchangeNode(ctx, { nodeId, keyPath, publicUrl: null, startSender: false, ledger });
}
