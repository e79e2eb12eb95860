/**
 * Ingest benchmark: how many declarations per second the HTTP API accepts durably, and how long
 * each lodging takes, on SQLite and (optionally) PostgreSQL in the same run.
 *
 *   npm run bench:ingest -- [--count 20000] [--clients 50] [--postgres postgres://…]
 *
 * For each backend: a fresh database, a first administrator with an API token, and the real server
 * (`node bin/greenlane.js serve`, i.e. the compiled dist/) as a child process on a free port. The
 * client runs in this process, so it never competes with the server for its event loop. Request
 * bodies are generated before the clock starts; a warm-up (not counted) lets V8 optimise and the
 * connections open; then `--count` declarations are sent by `--clients` closed-loop clients (each
 * sends one request and waits for its answer before sending the next). Every answer must be 201.
 * Afterwards the server is stopped and the rows are counted in the database itself.
 *
 * See bench/README.md for what this measures and what it does not.
 */
import SQLite from 'better-sqlite3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify, type ParseArgsConfig } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { generateDeclarations } from '../src/app/generate-declarations.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'greenlane.js');

/** The target for SQLite on this kind of machine (printed as PASS/MISS, never fails the run). */
const TARGET = { perSecond: 2_000, p99Ms: 50 };

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const USAGE = `usage: tsx bench/ingest.ts [options]

  --count N          declarations measured per backend (default 20000)
  --clients N        concurrent closed-loop clients (default 50)
  --warmup N         declarations sent first and not measured (default 1000)
  --postgres URL     also bench PostgreSQL; URL of a server database used only to create and drop
                     a throw-away database (default: env GREENLANE_BENCH_POSTGRES_URL)
  --only NAME        run only this backend: sqlite or postgres
  --seed N           seed of the generated declarations: SQLite uses N, PostgreSQL N + 1 (default 1)
  --max-seconds N    abort a backend's run (warm-up + measured) after this long (default 600)
  --cpu-prof         run the server with --cpu-prof; profiles go to bench/out/<backend>-<time>/
  -h, --help         this text
`;

interface Options {
  count: number;
  clients: number;
  warmup: number;
  postgres: string | undefined;
  only: 'sqlite' | 'postgres' | undefined;
  seed: number;
  maxSeconds: number;
  cpuProf: boolean;
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgsOrUsage({
    args: argv,
    options: {
      count: { type: 'string', default: '20000' },
      clients: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '1000' },
      postgres: { type: 'string' },
      only: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'max-seconds': { type: 'string', default: '600' },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const only = values.only;
  if (only !== undefined && only !== 'sqlite' && only !== 'postgres') {
    throw new UsageError(`--only must be sqlite or postgres (got '${only}')`);
  }
  const postgres =
    values.postgres ?? (process.env.GREENLANE_BENCH_POSTGRES_URL?.trim() || undefined);
  if (postgres !== undefined && !/^postgres(ql)?:\/\//.test(postgres)) {
    throw new UsageError('--postgres must be a postgres:// URL');
  }
  if (only === 'postgres' && postgres === undefined) {
    throw new UsageError('--only postgres needs --postgres URL (or GREENLANE_BENCH_POSTGRES_URL)');
  }
  return {
    count: positiveInteger(values.count, '--count'),
    clients: positiveInteger(values.clients, '--clients'),
    warmup: positiveInteger(values.warmup, '--warmup', true),
    postgres,
    only,
    seed: positiveInteger(values.seed, '--seed'),
    maxSeconds: positiveInteger(values['max-seconds'], '--max-seconds'),
    cpuProf: values['cpu-prof'],
  };
}

/** parseArgs, with its complaints (unknown option, missing value) reported as usage errors. */
function parseArgsOrUsage<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A wrong option: printed with the usage, exit 2. */
class UsageError extends Error {}

/** A failure the message explains fully (no stack trace needed): exit 1. */
class BenchError extends Error {}

function positiveInteger(text: string, name: string, zeroAllowed = false): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < (zeroAllowed ? 0 : 1)) {
    throw new UsageError(
      `${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer (got '${text}')`,
    );
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: whatever a run creates (server process, temp dir, PG database) is undone on success,
// on error and on Ctrl-C alike.
// ---------------------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void>> = [];
const children = new Set<ChildProcess>();

/** Registers `undo`, returning a function that runs it once (and unregisters it). */
function onCleanup(undo: () => Promise<void>): () => Promise<void> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    await undo();
  };
  cleanups.push(once);
  return once;
}

