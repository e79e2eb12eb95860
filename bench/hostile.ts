/**
 * Hostile-request bench (GreenLane issue 14): the latency of ordinary requests while ONE client
 * sends a hostile request in a loop beside them, on SQLite and PostgreSQL.
 *
 *   npm run bench:hostile -- [--seconds 10] [--clients 32] [--postgres postgres://…]
 *
 * Per backend, one `greenlane serve --seed-demo` child process on a fresh database (servers.ts),
 * then phases of --seconds each: the baseline (ordinary load only), and one per hostile kind
 * (the same ordinary load plus one hostile client). Ordinary load: --clients closed-loop clients,
 * each sending GET /api/declarations/{id} and GET /api/declarations?limit=20 as the demo officer
 * and lodging declarations of the realistic mix as the demo trader.
 *
 * See bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { openPools } from './ingest/load.js';
import { realisticMix } from './ingest/mix.js';
import {
  BenchError,
  cleanUpAll,
  demoAdminToken,
  freshPostgres,
  freshSqlite,
  installSignalHandlers,
  loggedErrors,
  onCleanup,
  ROOT,
  startServer,
  waitForOutput,
  type BackendName,
  type Database,
  type Server,
} from './ingest/servers.js';
import {
  costliestAcceptedCondition,
  deepJson,
  ENORMOUS_CONDITION,
  hostileEntrySummary,
  indicatorDraft,
  manyElementsXml,
  median,
  percentiles,
  statusSummary,
  wideJson,
  type Latencies,
} from './hostile/payloads.js';

/** The target of issue 14: ordinary requests keep p99 under this while a hostile one runs. */
const TARGET_P99_MS = 100;
/** GREENLANE_BODY_LIMIT_BYTES default (src/config.ts): 5 MiB. */
const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;
/** Shares of the ordinary mix. */
const ORDINARY = { getById: 0.45, list: 0.3 } as const; // the rest lodges
/** An ordinary request unanswered this long is aborted and counted as failed (status 0). */
const ORDINARY_TIMEOUT_MS = 30_000;
/** A hostile request still unanswered this long after its phase ended is aborted. */
const HOSTILE_GRACE_MS = 30_000;
/** After a phase, wait (at most this long) until the server answers /healthz within 1 s again. */
const SETTLE_MAX_MS = 180_000;

const USAGE = `usage: tsx bench/hostile.ts [options]

  --seconds N     length of each phase (default 10)
  --clients N     ordinary closed-loop clients (default 32)
  --postgres URL  also bench PostgreSQL (a throw-away database is created and dropped through it;
                  default: env GREENLANE_BENCH_POSTGRES_URL)
  --only NAME     sqlite or postgres
  --phases LIST   comma-separated subset of: ${'baseline,ens-regex,cel-save,cel-preview,xml-elements,json-deep,json-wide,sqlite-lock'}
  -h, --help      this text
`;

const PHASES = [
  'baseline',
  'ens-regex',
  'cel-save',
  'cel-preview',
  'xml-elements',
  'json-deep',
  'json-wide',
  'sqlite-lock',
] as const;
type PhaseName = (typeof PHASES)[number];

interface Options {
  seconds: number;
  clients: number;
  postgres: string | undefined;
  only: BackendName | undefined;
  phases: PhaseName[];
}

