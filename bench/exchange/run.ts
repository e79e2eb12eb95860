/**
 * One run of the exchange bench: two nodes of the test harness (BY/GTK sends, KZ/KGD receives),
 * each with its own fresh database, keys and HTTP server, linked over one binding; `clients`
 * composing clients queue messages with `sendMessage` as BY's liaison officer; BY's sender
 * delivers them; the figures are read back from both databases. Used by bench/exchange.ts and by
 * its smoke test (bench/exchange/run.test.ts).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sendMessage } from '../../src/app/exchange.js';
import type { Backend, Database } from '../../src/storage/database.js';
import {
  natsSpace,
  startNode,
  TEST_NATS_URL,
  type Binding,
  type TestNode,
} from '../../src/test-support/exchange-nodes.js';
import { percentiles, type Latencies } from '../hostile/payloads.js';
import { machineBusySeconds, processCpuSeconds } from '../ingest/servers.js';
import { inboxOf, linkTo, type Inbox, type Peer } from './link.js';
import { planMessages, typeCounts, type BenchType, type PlannedMessage } from './mix.js';

export const SENDER = 'BY/GTK';
export const RECEIVER = 'KZ/KGD';

export interface RunOptions {
  backend: Backend;
  binding: Binding;
  /** Messages measured. */
  count: number;
  /** Concurrent composing clients. */
  clients: number;
  /** Messages sent (and delivered) before the measured ones, not counted. */
  warmup: number;
  seed: number;
  /** Messages/s offered in all (spread over the clients); undefined: as fast as they can. */
  rate?: number | undefined;
  /** Longest wait for the last message to settle once every message is composed. */
  maxSeconds: number;
  /** Writes a CPU profile of this process during the measured phase to this file. */
  cpuProfile?: string | undefined;
  /** The receiving node in a process of its own (as partners are), not in this one. */
  receiverProcess?: boolean;
  log?: (line: string) => void;
}

export interface Cpu {
  /**
   * Cores used on average: this process (the sender and the clients, and the receiver unless it
   * runs in its own process), the receiver's process, nats-server, PostgreSQL.
   */
  bench: number;
  receiver: number | undefined;
  /** CPU time of this process (and the receiver's) per delivered message, ms. */
  benchMsPerMessage: number;
  receiverMsPerMessage: number | undefined;
  nats: number | undefined;
  postgres: number | undefined;
  /** Everything else on the machine. */
  other: number | undefined;
}

export interface RunResult {
  backend: Backend;
  binding: Binding;
  count: number;
  clients: number;
  types: Record<BenchType, number>;
  /** sendMessage calls that succeeded / failed. */
  composed: number;
  composeFailures: number;
  /** Seconds from the first send until every message was composed (queued). */
  composeSeconds: number;
  /** Per call of sendMessage (compose, sign, queue, commit), ms. */
  composeLatency: Latencies;
  /** Measured messages by state on the sender once the run ended. */
  delivered: number;
  refused: number;
  expired: number;
  queued: number;
  /** Delivered messages that needed more than one attempt. */
  retried: number;
  /** On the receiver: inbox rows and `exchange.received` audit events of the measured messages. */
  inbox: number;
  receivedEvents: number;
  /** Conversations whose messages the receiver stored in another order than they were sent. */
  outOfOrder: number;
  conversations: number;
  /** First send to the last 'delivered' settled on the sender, seconds. */
  seconds: number;
  /** delivered ÷ seconds. */
  perSecond: number;
  /** createdAt → receipt settled on the sender ('exchange.delivered'), ms. */
  settle: Latencies;
  /** createdAt → taken in hand by the receiver (the receipt's receivedAt), ms. */
  receive: Latencies;
  /** Largest number of composed messages not yet settled, seen by the progress poll. */
  peakQueue: number;
  cpu: Cpu;
  /** Correctness problems; empty when the run is right. */
  failures: string[];
}

/** A little more than a tenth of a second between looks at the sender's queue. */
const POLL_MS = 100;
/** A run whose sender settles nothing this long is given up (and reported). */
const STALL_MS = 60_000;