let cleaning: Promise<void> | undefined;

/** Runs every registered cleanup, newest first; concurrent callers share one pass. */
function cleanUpAll(): Promise<void> {
  cleaning ??= (async () => {
    // Newest first: the server is stopped before its database is removed.
    while (cleanups.length > 0) {
      const undo = cleanups[cleanups.length - 1]!;
      try {
        await undo();
      } catch (error) {
        process.stderr.write(`cleanup: ${(error as Error).message}\n`);
      }
    }
  })().finally(() => {
    cleaning = undefined;
  });
  return cleaning;
}

// Last resort if we die without running the cleanups: never leave a server running.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // Ctrl-C often arrives twice (from the terminal and relayed by npm/tsx): act on the first only.
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the server and removing the bench databases…\n`);
    // Should cleaning hang, give up after 30 s (the exit handler still kills the server).
    setTimeout(() => process.exit(130), 30_000).unref();
    void cleanUpAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// One backend
// ---------------------------------------------------------------------------------------------

type BackendName = 'sqlite' | 'postgres';

interface BackendSetup {
  /** Environment for the CLI and the server: which database, and quiet logs. */
  env: NodeJS.ProcessEnv;
  /** Counts rows and reads the journal mode, with the server stopped. */
  inspect(): Promise<{ rows: number; journalMode: string | undefined }>;
  where: string;
}

interface Result {
  backend: BackendName;
  accepted: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rows: number;
  expectedRows: number;
  journalMode: string | undefined;
  /** CPU cores used on average during the measured run by the server, this client, and the rest. */
  serverCores: number | undefined;
  clientCores: number;
  otherCores: number | undefined;
}

/** Environment of the server and CLI: ours, minus any database setting that could point elsewhere. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.GREENLANE_DATABASE_URL;
  delete env.GREENLANE_SQLITE_PATH;
  // warn: per-request info logs would cost the server more than some of what we measure.
  return { ...env, GREENLANE_LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
}

function prepareSqlite(): BackendSetup {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-bench-'));
  onCleanup(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const file = path.join(dir, 'greenlane.db');
  return {
    env: { ...baseEnv(), GREENLANE_SQLITE_PATH: file },
    where: file,
    inspect: () => {
      const db = new SQLite(file, { readonly: true });
      try {
        const { n } = db.prepare('select count(*) as n from declarations').get() as { n: number };
        // journal_mode=WAL is persistent in the file, so any connection reports what the server set.
        const mode = db.pragma('journal_mode', { simple: true }) as string;
        return Promise.resolve({ rows: n, journalMode: mode });
      } finally {
        db.close();
      }
    },
  };
}

async function preparePostgres(serverUrl: string): Promise<BackendSetup> {
  const name = `greenlane_bench_${Date.now()}`;
  await withPg(serverUrl, (c) => c.query(`create database ${name}`));
  onCleanup(async () => {
    await withPg(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  return {
    env: { ...baseEnv(), GREENLANE_DATABASE_URL: dbUrl },
    where: `${url.host}/${name} (dropped afterwards)`,
    inspect: async () => {
      const rows = await withPg(dbUrl, async (c) => {
        const r = await c.query<{ n: string }>('select count(*) as n from declarations');
        return Number(r.rows[0]!.n);
      });
      return { rows, journalMode: undefined };
    },
  };
}

async function withPg<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function runBackend(backend: BackendName, options: Options, seed: number): Promise<Result> {
  const log = (line: string) => process.stdout.write(`[${backend}] ${line}\n`);
  const setup = backend === 'sqlite' ? prepareSqlite() : await preparePostgres(options.postgres!);
  log(`database: ${setup.where}`);

  const token = await createAdminToken(setup.env);

  // Generated before the clock starts: we measure the server, not the generator.
  const total = options.warmup + options.count;
  const bodies: string[] = [];
  for (const d of generateDeclarations(total, seed)) bodies.push(JSON.stringify(d));
  const averageKb = bodies.reduce((s, b) => s + b.length, 0) / bodies.length / 1024;
  log(`${total} request bodies generated (seed ${seed}, ${averageKb.toFixed(1)} KiB on average)`);

  const port = await freePort();
  const profileDir = options.cpuProf
    ? path.join(
        ROOT,
        'bench',
        'out',
        `${backend}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      )
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const server = startServer({ ...setup.env, PORT: String(port) }, profileDir);
  const stopServer = onCleanup(() => server.stop());
  const origin = `http://127.0.0.1:${port}`;

  // One deadline for warm-up and measurement: a stuck server must not hang the bench.
  const deadline = new AbortController();
  const timer = setTimeout(
    () =>
      deadline.abort(
        new BenchError(`the ${backend} run exceeded ${options.maxSeconds} s and was aborted`),
      ),
    options.maxSeconds * 1000,
  );
  const pool = new Pool(origin, {
    connections: options.clients, // one keep-alive connection per client: no queueing in the pool
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  let warmupAccepted = 0;
  let warmupFailures = 0;
  let load: LoadResult;
  let cpu: { server: number | undefined; client: number; other: number | undefined };
  try {
    await waitForHealth(origin, server, deadline.signal);
    log(`server up on port ${port} (pid ${server.pid})`);
    const send = requester(pool, token, deadline.signal);

    if (options.warmup > 0) {
      const warm = await runLoad(send, bodies.slice(0, options.warmup), options.clients);
      log(`warm-up: ${warm.accepted}/${options.warmup} accepted in ${warm.seconds.toFixed(1)} s`);
      reportFailures(log, 'warm-up', warm);
      warmupAccepted = warm.accepted;
      warmupFailures = warm.failures;
    }

    // CPU use around the measured run: the machine has few cores, so whatever else runs on it
    // (PostgreSQL included) takes them from the server and the client; we report it.
    const serverCpuBefore = processCpuSeconds(server.pid);
    const machineCpuBefore = machineBusySeconds();
    const clientCpuBefore = process.cpuUsage();
    load = await runLoad(send, bodies.slice(options.warmup), options.clients);
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const serverCpuAfter = processCpuSeconds(server.pid);
    const machineCpuAfter = machineBusySeconds();
    const perSecond = (before: number | undefined, after: number | undefined) =>
      before !== undefined && after !== undefined ? (after - before) / load.seconds : undefined;
    const client = (clientCpu.user + clientCpu.system) / 1e6 / load.seconds;
    const serverCores = perSecond(serverCpuBefore, serverCpuAfter);
    const machineCores = perSecond(machineCpuBefore, machineCpuAfter);
    cpu = {
      server: serverCores,
      client,
      other:
        serverCores !== undefined && machineCores !== undefined
          ? Math.max(0, machineCores - serverCores - client)
          : undefined,
    };
    reportFailures(log, 'measured', load);
  } finally {
    clearTimeout(timer);
    await pool.close().catch(() => undefined);
    await stopServer();
  }

  // The server is stopped (and SQLite checkpointed): count what was really stored.
  const { rows, journalMode } = await setup.inspect();
  const expectedRows = warmupAccepted + load.accepted;
  const stats = latencyStats(load.latencies);
  const result: Result = {
    backend,
    accepted: load.accepted,
    failures: load.failures + warmupFailures,
    seconds: load.seconds,
    perSecond: load.accepted / load.seconds,
    ...stats,
    rows,
    expectedRows,
    journalMode,
    serverCores: cpu.server,
    clientCores: cpu.client,
    otherCores: cpu.other,
  };
  log(
    `${fmtInt(result.perSecond)} declarations/s (${result.accepted} in ${result.seconds.toFixed(2)} s)` +
      `  p50 ${fmtMs(result.p50)}  p90 ${fmtMs(result.p90)}  p99 ${fmtMs(result.p99)}  max ${fmtMs(result.max)} ms` +
      (backend === 'sqlite' ? `  target: ${targetVerdict(result)}` : ''),
  );
  log(
    `CPU during the measured run (cores of ${os.availableParallelism()}): server ${fmtCores(cpu.server)},` +
      ` client ${fmtCores(cpu.client)}, everything else ${fmtCores(cpu.other)}` +
      (backend === 'postgres' ? ' (PostgreSQL included)' : ''),
  );
  if (backend === 'sqlite' && cpu.other !== undefined && cpu.other > 0.25) {
    log('warning: other processes were busy during the run; the figures above are disturbed');
  }
  log(
    `rows in declarations after stopping the server: ${rows}; expected ${expectedRows}` +
      ` = ${warmupAccepted} warm-up + ${load.accepted} measured` +
      (expectedRows !== total ? ` (the accepted ones of ${total} sent)` : '') +
      ` ${rows === expectedRows ? 'OK' : 'MISMATCH'}`,
  );
  if (journalMode !== undefined) {
    log(
      `journal_mode read from the database file: ${journalMode} ${journalMode === 'wal' ? 'OK' : '(expected wal)'}`,
    );
  }
  if (profileDir) log(`server CPU profile(s): ${profileDir}`);
  return result;
}

/** `greenlane admin create` against the bench database; the token is the line after 'API token'. */
async function createAdminToken(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, 'admin', 'create', '--username', 'bench', '--password', 'bench-pass'],
    { cwd: ROOT, env, timeout: 60_000 },
  );
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.includes('API token'));
  const token = at >= 0 ? lines[at + 1]?.trim() : undefined;
  if (!token) throw new BenchError(`no API token in the output of 'admin create':\n${stdout}`);
  return token;
}

