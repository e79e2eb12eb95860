/**
 * Gradient boosting of histogram trees for binary classification (logloss): seeded row and
 * feature subsampling, class and sample weights, early stopping on a validation set.
 */
import { SeededRandom } from '../random.js';
import { binTable, fitBinning, type FeatureBinning } from './binning.js';
import type { LabelledTable } from './feature-table.js';
import { auc, logloss } from './metrics.js';
import {
  DEFAULT_PARAMS,
  type GradientBoostedModel,
  type TrainingParams,
  type TreeJson,
} from './model-schema.js';
import { binLeaf, leftSetsOf, TreeGrower, type BinTree } from './tree-growth.js';

/** A progress report after each round (for a CLI; the trainer itself never prints). */
export interface RoundReport {
  readonly round: number;
  readonly validMetric: number | null;
}

export interface TrainOptions {
  readonly params?: Partial<TrainingParams>;
  /** Rows to early-stop on; never used to fit. */
  readonly valid?: LabelledTable;
  readonly onRound?: (report: RoundReport) => void;
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function resolveParams(partial: Partial<TrainingParams> | undefined): TrainingParams {
  const p = { ...DEFAULT_PARAMS, ...partial };
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new RangeError(message);
  };
  check(Number.isInteger(p.rounds) && p.rounds >= 1, 'rounds must be a positive integer');
  check(p.learningRate > 0, 'learningRate must be positive');
  check(Number.isInteger(p.maxLeaves) && p.maxLeaves >= 2, 'maxLeaves must be at least 2');
  check(p.minSamplesLeaf >= 1, 'minSamplesLeaf must be at least 1');
  check(p.lambda >= 0, 'lambda must not be negative');
  check(p.rowSubsample > 0 && p.rowSubsample <= 1, 'rowSubsample must be in (0, 1]');
  check(p.featureSubsample > 0 && p.featureSubsample <= 1, 'featureSubsample must be in (0, 1]');
  check(p.positiveWeight > 0, 'positiveWeight must be positive');
  check(Number.isInteger(p.seed), 'seed must be an integer');
  return p;
}

/** The weight of each row: its sample weight, times positiveWeight for positives. */
function rowWeights(data: LabelledTable, positiveWeight: number): Float64Array {
  const n = data.table.rowCount;
  if (data.labels.length !== n) throw new RangeError('labels and rows differ in number');
  if (data.weights && data.weights.length !== n)
    throw new RangeError('weights and rows differ in number');
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = data.labels[i]!;
    if (y !== 0 && y !== 1) throw new RangeError(`label ${y} at row ${i} is neither 0 nor 1`);
    const s = data.weights ? data.weights[i]! : 1;
    if (!(s >= 0)) throw new RangeError(`weight ${s} at row ${i} is not a non-negative number`);
    w[i] = s * (y === 1 ? positiveWeight : 1);
  }
  return w;
}

/** Converts a tree on bins into the model's JSON form (raw thresholds). */
function treeJson(tree: BinTree, binnings: readonly FeatureBinning[]): TreeJson {
  return {
    feature: tree.feature,
    threshold: tree.feature.map((f, n) => {
      if (f < 0) return 0;
      const b = binnings[f]!;
      return b.kind === 'numeric' ? b.edges[tree.thresholdBin[n]!]! : 0;
    }),
    defaultLeft: tree.defaultLeft,
    categories: tree.leftCodes,
    left: tree.left,
    right: tree.right,
    value: tree.value,
    cover: tree.cover,
    gain: tree.gain,
  };
}