export async function runExchange(o: RunOptions): Promise<RunResult> {
  const log = o.log ?? (() => undefined);
  const nats = o.binding === 'nats' ? natsSpace() : undefined;
  let by: TestNode | undefined;
  let kz: Receiver | undefined;
  try {
    [by, kz] = await Promise.all([
      startNode(o.backend, SENDER, { binding: o.binding, ...(nats ? { nats } : {}) }),
      o.receiverProcess
        ? receiverProcess(o.backend, o.binding, nats)
        : receiverHere(o.backend, o.binding, nats),
    ]);
    const sender: Peer = { id: SENDER, url: by.url, keys: by.exchange.runtime.signer.publicKeys() };
    await Promise.all([linkTo(by, kz.peer, o.binding), kz.link(sender)]);
    log(
      `nodes up: ${SENDER} ${by.url}, ${RECEIVER} ${kz.peer.url}` +
        `${kz.pid ? ` (process ${kz.pid})` : ' (this process)'}${nats ? `, NATS ${nats.stream}` : ''}`,
    );

    if (o.warmup > 0) {
      const started = Date.now();
      const w = await compose(by, planMessages(o.warmup, o.clients, o.seed + 1, new Date()));
      await waitSettled(by, w.ids.length, o.maxSeconds, () => w.ids.length);
      log(`warm-up: ${w.ids.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const before = await settledCount(by);

    const plans = planMessages(o.count, o.clients, o.seed, new Date());
    const cpu = cpuMeter([by.db.db, ...(kz.db ? [kz.db] : [])], o.backend, kz);
    const profiler = o.cpuProfile ? await startProfile() : undefined;
    await cpu.start();
    const t0 = Date.now();
    let composedSoFar = 0;
    const composing = compose(by, plans, o.rate, t0, () => composedSoFar++);
    let composeDone = false;
    const watch = waitSettled(
      by,
      before + o.count,
      o.maxSeconds,
      () => before + composedSoFar,
      () => composeDone,
    );
    const c = await composing;
    composeDone = true;
    const composeSeconds = (Date.now() - t0) / 1000;
    const waited = await watch;
    const used = cpu.stop((await settledCount(by)) - before);
    if (profiler && o.cpuProfile) {
      await profiler.stop(o.cpuProfile);
      log(`CPU profile of the measured phase (this process): ${o.cpuProfile}`);
    }
    log(
      `composed ${c.ids.length} in ${composeSeconds.toFixed(1)} s` +
        (waited.gaveUp ? `; gave up waiting: ${waited.gaveUp}` : ''),
    );

    const result = await readBack(by, await kz.inbox(SENDER, c.ids), o, c.ids, t0);
    return {
      ...result,
      types: typeCounts(plans),
      composed: c.ids.length,
      composeFailures: c.failures.length,
      composeSeconds,
      composeLatency: percentiles(c.latencies),
      peakQueue: waited.peakQueue,
      cpu: used,
      failures: [
        ...c.failures.slice(0, 5).map((f) => `sendMessage failed: ${f}`),
        ...(c.failures.length > 5
          ? [`… and ${c.failures.length - 5} more sendMessage failures`]
          : []),
        ...(waited.gaveUp ? [waited.gaveUp] : []),
        ...result.failures,
      ],
    };
  } finally {
    const closing: Promise<void>[] = [];
    if (by) closing.push(by.close());
    if (kz) closing.push(kz.close());
    await Promise.all(closing.map((p) => p.catch(() => undefined)));
    if (nats) await deleteStream(nats.stream).catch(() => undefined);
  }
}

/** The receiving node, here or in its own process. */
interface Receiver {
  peer: Peer;
  /** Its process, when it has its own. */
  pid: number | undefined;
  /** Its database, when it is in this process; else the name of its PostgreSQL database. */
  db: Database | undefined;
  database: string | undefined;
  link(sender: Peer): Promise<void>;
  inbox(from: string, ids: readonly string[]): Promise<Inbox>;
  close(): Promise<void>;
}

async function receiverHere(
  backend: Backend,
  binding: Binding,
  nats: { stream: string; subjectPrefix: string } | undefined,
): Promise<Receiver> {
  const node = await startNode(backend, RECEIVER, { binding, ...(nats ? { nats } : {}) });
  return {
    peer: { id: RECEIVER, url: node.url, keys: node.exchange.runtime.signer.publicKeys() },
    pid: undefined,
    db: node.db.db,
    database: undefined,
    link: (sender) => linkTo(node, sender, binding),
    inbox: (from, ids) => inboxOf(node, from, ids),
    close: () => node.close(),
  };
}

async function receiverProcess(
  backend: Backend,
  binding: Binding,
  nats: { stream: string; subjectPrefix: string } | undefined,
): Promise<Receiver> {
  const child = fork(
    fileURLToPath(new URL('./receiver.ts', import.meta.url)),
    [backend, binding, RECEIVER, ...(nats ? [nats.stream, nats.subjectPrefix] : [])],
    // Its own loader for TypeScript, whether this process runs under tsx or vitest.
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--import', 'tsx'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  let up: ((p: { peer: Peer; database: string | undefined }) => void) | undefined;
  const ready = new Promise<{ peer: Peer; database: string | undefined }>((resolve, reject) => {
    up = resolve;
    child.once('exit', (code) => reject(new Error(`the receiver process exited (${code})`)));
  });
  interface Answer {
    up?: Omit<Peer, 'id'>;
    database?: string;
    n?: number;
    ok?: boolean;
    value?: unknown;
    error?: string;
  }
  child.on('message', (m: Answer) => {
    if (m.up) return up!({ peer: { ...m.up, id: RECEIVER }, database: m.database });
    const w = waiting.get(m.n!);
    waiting.delete(m.n!);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(`receiver: ${m.error}`));
  });
  child.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('the receiver process exited'));
    waiting.clear();
  });
  const call = <T>(request: object): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const n = next++;
      waiting.set(n, { resolve: (v) => resolve(v as T), reject });
      child.send({ ...request, n });
    });
  let started: { peer: Peer; database: string | undefined };
  try {
    started = await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    peer: started.peer,
    pid: child.pid,
    db: undefined,
    database: started.database,
    link: (sender) => call<void>({ op: 'link', peer: sender }),
    inbox: (from, ids) => call<Inbox>({ op: 'inbox', from, ids }),
    close: async () => {
      if (child.exitCode !== null) return;
      await call<void>({ op: 'close' }).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface Composed {
  ids: string[];
  latencies: number[];
  failures: string[];
}

/** Each client sends its plan, one message after the other (each waits for its commit). */
async function compose(
  by: TestNode,
  plans: PlannedMessage[][],
  rate?: number,
  t0 = Date.now(),
  onComposed: () => void = () => undefined,
): Promise<Composed> {
  const out: Composed = { ids: [], latencies: [], failures: [] };
  const clients = plans.length;
  await Promise.all(
    plans.map(async (plan, c) => {
      let previous: string | null = null;
      for (const [k, m] of plan.entries()) {
        if (rate !== undefined) {
          const due = t0 + ((k * clients + c) / rate) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        const started = performance.now();
        try {
          const [sent] = await sendMessage(by.ctx, by.users.liaison, {
            to: [RECEIVER],
            type: m.type,
            sharing: 'shareable',
            body: m.body,
            ...(m.opens || previous === null ? {} : { refTo: previous }),
          });
          out.latencies.push(performance.now() - started);
          out.ids.push(sent!.id);
          previous = sent!.id;
          onComposed();
        } catch (error) {
          out.failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return out;
}

async function settledCount(node: TestNode): Promise<number> {
  const r = await node.db.db.kysely
    .selectFrom('exchange_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('direction', '=', 'out')
    .where('delivery', '<>', 'queued')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Polls the sender until `target` messages are settled (any state but queued); gives up after
 * `maxSeconds` once composing is done, or when nothing settles for STALL_MS.
 */
async function waitSettled(
  by: TestNode,
  target: number,
  maxSeconds: number,
  composed: () => number,
  composeDone: () => boolean = () => true,
): Promise<{ peakQueue: number; gaveUp: string | undefined }> {
  let peakQueue = 0;
  let last = -1;
  let lastProgress = Date.now();
  let doneAt: number | undefined;
  for (;;) {
    const settled = await settledCount(by);
    peakQueue = Math.max(peakQueue, composed() - settled);
    if (settled >= target) return { peakQueue, gaveUp: undefined };
    const now = Date.now();
    if (settled !== last) {
      last = settled;
      lastProgress = now;
    }
    if (composeDone()) doneAt ??= now;
    if (doneAt !== undefined && now - doneAt > maxSeconds * 1000)
      return {
        peakQueue,
        gaveUp: `only ${settled} of ${target} messages settled ${maxSeconds} s after the last was composed`,
      };
    if (now - lastProgress > STALL_MS)
      return {
        peakQueue,
        gaveUp: `the sender settled nothing for ${STALL_MS / 1000} s (${settled} of ${target})`,
      };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

type ReadBack = Pick<
  RunResult,
  | 'backend'
  | 'binding'
  | 'count'
  | 'clients'
  | 'delivered'
  | 'refused'
  | 'expired'
  | 'queued'
  | 'retried'
  | 'inbox'
  | 'receivedEvents'
  | 'outOfOrder'
  | 'conversations'
  | 'seconds'
  | 'perSecond'
  | 'settle'
  | 'receive'
  | 'failures'
>;

/** The figures and the checks, from what both databases hold. */
async function readBack(
  by: TestNode,
  got: Inbox,
  o: RunOptions,
  ids: readonly string[],
  t0: number,
): Promise<ReadBack> {
  const measured = new Set(ids);
  const out = (
    await by.db.db.kysely
      .selectFrom('exchange_messages')
      .select(['id', 'conversation', 'seq', 'created_at', 'delivered_at', 'delivery', 'attempts'])
      .where('direction', '=', 'out')
      .orderBy('seq')
      .execute()
  ).filter((r) => measured.has(r.id));
  const settledAt = new Map(
    (
      await by.db.db.kysely
        .selectFrom('audit_events')
        .select(['subject_id', 'at'])
        .where('action', '=', 'exchange.delivered')
        .execute()
    ).map((r) => [r.subject_id, Date.parse(r.at)]),
  );
  const inbox = got.rows;
  const receivedEvents = got.receivedEvents;

  const by_state = (s: string) => out.filter((r) => r.delivery === s).length;
  const delivered = out.filter((r) => r.delivery === 'delivered');
  const settle: number[] = [];
  const receive: number[] = [];
  let lastSettled = t0;
  for (const r of delivered) {
    const created = Date.parse(r.created_at);
    const at = settledAt.get(r.id);
    if (at !== undefined) {
      settle.push(at - created);
      lastSettled = Math.max(lastSettled, at);
    }
    if (r.delivered_at) receive.push(Date.parse(r.delivered_at) - created);
  }
  const seconds = (lastSettled - t0) / 1000;

  // Order within each conversation: the receiver stored them in the order they were sent.
  const sentOrder = new Map<string, string[]>();
  for (const r of out)
    sentOrder.set(r.conversation, [...(sentOrder.get(r.conversation) ?? []), r.id]);
  const gotOrder = new Map<string, string[]>();
  for (const r of inbox)
    gotOrder.set(r.conversation, [...(gotOrder.get(r.conversation) ?? []), r.id]);
  let outOfOrder = 0;
  for (const [conversation, sent] of sentOrder) {
    const got = gotOrder.get(conversation) ?? [];
    if (got.join() !== sent.slice(0, got.length).join()) outOfOrder++;
  }

  const failures: string[] = [];
  if (ids.length !== o.count) failures.push(`${ids.length} of ${o.count} messages were composed`);
  if (delivered.length !== o.count)
    failures.push(
      `${delivered.length} of ${o.count} delivered (refused ${by_state('refused')}, expired ${by_state('expired')}, still queued ${by_state('queued')})`,
    );
  if (inbox.length !== o.count)
    failures.push(`the receiver's inbox holds ${inbox.length} of the ${o.count} messages`);
  if (receivedEvents !== inbox.length)
    failures.push(`${receivedEvents} exchange.received events for ${inbox.length} inbox rows`);
  if (outOfOrder > 0) failures.push(`${outOfOrder} conversations stored out of order`);
  if (settle.length !== delivered.length)
    failures.push(
      `${delivered.length - settle.length} delivered messages without a delivered event`,
    );

  return {
    backend: o.backend,
    binding: o.binding,
    count: o.count,
    clients: o.clients,
    delivered: delivered.length,
    refused: by_state('refused'),
    expired: by_state('expired'),
    queued: by_state('queued'),
    retried: delivered.filter((r) => Number(r.attempts) > 1).length,
    inbox: inbox.length,
    receivedEvents,
    outOfOrder,
    conversations: sentOrder.size,
    seconds,
    perSecond: seconds > 0 ? delivered.length / seconds : NaN,
    settle: percentiles(settle),
    receive: percentiles(receive),
    failures,
  };
}

/**
 * CPU used while measuring: this process, the receiver's (when it has its own), nats-server, the
 * PostgreSQL backends of the nodes' databases.
 */
function cpuMeter(
  databases: readonly Database[],
  backend: Backend,
  receiver: Pick<Receiver, 'pid' | 'database'>,
) {
  const receiverPid = receiver.pid;
  let names: string[] = [];
  let t = 0;
  let self = process.cpuUsage();
  let receiverAt = 0;
  let natsAt = new Map<number, number>();
  let pgAt = new Map<number, number>();
  let machine: number | undefined;
  const natsNow = () => cpuOf(pidsOf((cmd) => /(^|\/)nats-server(\s|$)/.test(cmd)));
  const pgNow = () =>
    cpuOf(pidsOf((cmd) => names.some((d) => new RegExp(`^postgres: .*\\s${d}\\s`).test(cmd))));
  // Processes that started meanwhile count from zero; those that exited meanwhile are missed.
  const used = (at: Map<number, number>, now: Map<number, number>) => {
    let total = 0;
    for (const [pid, cpu] of now) total += cpu - (at.get(pid) ?? 0);
    return total;
  };
  const receiverCpu = () =>
    receiverPid === undefined ? undefined : processCpuSeconds(receiverPid);
  return {
    async start() {
      names = [];
      if (backend === 'postgres') {
        for (const db of databases) {
          const r = await sql<{ d: string }>`select current_database() as d`.execute(db.kysely);
          names.push(r.rows[0]!.d);
        }
        if (receiver.database !== undefined) names.push(receiver.database);
      }
      natsAt = natsNow();
      pgAt = pgNow();
      machine = machineBusySeconds();
      receiverAt = receiverCpu() ?? NaN;
      self = process.cpuUsage();
      t = performance.now();
    },
    stop(messages: number): Cpu {
      const seconds = (performance.now() - t) / 1000;
      const s = process.cpuUsage(self);
      const bench = (s.user + s.system) / 1e6 / seconds;
      const benchMsPerMessage = (s.user + s.system) / 1e3 / messages;
      const r = receiverCpu();
      const receiverSeconds = r === undefined ? undefined : r - receiverAt;
      const receiver =
        receiverSeconds === undefined || Number.isNaN(receiverSeconds)
          ? undefined
          : receiverSeconds / seconds;
      const natsThen = natsNow();
      const nats = natsThen.size === 0 ? undefined : used(natsAt, natsThen) / seconds;
      const postgres = names.length === 0 ? undefined : used(pgAt, pgNow()) / seconds;
      const m = machineBusySeconds();
      const all = m === undefined || machine === undefined ? undefined : (m - machine) / seconds;
      const other =
        all === undefined
          ? undefined
          : Math.max(0, all - bench - (receiver ?? 0) - (nats ?? 0) - (postgres ?? 0));
      return {
        bench,
        receiver,
        benchMsPerMessage,
        receiverMsPerMessage:
          receiver === undefined ? undefined : (receiverSeconds! * 1000) / messages,
        nats,
        postgres,
        other,
      };
    },
  };
}

function cpuOf(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const cpu = processCpuSeconds(pid);
    if (cpu !== undefined) out.set(pid, cpu);
  }
  return out;
}

/** Process ids whose command line matches, from /proc (Linux only; empty elsewhere). */
function pidsOf(match: (cmdline: string) => boolean): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (match(cmdline)) out.push(Number(pid));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return out;
}

/** The V8 CPU profiler of this process (both nodes and the clients). */
async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

/** Deletes the run's own NATS stream (never another). */
async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: TEST_NATS_URL.replace(/^nats:\/\//, '') });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream);
  } finally {
    await nc.close();
  }
}
