/**
 * Training a risk model on GreenLane's own inspection outcomes (pure, seeded): features of the
 * stored declarations and assessments, selection-bias weights, early stopping on the end of the
 * training period, and the figures of the held-back period for the model card.
 *
 * Selection bias: outcomes exist only for controlled declarations, and most of those were chosen
 * by the rules. The randomly selected ones stand for all the traffic the rules let through, each
 * for about 1 / randomShare declarations, so they are weighted by that (capped, to keep one
 * random finding from dominating). The held-back figures on the random sample alone are an
 * unbiased estimate for all traffic; those on every controlled declaration are not.
 */
import {
  DECLARATION_FEATURE_SET,
  DECLARATION_FEATURES,
  declarationFeatures,
  featureRowsTable,
  fitDeclarationStatistics,
  hsSection,
  mainItem,
  type RulesFacts,
} from './declaration-features.js';
import type { DeclarationContent } from '../declaration/declaration.js';
import { binShares } from './drift.js';
import { evaluateHeldBack, type HeldBackEvaluation } from './model-card.js';
import {
  type GradientBoostedModel,
  type TrainingParams,
  type TrainingSummary,
} from './model-schema.js';
import { RISK_MODEL_FILE_KIND, type RiskModelFile } from './risk-model.js';
import { CompiledModel } from './scorer.js';
import { trainGradientBoosting } from './train-gradient-boosting.js';
import type { LabelledTable } from './feature-table.js';

/** One controlled declaration with what its control found. */
export interface TrainingExample {
  declaration: DeclarationContent;
  /** What the rules found when it was screened (from its stored assessment). */
  rules: RulesFacts;
  /** The rules' score, for the comparison on the random sample. */
  rulesScore: number;
  finding: boolean;
  /** Sent to control by the random selection, not by the rules. */
  random: boolean;
  /** The random selection's share when it was screened. */
  randomShare: number;
  /** Lodging date (what the periods are cut by). */
  submittedAt: string;
}

export interface TrainingJob {
  examples: TrainingExample[];
  /**
   * Examples lodged from here on are held back for evaluation; null: the latest fifth of the
   * examples (those lodged at or after the first of them).
   */
  evaluateFrom: string | null;
  params: Partial<TrainingParams>;
  /** A random example's weight at most. */
  maxRandomWeight: number;
}

/** The training parameters for GreenLane's declarations, before a request's own. */
export const DECLARATION_PARAMS: Partial<TrainingParams> = {
  rounds: 300,
  learningRate: 0.1,
  maxLeaves: 31,
  minSamplesLeaf: 10,
  minCategoryRows: 10,
  lambda: 1,
  earlyStoppingRounds: 30,
  earlyStoppingMetric: 'logloss',
  seed: 1,
};

/** What training found, for the model card (the app adds who, when and the window). */
export interface TrainingReport {
  featureSet: string;
  /** Where the held-back period began (as given, or the first held-back example's date). */
  evaluateFrom: string;
  features: Array<{ name: string; kind: string; description: string; importance: number }>;
  rows: {
    train: number;
    trainPositives: number;
    trainRandom: number;
    earlyStopping: number;
    heldBack: number;
    heldBackPositives: number;
    heldBackRandom: number;
  };
  weighting: { randomWeight: number; note: string };
  training: TrainingSummary;
  params: TrainingParams;
  evaluation: HeldBackEvaluation | null;
}

/** The share of the examples held back when no date is given. */
const HELD_BACK_SHARE = 0.2;

/** The share of the training period's end used to stop boosting early. */
const EARLY_STOPPING_SHARE = 0.15;

