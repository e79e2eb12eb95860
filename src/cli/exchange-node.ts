import type { AppContext } from '../app/context.js';
import type { ExchangeRuntime } from '../app/exchange.js';
import { receiveMessage } from '../app/exchange-receive.js';
import { acceptLateReceipt, ExchangeSender } from '../app/exchange-sender.js';
import { CheckpointSigner, DEFAULT_LEDGER_SETTINGS, ledgerOrigin } from '../app/ledger.js';
import { CosignatureRequester } from '../app/ledger-witness.js';
import { ed25519PublicKeyFromJwkX } from '../core/ledger/note.js';
import type { Transport } from '../core/exchange/ports.js';
import { NODE_ID_PATTERN } from '../core/exchange/ports.js';
import { httpTransport } from '../exchange/http-transport.js';
import { openKeyring } from '../exchange/keyring.js';
import { connectNatsExchange } from '../exchange/nats-transport.js';
import { jwkThumbprint, jwsVerifier } from '../exchange/signing.js';

export interface ExchangeNodeOptions {
  nodeId: string;
  /** Display name; default the administration's name. */
  name?: string;
  keyPath: string;
  /** The base URL partners reach this node at (its inbox is {url}/exchange/v1/messages). */
  publicUrl: string | null;
  natsUrl?: string | undefined;
  /** NATS stream and subject prefix (tests use their own). */
  nats?: {
    stream?: string;
    subjectPrefix?: string;
    receiptTimeoutMs?: number;
    /** Storage the stream reserves (default 1 GiB). */
    streamMaxBytes?: number;
  };
  senderPollMs?: number;
  /** Longest wait between attempts to reach a partner that is down (default 5 min). */
  maxBackoffMs?: number;
  /** False: the sender is created but not started (tests that act before it runs). */
  startSender?: boolean;
  httpTimeoutMs?: number;
  messageTtlHours?: number;
  onError?: (what: string, error: unknown) => void;
  /** When checkpoints of the ledger are due (default DEFAULT_LEDGER_SETTINGS), how often to look. */
  ledger?: {
    checkpointEvery?: number;
    checkpointSeconds?: number;
    pollMs?: number;
    /** How often witnesses due a checkpoint are looked for (default 5 s)… */
    witnessPollMs?: number;
    /** …and how long an offer may go unanswered before the latest is offered again (60 s). */
    resendAfterMs?: number;
  };
}

export interface ExchangeNode {
  runtime: ExchangeRuntime;
  sender: ExchangeSender;
  /** Signs the ledger's checkpoints with the node key when they are due. */
  checkpoints: CheckpointSigner;
  /** Offers the checkpoints to the partners that witness the ledger. */
  witnesses: CosignatureRequester;
  close(): Promise<void>;
}

/**
 * Makes this process a node of the exchange: opens (or creates, at first start) the signing
 * keys, records the node's id in its database (a database belongs to one node for good), sets
 * `ctx.exchange`, starts the sender and, with NATS, the inbox listener. Needs the administration
 * to exist (the node is its customs service).
 */
