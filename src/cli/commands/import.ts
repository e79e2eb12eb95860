import cliProgress from 'cli-progress';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { principalOfUser } from '../../app/authenticate.js';
import { submitDeclaration } from '../../app/submit-declaration.js';
import { DomainError, type FieldIssue } from '../../core/errors.js';
import type { Config } from '../../config.js';
import {
  detectFormat,
  readDeclarationFile,
  type FileFormat,
} from '../../formats/declaration-files.js';
import { toSourcePaths } from '../../formats/types.js';
import { openRuntime } from '../runtime.js';

export interface ImportOptions {
  user: string;
  /** Declarations submitted at once; concurrent submissions share commits. */
  concurrency: number;
  progress: boolean;
}

export interface ImportSummary {
  files: number;
  read: number;
  accepted: number;
  rejected: number;
  seconds: number;
}

/**
 * `greenlane import FILE...`: lodges every declaration in the files as the given user, through the
 * same use case as the API. A rejected record is reported with file, location and field, and the
 * import goes on with the next one.
 */
export async function importFiles(
  config: Config,
  files: string[],
  options: ImportOptions,
  out: { log(line: string): void } = { log: (l) => process.stderr.write(l + '\n') },
): Promise<ImportSummary> {
  const runtime = await openRuntime(config);
  const started = performance.now();
  const summary: ImportSummary = {
    files: files.length,
    read: 0,
    accepted: 0,
    rejected: 0,
    seconds: 0,
  };
  try {
    const principal = await principalOfUser(runtime.ctx, options.user);
    const plans: Array<{ file: string; format: FileFormat; size: number }> = [];
    for (const file of files) {
      const size = (await stat(file)).size;
      const format = detectFormat(file, await head(file));
      if (!format)
        throw new DomainError(
          'invalid_input',
          `${file}: cannot tell the format (use .ndjson, .csv, .json or .xml)`,
        );
      plans.push({ file, format, size });
    }
    const total = plans.reduce((n, p) => n + p.size, 0);
    const bars = options.progress
      ? new cliProgress.MultiBar(
          {
            format:
              ' {bar} {percentage}% | {value}/{total} bytes | {accepted} accepted, {rejected} rejected | {file}',
            hideCursor: true,
            noTTYOutput: true,
            notTTYSchedule: 5000,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    const bar = bars?.create(total, 0, { accepted: 0, rejected: 0, file: '' });
    // On a terminal the bar redraws below each report; elsewhere the reports are plain lines.
    const log = (line: string) =>
      bars && process.stderr.isTTY ? bars.log(line + '\n') : out.log(line);
    const reject = (
      file: string,
      location: string,
      issues: readonly FieldIssue[],
      message?: string,
    ) => {
      summary.rejected++;
      const what =
        issues.length > 0
          ? issues.map((i) => `${i.path}: ${i.reason}`).join('; ')
          : (message ?? 'rejected');
      log(`${file}: ${location}: ${what}`);
    };

    let doneBytes = 0;
    for (const plan of plans) {
      const name = path.basename(plan.file);
      const inFlight = new Set<Promise<void>>();
      try {
        for await (const record of readDeclarationFile(plan.file, plan.format, (bytes) =>
          bar?.update(doneBytes + bytes, {
            accepted: summary.accepted,
            rejected: summary.rejected,
            file: name,
          }),
        )) {
          summary.read++;
          const { result, location } = record;
          if (!result.ok) {
            reject(plan.file, location, result.issues);
            continue;
          }
          const { input, sourcePaths } = result.value;
          const job = submitDeclaration(runtime.ctx, principal, {
            input,
            sourceFormat: plan.format,
            translateIssues: (issues) => toSourcePaths(issues, sourcePaths),
          })
            .then(() => {
              summary.accepted++;
            })
            .catch((error: unknown) => {
              if (error instanceof DomainError)
                reject(plan.file, location, error.issues, error.message);
              else throw error;
            })
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
      bar?.update(doneBytes, {
        accepted: summary.accepted,
        rejected: summary.rejected,
        file: name,
      });
    }
    bars?.stop();
  } finally {
    await runtime.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
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
