import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { traderOf } from '../../app/risk.js';
import type { Channel } from '../../core/declaration/declaration.js';
import { validateDeclaration } from '../../core/declaration/validate-declaration.js';
import { DomainError } from '../../core/errors.js';
import { assessDeclaration } from '../../core/risk/assess.js';
import type { Config } from '../../config.js';
import { forEachFileDeclaration, type FileRunSummary } from '../file-records.js';
import { openRuntime } from '../runtime.js';

export interface ScreenOptions {
  /** NDJSON of assessments goes here; '-' for standard output. */
  out: string;
  /** Base of the per-declaration random seeds, for a reproducible run; random when absent. */
  seed?: number;
  progress: boolean;
}

export interface ScreenSummary extends FileRunSummary {
  channels: Record<Channel, number>;
  /** Declarations hit, per indicator version. */
  indicators: Array<{ indicator: string; title: string; declarations: number }>;
  indicatorsInForce: number;
}

/**
 * `greenlane screen FILE...`: screens the declarations in the files with the indicators in force,
 * without storing them, and writes one NDJSON line per declaration with its assessment.
 */
export async function screenFiles(
  config: Config,
  files: string[],
  options: ScreenOptions,
  out: { log(line: string): void } = { log: (l) => process.stderr.write(l + '\n') },
): Promise<ScreenSummary> {
  const runtime = await openRuntime(config);
  const output: Writable = options.out === '-' ? process.stdout : createWriteStream(options.out);
  try {
    const engine = await runtime.ctx.risk.engine();
    const settings = runtime.ctx.risk.settings;
    const channels: Record<Channel, number> = { green: 0, yellow: 0, red: 0 };
    const perIndicator = new Map<string, { title: string; declarations: number }>();
    const now = new Date().toISOString();
    let n = 0;
    let pending: string[] = [];
    let pendingBytes = 0;
    const flush = (): void | Promise<void> => {
      const ok = output.write(pending.join(''));
      pending = [];
      pendingBytes = 0;
      if (!ok) return new Promise<void>((resolve) => output.once('drain', resolve));
    };
    const summary = await forEachFileDeclaration(
      files,
      { progress: options.progress, concurrency: 1, log: out.log },
      (d) => {
        const checked = validateDeclaration(d.input, now);
        if (!checked.ok)
          throw new DomainError('invalid_input', 'not valid', d.translateIssues(checked.issues));
        const seed =
          options.seed === undefined ? (Math.random() * 2 ** 32) >>> 0 : (options.seed + n) >>> 0;
        n++;
        const assessment = assessDeclaration(
          engine,
          checked.value,
          traderOf(checked.value),
          settings,
          seed,
        );
        channels[assessment.channel]++;
        const counted = new Set<string>();
        for (const h of assessment.hits) {
          const key = `${h.indicatorId}@${h.indicatorVersion}`;
          if (counted.has(key)) continue;
          counted.add(key);
          const entry = perIndicator.get(key);
          if (entry) entry.declarations++;
          else perIndicator.set(key, { title: h.title, declarations: 1 });
        }
        const line = `${JSON.stringify({ file: d.file, location: d.location, reference: checked.value.reference, assessment })}\n`;
        pending.push(line);
        pendingBytes += line.length;
        if (pendingBytes >= 1 << 16) return flush();
      },
    );
    if (pending.length > 0) await flush();
    return {
      ...summary,
      channels,
      indicatorsInForce: engine.indicators.length,
      indicators: [...perIndicator]
        .map(([indicator, v]) => ({ indicator, ...v }))
        .sort((a, b) => b.declarations - a.declarations || a.indicator.localeCompare(b.indicator)),
    };
  } finally {
    if (output !== process.stdout) await new Promise<void>((resolve) => output.end(resolve));
    await runtime.close();
  }
}