function readOptions(): Options {
  let values;
  try {
    values = parseArgs({
      options: {
        seconds: { type: 'string', default: '10' },
        clients: { type: 'string', default: '32' },
        postgres: { type: 'string' },
        only: { type: 'string' },
        phases: { type: 'string', default: PHASES.join(',') },
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
  const int = (text: string, name: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) usage(`${name} must be a positive integer`);
    return n;
  };
  const postgres =
    values.postgres ?? (process.env.GREENLANE_BENCH_POSTGRES_URL?.trim() || undefined);
  if (postgres !== undefined && !/^postgres(ql)?:\/\//.test(postgres))
    usage('--postgres must be a postgres:// URL');
  if (values.only !== undefined && values.only !== 'sqlite' && values.only !== 'postgres')
    usage('--only must be sqlite or postgres');
  if (values.only === 'postgres' && postgres === undefined)
    usage('--only postgres needs --postgres');
  const phases = values.phases.split(',').map((p) => p.trim());
  for (const p of phases)
    if (!(PHASES as readonly string[]).includes(p)) usage(`unknown phase '${p}'`);
  return {
    seconds: int(values.seconds, '--seconds'),
    clients: int(values.clients, '--clients'),
    postgres,
    only: values.only,
    phases: phases as PhaseName[],
  };
}

function usage(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

interface Sent {
  status: number;
  ms: number;
  text: string;
}

async function send(
  pool: Pool,
  method: 'GET' | 'POST',
  path: string,
  token: string | undefined,
  body?: { type: string; text: string },
  signal?: AbortSignal,
): Promise<Sent> {
  const started = performance.now();
  try {
    const res = await pool.request({
      method,
      path,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': body.type } : {}),
      },
      ...(body ? { body: body.text } : {}),
      ...(signal ? { signal } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, ms: performance.now() - started, text };
  } catch (error) {
    return { status: 0, ms: performance.now() - started, text: (error as Error).message };
  }
}

async function signIn(pool: Pool, username: string): Promise<string> {
  const r = await send(pool, 'POST', '/api/auth/login', undefined, {
    type: 'application/json',
    text: JSON.stringify({ username, password: 'greenlane-demo' }),
  });
  if (r.status !== 200) throw new BenchError(`sign-in of ${username}: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { token: string }).token;
}

// ---------------------------------------------------------------------------------------------
// Ordinary load
// ---------------------------------------------------------------------------------------------

interface World {
  origin: string;
  officer: string;
  trader: string;
  analyst: string;
  /** Declaration ids the officer may read (grows with every accepted lodging). */
  ids: string[];
  /** Lodging bodies of the demo trader; `{{REF}}` is replaced by a unique reference. */
  templates: string[];
  lodged: number;
}

interface Ordinary {
  latencies: number[];
  failed: number;
  failures: string[];
  seconds: number;
}

async function ordinaryLoad(
  pool: Pool,
  world: World,
  clients: number,
  stopAt: number,
): Promise<Ordinary> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  const client = async () => {
    while (performance.now() < stopAt) {
      const roll = Math.random();
      let r: Sent;
      if (roll < ORDINARY.getById) {
        const id = world.ids[Math.floor(Math.random() * world.ids.length)]!;
        r = await send(
          pool,
          'GET',
          `/api/declarations/${encodeURIComponent(id)}`,
          world.officer,
          undefined,
          AbortSignal.timeout(ORDINARY_TIMEOUT_MS),
        );
      } else if (roll < ORDINARY.getById + ORDINARY.list) {
        r = await send(
          pool,
          'GET',
          '/api/declarations?limit=20',
          world.officer,
          undefined,
          AbortSignal.timeout(ORDINARY_TIMEOUT_MS),
        );
      } else {
        const n = world.lodged++;
        const template = world.templates[n % world.templates.length]!;
        r = await send(
          pool,
          'POST',
          '/api/declarations',
          world.trader,
          { type: 'application/json', text: template.replace('{{REF}}', `H-${n}`) },
          AbortSignal.timeout(ORDINARY_TIMEOUT_MS),
        );
        if (r.status === 201) world.ids.push((JSON.parse(r.text) as { id: string }).id);
      }
      latencies.push(r.ms);
      if (r.status < 200 || r.status >= 300) {
        failed++;
        if (failures.length < 5) failures.push(`${r.status} ${r.text.slice(0, 300)}`);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  return { latencies, failed, failures, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Hostile clients
// ---------------------------------------------------------------------------------------------

interface Hostile {
  statuses: number[];
  times: number[];
  sample: string | undefined;
  note: string;
}

/** One client sending `request()` in a loop until `stopAt`, then finishing the one in flight. */
async function hostileLoop(
  pool: Pool,
  stopAt: number,
  request: (n: number, signal: AbortSignal) => Promise<Sent>,
  note: string,
): Promise<Hostile> {
  const out: Hostile = { statuses: [], times: [], sample: undefined, note };
  // A hostile request still unanswered HOSTILE_GRACE_MS after the phase: abort it (status 0).
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), stopAt - performance.now() + HOSTILE_GRACE_MS);
  try {
    for (let n = 0; performance.now() < stopAt; n++) {
      const r = await request(n, abort.signal);
      out.statuses.push(r.status);
      out.times.push(r.ms);
      out.sample ??= r.text.replace(/\s+/g, ' ').slice(0, 200);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

/** A separate process holding SQLite's write lock ~2 s, releasing, repeating, until stopAt. */
async function sqliteLockLoop(file: string, stopAt: number): Promise<Hostile> {
  const script = `
    const SQLite = require('better-sqlite3');
    const db = new SQLite(process.argv[1], { timeout: 60000 });
    const stopAt = Date.now() + Number(process.argv[2]);
    const hold = () => {
      if (Date.now() >= stopAt) { db.close(); return; }
      const started = Date.now();
      db.exec('BEGIN IMMEDIATE');
      const got = Date.now();
      setTimeout(() => {
        db.exec('COMMIT');
        process.stdout.write(JSON.stringify({ wait: got - started, held: Date.now() - got }) + '\\n');
        setTimeout(hold, 50);
      }, 2000);
    };
    hold();
  `;
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', script, file, String(Math.max(0, Math.round(stopAt - performance.now())))],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = onCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  await stop();
  if (child.exitCode !== 0) throw new BenchError(`the SQLite lock holder failed:\n${err}`);
  const cycles = out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { wait: number; held: number });
  return {
    statuses: cycles.map(() => 200),
    times: cycles.map((c) => c.held),
    sample: `waited for the lock: median ${median(cycles.map((c) => c.wait)).toFixed(0)} ms`,
    note: 'BEGIN IMMEDIATE held ~2 s by another process, 50 ms free, repeat',
  };
}

// ---------------------------------------------------------------------------------------------
// A backend
// ---------------------------------------------------------------------------------------------

interface PhaseResult {
  backend: BackendName;
  phase: PhaseName;
  completed: number;
  perSecond: number;
  latency: Latencies;
  failed: number;
  failures: string[];
  hostile: Hostile | undefined;
  /** How long after the phase the server took to answer /healthz within 1 s again. */
  settleMs?: number;
}

/** Waits until /healthz answers within 1 s (at most SETTLE_MAX_MS); returns how long it took. */
async function settle(server: Server): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < SETTLE_MAX_MS) {
    try {
      const res = await fetch(`${server.origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.ok) break;
    } catch {
      // still busy
    }
  }
  return performance.now() - started;
}

async function runBackend(backend: BackendName, options: Options): Promise<PhaseResult[]> {
  const log = (line: string) => process.stdout.write(`[${backend}] ${line}\n`);
  log(`load average ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} CPUs at start`);
  const db: Database =
    backend === 'sqlite' ? freshSqlite() : await freshPostgres(options.postgres!);
  log(`database: ${db.where}`);
  const bodyLimit = Number(db.env.GREENLANE_BODY_LIMIT_BYTES ?? '') || DEFAULT_BODY_LIMIT;
  const hard = new AbortController();
  const started = performance.now();
  const server: Server = await startServer(db.env, {
    demo: true,
    nodeArgs: [],
    signal: hard.signal,
  });
  await waitForOutput(server, 'Demo users');
  demoAdminToken(server); // checks that the demo was seeded
  log(
    `server ${server.origin} pid ${server.pid} up in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const [pool] = openPools([server.origin], options.clients);
  const hostilePool = new Pool(server.origin, {
    connections: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const closePools = onCleanup(async () => {
    await Promise.all([pool!.close(), hostilePool.close()].map((p) => p.catch(() => undefined)));
  });

  const officer = await signIn(pool!, 'officer');
  const trader = await signIn(pool!, 'trader');
  const analyst = await signIn(pool!, 'analyst');
  const me = await send(pool!, 'GET', '/api/me', trader);
  const traderId = (JSON.parse(me.text) as { traderId: string | null }).traderId;
  if (!traderId) throw new BenchError(`GET /api/me of the demo trader has no traderId: ${me.text}`);
  const list = await send(pool!, 'GET', '/api/declarations?limit=500', officer);
  const ids = (JSON.parse(list.text) as { items: Array<{ id: string }> }).items.map((d) => d.id);
  if (ids.length === 0) throw new BenchError(`the officer sees no declarations: ${list.text}`);
  // The realistic mix, lodged by the demo trader as declarant (the permit-quoting ones already are).
  const templates = realisticMix(4000, 1, undefined, new Date()).map((b) => {
    const d = JSON.parse(b.json) as Record<string, unknown>;
    d.reference = `${String(d.reference)}-{{REF}}`;
    d.declarant = { id: traderId, name: 'EcoMet Recycling LLC (demo)', country: 'BY' };
    return JSON.stringify(d);
  });
  const world: World = {
    origin: server.origin,
    officer,
    trader,
    analyst,
    ids,
    templates,
    lodged: 0,
  };
  log(`officer sees ${ids.length} declarations; trader ${traderId}; ${templates.length} bodies`);

  // Hostile bodies, built before the clock starts.
  const preview = costliestAcceptedCondition();
  const xml = manyElementsXml(bodyLimit);
  const deep = deepJson(100_000);
  const wide = wideJson(bodyLimit);
  const json = (v: unknown) => ({ type: 'application/json', text: JSON.stringify(v) });
  const hostiles: Partial<
    Record<PhaseName, { note: string; request: (n: number, s: AbortSignal) => Promise<Sent> }>
  > = {
    'ens-regex': {
      note: `IE315 with MesSenMES3 "AB"+40 spaces, as the trader`,
      request: (n, s) =>
        send(
          hostilePool,
          'POST',
          '/api/cargo-reports',
          trader,
          {
            type: 'application/xml',
            text: hostileEntrySummary(`HOSTILE-${backend}-${n}`),
          },
          s,
        ),
    },
    'cel-save': {
      note: 'POST /api/indicators, 3 nested macros over item.documents',
      request: (n, s) =>
        send(
          hostilePool,
          'POST',
          '/api/indicators',
          analyst,
          json(indicatorDraft(`Hostile ${n}`, ENORMOUS_CONDITION)),
          s,
        ),
    },
    'cel-preview': {
      note: `preview ?limit=2000&days=366, est. ${(preview.steps / 1e6).toFixed(1)} M steps/decl.`,
      request: (n, s) =>
        send(
          hostilePool,
          'POST',
          '/api/indicators/preview?limit=2000&days=366',
          analyst,
          json(indicatorDraft(`Preview ${n}`, preview.condition)),
          s,
        ),
    },
    'xml-elements': {
      note: `XML declaration, ${(xml.elements / 1e6).toFixed(2)} M <a/> in ${(xml.body.length / 1048576).toFixed(1)} MiB`,
      request: (_n, s) =>
        send(
          hostilePool,
          'POST',
          '/api/declarations',
          trader,
          { type: 'application/xml', text: xml.body },
          s,
        ),
    },
    'json-deep': {
      note: `JSON arrays nested 100,000 deep (${(deep.length / 1000).toFixed(0)} kB)`,
      request: (_n, s) =>
        send(
          hostilePool,
          'POST',
          '/api/declarations',
          trader,
          { type: 'application/json', text: deep },
          s,
        ),
    },
    'json-wide': {
      note: `goodsItems: [0,0,…] of ${(wide.elements / 1e6).toFixed(2)} M zeros`,
      request: (_n, s) =>
        send(
          hostilePool,
          'POST',
          '/api/declarations',
          trader,
          { type: 'application/json', text: wide.body },
          s,
        ),
    },
  };

  // Warm-up: 2 s of ordinary load, not counted (JIT, connections, caches).
  await ordinaryLoad(pool!, world, options.clients, performance.now() + 2_000);

  const results: PhaseResult[] = [];
  try {
    for (const phase of options.phases) {
      if (phase === 'sqlite-lock' && backend !== 'sqlite') continue;
      const stopAt = performance.now() + options.seconds * 1000;
      const load = ordinaryLoad(pool!, world, options.clients, stopAt);
      let hostile: Promise<Hostile> | undefined;
      if (phase === 'sqlite-lock') hostile = sqliteLockLoop(db.where, stopAt);
      else if (phase !== 'baseline') {
        const h = hostiles[phase]!;
        hostile = hostileLoop(hostilePool, stopAt, h.request, h.note);
      }
      const [o, h] = await Promise.all([load, hostile]);
      if (server.exited())
        throw new BenchError(`the server exited during ${phase}:\n${server.output().slice(-4000)}`);
      const r: PhaseResult = {
        backend,
        phase,
        completed: o.latencies.length,
        perSecond: o.latencies.length / o.seconds,
        latency: percentiles(o.latencies),
        failed: o.failed,
        failures: o.failures,
        hostile: h,
      };
      results.push(r);
      printPhase(log, r);
      const busy = await settle(server);
      if (busy > 1000)
        log(`  the server answered /healthz within 1 s again ${ms(busy)} ms after the phase`);
      r.settleMs = busy;
    }
  } finally {
    const errors = loggedErrors(server, 5);
    if (errors.length > 0) log(`server logged errors:\n  ${errors.join('\n  ')}`);
    await closePools();
    await server.stop();
  }
  return results;
}

function ms(n: number): string {
  return Number.isNaN(n) ? '–' : n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

function printPhase(log: (l: string) => void, r: PhaseResult): void {
  const l = r.latency;
  log(
    `${r.phase}: ${r.completed} ordinary requests, ${r.perSecond.toFixed(0)}/s, ` +
      `p50 ${ms(l.p50)} p95 ${ms(l.p95)} p99 ${ms(l.p99)} max ${ms(l.max)} ms, ${r.failed} failed; ` +
      `p99 < ${TARGET_P99_MS} ms: ${l.p99 < TARGET_P99_MS ? 'PASS' : 'MISS'}`,
  );
  for (const f of r.failures) log(`  failed: ${f}`);
  if (r.hostile) {
    const h = r.hostile;
    log(
      `  hostile (${h.note}): ${h.statuses.length} sent, ${statusSummary(h.statuses)}, ` +
        `median ${ms(median(h.times))} ms${h.sample ? `; e.g. ${h.sample}` : ''}`,
    );
  }
}

function printTable(results: readonly PhaseResult[]): void {
  const rows = results.map((r) => [
    r.backend,
    r.phase,
    String(r.completed),
    r.perSecond.toFixed(0),
    ms(r.latency.p50),
    ms(r.latency.p95),
    ms(r.latency.p99),
    ms(r.latency.max),
    String(r.failed),
    r.hostile ? statusSummary(r.hostile.statuses) : '–',
    r.hostile ? ms(median(r.hostile.times)) : '–',
    r.settleMs !== undefined && r.settleMs > 1000 ? `${(r.settleMs / 1000).toFixed(0)} s` : '–',
    r.latency.p99 < TARGET_P99_MS ? 'PASS' : 'MISS',
  ]);
  const head = [
    'backend',
    'phase',
    'done',
    'req/s',
    'p50',
    'p95',
    'p99',
    'max',
    'failed',
    'hostile',
    'h. med',
    'busy after',
    `p99<${TARGET_P99_MS}`,
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(
    `\n${line(head)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${rows.map(line).join('\n')}\n` +
      '(latencies in ms of the ordinary requests; hostile: statuses and median time of the hostile\n' +
      'requests, net = network error or aborted; busy after: time until /healthz answered within 1 s)\n',
  );
}

async function main(): Promise<void> {
  const options = readOptions();
  installSignalHandlers();
  const backends = (['sqlite', 'postgres'] as const).filter(
    (b) =>
      (options.only === undefined || options.only === b) && (b === 'sqlite' || options.postgres),
  );
  const results: PhaseResult[] = [];
  try {
    for (const b of backends) {
      results.push(...(await runBackend(b, options)));
      await cleanUpAll();
    }
  } finally {
    await cleanUpAll();
  }
  printTable(results);
  const failed = results.some((r) => r.failed > 0);
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (error: unknown) => {
  process.stderr.write(
    `${error instanceof BenchError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  await cleanUpAll();
  process.exit(1);
});
