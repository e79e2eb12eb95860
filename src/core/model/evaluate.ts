/**
 * Training and evaluation on the Korea Customs Service form, shared by `greenlane model
 * evaluate` and `bench/model.ts`: features fitted on train only, trees early-stopped on valid
 * only, figures on the rows given to `evaluateScores` (the test split). Pure: the CSV reading
 * and the clock live outside core.
 */
import {
  fitKcsStatistics,
  kcsFeatureTable,
  kcsLabel,
  type KcsFeatureOptions,
  type KcsRow,
  type KcsStatistics,
} from './kcs-features.js';
import {
  auc,
  calibrationTable,
  logloss,
  precisionAt,
  recallAt,
  type CalibrationBin,
} from './metrics.js';
import { assertModel, type GradientBoostedModel, type TrainingParams } from './model-schema.js';
import { compileModel } from './scorer.js';
import { trainGradientBoosting } from './train-gradient-boosting.js';

/** The fractions of rows counted as inspected for precision@k. */
export const PRECISION_FRACTIONS = [0.01, 0.02, 0.05, 0.1] as const;

/**
 * The training parameters for the KCS data (bench and CLI defaults): deep leaf-wise trees
 * (511 leaves), learning rate 0.15, 80 % of the features per tree, lambda 10, at least 5 rows a
 * leaf and 100 rows a category in a categorical split, early stopping after 50 rounds without a
 * better valid logloss.
 */
export const KCS_PARAMS: Partial<TrainingParams> = {
  rounds: 1000,
  learningRate: 0.15,
  maxLeaves: 511,
  maxDepth: 0,
  minSamplesLeaf: 5,
  lambda: 10,
  rowSubsample: 1,
  featureSubsample: 0.8,
  positiveWeight: 1,
  minCategoryCount: 1,
  earlyStoppingRounds: 50,
  earlyStoppingMetric: 'logloss',
  minCategoryRows: 100,
  maxCategoricalThreshold: 32,
  categoricalSmoothing: 10,
};

/** A model with the training statistics its KCS features need: what `--out` writes. */
export interface KcsModelFile {
  readonly kind: 'greenlane-kcs-model';
  readonly statistics: KcsStatistics;
  readonly model: GradientBoostedModel;
}

/** Checks a parsed `--out` file (its kind, statistics and model); throws with what is wrong. */
export function assertKcsModelFile(value: unknown): asserts value is KcsModelFile {
  const v = value as Partial<KcsModelFile> | null;
  if (typeof v !== 'object' || v === null || v.kind !== 'greenlane-kcs-model')
    throw new Error('not a GreenLane KCS model file (kind greenlane-kcs-model)');
  if (typeof v.statistics !== 'object' || v.statistics === null || !v.statistics.history)
    throw new Error('the model file has no feature statistics');
  assertModel(v.model);
}

export const kcsLabels = (rows: readonly KcsRow[]) => Float64Array.from(rows, kcsLabel);

/** Fits the feature statistics on train and the trees on train, early-stopping on valid. */
export function trainKcsModel(
  train: readonly KcsRow[],
  valid: readonly KcsRow[],
  options: { params?: Partial<TrainingParams>; features?: Partial<KcsFeatureOptions> } = {},
): KcsModelFile {
  const statistics = fitKcsStatistics(train, options.features);
  const model = trainGradientBoosting(
    { table: kcsFeatureTable(train, statistics, true), labels: kcsLabels(train) },
    {
      params: options.params,
      valid: { table: kcsFeatureTable(valid, statistics), labels: kcsLabels(valid) },
    },
  );
  return { kind: 'greenlane-kcs-model', statistics, model };
}

/** Probabilities of a finding for raw KCS rows. */
export function scoreKcsRows(file: KcsModelFile, rows: readonly KcsRow[]): Float64Array {
  return Float64Array.from(
    compileModel(file.model).probabilities(kcsFeatureTable(rows, file.statistics)),
  );
}

export interface ScoreEvaluation {
  readonly rows: number;
  readonly findings: number;
  /** Precision at 1, 2, 5 and 10 % of the rows (PRECISION_FRACTIONS), as a share. */
  readonly precision: readonly number[];
  readonly recallAt5: number;
  readonly auc: number;
  readonly logloss: number;
  readonly calibration: readonly CalibrationBin[];
}

/** The figures of scores against labels. */
export function evaluateScores(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
): ScoreEvaluation {
  let findings = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) findings++;
  return {
    rows: labels.length,
    findings,
    precision: PRECISION_FRACTIONS.map((k) => precisionAt(probabilities, labels, k)),
    recallAt5: recallAt(probabilities, labels, 0.05),
    auc: auc(probabilities, labels),
    logloss: logloss(probabilities, labels),
    calibration: calibrationTable(probabilities, labels),
  };
}
