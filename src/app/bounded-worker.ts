import { Worker } from 'node:worker_threads';

/** The work took longer than its budget; the worker running it was terminated. */
export class BudgetExceeded extends Error {
  override readonly name = 'BudgetExceeded';
  constructor(readonly budgetMs: number) {
    super(`stopped after ${budgetMs} ms`);
  }
}

/** How long a worker may take to start (load its modules) before a job's budget starts. */
const STARTUP_MS = 30_000;

interface Answer {
  ready?: true;
  ok?: boolean;
  value?: unknown;
  message?: string;
}

/**
 * Worker threads that run jobs off the event loop, each within a time budget: a job over its
 * budget has its worker terminated (which stops it even inside a tight loop) while the event
 * loop goes on answering other requests. A worker that answered in time is kept, idle, for the
 * next job (at most `keepIdle` of them), so that loading its modules is paid once.
 *
 * `entry` is the worker module (`new URL('./x.js', import.meta.url)`), run as is from the built
 * `dist/`; from source (tsx, vitest) its `.ts` file is loaded through worker-from-source.mjs,
 * which registers tsx's loader in the worker first. The module posts `{ ready: true }` once
 * loaded, then answers each job it is sent with `{ ok: true, value }` or `{ ok: false, message }`.
 */
export class BoundedWorkers {
  private readonly idle: Worker[] = [];

  constructor(
    private readonly entry: URL,
    private readonly keepIdle = 1,
  ) {}

  /** Runs one job; rejects with BudgetExceeded when it takes longer than `budgetMs`. */
  async run<T>(job: unknown, budgetMs: number): Promise<T> {
    const worker = this.idle.pop() ?? (await this.start());
    worker.ref();
    return new Promise<T>((resolve, reject) => {
      const done = (outcome: () => void, keep: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (keep && this.idle.length < this.keepIdle) {
          worker.unref();
          this.idle.push(worker);
        } else {
          void worker.terminate();
        }
        outcome();
      };
      const onMessage = (m: Answer) => {
        if (m.ok) done(() => resolve(m.value as T), true);
        else done(() => reject(new Error(m.message ?? 'worker failed')), true);
      };
      const onError = (e: Error) => done(() => reject(e), false);
      const onExit = (code: number) =>
        done(() => reject(new Error(`worker exited (${code}) without answering`)), false);
      const timer = setTimeout(
        () => done(() => reject(new BudgetExceeded(budgetMs)), false),
        budgetMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job);
    });
  }

  /** Terminates the idle workers (a running job keeps its own until it ends). */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  /** A new worker, once it has loaded its modules. */
  private start(): Promise<Worker> {
    const fromSource = import.meta.url.endsWith('.ts');
    const file = new URL(this.entry.href.replace(/\.(ts|js)$/, fromSource ? '.ts' : '.js'));
    const worker = fromSource
      ? new Worker(new URL('./worker-from-source.mjs', import.meta.url), {
          workerData: { entry: file.href },
        })
      : new Worker(file);
    return new Promise<Worker>((resolve, reject) => {
      const fail = (e: Error) => {
        clearTimeout(timer);
        void worker.terminate();
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new Error(`worker ${file.pathname} did not start`)),
        STARTUP_MS,
      );
      worker.once('message', (m: Answer) => {
        clearTimeout(timer);
        worker.off('error', fail);
        if (m.ready) resolve(worker);
        else fail(new Error(`worker ${file.pathname} did not say it was ready`));
      });
      worker.once('error', fail);
    });
  }
}
