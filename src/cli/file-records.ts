import cliProgress from 'cli-progress';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { DomainError, type FieldIssue } from '../core/errors.js';
import {
  detectFormat,
  readDeclarationFile,
  type FileFormat,
} from '../formats/declaration-files.js';
import { toSourcePaths } from '../formats/types.js';

/** One readable declaration from a file, handed to a command. */
export interface FileDeclaration {
  file: string;
  format: FileFormat;
  location: string;
  input: unknown;
  /** Rewrites validation issues to the file's own field names (XML paths, CSV rows and columns). */
  translateIssues: (issues: FieldIssue[]) => FieldIssue[];
}

export interface FileRunSummary {
  files: number;
  read: number;
  accepted: number;
  rejected: number;
  seconds: number;
}

export interface FileRunOptions {
  progress: boolean;
  /** Records handled at once when the handler is asynchronous. */
  concurrency: number;
  log: (line: string) => void;
}

/** The line that reports a rejected record: file, location, and each field with its reason. */
export function rejectionLine(
  file: string,
  location: string,
  issues: readonly FieldIssue[],
  message?: string,
): string {
  const what =
    issues.length > 0
      ? issues.map((i) => `${i.path}: ${i.reason}`).join('; ')
      : (message ?? 'rejected');
  return `${file}: ${location}: ${what}`;
}

/**
 * Streams the declarations of every file to `handle`, with a progress bar over the bytes read.
 * A record that cannot be read, or whose handler throws a DomainError, is reported with file,
 * location and field and counted as rejected; the run goes on with the next record.
 */
export async function forEachFileDeclaration(
  files: string[],
  options: FileRunOptions,
  handle: (d: FileDeclaration) => void | Promise<void>,
): Promise<FileRunSummary> {
  const started = performance.now();
  const summary: FileRunSummary = {
    files: files.length,
    read: 0,
    accepted: 0,
    rejected: 0,
    seconds: 0,
  };
  const plans = await planFiles(files);
  const progress = progressBar(
    plans.reduce((n, p) => n + p.size, 0),
    options.progress,
    options.log,
  );
  const reject = (
    file: string,
    location: string,
    issues: readonly FieldIssue[],
    message?: string,
  ) => {
    summary.rejected++;
    progress.log(rejectionLine(file, location, issues, message));
  };
  const failed = (file: string, location: string) => (error: unknown) => {
    if (!(error instanceof DomainError)) throw error;
    reject(file, location, error.issues, error.message);
  };

  let doneBytes = 0;
  for (const plan of plans) {
    const name = path.basename(plan.file);
    const inFlight = new Set<Promise<void>>();
    try {
      for await (const { result, location } of readDeclarationFile(
        plan.file,
        plan.format,
        (bytes) => progress.update(doneBytes + bytes, summary, name),
      )) {
        summary.read++;
        if (!result.ok) {
          reject(plan.file, location, result.issues);
          continue;
        }
        const { input, sourcePaths } = result.value;
        const record: FileDeclaration = {
          file: plan.file,
          format: plan.format,
          location,
          input,
          translateIssues: (issues) => toSourcePaths(issues, sourcePaths),
        };
        let outcome: void | Promise<void>;
        try {
          outcome = handle(record);
        } catch (error) {
          failed(plan.file, location)(error);
          continue;
        }
        if (!(outcome instanceof Promise)) {
          summary.accepted++;
          continue;
        }
        const job: Promise<void> = outcome
          .then(() => {
            summary.accepted++;
          })
          .catch(failed(plan.file, location))
          .finally(() => inFlight.delete(job));
        inFlight.add(job);
        if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      }
    } catch (error) {
      // A file that cannot be read at all (e.g. an unknown CSV column) is reported; the others go on.
      if (!(error instanceof DomainError)) throw error;
      reject(plan.file, 'file', error.issues, error.message);
    } finally {
      await Promise.all(inFlight);
    }
    doneBytes += plan.size;
    progress.update(doneBytes, summary, name);
  }
  progress.stop();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

export interface FilePlan {
  file: string;
  format: FileFormat;
  size: number;
}

/** Each file's format (from its extension or first bytes) and size; refuses a file it cannot tell. */
export async function planFiles(files: string[]): Promise<FilePlan[]> {
  const plans: FilePlan[] = [];
  for (const file of files) {
    const size = (await stat(file)).size;
    const format = detectFormat(file, await head(file));
    if (!format) {
      throw new DomainError(
        'invalid_input',
        `${file}: cannot tell the format (use .ndjson, .csv, .json or .xml)`,
      );
    }
    plans.push({ file, format, size });
  }
  return plans;
}

export interface Progress {
  update(bytes: number, counts: { accepted: number; rejected: number }, file: string): void;
  /** Prints a report line without breaking the bar. */
  log(line: string): void;
  stop(): void;
}

/** A progress bar over bytes on standard error (plain periodic lines when it is not a terminal). */
export function progressBar(
  total: number,
  enabled: boolean,
  log: (line: string) => void,
): Progress {
  if (!enabled) return { update: () => {}, log, stop: () => {} };
  const bars = new cliProgress.MultiBar(
    {
      format:
        ' {bar} {percentage}% | {value}/{total} bytes | {accepted} accepted, {rejected} rejected | {file}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { accepted: 0, rejected: 0, file: '' });
  return {
    update: (bytes, counts, file) =>
      bar.update(bytes, { accepted: counts.accepted, rejected: counts.rejected, file }),
    // On a terminal the bar redraws below each report; elsewhere the reports are plain lines.
    log: (line) => (process.stderr.isTTY ? bars.log(line + '\n') : log(line)),
    stop: () => bars.stop(),
  };
}

async function head(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
