/** Small, exact statistics for the metrics (nearest-rank quantiles, Wilson score interval). */

/** The q-quantile by nearest rank (q in (0, 1]); null for no values. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export const median = (values: readonly number[]) => quantile(values, 0.5);
export const p90 = (values: readonly number[]) => quantile(values, 0.9);

/** A proportion with its 95 % Wilson score interval; null rate when n is 0. */
export interface Proportion {
  successes: number;
  n: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

export function proportion(successes: number, n: number, z = 1.959964): Proportion {
  if (n === 0) return { successes, n, rate: null, low: null, high: null };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return {
    successes,
    n,
    rate: p,
    low: Math.max(0, centre - half),
    high: Math.min(1, centre + half),
  };
}
