/**
 * A trained risk model as GreenLane stores and screens with it: the trees, the feature set they
 * were trained on and the training rows' statistics the features compare with. Pure.
 */
import {
  DECLARATION_FEATURE_SET,
  declarationFeatures,
  featureRowsTable,
  type DeclarationStatistics,
  type FeatureRow,
  type RulesFacts,
} from './declaration-features.js';
import type { DeclarationContent } from '../declaration/declaration.js';
import { assertModel, type GradientBoostedModel } from './model-schema.js';
import { CompiledModel } from './scorer.js';

export const RISK_MODEL_FILE_KIND = 'greenlane-risk-model';

/** The model file (the `model` of a stored version). */
export interface RiskModelFile {
  readonly kind: typeof RISK_MODEL_FILE_KIND;
  readonly featureSet: string;
  readonly statistics: DeclarationStatistics;
  readonly model: GradientBoostedModel;
  /**
   * Share of the training rows in each bin of every model feature (in model feature order), the
   * reference the drift of recent declarations is measured against.
   */
  readonly trainingShares: ReadonlyArray<readonly number[]>;
}

/** A version ready to screen with. */
export interface ModelInUse {
  readonly version: number;
  readonly file: RiskModelFile;
  readonly compiled: CompiledModel;
}

/** What the model said of one declaration: part of its Assessment. */
export interface ModelScore {
  version: number;
  featureSet: string;
  /** Probability of a finding if controlled. */
  probability: number;
  /** The features that moved the score most, with their values (Saabas contributions, log-odds). */
  topFeatures: Array<{ feature: string; value: number | string | null; contribution: number }>;
  /** Every feature value the model saw. */
  features: FeatureRow;
}

/** Checks a parsed model file and compiles it; throws naming what is wrong. */
export function loadRiskModel(version: number, file: unknown): ModelInUse {
  const f = file as Partial<RiskModelFile> | null;
  if (!f || typeof f !== 'object' || f.kind !== RISK_MODEL_FILE_KIND)
    throw new TypeError(`model version ${version} is not a ${RISK_MODEL_FILE_KIND} file`);
  if (f.featureSet !== DECLARATION_FEATURE_SET)
    throw new TypeError(
      `model version ${version} uses feature set ${String(f.featureSet)}; this node computes ${DECLARATION_FEATURE_SET}`,
    );
  if (!f.statistics || typeof f.statistics.logUnitValueMedian !== 'object')
    throw new TypeError(`model version ${version} has no feature statistics`);
  assertModel(f.model);
  return { version, file: f as RiskModelFile, compiled: new CompiledModel(f.model) };
}

/** How many features an assessment names as the model's reasons. */
export const TOP_FEATURES = 5;

/** Scores one declaration: its features, probability and top contributions. */
export function scoreDeclaration(
  m: ModelInUse,
  declaration: DeclarationContent,
  rules: RulesFacts,
): ModelScore {
  const features = declarationFeatures(declaration, rules, m.file.statistics);
  const rows = m.compiled.encode(featureRowsTable([features]));
  const margin = m.compiled.marginsOf(rows)[0]!;
  const topFeatures = m.compiled
    .topContributions(rows, 0, TOP_FEATURES)
    .map(({ feature, contribution }) => ({
      feature,
      value: features[feature] ?? null,
      contribution: round(contribution, 4),
    }));
  return {
    version: m.version,
    featureSet: m.file.featureSet,
    probability: round(1 / (1 + Math.exp(-margin)), 6),
    topFeatures,
    features,
  };
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
