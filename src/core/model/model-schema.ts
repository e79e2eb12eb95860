/**
 * The learned model as plain JSON (schema version 1): what it needs to score raw rows, the
 * trees, and how it was trained. Nothing in it depends on the machine that trained it.
 */
import type { FeatureBinning } from './binning.js';

/** How the trainer was asked to train (every field resolved, so a model can be retrained). */
export interface TrainingParams {
  /** Boosting rounds at most (early stopping may keep fewer trees). */
  readonly rounds: number;
  /** Shrinkage applied to every leaf value. */
  readonly learningRate: number;
  /** Leaves per tree at most (leaf-wise, best-first growth). */
  readonly maxLeaves: number;
  /** Depth at most; 0 for no limit. */
  readonly maxDepth: number;
  /** Rows (unweighted) in a leaf at least. */
  readonly minSamplesLeaf: number;
  /** Hessian sum in a leaf at least. */
  readonly minHessianLeaf: number;
  /** L2 regularisation of the leaf values. */
  readonly lambda: number;
  /** A split must gain at least this much. */
  readonly minGain: number;
  /** Share of rows drawn for each tree (1 = all). */
  readonly rowSubsample: number;
  /** Share of features drawn for each tree (1 = all). */
  readonly featureSubsample: number;
  /** Weight of a positive row (class weighting for rare findings). */
  readonly positiveWeight: number;
  /** Seed of the row and feature draws. */
  readonly seed: number;
  readonly maxBins: number;
  readonly minCategoryCount: number;
  readonly maxCategories: number;
  /** Added to the hessian when ordering categories by gradient over hessian. */
  readonly categoricalSmoothing: number;
  /** Categories on the smaller side of a categorical split at most. */
  readonly maxCategoricalThreshold: number;
  /** Rows (unweighted) a category needs in a node to take part in a categorical split. */
  readonly minCategoryRows: number;
  /** Stop when the validation metric has not improved for this many rounds; 0 = never. */
  readonly earlyStoppingRounds: number;
  readonly earlyStoppingMetric: 'logloss' | 'auc';
}

/**
 * One tree as parallel arrays over its nodes (node 0 is the root). A leaf has feature -1.
 * A numeric split sends x <= threshold left, NaN by defaultLeft. A categorical split sends the
 * listed codes left (code 0: missing, rare or unseen) and every other code right.
 */
export interface TreeJson {
  readonly feature: readonly number[];
  readonly threshold: readonly number[];
  readonly defaultLeft: readonly (0 | 1)[];
  /** The codes going left, for categorical splits; null otherwise. */
  readonly categories: ReadonlyArray<readonly number[] | null>;
  readonly left: readonly number[];
  readonly right: readonly number[];
  /** Leaf value at leaves; at internal nodes the value the node would have as a leaf (Saabas). */
  readonly value: readonly number[];
  /** Hessian sum of the training rows through the node. */
  readonly cover: readonly number[];
  /** Gain of the split (0 at leaves). */
  readonly gain: readonly number[];
}

export interface TrainingSummary {
  readonly rows: number;
  readonly positives: number;
  readonly validRows: number;
  /** Trees kept (the best iteration when early stopping was used). */
  readonly bestIteration: number;
  readonly roundsTrained: number;
  /** The validation metric at the best iteration; null without a validation set. */
  readonly bestValidMetric: number | null;
}

export interface GradientBoostedModel {
  readonly schemaVersion: 1;
  readonly kind: 'gbdt-binary-logloss';
  /** Features in the order the trees index them, with their bins or category codes. */
  readonly features: readonly FeatureBinning[];
  /** Margin (log-odds) before any tree. */
  readonly baseScore: number;
  readonly trees: readonly TreeJson[];
  readonly params: TrainingParams;
  readonly training: TrainingSummary;
}

export const DEFAULT_PARAMS: TrainingParams = {
  rounds: 300,
  learningRate: 0.1,
  maxLeaves: 31,
  maxDepth: 0,
  minSamplesLeaf: 20,
  minHessianLeaf: 1e-3,
  lambda: 1,
  minGain: 0,
  rowSubsample: 1,
  featureSubsample: 1,
  positiveWeight: 1,
  seed: 1,
  maxBins: 255,
  minCategoryCount: 1,
  maxCategories: 20_000,
  categoricalSmoothing: 10,
  maxCategoricalThreshold: 32,
  minCategoryRows: 10,
  earlyStoppingRounds: 0,
  earlyStoppingMetric: 'logloss',
};

/** Checks the parts of a parsed model a scorer relies on; throws with what is wrong. */
export function assertModel(value: unknown): asserts value is GradientBoostedModel {
  const m = value as Partial<GradientBoostedModel> | null;
  if (!m || typeof m !== 'object') throw new TypeError('a model must be an object');
  if (m.schemaVersion !== 1)
    throw new TypeError(`unsupported model schemaVersion ${String(m.schemaVersion)} (expected 1)`);
  if (m.kind !== 'gbdt-binary-logloss') throw new TypeError(`unknown model kind ${String(m.kind)}`);
  if (!Array.isArray(m.features) || !Array.isArray(m.trees) || typeof m.baseScore !== 'number')
    throw new TypeError('a model needs features, trees and baseScore');
  for (const tree of m.trees as unknown[] as TreeJson[]) {
    const n = tree.feature.length;
    for (const key of ['threshold', 'defaultLeft', 'categories', 'left', 'right', 'value'] as const)
      if (tree[key].length !== n) throw new TypeError(`tree arrays differ in length (${key})`);
    for (let i = 0; i < n; i++) {
      const f = tree.feature[i]!;
      if (f >= m.features.length) throw new TypeError(`tree node uses unknown feature ${f}`);
      if (f >= 0 && (tree.left[i]! <= i || tree.right[i]! <= i || tree.right[i]! >= n))
        throw new TypeError('tree children must follow their parent');
    }
  }
}
