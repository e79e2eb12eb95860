/**
 * Ranking and probability metrics of a risk model. "Top k %" is the round(k % × n) rows with
 * the highest scores (at least one), ties broken by row order, as if those were inspected.
 */

/** Row indices by descending score; equal scores keep row order. */
export function rankByScore(scores: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** How many rows the top `fraction` of n rows is. */
export const topCount = (n: number, fraction: number) =>
  Math.min(n, Math.max(1, Math.round(fraction * n)));

/** Positives among the top `fraction` of rows by score. */
function positivesInTop(scores: ArrayLike<number>, labels: ArrayLike<number>, fraction: number) {
  const order = rankByScore(scores);
  const k = topCount(scores.length, fraction);
  let hits = 0;
  for (let i = 0; i < k; i++) if (labels[order[i]!]! > 0) hits++;
  return { hits, k };
}

/** Share of positives among the top `fraction` (0.05 = 5 %) of rows by score. */
export function precisionAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  fraction: number,
): number {
  if (scores.length === 0) return NaN;
  const { hits, k } = positivesInTop(scores, labels, fraction);
  return hits / k;
}

/** Share of all positives that fall in the top `fraction` of rows by score. */
export function recallAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  fraction: number,
): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) positives++;
  if (positives === 0) return NaN;
  return positivesInTop(scores, labels, fraction).hits / positives;
}

/** Area under the ROC curve (Mann–Whitney, tied scores count one half); NaN for one class. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (labels[order[k]!]! > 0) {
        positives++;
        rankSum += midRank;
      }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean negative log-likelihood of the labels under the probabilities (clipped at 1e-15). */
export function logloss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probabilities[i]!));
    sum -= labels[i]! > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probabilities.length;
}

export interface CalibrationBin {
  readonly rows: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly minPredicted: number;
  readonly maxPredicted: number;
}

/** Rows split into `bins` groups of equal size by predicted probability (deciles by default). */
export function calibrationTable(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  const n = probabilities.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => probabilities[a]! - probabilities[b]! || a - b,
  );
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const start = Math.floor((b * n) / bins);
    const end = Math.floor(((b + 1) * n) / bins);
    if (end <= start) continue;
    let p = 0;
    let y = 0;
    for (let i = start; i < end; i++) {
      p += probabilities[order[i]!]!;
      if (labels[order[i]!]! > 0) y++;
    }
    out.push({
      rows: end - start,
      meanPredicted: p / (end - start),
      observedRate: y / (end - start),
      minPredicted: probabilities[order[start]!]!,
      maxPredicted: probabilities[order[end - 1]!]!,
    });
  }
  return out;
}
