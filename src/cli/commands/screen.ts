import { traderDirectory, type TraderDirectory } from '../../core/traders/certificate.js';
import { randomInt } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Worker } from 'node:worker_threads';
import type { Channel } from '../../core/declaration/declaration.js';
import { DomainError } from '../../core/errors.js';
import type { RiskSettings } from '../../core/risk/assess.js';
import type { RiskEngine } from '../../core/risk/engine.js';
import type { Config } from '../../config.js';
import {
  forEachFileDeclaration,
  planFiles,
  progressBar,
  rejectionLine,
  type FilePlan,
  type FileRunSummary,
} from '../file-records.js';
import { openRuntime } from '../runtime.js';
import {
  emptyTally,
  mergeTally,
  recordSeed,
  screenRecord,
  type Tally,
} from '../screen/screener.js';
import type { Batch, BatchResult, WorkerSetup } from '../screen/worker.js';

export interface ScreenOptions {
  /** NDJSON of assessments goes here; '-' for standard output. */
  out: string;
  /** Base of the per-declaration random seeds; drawn at random (and reported) when absent. */
  seed?: number;
  progress: boolean;
  /** Worker threads for NDJSON input (1: screen on the main thread). */
  workers: number;
}

export interface ScreenSummary extends FileRunSummary {
  seedBase: number;
  channels: Record<Channel, number>;
  /** Declarations hit, per indicator version, most first. */
  indicators: Array<{ indicator: string; title: string; declarations: number }>;
  indicatorsInForce: number;
}

type Log = { log: (line: string) => void };

/**
 * `greenlane screen FILE...`: screens the declarations in the files with the indicators in force,
 * storing nothing, and writes one NDJSON line per declaration with its assessment, in file order.
 * NDJSON files are screened by worker threads; other formats on the main thread.
 */
export async function screenFiles(
  config: Config,
  files: string[],
  options: ScreenOptions,
  out: Log = { log: (l) => process.stderr.write(l + '\n') },
): Promise<ScreenSummary> {
  const runtime = await openRuntime(config);
  let output: Writable | undefined;
  try {
    const engine = await runtime.ctx.risk.engine();
    const lists = [...(await runtime.ctx.risk.lists()).values()];
    const plans = await planFiles(files);
    output = options.out === '-' ? process.stdout : createWriteStream(options.out);
    const run: Run = {
      engine,
      lists,
      settings: runtime.ctx.risk.settings,
      // Certificates and records as they stand when the run starts, for every declaration.
      traders: traderDirectory(
        await runtime.ctx.storage.read.certificates.list({}),
        await runtime.ctx.storage.read.traderRecords.list(),
        await runtime.ctx.storage.read.permits.listIssued(),
      ),
      seedBase: options.seed ?? randomInt(0, 2 ** 32),
      receivedAt: new Date().toISOString(),
      output,
      tally: emptyTally(),
    };
    const parallel = options.workers > 1 && plans.every((p) => p.format === 'ndjson');
    const summary = parallel
      ? await screenInWorkers(run, plans, options, out)
      : await screenHere(run, files, options, out);
    return {
      ...summary,
      seedBase: run.seedBase,
      channels: run.tally.channels,
      indicatorsInForce: engine.indicators.length,
      indicators: Object.entries(run.tally.indicators)
        .map(([indicator, [title, declarations]]) => ({ indicator, title, declarations }))
        .sort((a, b) => b.declarations - a.declarations || (a.indicator < b.indicator ? -1 : 1)),
    };
  } finally {
    if (output && output !== process.stdout) {
      const o = output;
      await new Promise<void>((resolve) => o.end(resolve));
    }
    await runtime.close();
  }
}

interface Run {
  engine: RiskEngine;
  lists: WorkerSetup['lists'];
  settings: RiskSettings;
  traders: TraderDirectory;
  seedBase: number;
  receivedAt: string;
  output: Writable;
  tally: Tally;
}

/** Writes text, resolving when the stream can take more. */
function write(output: Writable, text: string): Promise<void> | undefined {
  if (output.write(text)) return undefined;
  return new Promise<void>((resolve) => output.once('drain', resolve));
}

async function screenHere(
  run: Run,
  files: string[],
  options: ScreenOptions,
  out: Log,
): Promise<FileRunSummary> {
  let pending: string[] = [];
  let pendingBytes = 0;
  const summary = await forEachFileDeclaration(
    files,
    { progress: options.progress, concurrency: 1, log: out.log },
    (d) => {
      const screened = screenRecord(
        run.engine,
        run.settings,
        run.traders,
        run.tally,
        { ...d, seed: recordSeed(run.seedBase, d.file, d.location), receivedAt: run.receivedAt },
        d.translateIssues,
      );
      if (!screened.ok)
        throw new DomainError('invalid_input', 'not a valid declaration', screened.issues);
      pending.push(screened.line);
      pendingBytes += screened.line.length;
      if (pendingBytes < 1 << 16) return;
      const text = pending.join('');
      pending = [];
      pendingBytes = 0;
      return write(run.output, text);
    },
  );
  if (pending.length > 0) await write(run.output, pending.join(''));
  return summary;
}