/** A port free right now (the OS picks it; the server binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface Server {
  pid: number;
  /** Whether it has exited, and the tail of its output (for error messages). */
  exited(): boolean;
  output(): string;
  stop(): Promise<void>;
}

function startServer(env: NodeJS.ProcessEnv, profileDir: string | undefined): Server {
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      children.delete(child);
      resolve();
    }),
  );
  return {
    pid: child.pid!,
    exited: () => exitCode !== undefined,
    output: () => tail,
    stop: async () => {
      if (exitCode !== undefined) return;
      // SIGTERM: the server closes Fastify and the database (SQLite checkpoints its WAL) and
      // exits 0, which is also when --cpu-prof writes its profile. SIGKILL if it hangs.
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

async function waitForHealth(origin: string, server: Server, signal: AbortSignal): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (server.exited())
      throw new BenchError(`the server exited during start-up:\n${server.output()}`);
    try {
      const res = await fetch(`${origin}/healthz`, { signal });
      if (res.ok) return;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      void error; // not listening yet
    }
    if (Date.now() > until)
      throw new BenchError(`no answer on ${origin}/healthz within 30 s:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

type Send = (body: string) => Promise<{ status: number; text: string | undefined }>;

function requester(pool: Pool, token: string, signal: AbortSignal): Send {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return async (body) => {
    const res = await pool.request({
      path: '/api/declarations',
      method: 'POST',
      headers,
      body,
      signal,
    });
    if (res.statusCode === 201) {
      // Read the answer to the end, as a real client would (it is the stored declaration).
      await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      return { status: 201, text: undefined };
    }
    return { status: res.statusCode, text: await res.body.text() };
  };
}

interface LoadResult {
  accepted: number;
  failures: number;
  seconds: number;
  /** Milliseconds per request, in completion order, failures included. */
  latencies: Float64Array;
  failuresByStatus: Map<string, number>;
  examples: string[];
}

/** Sends every body once with `clients` closed-loop clients sharing one queue. */
async function runLoad(send: Send, bodies: string[], clients: number): Promise<LoadResult> {
  const latencies = new Float64Array(bodies.length);
  const failuresByStatus = new Map<string, number>();
  const examples: string[] = [];
  let next = 0;
  let done = 0;
  let accepted = 0;
  const fail = (what: string, detail: string) => {
    failuresByStatus.set(what, (failuresByStatus.get(what) ?? 0) + 1);
    const example = `${what}: ${detail.slice(0, 300)}`;
    if (examples.length < 5 && !examples.includes(example)) examples.push(example);
  };
  const client = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const started = performance.now();
      try {
        const { status, text } = await send(bodies[i]!);
        latencies[done++] = performance.now() - started;
        if (status === 201) accepted++;
        else fail(String(status), text ?? '');
      } catch (error) {
        if ((error as { name?: string }).name === 'AbortError' || isAbort(error)) throw error;
        latencies[done++] = performance.now() - started;
        fail('network error', (error as Error).message);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(clients, bodies.length) }, client));
  const seconds = (performance.now() - started) / 1000;
  return {
    accepted,
    failures: bodies.length - accepted,
    seconds,
    latencies,
    failuresByStatus,
    examples,
  };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && /abort/i.test(error.name + error.message);
}

function reportFailures(log: (line: string) => void, phase: string, load: LoadResult): void {
  if (load.failures === 0) return;
  const byStatus = [...load.failuresByStatus].map(([s, n]) => `${s} ×${n}`).join(', ');
  log(`${phase}: ${load.failures} FAILED (${byStatus}); first ones:`);
  for (const e of load.examples) log(`  ${e}`);
}

function latencyStats(latencies: Float64Array): {
  p50: number;
  p90: number;
  p99: number;
  max: number;
} {
  const sorted = Float64Array.from(latencies).sort();
  // Nearest rank: the smallest latency that at least p of the requests did not exceed.
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux only). */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ')'; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** CPU seconds all cores of the machine spent busy so far, from /proc/stat (Linux only). */
function machineBusySeconds(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
    const ticks = cpu.map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    return (total - idle) / 100;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function targetVerdict(r: Result): string {
  const pass = r.perSecond >= TARGET.perSecond && r.p99 < TARGET.p99Ms && r.failures === 0;
  return `${pass ? 'PASS' : 'MISS'} (≥ ${fmtInt(TARGET.perSecond)}/s and p99 < ${TARGET.p99Ms} ms)`;
}

const fmtMs = (ms: number) => ms.toFixed(1);
const fmtCores = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(2));
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

function printTable(results: Result[], options: Options): void {
  const header = [
    'backend',
    'decl/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'failed',
    'server cpu',
    'other cpu',
    'rows',
    'journal',
    'target',
  ];
  const rows = results.map((r) => [
    r.backend,
    fmtInt(r.perSecond),
    fmtMs(r.p50),
    fmtMs(r.p90),
    fmtMs(r.p99),
    fmtMs(r.max),
    String(r.failures),
    fmtCores(r.serverCores),
    fmtCores(r.otherCores),
    `${r.rows}${r.rows === r.expectedRows ? ' ok' : ` ≠ ${r.expectedRows}`}`,
    r.journalMode ?? '-',
    r.backend === 'sqlite' ? targetVerdict(r) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i >= 9 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    `\nIngest: ${options.count} declarations per backend, ${options.clients} closed-loop clients,` +
      ` ${options.warmup} warm-up (node ${process.version}, ${os.availableParallelism()} CPUs;` +
      ` cpu = cores used on average while measuring)\n\n` +
      `${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`,
  );
}

/** Warns when src/ has changed since the last `npm run build`: the server runs dist/. */
function warnIfDistStale(): void {
  // Newest mtime of the files under `dir` that `npm run build` compiles (or emits).
  const newest = (dir: string, ext: string): number => {
    let latest = 0;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const compiled =
        file.endsWith(ext) && !file.endsWith(`.test${ext}`) && !file.startsWith('test-support');
      if (compiled) latest = Math.max(latest, statSync(path.join(dir, file)).mtimeMs);
    }
    return latest;
  };
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new UsageError(
      'dist/ is missing: run `npm run build` first (the bench runs the compiled server)',
    );
  }
  if (newest(path.join(ROOT, 'src'), '.ts') > newest(path.join(ROOT, 'dist'), '.js')) {
    process.stderr.write(
      'warning: src/ is newer than dist/; run `npm run build` to bench the current code\n',
    );
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  warnIfDistStale();
  const backends: BackendName[] = (['sqlite', 'postgres'] as const).filter(
    (b) =>
      (options.only === undefined || options.only === b) &&
      (b === 'sqlite' || options.postgres !== undefined),
  );
  const results: Result[] = [];
  for (const backend of backends) {
    try {
      results.push(
        await runBackend(backend, options, options.seed + (backend === 'sqlite' ? 0 : 1)),
      );
    } finally {
      await cleanUpAll();
    }
  }
  printTable(results, options);
  const failed = results.filter(
    (r) => r.failures > 0 || r.rows !== r.expectedRows || (r.journalMode ?? 'wal') !== 'wal',
  );
  if (failed.length > 0) {
    process.stdout.write(
      `\nFAILED: ${failed.map((r) => r.backend).join(', ')} (failed requests or a row-count mismatch)\n`,
    );
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  await cleanUpAll();
  if (interrupted) process.exit(130);
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  const explained = error instanceof UsageError || error instanceof BenchError;
  if (!explained && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack.split('\n').slice(1, 4).join('\n')}\n`);
  }
  if (error instanceof UsageError) process.stderr.write(USAGE);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
