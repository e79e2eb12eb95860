/**
 * Ledger benchmark: appends per second, inclusion and consistency proofs generated and verified
 * per second at 1 M and 10 M leaves, full verification (`ledger verify`) and the bytes each leaf
 * takes, on SQLite and PostgreSQL, and in memory for comparison.
 *
 *   npm run bench:ledger -- [--leaves 1e6,1e7] [--backends memory,sqlite,postgres]
 *                           [--postgres postgres://…] [--append-max 1e6] [--quick]
 *
 * 1. Core: realistic outbox events (bench/ledger/events.ts) through what LedgerAppender.deliver
 *    does per event without storage: canonical JSON, the salted commitment and RFC 6962 leaf hash
 *    (eventLeafHash), CompactRange.append; each alone and all together.
 * 2. Memory: a tree of synthetic leaves held in one buffer per level (bench/ledger/memory-tree.ts)
 *    built by CompactRange.append, then proofs assembled from it and verified.
 * 3. Storage, per backend, on a fresh database grown to each size in turn: outbox rows as the app
 *    writes them, appended by the real subscriber (OutboxDispatcher pages of 500 delivered to
 *    LedgerAppender, checkpoints signed every 1,000 leaves as the node does) up to --append-max
 *    leaves; beyond that, synthetic leaves bulk-inserted through the store's own append with the
 *    hashes CompactRange computes (said so in the output). At each size: the bytes per leaf,
 *    inclusionProof / consistencyProof at random indices and pairs (one proof at a time), their
 *    verification (verifyInclusion / verifyConsistency against rootAt), and, while every leaf
 *    comes from an event, `ledger verify` (runLedgerVerification).
 * Every proof generated in the run is checked; a failure ends the run with status 1.
 * See bench/README.md for what this measures and what it does not.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/app/context.js';
import {
  consistencyProof,
  inclusionProof,
  LedgerAppender,
  ledgerOrigin,
  rootAt,
  signCheckpointIfDue,
  type LedgerRuntime,
} from '../src/app/ledger.js';
import { runLedgerVerification } from '../src/app/ledger-proofs.js';
import { OutboxDispatcher } from '../src/app/outbox-dispatcher.js';
import type { DomainEvent, OutboxSubscriber } from '../src/core/events.js';
import {
  canonicalEvent,
  eventLeafHash,
  isConfidential,
  ledgerEventOf,
  SALT_BYTES,
} from '../src/core/ledger/leaf.js';
import {
  CompactRange,
  consistencyPlan,
  inclusionPlan,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../src/core/ledger/merkle.js';
import { SeededRandom } from '../src/core/random.js';
import type { Backend } from '../src/storage/database.js';
import { testContext } from '../src/test-support/app.js';
import {
  analyzeLedger,
  fillOutbox,
  freshDatabase,
  growSynthetic,
  storageSizes,
  type BenchDatabase,
  type StorageSizes,
} from './ledger/backends.js';
import { EventMix } from './ledger/events.js';
import { rateAsync, rateSync, timed, type Rate } from './ledger/measure.js';
import { MemoryTree, syntheticLeafHash } from './ledger/memory-tree.js';

const USAGE = `usage: tsx bench/ledger.ts [options]

  --leaves LIST      tree sizes measured, ascending (default 1e6,1e7)
  --backends LIST    of memory, sqlite, postgres (default all three; postgres needs a URL)
  --postgres URL     server on which a throw-away database is created and dropped (default: env
                     GREENLANE_BENCH_POSTGRES_URL or GREENLANE_TEST_POSTGRES_URL)
  --append-max N     leaves appended through the outbox and LedgerAppender (default 1e6); the
                     rest of a larger size is bulk-inserted synthetic leaves
  --seconds S        time given to each proof rate (default 5)
  --core-events N    events in the core (no storage) append figures (default 200000)
  --seed N           seed of the events, indices and pairs (default 1)
  --quick            a smoke run in seconds: --leaves 1e4,4e4 --append-max 1e4 --seconds 0.3
                     --core-events 20000
  -h, --help         this text
`;

const PAGE_SIZE = 500;
const CHECKPOINT_EVERY = 1000;
/** Proofs kept from the generation loop to be verified (and checked) afterwards. */
const SAMPLES = 2000;