export function trainRiskModel(job: TrainingJob): { file: RiskModelFile; report: TrainingReport } {
  const ordered = [...job.examples].sort((a, b) =>
    a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0,
  );
  const evaluateFrom =
    job.evaluateFrom ??
    ordered[Math.floor(ordered.length * (1 - HELD_BACK_SHARE))]?.submittedAt ??
    '9999';
  const before = ordered.filter((e) => e.submittedAt < evaluateFrom);
  const heldBack = ordered.filter((e) => e.submittedAt >= evaluateFrom);
  if (before.length === 0)
    throw new RangeError('no controlled declarations before the held-back period');
  const positives = before.filter((e) => e.finding).length;
  if (positives === 0 || positives === before.length)
    throw new RangeError(
      `the training period needs controls with and without findings (${positives} of ${before.length} found something)`,
    );
  // The end of the training period stops boosting early, when it has both outcomes.
  let cut = Math.floor(before.length * (1 - EARLY_STOPPING_SHARE));
  const tail = before.slice(cut);
  if (tail.length < 20 || tail.every((e) => e.finding === tail[0]!.finding)) cut = before.length;
  const fit = before.slice(0, cut);
  const stop = before.slice(cut);

  const statistics = fitDeclarationStatistics(fit.map((e) => e.declaration));
  const randomWeight = (e: TrainingExample) =>
    e.random ? Math.min(job.maxRandomWeight, 1 / Math.max(e.randomShare, 1e-6)) : 1;
  const labelled = (examples: readonly TrainingExample[]): LabelledTable => ({
    table: featureRowsTable(
      examples.map((e) => declarationFeatures(e.declaration, e.rules, statistics)),
    ),
    labels: Float64Array.from(examples, (e) => (e.finding ? 1 : 0)),
    weights: Float64Array.from(examples, randomWeight),
  });
  const train = labelled(fit);
  const params = { ...DECLARATION_PARAMS, ...job.params };
  const model: GradientBoostedModel = trainGradientBoosting(train, {
    params: stop.length > 0 ? params : { ...params, earlyStoppingRounds: 0 },
    ...(stop.length > 0 ? { valid: labelled(stop) } : {}),
  });
  const trainingShares = model.features.map((binning) => {
    const column = train.table.columns.find((c) => c.name === binning.name)!;
    // Weighted as trained: the random controls stand for the traffic the rules let through.
    return binShares(binning, column, train.weights);
  });
  const file: RiskModelFile = {
    kind: RISK_MODEL_FILE_KIND,
    featureSet: DECLARATION_FEATURE_SET,
    statistics,
    model,
    trainingShares,
  };

  let evaluation: HeldBackEvaluation | null = null;
  if (heldBack.length > 0) {
    const probabilities = new CompiledModel(model).probabilities(labelled(heldBack).table);
    evaluation = evaluateHeldBack(
      heldBack.map((e, i) => ({
        probability: probabilities[i]!,
        rulesScore: e.rulesScore,
        finding: e.finding,
        random: e.random,
        office: e.declaration.office ?? '',
        hsSection: hsSection(mainItem(e.declaration).hsCode ?? ''),
      })),
    );
  }

  const gain = new Map<string, number>();
  for (const tree of model.trees)
    tree.feature.forEach((f, i) => {
      if (f < 0) return;
      const name = model.features[f]!.name;
      gain.set(name, (gain.get(name) ?? 0) + tree.gain[i]!);
    });
  const totalGain = [...gain.values()].reduce((a, b) => a + b, 0);
  const report: TrainingReport = {
    featureSet: DECLARATION_FEATURE_SET,
    evaluateFrom: heldBack.length > 0 ? evaluateFrom : (job.evaluateFrom ?? ''),
    features: DECLARATION_FEATURES.map((spec) => ({
      name: spec.name,
      kind: spec.kind,
      description: spec.description,
      importance: totalGain > 0 ? round((gain.get(spec.name) ?? 0) / totalGain) : 0,
    })),
    rows: {
      train: fit.length,
      trainPositives: fit.filter((e) => e.finding).length,
      trainRandom: fit.filter((e) => e.random).length,
      earlyStopping: stop.length,
      heldBack: heldBack.length,
      heldBackPositives: heldBack.filter((e) => e.finding).length,
      heldBackRandom: heldBack.filter((e) => e.random).length,
    },
    weighting: {
      randomWeight: job.maxRandomWeight,
      note:
        'randomly selected controls weigh 1 / random share (at most randomWeight), the others 1: ' +
        'they stand for the traffic the rules let through. Figures on the random sample are ' +
        'unbiased for all traffic; figures on all controls are biased towards what the rules chose.',
    },
    training: model.training,
    params: model.params,
    evaluation,
  };
  return { file, report };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
