/**
 * Learned risk model benchmark (issue 20): gradient-boosted trees (src/core/model) trained on
 * the Korea Customs Service synthetic declarations, train split = 2020, early-stopped on the
 * valid split (2021 Q1) only, figures on the test split (2021 Q2) only.
 *
 *   npm run bench:model -- [--data ../shared/data/customs-declarations-kcs] [--seed 1]
 *                          [--leaves 511] [--rate 0.15] [--rounds 1000] [--repeat] ...
 *
 * Defaults: 511 leaves, learning rate 0.15, 80 % of the features per tree, lambda 10, at least
 * 5 rows a leaf and 100 rows a category in a categorical split, early stopping after 50 rounds
 * without a better valid logloss. The learning rate trades trees (scoring speed) for accuracy.
 *
 * "Top k %" is the round(k % × rows) test rows with the highest probability, as if inspected.
 * Scoring speed is measured on one core over the test rows, encoding of the raw features
 * (category lookups) included, best of several passes.
 *
 * Last line, exactly:
 *   model kcs: precision@5% <P>; recall@5% <R>; train <S> s; score <N> rows/s
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readKcsFile } from '../src/cli/kcs-files.js';
import {
  evaluateScores,
  KCS_PARAMS,
  kcsLabels,
  trainKcsModel,
} from '../src/core/model/evaluate.js';
import { kcsFeatureTable } from '../src/core/model/kcs-features.js';
import { auc, logloss, precisionAt } from '../src/core/model/metrics.js';
import type { TrainingParams } from '../src/core/model/model-schema.js';
import { compileModel } from '../src/core/model/scorer.js';

const D = KCS_PARAMS;
const { values: args } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: join(import.meta.dirname, '../../shared/data/customs-declarations-kcs'),
    },
    seed: { type: 'string', default: '1' },
    leaves: { type: 'string', default: String(D.maxLeaves) },
    depth: { type: 'string', default: String(D.maxDepth) },
    rate: { type: 'string', default: String(D.learningRate) },
    rounds: { type: 'string', default: String(D.rounds) },
    'min-leaf': { type: 'string', default: String(D.minSamplesLeaf) },
    lambda: { type: 'string', default: String(D.lambda) },
    rows: { type: 'string', default: String(D.rowSubsample) },
    cols: { type: 'string', default: String(D.featureSubsample) },
    'positive-weight': { type: 'string', default: String(D.positiveWeight) },
    'min-category-count': { type: 'string', default: String(D.minCategoryCount) },
    patience: { type: 'string', default: String(D.earlyStoppingRounds) },
    metric: { type: 'string', default: D.earlyStoppingMetric },
    'no-target-encoding': { type: 'boolean', default: false },
    'min-category-rows': { type: 'string', default: String(D.minCategoryRows) },
    'max-categorical-threshold': { type: 'string', default: String(D.maxCategoricalThreshold) },
    'categorical-smoothing': { type: 'string', default: String(D.categoricalSmoothing) },
    /** Also give each categorical feature as a numeric code (alphabetical rank in train). */
    'category-codes': { type: 'boolean', default: false },
    /** Train twice and compare the model bytes. */
    repeat: { type: 'boolean', default: false },
  },
});

const read = (name: string) => readKcsFile(join(args.data, name));
const tRead = performance.now();
const trainRows = read('df_syn_train_eng.csv');
const validRows = read('df_syn_valid_eng.csv');
const testRows = read('df_syn_test_eng.csv');
const readSeconds = (performance.now() - tRead) / 1000;
const SEED = Number(args.seed);
const labelsOf = kcsLabels;
const f3 = (n: number) => n.toFixed(3);