function usage(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function readOptions() {
  let values;
  try {
    values = parseArgs({
      options: {
        leaves: { type: 'string' },
        backends: { type: 'string', default: 'memory,sqlite,postgres' },
        postgres: { type: 'string' },
        'append-max': { type: 'string' },
        seconds: { type: 'string' },
        'core-events': { type: 'string' },
        seed: { type: 'string', default: '1' },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    usage((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick;
  const count = (text: string, name: string, min = 1) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) usage(`${name} must be an integer ≥ ${min}`);
    return n;
  };
  const leaves = (values.leaves ?? (quick ? '1e4,4e4' : '1e6,1e7'))
    .split(',')
    .map((s) => count(s.trim(), '--leaves', 2));
  const sorted = [...new Set(leaves)].sort((a, b) => a - b);
  const backends = values.backends.split(',').map((b) => b.trim());
  for (const b of backends)
    if (b !== 'memory' && b !== 'sqlite' && b !== 'postgres') usage(`unknown backend '${b}'`);
  const postgres =
    values.postgres ??
    (process.env.GREENLANE_BENCH_POSTGRES_URL?.trim() ||
      process.env.GREENLANE_TEST_POSTGRES_URL?.trim() ||
      undefined);
  if (postgres !== undefined && !/^postgres(ql)?:\/\//.test(postgres))
    usage('--postgres must be a postgres:// URL');
  const seconds = Number(values.seconds ?? (quick ? '0.3' : '5'));
  if (!(seconds > 0)) usage('--seconds must be positive');
  return {
    leaves: sorted,
    memory: backends.includes('memory'),
    storage: (['sqlite', 'postgres'] as const).filter((b) => backends.includes(b)),
    postgres,
    appendMax: count(values['append-max'] ?? (quick ? '1e4' : '1e6'), '--append-max', 0),
    seconds,
    coreEvents: count(values['core-events'] ?? (quick ? '20000' : '200000'), '--core-events'),
    seed: count(values.seed, '--seed', 0),
    quick,
  };
}

type Options = ReturnType<typeof readOptions>;

const out = (line = '') => process.stdout.write(`${line}\n`);
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const us = (n: number) => (Number.isNaN(n) ? '–' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const sizeName = (n: number) =>
  n >= 1e6 && n % 1e5 === 0
    ? `${n / 1e6} M`
    : n >= 1e3 && n % 100 === 0
      ? `${n / 1e3} k`
      : String(n);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/** One row of the final table. */
interface Row {
  backend: 'memory' | Backend;
  leaves: number;
  built: string;
  /** Leaves appended per second through the dispatcher (read page, deliver, move cursor). */
  appendPerSecond?: number;
  /** The same, counting only the time in LedgerAppender.deliver. */
  deliverPerSecond?: number;
  inclusionGen: Rate;
  inclusionVerify: Rate;
  consistencyGen: Rate;
  consistencyVerify: Rate;
  verifyPerSecond?: number;
  sizes?: StorageSizes;
  /** Leaves whose event is in the outbox (the outbox bytes are per one of those). */
  eventLeaves?: number;
}

const failures: string[] = [];

/** Runs `check`; a throw is recorded as a failure (the run ends with status 1). */
function checked(what: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Core: the appender's work per event, without storage
// ---------------------------------------------------------------------------------------------

function eventsFrom(mix: EventMix, n: number, firstPosition: number): DomainEvent[] {
  return mix.take(n).map((e, i) => ({ ...e, position: firstPosition + i, txid: 0 }));
}

function core(options: Options): void {
  const events = eventsFrom(new EventMix(options.seed), options.coreEvents, 1);
  const salts = events.map((e) => (isConfidential(e.kind) ? randomBytes(SALT_BYTES) : null));
  const bytes = events.reduce((n, e) => n + canonicalEvent(ledgerEventOf(e)).length, 0);
  const confidential = salts.filter((s) => s !== null).length;
  const time = (work: () => void) => {
    work(); // warm-up pass (JIT)
    const start = performance.now();
    work();
    return events.length / ((performance.now() - start) / 1000);
  };
  const hashes: Hash[] = new Array<Hash>(events.length);
  const canonical = time(() => {
    for (const e of events) canonicalEvent(ledgerEventOf(e));
  });
  const leafHash = time(() => {
    for (let i = 0; i < events.length; i++)
      hashes[i] = eventLeafHash(ledgerEventOf(events[i]!), salts[i]!);
  });
  const append = time(() => {
    const range = CompactRange.empty();
    for (const h of hashes) range.append(h);
  });
  const both = time(() => {
    const range = CompactRange.empty();
    for (let i = 0; i < events.length; i++)
      range.append(eventLeafHash(ledgerEventOf(events[i]!), salts[i]!));
  });
  out(
    `core (no storage), ${int(events.length)} events, ${((100 * confidential) / events.length).toFixed(1)} % ` +
      `confidential (salted), canonical form ${(bytes / events.length).toFixed(0)} bytes on average:`,
  );
  out(`  canonical JSON (RFC 8785) of the event          ${int(canonical).padStart(10)} /s`);
  out(`  eventLeafHash (canonical + salt + RFC 6962 leaf) ${int(leafHash).padStart(10)} /s`);
  out(`  CompactRange.append of a leaf hash               ${int(append).padStart(10)} /s`);
  out(`  both, as deliver does per event                  ${int(both).padStart(10)} /s`);
}

// ---------------------------------------------------------------------------------------------
// Proofs: generation and verification, the same loop over a memory tree or a database
// ---------------------------------------------------------------------------------------------

interface InclusionSample {
  index: number;
  proof: Hash[];
}
interface ConsistencySample {
  size1: number;
  proof: Hash[];
}

/** A random pair 1 ≤ size1 < size2 ≤ size. */
function randomPair(random: SeededRandom, size: number): [number, number] {
  const size1 = 1 + Math.floor(random.next() * (size - 1));
  const size2 = size1 + 1 + Math.floor(random.next() * (size - size1));
  return [size1, size2];
}

interface ProofSource {
  inclusion(index: number, size: number): Promise<Hash[]> | Hash[];
  consistency(size1: number, size2: number): Promise<Hash[]> | Hash[];
  leafHashes(indices: number[]): Promise<Hash[]>;
  root(size: number): Promise<Hash>;
}

async function proofs(
  source: ProofSource,
  size: number,
  options: Options,
  sync: boolean,
): Promise<Pick<Row, 'inclusionGen' | 'inclusionVerify' | 'consistencyGen' | 'consistencyVerify'>> {
  const random = new SeededRandom(options.seed * 7919 + size);
  const inclusion: InclusionSample[] = [];
  const consistency: (ConsistencySample & { size2: number })[] = [];
  const maxOps = 10_000_000;
  const genInclusion = (i: number) => {
    const index = Math.floor(random.next() * size);
    const proof = source.inclusion(index, size);
    const keep = (p: Hash[]) => {
      if (i < SAMPLES) inclusion.push({ index, proof: p });
    };
    if (proof instanceof Promise) return proof.then(keep);
    keep(proof);
    return undefined;
  };
  const genConsistency = (i: number) => {
    const [size1, size2] = randomPair(random, size);
    const proof = source.consistency(size1, size2);
    const keep = (p: Hash[]) => {
      if (i < SAMPLES) consistency.push({ size1, size2, proof: p });
    };
    if (proof instanceof Promise) return proof.then(keep);
    keep(proof);
    return undefined;
  };
  const inclusionGen = sync
    ? rateSync(options.seconds, (i) => void genInclusion(i), { maxOps })
    : await rateAsync(options.seconds, maxOps, async (i) => genInclusion(i));
  const consistencyGen = sync
    ? rateSync(options.seconds, (i) => void genConsistency(i), { maxOps })
    : await rateAsync(options.seconds, maxOps, async (i) => genConsistency(i));

  // What a verifier holds: the leaf hash, the signed root of each size (read here, untimed).
  const root = await source.root(size);
  const leaves = await source.leafHashes(inclusion.map((s) => s.index));
  const roots = new Map<number, Hash>([[size, root]]);
  for (const c of consistency) {
    for (const s of [c.size1, c.size2]) if (!roots.has(s)) roots.set(s, await source.root(s));
  }
  // Each sample once, checked: a proof that does not verify is a failure of the run.
  checked(`inclusion proofs at ${size}`, () => {
    inclusion.forEach((s, k) => verifyInclusion(s.index, size, leaves[k]!, s.proof, root));
  });
  checked(`consistency proofs at ${size}`, () => {
    for (const c of consistency)
      verifyConsistency(c.size1, c.size2, roots.get(c.size1)!, roots.get(c.size2)!, c.proof);
  });
  const inclusionVerify = rateSync(options.seconds, (i) => {
    const s = inclusion[i % inclusion.length]!;
    verifyInclusion(s.index, size, leaves[i % inclusion.length]!, s.proof, root);
  });
  const consistencyVerify = rateSync(options.seconds, (i) => {
    const c = consistency[i % consistency.length]!;
    verifyConsistency(c.size1, c.size2, roots.get(c.size1)!, roots.get(c.size2)!, c.proof);
  });
  const length = (xs: { proof: Hash[] }[]) =>
    (xs.reduce((n, x) => n + x.proof.length, 0) / xs.length).toFixed(1);
  out(
    `    proofs: inclusion ${length(inclusion)} hashes, consistency ${length(consistency)} hashes on average` +
      (sync
        ? ''
        : `; generation latency p50 / p99 µs: inclusion ${us(inclusionGen.p50Us)} / ${us(inclusionGen.p99Us)}, ` +
          `consistency ${us(consistencyGen.p50Us)} / ${us(consistencyGen.p99Us)}`),
  );
  return { inclusionGen, inclusionVerify, consistencyGen, consistencyVerify };
}

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

async function memory(options: Options): Promise<Row[]> {
  const max = options.leaves[options.leaves.length - 1]!;
  const tree = new MemoryTree(max);
  const rows: Row[] = [];
  const start = performance.now();
  let from = 0;
  for (const size of options.leaves) {
    for (let i = from; i < size; i++) tree.append(syntheticLeafHash(i, options.seed));
    from = size;
    const seconds = (performance.now() - start) / 1000;
    out(
      `memory, ${sizeName(size)} leaves: built in ${seconds.toFixed(1)} s, ${int(size / seconds)} leaves/s ` +
        `(synthetic leaf hash + CompactRange.append + stored in buffers)`,
    );
    const hashOf = (id: { level: number; index: number }) => tree.hashOf(id);
    const measured = await proofs(
      {
        inclusion: (index, n) => inclusionPlan(index, n).assemble(hashOf),
        consistency: (a, b) => consistencyPlan(a, b).assemble(hashOf),
        leafHashes: (indices) =>
          Promise.resolve(indices.map((index) => tree.hashOf({ level: 0, index }))),
        root: (n) => Promise.resolve(tree.rootAt(n)),
      },
      size,
      options,
      true,
    );
    rows.push({
      backend: 'memory',
      leaves: size,
      built: 'synthetic',
      appendPerSecond: size / seconds,
      ...measured,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

function checkpointKeys(): LedgerRuntime['keys'] {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
  return {
    signerAt: () => ({
      publicKey: raw,
      sign: (message) => Promise.resolve(new Uint8Array(sign(null, message, privateKey))),
    }),
    publicKeys: () => [raw],
  };
}

/** The database of the backend being measured: dropped on Ctrl-C too. */
let current: BenchDatabase | undefined;

async function storage(backend: Backend, options: Options): Promise<Row[]> {
  const bench: BenchDatabase = await freshDatabase(backend, options.postgres);
  current = bench;
  const rows: Row[] = [];
  try {
    out(`${backend}: ${bench.where}`);
    const { db } = bench;
    const ctx = testContext(db);
    ctx.ledger = {
      origin: ledgerOrigin('BY/GTK'),
      checkpointEvery: CHECKPOINT_EVERY,
      checkpointSeconds: 10,
      keys: checkpointKeys(),
    };
    const appender = new LedgerAppender(db, systemClock);
    let deliverMs = 0;
    const timedAppender: OutboxSubscriber = {
      name: appender.name,
      async deliver(events) {
        const start = performance.now();
        await appender.deliver(events);
        deliverMs += performance.now() - start;
      },
    };
    const dispatcher = new OutboxDispatcher(db, systemClock, [timedAppender], {
      pollMs: 250,
      pageSize: PAGE_SIZE,
    });
    const mix = new EventMix(options.seed);
    let size = 0;
    let events = 0;
    let appendPerSecond: number | undefined;
    let deliverPerSecond: number | undefined;
    for (const target of options.leaves) {
      const real = Math.min(target, options.appendMax);
      if (real > size) {
        const tag = `  ${backend} ${sizeName(size)} → ${sizeName(real)}:`;
        // The outbox first (untimed for the append figure), in chunks to bound the memory.
        const fill = await timed(async () => {
          for (let n = size; n < real; n += 50_000) {
            const chunk = mix.take(Math.min(50_000, real - n));
            await fillOutbox(db, chunk);
          }
        });
        events = real;
        out(`${tag} ${int(real - size)} outbox rows written in ${fill.seconds.toFixed(1)} s`);
        deliverMs = 0;
        let drainMs = 0;
        let signMs = 0;
        let signed = 0;
        let appended = 0;
        for (;;) {
          const page = await timed(() => dispatcher.once(timedAppender));
          if (page.value === 0) break;
          drainMs += page.seconds * 1000;
          appended += page.value;
          const c = await timed(() => signCheckpointIfDue(ctx));
          signMs += c.seconds * 1000;
          if (c.value.signed) signed++;
        }
        if (appended !== real - size)
          failures.push(`${backend}: ${appended} leaves appended, ${real - size} expected`);
        size = real;
        appendPerSecond = appended / (drainMs / 1000);
        deliverPerSecond = appended / (deliverMs / 1000);
        out(
          `${tag} ${int(appended)} leaves appended in ${(drainMs / 1000).toFixed(1)} s: ` +
            `${int(appendPerSecond)} leaves/s through the dispatcher (pages of ${PAGE_SIZE}), ` +
            `${int(deliverPerSecond)}/s counting deliver alone (${((100 * deliverMs) / drainMs).toFixed(0)} % of the time); ` +
            `${signed} checkpoints signed, ${(signMs / Math.max(signed, 1)).toFixed(1)} ms each`,
        );
      }
      if (target > size) {
        const tag = `  ${backend} ${sizeName(size)} → ${sizeName(target)}:`;
        const last = await db.read.outbox.head();
        const grow = await timed(() =>
          growSynthetic(db, target, { seed: options.seed, positionFrom: last.position }),
        );
        out(
          `${tag} ${int(target - size)} synthetic leaves BULK-INSERTED (not through the appender) in ` +
            `${grow.seconds.toFixed(1)} s: ${int((target - size) / grow.seconds)} leaves/s`,
        );
        size = target;
      }
      await analyzeLedger(db);
      const sizes = await storageSizes(db);
      out(
        `  ${backend} ${sizeName(size)}: ledger_leaves ${mib(sizes.ledgerLeaves)}, ledger_nodes ${mib(sizes.ledgerNodes)}, ` +
          `outbox ${mib(sizes.outbox)}, database ${mib(sizes.total)}`,
      );
      const measured = await proofs(
        {
          inclusion: (index, n) => inclusionProof(db.read, index, n),
          consistency: (a, b) => consistencyProof(db.read, a, b),
          leafHashes: async (indices) => {
            const found = await db.read.ledger.hashes(
              indices.map((index) => ({ level: 0, index })),
            );
            return indices.map((index) => found.get(`0/${index}`)!);
          },
          root: (n) => rootAt(db.read, n),
        },
        size,
        options,
        false,
      );
      let verifyPerSecond: number | undefined;
      if (size <= options.appendMax) {
        const v = await timed(() => runLedgerVerification(ctx, 'cli'));
        if (!v.value.ok) failures.push(`${backend} ledger verify: ${v.value.problem}`);
        verifyPerSecond = v.value.leaves / v.seconds;
        out(
          `    ledger verify: ${v.value.ok ? 'ok' : 'FAILED'}, ${int(v.value.leaves)} leaves and ` +
            `${v.value.checkpoints} checkpoints in ${v.seconds.toFixed(1)} s: ${int(verifyPerSecond)} leaves/s`,
        );
      }
      rows.push({
        backend,
        leaves: size,
        built: size <= options.appendMax ? 'appender' : `appender ${sizeName(events)} + bulk`,
        ...(appendPerSecond === undefined ? {} : { appendPerSecond }),
        ...(deliverPerSecond === undefined ? {} : { deliverPerSecond }),
        ...measured,
        ...(verifyPerSecond === undefined ? {} : { verifyPerSecond }),
        sizes,
        eventLeaves: events,
      });
    }
  } finally {
    await bench.drop();
    current = undefined;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

function printTable(rows: readonly Row[]): void {
  const head = [
    'backend',
    'leaves',
    'built by',
    'append/s',
    'deliver/s',
    'incl gen/s',
    'incl verify/s',
    'cons gen/s',
    'cons verify/s',
    'verify leaves/s',
    'ledger B/leaf',
    'outbox B/event',
  ];
  const cells = rows.map((r) => [
    r.backend,
    sizeName(r.leaves),
    r.built,
    int(r.appendPerSecond ?? NaN),
    int(r.deliverPerSecond ?? NaN),
    int(r.inclusionGen.perSecond),
    int(r.inclusionVerify.perSecond),
    int(r.consistencyGen.perSecond),
    int(r.consistencyVerify.perSecond),
    int(r.verifyPerSecond ?? NaN),
    r.sizes ? ((r.sizes.ledgerLeaves + r.sizes.ledgerNodes) / r.leaves).toFixed(1) : '–',
    r.sizes && r.eventLeaves ? (r.sizes.outbox / r.eventLeaves).toFixed(0) : '–',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i < 3 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  out();
  out(line(head));
  out(`| ${widths.map((w, i) => (i < 3 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
  for (const c of cells) out(line(c));
  out(
    '(append/s: leaves per second through OutboxDispatcher → LedgerAppender, reading pages of 500\n' +
      'and moving the cursor; deliver/s: the time in deliver alone; memory: synthetic leaves into\n' +
      'buffers. gen/s: one proof at a time, random leaves / random pairs against the latest size;\n' +
      'verify/s: pure verifyInclusion / verifyConsistency. ledger B/leaf: ledger_leaves + ledger_nodes\n' +
      'with their indexes; outbox B/event: the outbox table and its indexes per event in it)',
  );
}

async function main(): Promise<void> {
  const options = readOptions();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: removing the bench database…\n`);
      void (current?.drop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  const storageBackends = options.storage.filter((b) => b === 'sqlite' || options.postgres);
  out(
    `node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
      `load average ${os.loadavg()[0]!.toFixed(2)}; leaves ${options.leaves.map(sizeName).join(', ')}; ` +
      `appender up to ${sizeName(options.appendMax)} leaves, bulk-inserted synthetic leaves beyond; ` +
      `${options.seconds} s per rate; seed ${options.seed}`,
  );
  if (options.storage.includes('postgres') && !options.postgres)
    out(
      'PostgreSQL skipped: no --postgres URL, GREENLANE_BENCH_POSTGRES_URL or GREENLANE_TEST_POSTGRES_URL',
    );
  core(options);
  const rows: Row[] = [];
  if (options.memory) rows.push(...(await memory(options)));
  for (const backend of storageBackends) {
    out(`load average ${os.loadavg()[0]!.toFixed(2)} before ${backend}`);
    rows.push(...(await storage(backend, options)));
  }
  printTable(rows);
  out(`load average ${os.loadavg()[0]!.toFixed(2)} at the end`);
  for (const f of failures) out(`FAILED: ${f}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  await current?.drop().catch(() => undefined);
  process.exit(1);
});