const BATCH_LINES = 2000;
const BATCHES_PER_WORKER = 3;

async function screenInWorkers(
  run: Run,
  plans: FilePlan[],
  options: ScreenOptions,
  out: Log,
): Promise<FileRunSummary> {
  const started = performance.now();
  const summary: FileRunSummary = {
    files: plans.length,
    read: 0,
    accepted: 0,
    rejected: 0,
    seconds: 0,
  };
  const progress = progressBar(
    plans.reduce((n, p) => n + p.size, 0),
    options.progress,
    out.log,
  );
  const setup: WorkerSetup = {
    indicators: run.engine.indicators.map((ci) => ci.indicator),
    lists: run.lists,
    settings: run.settings,
    traders: run.traders,
    seedBase: run.seedBase,
    receivedAt: run.receivedAt,
  };
  // From source (tests, development) the worker is TypeScript and needs the tsx loader.
  const fromSource = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(
    `../screen/${fromSource ? 'worker-from-source.mjs' : 'worker.js'}`,
    import.meta.url,
  );
  const workers = Array.from({ length: options.workers }, () => {
    // A bounded heap per worker keeps the whole run within a few hundred MiB; batches are small.
    const w = new Worker(workerUrl, {
      workerData: setup,
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
    });
    return { w, busy: 0 };
  });

  // Results come back in any order; they are written in batch order.
  const results = new Map<number, BatchResult>();
  const batchFile = new Map<number, string>();
  let nextToWrite = 0;
  let seq = 0;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let writing: Promise<void> | undefined;
  const drainResults = () => {
    for (let r = results.get(nextToWrite); r; r = results.get(nextToWrite)) {
      results.delete(nextToWrite);
      const file = batchFile.get(nextToWrite)!;
      batchFile.delete(nextToWrite);
      nextToWrite++;
      summary.read += r.read;
      summary.accepted += r.accepted;
      summary.rejected += r.rejects.length;
      mergeTally(run.tally, r.tally);
      for (const reject of r.rejects)
        progress.log(rejectionLine(file, reject.location, reject.issues));
      if (r.text) writing = write(run.output, r.text) ?? writing;
    }
  };
  for (const entry of workers) {
    entry.w.on('message', (r: BatchResult) => {
      entry.busy--;
      results.set(r.seq, r);
      drainResults();
      wake?.();
    });
    entry.w.on('error', (e: Error) => {
      failure = e;
      wake?.();
    });
  }
  const dispatch = async (batch: Batch) => {
    for (;;) {
      if (failure) throw failure;
      const free = workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      if (free.busy < BATCHES_PER_WORKER) {
        free.busy++;
        batchFile.set(batch.seq, batch.file);
        free.w.postMessage(batch);
        if (writing) await writing;
        writing = undefined;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };

  try {
    let doneBytes = 0;
    for (const plan of plans) {
      const name = path.basename(plan.file);
      const decoder = new StringDecoder('utf8');
      let carry = '';
      let lines: string[] = [];
      let firstLine = 1;
      let lineNumber = 0;
      let bytes = 0;
      const send = async () => {
        const batch: Batch = { seq: seq++, file: plan.file, firstLine, lines };
        firstLine = lineNumber + 1;
        lines = [];
        await dispatch(batch);
        progress.update(doneBytes + bytes, summary, name);
      };
      for await (const chunk of createReadStream(plan.file, { highWaterMark: 1 << 20 })) {
        bytes += (chunk as Buffer).length;
        const parts = (carry + decoder.write(chunk as Buffer)).split('\n');
        carry = parts.pop()!;
        for (const line of parts) {
          lineNumber++;
          lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
          if (lines.length === BATCH_LINES) await send();
        }
      }
      carry += decoder.end();
      if (carry !== '') {
        lineNumber++;
        lines.push(carry);
      }
      if (lines.length > 0) await send();
      doneBytes += plan.size;
    }
    while (nextToWrite < seq) {
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (writing) await writing;
  } finally {
    await Promise.all(workers.map((entry) => entry.w.terminate()));
    progress.stop();
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** Worker threads to use by default: one per core, at most four. */
export const defaultWorkers = (): number => Math.max(1, Math.min(4, os.availableParallelism()));
