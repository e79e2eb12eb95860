/** Timing loops of the ledger bench: operations per second, one at a time, for a time budget. */
import { performance } from 'node:perf_hooks';

export interface Rate {
  ops: number;
  seconds: number;
  perSecond: number;
  /** Latency of one operation in µs (nearest rank); NaN where not recorded. */
  p50Us: number;
  p99Us: number;
}

function rank(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Awaits `op(i)` for i = 0, 1, … one after the other until `seconds` have passed or `maxOps` ran,
 * recording each one's latency.
 */
export async function rateAsync(
  seconds: number,
  maxOps: number,
  op: (i: number) => Promise<unknown>,
): Promise<Rate> {
  const latencies: number[] = [];
  const start = performance.now();
  const stop = start + seconds * 1000;
  let now = start;
  while (latencies.length < maxOps && now < stop) {
    const before = now;
    await op(latencies.length);
    now = performance.now();
    latencies.push((now - before) * 1000);
  }
  return rateOf(latencies.length, (now - start) / 1000, Float64Array.from(latencies));
}

/** As rateAsync for synchronous work, timed in rounds of `batch` (too short to time one by one). */
export function rateSync(
  seconds: number,
  op: (i: number) => void,
  options: { batch?: number; maxOps?: number } = {},
): Rate {
  const batch = options.batch ?? 64;
  const maxOps = options.maxOps ?? Number.MAX_SAFE_INTEGER;
  const start = performance.now();
  const stop = start + seconds * 1000;
  let ops = 0;
  let now = start;
  while (now < stop && ops < maxOps) {
    const end = Math.min(ops + batch, maxOps);
    for (; ops < end; ops++) op(ops);
    now = performance.now();
  }
  return rateOf(ops, (now - start) / 1000, new Float64Array(0));
}

function rateOf(ops: number, seconds: number, latencies: Float64Array): Rate {
  latencies.sort();
  return {
    ops,
    seconds,
    perSecond: ops / seconds,
    p50Us: rank(latencies, 0.5),
    p99Us: rank(latencies, 0.99),
  };
}

/** Times one piece of work; its result and the seconds it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - start) / 1000 };
}
