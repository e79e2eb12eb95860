import { libraryAuthor } from '../../app/bootstrap.js';
import { loadLibrary, readLibrary, type LoadReport } from '../../app/library.js';
import type { Config } from '../../config.js';
import { describeDatabase, openRuntime } from '../runtime.js';

/**
 * `greenlane library load`: loads the shipped reference library as drafts submitted for approval
 * to the customs agency and the environmental agencies (or the given co-authors). Entries that
 * have not changed since the last load are left alone.
 */
export async function libraryLoad(
  config: Config,
  options: { as?: string; coAuthor?: string[] },
): Promise<LoadReport> {
  const runtime = await openRuntime(config);
  try {
    const author = await libraryAuthor(runtime.ctx, {
      ...(options.as !== undefined ? { asUsername: options.as } : {}),
      ...(options.coAuthor !== undefined ? { coAuthorCodes: options.coAuthor } : {}),
    });
    if (!author) {
      throw new Error(
        `no administration in ${describeDatabase(config)} yet: run 'greenlane admin create' first`,
      );
    }
    const report = await loadLibrary(runtime.ctx, await readLibrary(), author);
    process.stdout.write(describeLoad(report) + '\n');
    return report;
  } finally {
    await runtime.close();
  }
}

export function describeLoad(r: LoadReport): string {
  const part = (what: string, t: LoadReport['lists']) =>
    `${what}: ${t.created} new, ${t.revised} revised, ${t.unchanged} unchanged`;
  return (
    `Reference library: ${part('lists', r.lists)}; ${part('indicators', r.indicators)}.` +
    (r.awaitingApproval > 0
      ? ` ${r.awaitingApproval} version(s) await approval by every named agency` +
        ' (GET /api/indicators and /api/reference-lists; approve with POST …/approve).'
      : '')
  );
}