export async function startExchangeNode(
  ctx: AppContext,
  options: ExchangeNodeOptions,
): Promise<ExchangeNode> {
  if (!NODE_ID_PATTERN.test(options.nodeId))
    throw new Error(
      `GREENLANE_NODE_ID must be a country code, '/' and a code, e.g. BY/GTK (got '${options.nodeId}')`,
    );
  const read = ctx.storage.read;
  const administration = (await read.identity.listAdministrations())[0];
  if (!administration) throw new Error('the exchange needs an administration: create it first');
  const customs = await read.identity.findCustomsAgency(administration.id);
  if (!customs) throw new Error(`administration ${administration.id} has no customs agency`);
  if (administration.country !== options.nodeId.slice(0, 2))
    throw new Error(
      `node ${options.nodeId} is not in the country of the administration (${administration.country})`,
    );
  const now = ctx.clock.now();
  const name = options.name ?? administration.name;
  await ctx.storage.write((tx) =>
    tx.exchange.initNode({
      nodeId: options.nodeId,
      name,
      httpEndpoint: options.publicUrl,
      at: now.toISOString(),
    }),
  );
  const node = await read.exchange.node();
  if (node?.nodeId !== options.nodeId)
    throw new Error(
      `this database belongs to exchange node ${node?.nodeId ?? '?'}, not ${options.nodeId}`,
    );
  const keyring = await openKeyring(options.keyPath, {
    now,
    create: true,
    nodeId: options.nodeId,
  });
  for (const w of keyring.warnings) options.onError?.('node key', new Error(w));

  const transports: Partial<Record<'http' | 'nats', Transport>> = {
    http: httpTransport({ timeoutMs: options.httpTimeoutMs ?? 10_000 }),
  };
  const runtime: ExchangeRuntime = {
    nodeId: options.nodeId,
    name,
    administrationId: administration.id,
    customsAgencyId: customs.id,
    signer: keyring,
    rawSigner: (at) => keyring.rawSigner(at),
    jws: jwsVerifier,
    kidOf: jwkThumbprint,
    transports,
    messageTtlHours: options.messageTtlHours ?? 7 * 24,
    maxClockSkewMs: 5 * 60_000,
  };
  ctx.exchange = runtime;
  ctx.ledger = {
    origin: ledgerOrigin(options.nodeId),
    checkpointEvery: options.ledger?.checkpointEvery ?? DEFAULT_LEDGER_SETTINGS.checkpointEvery,
    checkpointSeconds:
      options.ledger?.checkpointSeconds ?? DEFAULT_LEDGER_SETTINGS.checkpointSeconds,
    keys: {
      signerAt: (at) => keyring.rawSigner(at),
      publicKeys: () => keyring.publicKeys().map((k) => ed25519PublicKeyFromJwkX(k.jwk.x)),
    },
  };
  const witnesses = new CosignatureRequester(ctx, {
    pollMs: options.ledger?.witnessPollMs ?? 5000,
    ...(options.ledger?.resendAfterMs === undefined
      ? {}
      : { resendAfterMs: options.ledger.resendAfterMs }),
    onError: (e) => options.onError?.('ledger witnesses', e),
  });
  const checkpoints = new CheckpointSigner(ctx, {
    pollMs: options.ledger?.pollMs ?? 1000,
    // Each checkpoint signed goes to the partners that witness this node's ledger.
    onSigned: () => witnesses.kick(),
    onError: (e) => options.onError?.('ledger checkpoints', e),
  });

  let nats: Awaited<ReturnType<typeof connectNatsExchange>> | undefined;
  if (options.natsUrl) {
    nats = await connectNatsExchange({
      url: options.natsUrl,
      nodeId: options.nodeId,
      ...options.nats,
      onError: (e) => options.onError?.('nats exchange', e),
      onLateReceipt: async (messageId, receipt) => {
        await acceptLateReceipt(ctx, messageId, receipt);
      },
    });
    transports.nats = nats;
    await nats.listen(async (jws) => (await receiveMessage(ctx, jws)).receipt);
  }

  const sender = new ExchangeSender(ctx, {
    pollMs: options.senderPollMs ?? 1000,
    ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
    onError: (e) => options.onError?.('exchange sender', e),
  });
  // Every process reads the outbox: a message queued anywhere wakes the sender here at once.
  const off = ctx.feed.on((e) => {
    if (e.kind === 'exchange.sent') sender.kick();
  });
  if (options.startSender !== false) sender.start();
  checkpoints.start();
  witnesses.start();
  return {
    runtime,
    sender,
    checkpoints,
    witnesses,
    close: async () => {
      off?.();
      await checkpoints.stop();
      await witnesses.stop();
      await sender.stop();
      await nats?.close();
    },
  };
}