/** Trains a model on `train`; same data, params and seed give the same model, byte for byte. */
export function trainGradientBoosting(
  train: LabelledTable,
  options: TrainOptions = {},
): GradientBoostedModel {
  const params = resolveParams(options.params);
  const random = new SeededRandom(params.seed);
  const n = train.table.rowCount;
  const weights = rowWeights(train, params.positiveWeight);
  const labels = train.labels;
  // A category with fewer training rows than minCategoryRows can never take part in a split.
  const binnings = fitBinning(train.table, {
    ...params,
    minCategoryCount: Math.max(params.minCategoryCount, params.minCategoryRows),
  });
  const binned = binTable(train.table, binnings);
  const featureCount = binnings.length;

  let wPos = 0;
  let wAll = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    wAll += weights[i]!;
    if (labels[i] === 1) {
      wPos += weights[i]!;
      positives++;
    }
  }
  if (wPos <= 0 || wPos >= wAll) throw new RangeError('training needs weight on both labels');
  const baseScore = Math.log(wPos / (wAll - wPos));

  const valid = options.valid;
  const validBinned = valid ? binTable(valid.table, binnings) : null;
  const validMargin = valid ? new Float64Array(valid.table.rowCount).fill(baseScore) : null;
  const validProb = valid ? new Float64Array(valid.table.rowCount) : null;

  const margin = new Float64Array(n).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const grower = new TreeGrower(binned, binnings, params);
  const trees: BinTree[] = [];
  const allRows = new Int32Array(n);
  for (let i = 0; i < n; i++) allRows[i] = i;
  const allFeatures = [...Array(featureCount).keys()];
  const featuresPerTree = Math.max(1, Math.round(params.featureSubsample * featureCount));

  let bestIteration = 0;
  let bestMetric: number | null = null;
  let sinceBest = 0;
  let roundsTrained = 0;
  for (let round = 0; round < params.rounds; round++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i]!);
      const w = weights[i]!;
      grad[i] = (p - labels[i]!) * w;
      hess[i] = Math.max(p * (1 - p), 1e-16) * w;
    }
    let rows = allRows;
    if (params.rowSubsample < 1) {
      const picked: number[] = [];
      for (let i = 0; i < n; i++) if (random.next() < params.rowSubsample) picked.push(i);
      rows = Int32Array.from(picked);
    } else {
      rows = allRows.slice();
    }
    let features = allFeatures;
    if (featuresPerTree < featureCount) {
      const shuffled = allFeatures.slice();
      for (let i = 0; i < featuresPerTree; i++) {
        const j = i + Math.floor(random.next() * (featureCount - i));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      features = shuffled.slice(0, featuresPerTree).sort((a, b) => a - b);
    }
    const tree = grower.grow(rows, grad, hess, features);
    trees.push(tree);
    roundsTrained++;
    const sets = leftSetsOf(tree, binned.binCounts);
    for (let i = 0; i < n; i++)
      margin[i]! += tree.value[binLeaf(tree, binned.bins, binned.binCounts, i, sets)]!;

    let metric: number | null = null;
    if (valid && validBinned && validMargin && validProb) {
      for (let i = 0; i < validMargin.length; i++) {
        validMargin[i]! += tree.value[binLeaf(tree, validBinned.bins, binned.binCounts, i, sets)]!;
        validProb[i] = sigmoid(validMargin[i]!);
      }
      // Higher is better for both, so logloss is negated.
      metric =
        params.earlyStoppingMetric === 'auc'
          ? auc(validProb, valid.labels)
          : -logloss(validProb, valid.labels);
      if (bestMetric === null || metric > bestMetric) {
        bestMetric = metric;
        bestIteration = round + 1;
        sinceBest = 0;
      } else sinceBest++;
    } else bestIteration = round + 1;
    options.onRound?.({ round: round + 1, validMetric: metric });
    if (params.earlyStoppingRounds > 0 && sinceBest >= params.earlyStoppingRounds) break;
  }

  return {
    schemaVersion: 1,
    kind: 'gbdt-binary-logloss',
    features: binnings,
    baseScore,
    trees: trees.slice(0, bestIteration).map((t) => treeJson(t, binnings)),
    params,
    training: {
      rows: n,
      positives,
      validRows: valid?.table.rowCount ?? 0,
      bestIteration,
      roundsTrained,
      bestValidMetric:
        bestMetric === null
          ? null
          : params.earlyStoppingMetric === 'auc'
            ? bestMetric
            : -bestMetric,
    },
  };
}
