import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import {
  connect,
  headers as natsHeaders,
  nanos,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import {
  NODE_ID_PATTERN,
  type InboxHandler,
  type PartnerAddress,
  type Transport,
} from '../core/exchange/ports.js';

/**
 * The NATS JetStream binding of the exchange envelope.
 *
 * Every node has two subjects in one shared stream: its inbox `<prefix>.<country>.<code>.inbox`
 * and its receipts `<prefix>.<country>.<code>.receipts`. `deliver` publishes the signed message
 * to the partner's inbox (JetStream de-duplicates on the message id within the duplicate window)
 * with a header naming the sender's receipts subject, then waits for the receipt that names the
 * message id. The receiver pulls its inbox through a durable consumer, hands each message to the
 * inbox handler (which records it in the database and answers with a signed receipt, the stored
 * one for a repeat), publishes the receipt, and only then acks. The database on both sides is the
 * source of truth, so this binding only promises at-least-once delivery: the handler must expect
 * repeats, and a receipt may arrive after `deliver` gave up (it then goes to `onLateReceipt`).
 *
 * Neither messages nor receipts are verified here: the handler verifies the message, the caller
 * verifies the receipt it gets from `deliver` or `onLateReceipt`.
 */

/** Largest message or receipt (the compact JWS, in bytes) the binding sends or accepts. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Room for the headers on top of the payload in the stream's per-message limit. */
const HEADER_ALLOWANCE_BYTES = 8 * 1024;

/** Message ids as they travel in headers and JetStream message ids (ULIDs, UUIDs and alike). */
export const MESSAGE_ID_PATTERN = /^[0-9A-Za-z_-]{1,128}$/;

export const DEFAULT_STREAM = 'GREENLANE_EXCHANGE';
export const DEFAULT_SUBJECT_PREFIX = 'greenlane.exchange.v1';

/** On an inbox message: the subject the receipt is published to (the sender's receipts). */
export const REPLY_TO_HEADER = 'GreenLane-Reply-To';
/** On an inbox message: the message id (also its JetStream `Nats-Msg-Id` when sent by `deliver`). */
export const MESSAGE_ID_HEADER = 'GreenLane-Message-Id';
/** On a receipt: the id of the message it answers. */
export const CORRELATION_HEADER = 'GreenLane-Correlation-Id';

const SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const DAY_MS = 24 * 3600 * 1000;

export interface NatsExchangeOptions {
  /** `nats://[user:pass@]host[:port]` or `tls://…`; several separated by commas. */
  url: string;
  /** This node's id (`BY/GTK`). */
  nodeId: string;
  /** JetStream stream holding every inbox and receipts subject; default `GREENLANE_EXCHANGE`. */
  stream?: string;
  /** Default `greenlane.exchange.v1`. */
  subjectPrefix?: string;
  /** Longest `deliver` waits for the receipt (publish included); default 10 s. */
  receiptTimeoutMs?: number;
  /** Connection trouble, dropped messages, failing handlers: never thrown, reported here. */
  onError?: (e: unknown) => void;
  /**
   * A receipt for which no `deliver` is waiting (it came after a timeout or a restart): the
   * caller still marks the message delivered. Acked once the promise resolves; retried when it
   * rejects. Without it such receipts are acked and forgotten (the sender retries the message and
   * the receiver answers with the stored receipt).
   */
  onLateReceipt?: (messageId: string, receipt: string) => Promise<void>;
  /** Inbox messages (and, separately, receipts) processed at once; default 64. */
  concurrency?: number;
  /** Redelivery when a message is neither acked nor reported working; default 30 s. */
  ackWaitMs?: number;
  /** Delay before a message whose handler failed is delivered again; default 5 s. */
  retryDelayMs?: number;
  /** Stream limits: bytes (default 1 GiB, oldest dropped beyond), age (default 7 days). */
  streamMaxBytes?: number;
  streamMaxAgeMs?: number;
  /** JetStream de-duplication window for message ids; default 2 minutes. */
  duplicateWindowMs?: number;
}

/** Why `deliver` rejected: refused before publishing, publish failed, no receipt in time, closed. */
export type NatsDeliveryFailure = 'invalid' | 'publish' | 'timeout' | 'closed';

export class NatsDeliveryError extends Error {
  override readonly name = 'NatsDeliveryError';
  constructor(
    readonly reason: NatsDeliveryFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The subjects of a node; throws for anything that is not a node id (no subject injection). */
export function natsSubjects(
  nodeId: string,
  subjectPrefix = DEFAULT_SUBJECT_PREFIX,
): { inbox: string; receipts: string } {
  const base = `${subjectPrefix}.${nodeToken(nodeId, '.')}`;
  return { inbox: `${base}.inbox`, receipts: `${base}.receipts` };
}

/** Durable consumer names of a node (`BY_GTK_inbox`, `BY_GTK_receipts`). */
export function natsConsumerNames(nodeId: string): { inbox: string; receipts: string } {
  const base = nodeToken(nodeId, '_');
  return { inbox: `${base}_inbox`, receipts: `${base}_receipts` };
}

function nodeToken(nodeId: string, separator: string): string {
  if (typeof nodeId !== 'string' || !NODE_ID_PATTERN.test(nodeId)) {
    throw new NatsDeliveryError('invalid', `not a node id: ${JSON.stringify(nodeId)}`);
  }
  return nodeId.replace('/', separator);
}

/** Connects, creates or updates the stream, starts the receipts consumer. */
export async function connectNatsExchange(options: NatsExchangeOptions): Promise<NatsExchange> {
  const settings = resolveSettings(options);
  const { options: connection, outageOver } = connectionOptions(settings);
  const nc = await connect(connection);
  let exchange: NatsExchange;
  try {
    exchange = new NatsExchange(nc, await jetstreamManager(nc), settings, outageOver);
  } catch (e) {
    await nc.close().catch(() => undefined);
    throw e;
  }
  try {
    await exchange.start();
    return exchange;
  } catch (e) {
    await exchange.close().catch(() => undefined);
    throw e;
  }
}

interface Settings {
  url: string;
  nodeId: string;
  stream: string;
  prefix: string;
  receiptTimeoutMs: number;
  onError: (e: unknown) => void;
  onLateReceipt: ((messageId: string, receipt: string) => Promise<void>) | undefined;
  concurrency: number;
  ackWaitMs: number;
  retryDelayMs: number;
  streamMaxBytes: number;
  streamMaxAgeMs: number;
  duplicateWindowMs: number;
}

function resolveSettings(o: NatsExchangeOptions): Settings {
  const prefix = o.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  if (!SUBJECT_PREFIX_PATTERN.test(prefix)) {
    throw new Error(`subjectPrefix must be dot-separated plain tokens (got '${prefix}')`);
  }
  const stream = o.stream ?? DEFAULT_STREAM;
  if (!STREAM_NAME_PATTERN.test(stream)) {
    throw new Error(`stream must be letters, digits, '_' or '-' (got '${stream}')`);
  }
  natsSubjects(o.nodeId, prefix); // validates the node id
  const positive = (v: number | undefined, name: string, fallback: number) => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
    return v;
  };
  return {
    url: o.url,
    nodeId: o.nodeId,
    stream,
    prefix,
    receiptTimeoutMs: positive(o.receiptTimeoutMs, 'receiptTimeoutMs', 10_000),
    onError: (e) => {
      try {
        o.onError?.(e);
      } catch {
        // a failing error callback must not break the consumers
      }
    },
    onLateReceipt: o.onLateReceipt,
    concurrency: Math.floor(positive(o.concurrency, 'concurrency', 64)),
    ackWaitMs: positive(o.ackWaitMs, 'ackWaitMs', 30_000),
    retryDelayMs: positive(o.retryDelayMs, 'retryDelayMs', 5_000),
    streamMaxBytes: positive(o.streamMaxBytes, 'streamMaxBytes', 1024 ** 3),
    streamMaxAgeMs: positive(o.streamMaxAgeMs, 'streamMaxAgeMs', 7 * DAY_MS),
    duplicateWindowMs: positive(o.duplicateWindowMs, 'duplicateWindowMs', 2 * 60_000),
  };
}

/** Reconnect forever; the pause grows with the length of the outage (0.5 s … 30 s). */
function connectionOptions(s: Settings): { options: ConnectionOptions; outageOver: () => void } {
  const servers: string[] = [];
  let tls = false;
  let auth: Pick<ConnectionOptions, 'user' | 'pass' | 'token'> = {};
  for (const raw of s.url.split(',')) {
    const u = new URL(raw.trim());
    if (u.protocol !== 'nats:' && u.protocol !== 'tls:') {
      throw new Error(`NATS URL must start with nats:// or tls:// (got '${u.protocol}//…')`);
    }
    if (u.protocol === 'tls:') tls = true;
    servers.push(`${u.hostname}:${u.port || '4222'}`);
    if (u.username && u.password) {
      auth = { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
    } else if (u.username) {
      auth = { token: decodeURIComponent(u.username) };
    }
  }
  // The client asks for the pause before every dial attempt and dials only once the pause since
  // its last attempt has passed; a pause of half the outage so far doubles the gaps each time.
  let outageSince = 0;
  const reconnectDelayHandler = () => {
    const now = Date.now();
    if (outageSince === 0 || now - outageSince > 10 * 60_000) outageSince = now;
    const pause = Math.min(30_000, Math.max(500, (now - outageSince) / 2));
    return Math.round(pause + Math.random() * 250);
  };
  return {
    options: {
      servers,
      ...auth,
      ...(tls ? { tls: {} } : {}),
      name: `greenlane ${s.nodeId}`,
      maxReconnectAttempts: -1,
      reconnectDelayHandler,
      pingInterval: 20_000,
      // Otherwise every request builds two Error objects up front (a tenth of the CPU time).
      noAsyncTraces: true,
    },
    outageOver: () => {
      outageSince = 0;
    },
  };
}

interface Waiter {
  resolve(receipt: string): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** The `Transport` over NATS JetStream; create with `connectNatsExchange`. */
export class NatsExchange implements Transport {
  readonly binding = 'nats' as const;
  readonly subjects: { inbox: string; receipts: string };
  private readonly js: JetStreamClient;
  private readonly consumers: { inbox: string; receipts: string };
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly runs: Promise<void>[] = [];
  private readonly open = new Set<ConsumerMessages>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly pauses = new Set<() => void>();
  private listening = false;
  private closing = false;
  private closedPromise: Promise<void> | undefined;

  /** @internal use `connectNatsExchange` */
  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly s: Settings,
    private readonly outageOver: () => void = () => undefined,
  ) {
    this.js = jetstream(nc, { timeout: s.receiptTimeoutMs });
    this.subjects = natsSubjects(s.nodeId, s.prefix);
    this.consumers = natsConsumerNames(s.nodeId);
  }

  get nodeId(): string {
    return this.s.nodeId;
  }

  /** @internal */
  async start(): Promise<void> {
    this.watchConnection();
    await this.ensureStream();
    const receipts = await this.openConsumer(this.consumers.receipts, this.subjects.receipts);
    this.runs.push(
      this.run(this.consumers.receipts, this.subjects.receipts, receipts, (m) => this.onReceipt(m)),
    );
  }

  async deliver(to: PartnerAddress, messageId: string, jws: string): Promise<string> {
    if (this.closing) throw new NatsDeliveryError('closed', 'the NATS exchange is closed');
    const inbox = natsSubjects(to.nodeId, this.s.prefix).inbox;
    if (!to.nats) {
      throw new NatsDeliveryError('invalid', `${to.nodeId} is not reached over NATS`);
    }
    if (typeof messageId !== 'string' || !MESSAGE_ID_PATTERN.test(messageId)) {
      throw new NatsDeliveryError('invalid', `not a message id: ${JSON.stringify(messageId)}`);
    }
    const data = encoder.encode(jws);
    if (data.length > MAX_MESSAGE_BYTES) {
      throw new NatsDeliveryError(
        'invalid',
        `message ${messageId} is ${data.length} bytes, over ${MAX_MESSAGE_BYTES}`,
      );
    }
    // Waiting starts before publishing: the receipt may come back before the publish ack.
    const { receipt, cancel } = this.awaitReceipt(messageId, to.nodeId);
    const h = natsHeaders();
    h.set(REPLY_TO_HEADER, this.subjects.receipts);
    h.set(MESSAGE_ID_HEADER, messageId);
    try {
      await this.js.publish(inbox, data, {
        // Per sender: another node cannot have this message dropped by reusing its id.
        msgID: `${this.nodeId}:${messageId}`,
        headers: h,
        timeout: this.s.receiptTimeoutMs,
      });
    } catch (e) {
      cancel();
      throw new NatsDeliveryError(
        this.closing ? 'closed' : 'publish',
        `publishing ${messageId} to ${to.nodeId} failed: ${String(e)}`,
        { cause: e },
      );
    }
    return receipt;
  }

  /**
   * Starts the durable pull consumer on this node's inbox: each message goes to the handler, its
   * receipt is published to the sender, then the message is acked; a failing handler's message
   * comes again after `retryDelayMs`. Resolves once the consumer is running.
   */
  async listen(handler: InboxHandler): Promise<void> {
    if (this.closing) throw new Error('the NATS exchange is closed');
    if (this.listening) throw new Error(`${this.s.nodeId} is already listening`);
    this.listening = true;
    try {
      const first = await this.openConsumer(this.consumers.inbox, this.subjects.inbox);
      this.runs.push(
        this.run(this.consumers.inbox, this.subjects.inbox, first, (m) => this.onInbox(m, handler)),
      );
    } catch (e) {
      this.listening = false;
      throw e;
    }
  }

  /**
   * Stops taking messages, lets those in hand finish (up to 10 s; the rest are delivered again
   * later), rejects the `deliver`s still waiting, drains and closes the connection.
   */
  close(): Promise<void> {
    this.closedPromise ??= this.shutdown();
    return this.closedPromise;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    for (const m of this.open) m.stop();
    for (const wake of this.pauses) wake();
    await this.bounded(Promise.allSettled(this.runs), 10_000);
    await this.bounded(Promise.allSettled(this.tasks), 10_000);
    for (const [id, set] of this.waiters) {
      for (const w of set) {
        clearTimeout(w.timer);
        w.reject(new NatsDeliveryError('closed', `closed while waiting for the receipt of ${id}`));
      }
    }
    this.waiters.clear();
    if (!this.nc.isClosed()) {
      await this.nc.drain().catch(() => this.nc.close());
    }
    await this.nc.closed();
  }

  private async bounded(p: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      p.then(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  private awaitReceipt(
    messageId: string,
    to: string,
  ): { receipt: Promise<string>; cancel: () => void } {
    let waiter!: Waiter;
    const receipt = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.dropWaiter(messageId, waiter);
        reject(
          new NatsDeliveryError(
            'timeout',
            `no receipt for ${messageId} from ${to} within ${this.s.receiptTimeoutMs} ms`,
          ),
        );
      }, this.s.receiptTimeoutMs);
      waiter = { resolve, reject, timer };
    });
    // Handled here so that a timeout while the publish fails is not an unhandled rejection.
    receipt.catch(() => undefined);
    let set = this.waiters.get(messageId);
    if (!set) this.waiters.set(messageId, (set = new Set()));
    set.add(waiter);
    return {
      receipt,
      cancel: () => {
        clearTimeout(waiter.timer);
        this.dropWaiter(messageId, waiter);
      },
    };
  }

  private dropWaiter(messageId: string, waiter: Waiter): void {
    const set = this.waiters.get(messageId);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(messageId);
  }

  private async onInbox(m: JsMsg, handler: InboxHandler): Promise<void> {
    const messageId = m.headers?.get(MESSAGE_ID_HEADER) ?? '';
    const replyTo = m.headers?.get(REPLY_TO_HEADER) ?? '';
    const problem =
      m.data.length > MAX_MESSAGE_BYTES
        ? `is ${m.data.length} bytes, over ${MAX_MESSAGE_BYTES}`
        : !MESSAGE_ID_PATTERN.test(messageId)
          ? `has no valid ${MESSAGE_ID_HEADER} header`
          : !this.isReceiptsSubject(replyTo)
            ? `has no valid ${REPLY_TO_HEADER} header (${JSON.stringify(replyTo.slice(0, 200))})`
            : undefined;
    const jws = problem === undefined ? utf8(m.data) : undefined;
    if (jws === undefined) {
      m.term();
      this.s.onError(
        new Error(
          `dropped inbox message #${m.seq} on ${m.subject}: ${problem ?? 'is not UTF-8 text'}`,
        ),
      );
      return;
    }
    try {
      const receipt = await this.whileWorking(m, () => handler(jws));
      if (typeof receipt !== 'string') throw new Error('the inbox handler returned no receipt');
      if (encoder.encode(receipt).length > MAX_MESSAGE_BYTES) {
        throw new Error(`the receipt is over ${MAX_MESSAGE_BYTES} bytes`);
      }
      const h = natsHeaders();
      h.set(CORRELATION_HEADER, messageId);
      // No msgID: a receipt sent again (for a repeat) must reach a sender still waiting for it.
      await this.js.publish(replyTo, receipt, { headers: h });
      m.ack();
    } catch (e) {
      m.nak(this.s.retryDelayMs);
      this.s.onError(
        new Error(`inbox message ${messageId} (#${m.seq}) not answered, retried later`, {
          cause: e,
        }),
      );
    }
  }

  private async onReceipt(m: JsMsg): Promise<void> {
    const messageId = m.headers?.get(CORRELATION_HEADER) ?? '';
    const receipt =
      m.data.length <= MAX_MESSAGE_BYTES && MESSAGE_ID_PATTERN.test(messageId)
        ? utf8(m.data)
        : undefined;
    if (receipt === undefined) {
      m.term();
      this.s.onError(
        new Error(
          `dropped receipt #${m.seq}: no valid ${CORRELATION_HEADER}, oversized or not text`,
        ),
      );
      return;
    }
    const set = this.waiters.get(messageId);
    if (set) {
      this.waiters.delete(messageId);
      for (const w of set) {
        clearTimeout(w.timer);
        w.resolve(receipt);
      }
      m.ack();
      return;
    }
    if (!this.s.onLateReceipt) {
      m.ack();
      return;
    }
    try {
      const late = this.s.onLateReceipt;
      await this.whileWorking(m, () => late(messageId, receipt));
      m.ack();
    } catch (e) {
      m.nak(this.s.retryDelayMs);
      this.s.onError(
        new Error(`late receipt for ${messageId} not taken, retried later`, { cause: e }),
      );
    }
  }

  /** Keeps the message from being redelivered while `work` runs longer than the ack wait. */
  private async whileWorking<T>(m: JsMsg, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => m.working(), Math.max(1000, this.s.ackWaitMs / 3));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private isReceiptsSubject(subject: string): boolean {
    const prefix = `${this.s.prefix}.`;
    const suffix = '.receipts';
    if (!subject.startsWith(prefix) || !subject.endsWith(suffix)) return false;
    const node = subject.slice(prefix.length, -suffix.length);
    const dot = node.indexOf('.');
    return dot > 0 && NODE_ID_PATTERN.test(`${node.slice(0, dot)}/${node.slice(dot + 1)}`);
  }

  /**
   * Processes a consumer's messages with at most `concurrency` in hand; when the subscription
   * ends (consumer or stream deleted, a fatal pull error) it is opened again, with back-off.
   */
  private async run(
    name: string,
    subject: string,
    first: ConsumerMessages,
    process: (m: JsMsg) => Promise<void>,
  ): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    let failures = 0;
    const slots = new Slots(this.s.concurrency);
    while (!this.closing) {
      try {
        messages ??= await this.reopen(name, subject);
        const current: ConsumerMessages = messages;
        this.open.add(current);
        if (this.closing) current.stop();
        void this.watchConsumer(current, name);
        for await (const m of current) {
          failures = 0;
          if (this.closing) {
            m.nak();
            continue;
          }
          await slots.acquire();
          if (this.closing) {
            slots.release();
            m.nak();
            continue;
          }
          const task = process(m)
            .catch((e: unknown) => this.s.onError(e))
            .finally(() => {
              slots.release();
              this.tasks.delete(task);
            });
          this.tasks.add(task);
        }
        if (!this.closing) this.s.onError(new Error(`consumer ${name} stopped; reopening`));
      } catch (e) {
        if (!this.closing) {
          this.s.onError(new Error(`consumer ${name} failed; reopening`, { cause: e }));
        }
      } finally {
        if (messages) this.open.delete(messages);
        messages = undefined;
      }
      if (this.closing) break;
      await this.pause(Math.min(30_000, 500 * 2 ** Math.min(failures++, 6)));
    }
  }

  private async reopen(name: string, subject: string): Promise<ConsumerMessages> {
    await this.ensureStream();
    return this.openConsumer(name, subject);
  }

  private async watchConsumer(messages: ConsumerMessages, name: string): Promise<void> {
    try {
      for await (const s of messages.status()) {
        if (
          s.type === 'consumer_deleted' ||
          s.type === 'consumer_not_found' ||
          s.type === 'stream_not_found'
        ) {
          this.s.onError(new Error(`consumer ${name}: ${s.type}`));
          messages.stop();
        }
      }
    } catch (e) {
      if (!this.closing) this.s.onError(e);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.pauses.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pauses.add(wake);
    });
  }

  private async openConsumer(name: string, subject: string): Promise<ConsumerMessages> {
    await this.ensureConsumer(name, subject);
    const consumer = await this.js.consumers.get(this.s.stream, name);
    return consumer.consume({ max_messages: this.s.concurrency });
  }

  private async ensureConsumer(name: string, subject: string): Promise<void> {
    const want = {
      durable_name: name,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ack_wait: nanos(this.s.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: Math.max(1000, this.s.concurrency * 4),
    } satisfies Partial<ConsumerConfig>;
    let info = await this.jsm.consumers.info(this.s.stream, name).catch(notFound);
    if (!info) {
      try {
        await this.jsm.consumers.add(this.s.stream, want);
        return;
      } catch (e) {
        info = await this.jsm.consumers.info(this.s.stream, name).catch(notFound); // a race
        if (!info) throw e;
      }
    }
    const c = info.config;
    if (c.ack_policy !== want.ack_policy) {
      throw new Error(`consumer ${name} exists with ack policy '${c.ack_policy}', not explicit`);
    }
    if (
      c.filter_subject !== want.filter_subject ||
      c.ack_wait !== want.ack_wait ||
      (c.max_deliver ?? -1) !== want.max_deliver ||
      c.max_ack_pending !== want.max_ack_pending
    ) {
      await this.jsm.consumers.update(this.s.stream, name, {
        filter_subject: want.filter_subject,
        ack_wait: want.ack_wait,
        max_deliver: want.max_deliver,
        max_ack_pending: want.max_ack_pending,
      });
    }
  }

  /** Creates the stream, or brings an existing one's subjects and limits to these settings. */
  private async ensureStream(): Promise<void> {
    const subjects = `${this.s.prefix}.>`;
    const limits = {
      max_age: nanos(this.s.streamMaxAgeMs),
      max_bytes: this.s.streamMaxBytes,
      max_msgs: -1,
      max_msg_size: MAX_MESSAGE_BYTES + HEADER_ALLOWANCE_BYTES,
      duplicate_window: nanos(this.s.duplicateWindowMs),
      discard: DiscardPolicy.Old,
    } satisfies Partial<StreamConfig>;
    let info = await this.jsm.streams.info(this.s.stream).catch(notFound);
    if (!info) {
      try {
        await this.jsm.streams.add({
          name: this.s.stream,
          description: 'GreenLane exchange between administrations: inboxes and receipts',
          subjects: [subjects],
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          num_replicas: 1,
          ...limits,
        });
        return;
      } catch (e) {
        info = await this.jsm.streams.info(this.s.stream).catch(notFound); // a race
        if (!info) throw e;
      }
    }
    const c = info.config;
    if (c.storage !== StorageType.File || c.retention !== RetentionPolicy.Limits) {
      throw new Error(
        `stream ${this.s.stream} exists with ${c.storage} storage and ${c.retention} retention; ` +
          'the exchange needs file storage and limits retention',
      );
    }
    const update: Partial<StreamConfig> = {};
    if (!c.subjects.includes(subjects)) update.subjects = [...c.subjects, subjects];
    for (const key of Object.keys(limits) as (keyof typeof limits)[]) {
      if (c[key] !== limits[key]) Object.assign(update, { [key]: limits[key] });
    }
    if (Object.keys(update).length > 0) await this.jsm.streams.update(this.s.stream, update);
  }

  private watchConnection(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        switch (s.type) {
          case 'disconnect':
            this.s.onError(new Error(`NATS: disconnected from ${s.server}; reconnecting`));
            break;
          case 'reconnect':
            this.outageOver();
            break;
          case 'error':
            this.s.onError(s.error);
            break;
          case 'staleConnection':
            this.s.onError(new Error('NATS: stale connection; reconnecting'));
            break;
          case 'slowConsumer':
            this.s.onError(new Error(`NATS: slow consumer (${s.pending} pending)`));
            break;
          default:
        }
      }
    })().catch((e: unknown) => this.s.onError(e));
    void this.nc.closed().then((e) => {
      if (this.closing) return;
      this.s.onError(e ?? new Error('NATS: connection closed'));
      void this.close();
    });
  }
}

function notFound(e: unknown): undefined {
  if (
    e instanceof JetStreamApiError &&
    (e.code === JetStreamApiCodes.StreamNotFound || e.code === JetStreamApiCodes.ConsumerNotFound)
  ) {
    return undefined;
  }
  throw e;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(data: Uint8Array): string | undefined {
  try {
    return decoder.decode(data);
  } catch {
    return undefined;
  }
}

/** A counting semaphore. */
class Slots {
  private free: number;
  private readonly queue: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.free++;
  }
}