const params: Partial<TrainingParams> = {
  rounds: Number(args.rounds),
  learningRate: Number(args.rate),
  maxLeaves: Number(args.leaves),
  maxDepth: Number(args.depth),
  minSamplesLeaf: Number(args['min-leaf']),
  lambda: Number(args.lambda),
  rowSubsample: Number(args.rows),
  featureSubsample: Number(args.cols),
  positiveWeight: Number(args['positive-weight']),
  minCategoryCount: Number(args['min-category-count']),
  earlyStoppingRounds: Number(args.patience),
  earlyStoppingMetric: args.metric === 'auc' ? 'auc' : 'logloss',
  seed: SEED,
  minCategoryRows: Number(args['min-category-rows']),
  maxCategoricalThreshold: Number(args['max-categorical-threshold']),
  categoricalSmoothing: Number(args['categorical-smoothing']),
};

/** Features (statistics fitted on train only) and the model; timed together. */
function train() {
  const t0 = performance.now();
  const { statistics: stats, model } = trainKcsModel(trainRows, validRows, {
    params,
    features: {
      targetEncoding: !args['no-target-encoding'],
      categoryCodes: args['category-codes'],
      seed: SEED,
    },
  });
  return { stats, model, seconds: (performance.now() - t0) / 1000 };
}

console.log(
  `kcs: train ${trainRows.length.toLocaleString('en')} rows, valid ${validRows.length.toLocaleString('en')}, test ${testRows.length.toLocaleString('en')} (read in ${readSeconds.toFixed(2)} s)`,
);
const { stats, model, seconds } = train();
const json = JSON.stringify(model);
const sha = createHash('sha256').update(json).digest('hex');
const leaves = model.trees.reduce((s, t) => s + t.feature.filter((f) => f < 0).length, 0);
console.log(
  `trained in ${seconds.toFixed(2)} s: ${model.training.bestIteration} trees kept of ${model.training.roundsTrained} (valid ${params.earlyStoppingMetric} ${model.training.bestValidMetric?.toFixed(4)}), ${leaves.toLocaleString('en')} leaves, ${model.features.length} features; model ${(json.length / 1e6).toFixed(1)} MB sha256 ${sha.slice(0, 16)}`,
);
if (args.repeat) {
  const again = createHash('sha256').update(JSON.stringify(train().model)).digest('hex');
  console.log(
    `same seed again: sha256 ${again.slice(0, 16)} ${again === sha ? 'identical' : 'DIFFERENT'}`,
  );
}

const scorer = compileModel(JSON.parse(json));
const validProbabilities = scorer.probabilities(kcsFeatureTable(validRows, stats));
const validLabels = labelsOf(validRows);
console.log(
  `valid (the tuning split): precision@5% ${f3(precisionAt(validProbabilities, validLabels, 0.05))}; AUC ${f3(auc(validProbabilities, validLabels))}; logloss ${f3(logloss(validProbabilities, validLabels))}`,
);
const testTable = kcsFeatureTable(testRows, stats);
const testLabels = labelsOf(testRows);
const probabilities = scorer.probabilities(testTable);
let best = Infinity;
for (let pass = 0; pass < 5; pass++) {
  const t0 = performance.now();
  scorer.margins(testTable);
  best = Math.min(best, performance.now() - t0);
}
const rowsPerSecond = Math.round(testRows.length / (best / 1000));

const figures = evaluateScores(probabilities, testLabels);
const precision = figures.precision;
const recall5 = figures.recallAt5;
console.log(
  `test: precision@1% ${f3(precision[0]!)}, @2% ${f3(precision[1]!)}, @5% ${f3(precision[2]!)}, @10% ${f3(precision[3]!)}; recall@5% ${f3(recall5)}; AUC ${f3(figures.auc)}; logloss ${f3(figures.logloss)}`,
);
console.log(
  `calibration (deciles, mean predicted / observed): ${figures.calibration
    .map((b) => `${f3(b.meanPredicted)}/${f3(b.observedRate)}`)
    .join(' ')}`,
);
console.log(
  `scoring: ${rowsPerSecond.toLocaleString('en')} rows/s on one core (best of 5 passes over the test rows); load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(
  `model kcs: precision@5% ${f3(precision[2]!)}; recall@5% ${f3(recall5)}; train ${seconds.toFixed(1)} s; score ${rowsPerSecond} rows/s`,
);
