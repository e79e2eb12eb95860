/**
 * The ingest bench's side effects: throw-away databases, `greenlane serve` child processes, and
 * the cleanups that undo both on success, on error and on Ctrl-C alike.
 */
import SQLite from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'bin', 'greenlane.js');

/** A failure the message explains fully (no stack trace needed): exit 1. */
export class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Cleanup
// ---------------------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void>> = [];
const children = new Set<ChildProcess>();

/** Registers `undo`, returning a function that runs it once (and unregisters it). */
export function onCleanup(undo: () => Promise<void>): () => Promise<void> {
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
export function cleanUpAll(): Promise<void> {
  cleaning ??= (async () => {
    // Newest first: the servers are stopped before their database is removed.
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

let interrupted = false;

/** True once SIGINT or SIGTERM has arrived. */
export const wasInterrupted = () => interrupted;

/** Ctrl-C and SIGTERM clean up (servers, files, databases) before exiting 130. */
export function installSignalHandlers(): void {
  // Last resort if we die without running the cleanups: never leave a server running.
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Ctrl-C often arrives twice (from the terminal and relayed by npm/tsx): act on the first.
      if (interrupted) return;
      interrupted = true;
      process.stderr.write(`\n${signal}: stopping the servers and removing the bench databases…\n`);
      // Should cleaning hang, give up after 30 s (the exit handler still kills the servers).
      setTimeout(() => process.exit(130), 30_000).unref();
      void cleanUpAll().finally(() => process.exit(130));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

export type BackendName = 'sqlite' | 'postgres';

export interface Database {
  /** Environment for the servers: which database, and quiet logs. */
  env: NodeJS.ProcessEnv;
  where: string;
  /** Rows of `declarations`, read in the database itself (the servers may be running). */
  countDeclarations(): Promise<number>;
  /** SQLite's journal mode, read from the file; undefined for PostgreSQL. */
  journalMode(): string | undefined;
  /**
   * CPU seconds used so far by each PostgreSQL backend process connected to this database (by
   * pid); undefined for SQLite. The shared walwriter and checkpointer are not in it.
   */
  backendCpuSeconds(): Map<number, number> | undefined;
}

/** Environment of the servers: ours, minus any database setting that could point elsewhere. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.GREENLANE_DATABASE_URL;
  delete env.GREENLANE_SQLITE_PATH;
  // warn: per-request info logs would cost the server more than some of what we measure.
  return { ...env, GREENLANE_LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
}

/** A SQLite file in a new temporary directory, removed by the cleanups. */
export function freshSqlite(): Database {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-bench-'));
  onCleanup(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const file = path.join(dir, 'greenlane.db');
  const withFile = <T>(work: (db: SQLite.Database) => T): T => {
    // Read-only beside the running server: WAL lets a reader see the last commit.
    const db = new SQLite(file, { readonly: true, fileMustExist: true });
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    env: { ...baseEnv(), GREENLANE_SQLITE_PATH: file },
    where: file,
    countDeclarations: () =>
      Promise.resolve(
        withFile(
          (db) => (db.prepare('select count(*) as n from declarations').get() as { n: number }).n,
        ),
      ),
    // journal_mode=WAL is persistent in the file, so any connection reports what the server set.
    journalMode: () => withFile((db) => db.pragma('journal_mode', { simple: true }) as string),
    backendCpuSeconds: () => undefined,
  };
}

/** A throw-away database `greenlane_bench_<time>` on the server of `serverUrl`, dropped afterwards. */
export async function freshPostgres(serverUrl: string): Promise<Database> {
  const name = `greenlane_bench_${Date.now()}_${process.pid}`;
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
    countDeclarations: () =>
      withPg(dbUrl, async (c) => {
        const r = await c.query<{ n: string }>('select count(*) as n from declarations');
        return Number(r.rows[0]!.n);
      }),
    journalMode: () => undefined,
    backendCpuSeconds: () => backendsOf(name),
  };
}

/** PostgreSQL backends serving database `name` on this machine, from /proc (Linux only). */
function backendsOf(name: string): Map<number, number> | undefined {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  // A backend's title: "postgres: 15/main: <user> <database> <client> <state>".
  const title = new RegExp(`^postgres: .*\\s${name}\\s`);
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!title.test(cmdline)) continue;
      const cpu = processCpuSeconds(Number(pid));
      if (cpu !== undefined) out.set(Number(pid), cpu);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return out;
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

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

export interface Server {
  pid: number;
  origin: string;
  /** Whether it has exited, and the tail of its output (for error messages). */
  exited(): boolean;
  output(): string;
  stop(): Promise<void>;
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

/**
 * `node bin/greenlane.js serve [--demo]` on a free port, stopped by the cleanups; resolves once
 * /healthz answers. `nodeArgs` go to node (--cpu-prof).
 */
export async function startServer(
  env: NodeJS.ProcessEnv,
  options: { demo: boolean; nodeArgs: string[]; signal: AbortSignal },
): Promise<Server> {
  const port = await freePort();
  const args = [...options.nodeArgs, CLI, 'serve', ...(options.demo ? ['--seed-demo'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  // The whole stdout until the server is up (it holds the demo token), then a tail.
  let out = '';
  let up = false;
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (up && out.length > 256_000) out = out.slice(-128_000);
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
  const server: Server = {
    pid: child.pid!,
    origin: `http://127.0.0.1:${port}`,
    exited: () => exitCode !== undefined,
    output: () => out,
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
  onCleanup(() => server.stop());
  // --demo seeds 300 declarations through the use cases before it listens: allow for it.
  await waitForHealth(server, options.demo ? 180_000 : 30_000, options.signal);
  up = true;
  return server;
}

async function waitForHealth(server: Server, ms: number, signal: AbortSignal): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (server.exited())
      throw new BenchError(`the server exited during start-up:\n${server.output()}`);
    try {
      const res = await fetch(`${server.origin}/healthz`, { signal });
      if (res.ok) return;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      void error; // not listening yet
    }
    if (Date.now() > until) {
      throw new BenchError(
        `no answer on ${server.origin}/healthz within ${ms / 1000} s:\n${server.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The admin API token `serve --demo` prints: the line after 'API token of the demo administrator'. */
export function demoAdminToken(server: Server): string {
  // The banner is written right after listen(); give stdout a moment in the loop below.
  const lines = server.output().split('\n');
  const at = lines.findIndex((l) => l.includes('API token of the demo administrator'));
  const token = at >= 0 ? lines[at + 1]?.trim() : undefined;
  if (!token) {
    throw new BenchError(
      `no admin API token in the output of 'serve --demo' (was the database empty?):\n${server.output()}`,
    );
  }
  return token;
}

/**
 * The errors the server logged (pino JSON, level error or fatal) since `from` characters of its
 * output: message and error, one a line, the first `limit` distinct ones.
 */
export function loggedErrors(server: Server, limit: number): string[] {
  const out: string[] = [];
  for (const line of server.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as {
        level?: number;
        msg?: string;
        err?: { type?: string; message?: string; code?: string };
      };
      if ((entry.level ?? 0) < 50) continue;
      const err = entry.err;
      const text =
        `${entry.msg ?? ''}: ${err?.type ?? ''}${err?.code ? ` ${err.code}` : ''} ${err?.message ?? ''}`.trim();
      if (!out.includes(text)) out.push(text.slice(0, 400));
      if (out.length >= limit) break;
    } catch {
      // not a log line
    }
  }
  return out;
}

/** Waits (up to 10 s) until the server has printed `text`. */
export async function waitForOutput(server: Server, text: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!server.output().includes(text)) {
    if (server.exited() || Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// CPU
// ---------------------------------------------------------------------------------------------

/** CPU seconds (user + system) the process has used so far, from /proc (Linux only). */
export function processCpuSeconds(pid: number): number | undefined {
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
export function machineBusySeconds(): number | undefined {
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
