import { principalOfUser } from '../../app/authenticate.js';
import { submitDeclaration } from '../../app/submit-declaration.js';
import type { Config } from '../../config.js';
import { forEachFileDeclaration, type FileRunSummary } from '../file-records.js';
import { openRuntime } from '../runtime.js';

export interface ImportOptions {
  user: string;
  /** Declarations submitted at once; concurrent submissions share commits. */
  concurrency: number;
  progress: boolean;
  /**
   * Past declarations (e.g. last year's, for the metrics): the declared date may lie outside the
   * window around receipt and validity is judged on it. Only for an administrator.
   */
  historic?: boolean;
}

export type ImportSummary = FileRunSummary;

/**
 * `greenlane import FILE...`: lodges every declaration in the files as the given user, through the
 * same use case as the API. A rejected record is reported with file, location and field, and the
 * import goes on with the next one.
 */
export async function importFiles(
  config: Config,
  files: string[],
  options: ImportOptions,
  out: { log: (line: string) => void } = { log: (l) => process.stderr.write(l + '\n') },
): Promise<ImportSummary> {
  const runtime = await openRuntime(config);
  try {
    const principal = await principalOfUser(runtime.ctx, options.user);
    return await forEachFileDeclaration(
      files,
      { progress: options.progress, concurrency: options.concurrency, log: out.log },
      async (d) => {
        await submitDeclaration(runtime.ctx, principal, {
          input: d.input,
          sourceFormat: d.format,
          translateIssues: d.translateIssues,
          ...(options.historic ? { historic: true } : {}),
        });
      },
    );
  } finally {
    await runtime.close();
  }
}
