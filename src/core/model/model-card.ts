/**
 * The figures of a model on its held-back period, for the model card: ranking figures on all
 * controlled declarations (biased: most were chosen by the rules), on the random sample alone
 * (unbiased for all traffic) for the model and for the rules' score, calibration, and figures by
 * office and HS section. Pure.
 */
import { auc, calibrationTable, precisionAt, recallAt, type CalibrationBin } from './metrics.js';

const FRACTIONS = { '1': 0.01, '2': 0.02, '5': 0.05, '10': 0.1 } as const;
type Percent = keyof typeof FRACTIONS;

export interface RankingFigures {
  rows: number;
  positives: number;
  findingRate: number | null;
  /** Share of findings among the top k % of rows by score, k = 1, 2, 5, 10. */
  precisionAt: Record<Percent, number | null>;
  /** Share of all findings that fall in the top k %. */
  recallAt: Record<Percent, number | null>;
  /** null with only one class. */
  auc: number | null;
}

export interface GroupFigures {
  group: string;
  rows: number;
  positives: number;
  precisionAt5: number | null;
  auc: number | null;
  meanProbability: number;
}

export interface HeldBackEvaluation {
  /** All controlled declarations of the period: most were chosen by the rules, so biased. */
  all: RankingFigures;
  /** Randomly selected declarations only: an unbiased sample of all traffic; null when none. */
  random: RankingFigures | null;
  /** The rules' score ranked on the same random sample, for comparison; null when none. */
  rulesOnRandom: RankingFigures | null;
  /** Deciles by predicted probability, on all rows. */
  calibration: CalibrationBin[];
  /** By office and by HS section of the main item: most rows first, then by name. */
  byOffice: GroupFigures[];
  byHsSection: GroupFigures[];
}

export interface EvaluationRow {
  probability: number;
  rulesScore: number;
  finding: boolean;
  random: boolean;
  office: string;
  hsSection: string;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Ranking figures of scores against labels (no rows: null figures). */
export function rankingFigures(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): RankingFigures {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) positives++;
  const at = (f: (s: ArrayLike<number>, l: ArrayLike<number>, k: number) => number) =>
    Object.fromEntries(
      Object.entries(FRACTIONS).map(([k, fraction]) => [k, finite(f(scores, labels, fraction))]),
    ) as Record<Percent, number | null>;
  return {
    rows: scores.length,
    positives,
    findingRate: scores.length === 0 ? null : positives / scores.length,
    precisionAt: at(precisionAt),
    recallAt: at(recallAt),
    auc: finite(auc(scores, labels)),
  };
}

function groups(rows: readonly EvaluationRow[], key: (r: EvaluationRow) => string): GroupFigures[] {
  const by = new Map<string, EvaluationRow[]>();
  for (const r of rows) {
    const k = key(r) || '(none)';
    const list = by.get(k);
    if (list) list.push(r);
    else by.set(k, [r]);
  }
  return [...by.entries()]
    .map(([group, list]) => {
      const scores = Float64Array.from(list, (r) => r.probability);
      const labels = Float64Array.from(list, (r) => (r.finding ? 1 : 0));
      return {
        group,
        rows: list.length,
        positives: list.filter((r) => r.finding).length,
        precisionAt5: finite(precisionAt(scores, labels, 0.05)),
        auc: finite(auc(scores, labels)),
        meanProbability: scores.reduce((a, b) => a + b, 0) / list.length,
      };
    })
    .sort((a, b) => b.rows - a.rows || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

export function evaluateHeldBack(rows: readonly EvaluationRow[]): HeldBackEvaluation {
  const probabilities = Float64Array.from(rows, (r) => r.probability);
  const labels = Float64Array.from(rows, (r) => (r.finding ? 1 : 0));
  const random = rows.filter((r) => r.random);
  const randomLabels = Float64Array.from(random, (r) => (r.finding ? 1 : 0));
  return {
    all: rankingFigures(probabilities, labels),
    random:
      random.length === 0
        ? null
        : rankingFigures(
            Float64Array.from(random, (r) => r.probability),
            randomLabels,
          ),
    rulesOnRandom:
      random.length === 0
        ? null
        : rankingFigures(
            Float64Array.from(random, (r) => r.rulesScore),
            randomLabels,
          ),
    calibration: calibrationTable(probabilities, labels),
    byOffice: groups(rows, (r) => r.office),
    byHsSection: groups(rows, (r) => r.hsSection),
  };
}
