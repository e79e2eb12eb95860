import { checkPeriod, computeMetrics, metricsCsv, type Grouping } from '../../app/metrics.js';
import type { Config } from '../../config.js';
import { DomainError } from '../../core/errors.js';
import { openRuntime } from '../runtime.js';

/** `greenlane metrics --from --to [--format csv|json] [--group-by office|agency|priority-area]`. */
export async function metrics(
  config: Config,
  options: { from?: string; to?: string; format: string; groupBy?: Grouping },
): Promise<void> {
  let period: { from: string; to: string };
  try {
    period = checkPeriod(options);
  } catch (e) {
    if (e instanceof DomainError) {
      throw new Error(
        `--from and --to must be dates, --to after --from: ${e.issues.map((i) => i.reason).join('; ')}`,
      );
    }
    throw e;
  }
  const runtime = await openRuntime(config);
  try {
    const m = await computeMetrics(
      runtime.ctx.storage.read,
      { ...period, ...(options.groupBy !== undefined ? { groupBy: options.groupBy } : {}) },
      runtime.ctx.settings.exchangeRates ? { rates: runtime.ctx.settings.exchangeRates } : {},
    );
    process.stdout.write(
      options.format === 'csv' ? metricsCsv(m) : JSON.stringify(m, null, 2) + '\n',
    );
  } finally {
    await runtime.close();
  }
}
