import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** tsx's loader by its file URL: the server may run in a working directory without node_modules. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on the loopback port. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose next port is free too (`serve --demo` runs its partner on PORT+1). */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await isFree(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports');
}

/** `greenlane serve` from the sources, as a child process of the test. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when /healthz answers. */
  waitUntilUp(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

export async function startServer(
  env: Record<string, string>,
  args: string[] = [],
  options: { cwd?: string; port?: number } = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  let out = '';
  const child = spawn(
    process.execPath,
    ['--import', TSX, path.join(ROOT, 'src', 'cli', 'main.ts'), 'serve', ...args],
    {
      cwd: options.cwd ?? ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        GREENLANE_LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    output: () => out,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    async waitUntilUp(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      let gone = false;
      void exited.then(() => (gone = true));
      while (Date.now() < until && !gone) {
        try {
          const r = await fetch(`${url}/healthz`);
          if (r.ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`server at ${url} did not come up:\n${out}`);
    },
  };
}

/** Signs in a demo user and returns a session token. */
export async function signIn(url: string, username: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'greenlane-demo' }),
  });
  if (!r.ok) throw new Error(`sign-in of ${username} failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}
