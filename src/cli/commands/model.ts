import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  evaluateScores,
  KCS_PARAMS,
  kcsLabels,
  PRECISION_FRACTIONS,
  scoreKcsRows,
  trainKcsModel,
  type KcsModelFile,
  type ScoreEvaluation,
} from '../../core/model/evaluate.js';
import { readKcsFile } from '../kcs-files.js';
import { principalOfUser } from '../../app/authenticate.js';
import {
  closeTrainers,
  trainModel,
  trainModelOnExamples,
  type ModelCard,
} from '../../app/manage-models.js';
import type { AppContext } from '../../app/context.js';
import { screen } from '../../app/risk.js';
import { validateDeclaration } from '../../core/declaration/validate-declaration.js';
import type { TrainingExample } from '../../core/model/train-risk-model.js';
import { rulesFactsOf } from '../../core/risk/assess.js';
import { forEachFileDeclaration } from '../file-records.js';
import { readOutcomesFile } from '../outcome-files.js';
import path from 'node:path';
import type { Config } from '../../config.js';
import { DomainError } from '../../core/errors.js';
import type { RankingFigures } from '../../core/model/model-card.js';
import type { RiskModelSummary } from '../../core/ports.js';
import { openRuntime } from '../runtime.js';

export interface ModelEvaluateOptions {
  train: string;
  valid: string;
  test: string;
  /** Seed of the row and feature draws and of the target-encoding folds. */
  seed: number;
  /** Where the model JSON (with its feature statistics) goes; nothing written without it. */
  out?: string;
  /** Leaves per tree at most. */
  leaves?: number;
  /** Learning rate (shrinkage). */
  rate?: number;
  /** Boosting rounds at most. */
  rounds?: number;
}

export interface ModelEvaluateSummary {
  trainRows: number;
  validRows: number;
  test: ScoreEvaluation;
  trees: number;
  roundsTrained: number;
  trainSeconds: number;
  /** The trained model, as `--out` writes it. */
  model: KcsModelFile;
}

const positive = (name: string, value: number | undefined, integer: boolean) => {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw new Error(`${name} must be a positive ${integer ? 'whole number' : 'number'}`);
};

const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const f3 = (n: number) => n.toFixed(3);

/**
 * `greenlane model evaluate`: trains the gradient-boosted model on a KCS-form train CSV,
 * early-stops on the valid CSV only, and prints the figures on the test CSV. Every file is read
 * and checked before training; a bad file is refused naming the file, row and column, and
 * `--out` is written only after everything succeeded.
 */
export function modelEvaluate(
  options: ModelEvaluateOptions,
  out: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): ModelEvaluateSummary {
  if (!Number.isInteger(options.seed)) throw new Error('--seed must be a whole number');
  positive('--leaves', options.leaves, true);
  positive('--rate', options.rate, false);
  positive('--rounds', options.rounds, true);
  if (options.leaves !== undefined && options.leaves < 2) throw new Error('--leaves must be ≥ 2');
  const train = readKcsFile(options.train);
  const valid = readKcsFile(options.valid);
  const test = readKcsFile(options.test);
  const params = {
    ...KCS_PARAMS,
    seed: options.seed,
    ...(options.leaves !== undefined && { maxLeaves: options.leaves }),
    ...(options.rate !== undefined && { learningRate: options.rate }),
    ...(options.rounds !== undefined && { rounds: options.rounds }),
  };
  const t0 = performance.now();
  const file = trainKcsModel(train, valid, { params, features: { seed: options.seed } });
  const trainSeconds = (performance.now() - t0) / 1000;
  const figures = evaluateScores(scoreKcsRows(file, test), kcsLabels(test));
  const { training } = file.model;
  out(
    `train ${train.length} rows, valid ${valid.length} (early stopping only), test ${test.length}`,
  );
  out(
    `trained in ${trainSeconds.toFixed(2)} s: ${training.bestIteration} trees kept of ${training.roundsTrained} (valid logloss ${training.bestValidMetric?.toFixed(4) ?? '-'}), ${file.model.features.length} features, seed ${options.seed}`,
  );
  out(
    `test: ${figures.rows} rows, ${figures.findings} findings (${pct(figures.findings / figures.rows)})`,
  );
  out(
    `precision: ${PRECISION_FRACTIONS.map((k, i) => `@${k * 100}% ${f3(figures.precision[i]!)}`).join(', ')}`,
  );
  out(`recall@5% ${f3(figures.recallAt5)}; AUC ${f3(figures.auc)}; logloss ${f3(figures.logloss)}`);
  out('calibration (deciles by predicted probability: rows, mean predicted, observed rate):');
  figures.calibration.forEach((b, i) =>
    out(
      `  ${String(i + 1).padStart(2)}  ${String(b.rows).padStart(7)}  ${f3(b.meanPredicted)}  ${f3(b.observedRate)}`,
    ),
  );
  if (options.out) {
    writeFileSync(options.out, JSON.stringify(file));
    out(`model written to ${options.out}`);
  }
  return {
    trainRows: train.length,
    validRows: valid.length,
    test: figures,
    trees: training.bestIteration,
    roundsTrained: training.roundsTrained,
    trainSeconds,
    model: file,
  };
}

export interface ModelTrainOptions {
  /** The window of the database's controls (without `declarations`). */
  from?: string;
  to?: string;
  /** Declaration files (CSV, NDJSON, JSON, WCO XML) to learn from instead of the database… */
  declarations?: string[];
  /** …with their outcomes (CSV: reference, finding[, random, randomShare, traderControls, traderFindings]). */
  outcomes?: string;
  evaluateFrom?: string;
  seed: number;
  /** Trained as this user (a customs risk analyst). */
  user: string;
}

/**
 * `greenlane model train`: trains a version on the database's inspection outcomes as the given
 * analyst (the same use case as POST /api/models), stores it as a draft and prints its card's
 * figures. Approval stays in the console or the API: a second analyst's.
 */
export async function modelTrain(
  config: Config,
  options: ModelTrainOptions,
  out: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Promise<RiskModelSummary> {
  if (!Number.isInteger(options.seed)) throw new Error('--seed must be a whole number');
  const runtime = await openRuntime(config);
  try {
    const principal = await principalOfUser(runtime.ctx, options.user);
    const named = (e: unknown) => {
      if (e instanceof DomainError && e.issues.length > 0)
        throw new Error(
          e.issues
            .map(
              (i) =>
                `--${i.path.slice(1).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${i.reason}`,
            )
            .join('; '),
        );
      throw e;
    };
    const params = { seed: options.seed };
    const evaluateFrom =
      options.evaluateFrom !== undefined ? { evaluateFrom: options.evaluateFrom } : {};
    let trained: RiskModelSummary;
    if (options.declarations && options.declarations.length > 0) {
      if (!options.outcomes)
        throw new Error('--declarations needs --outcomes (the controls found)');
      if (options.from !== undefined || options.to !== undefined)
        throw new Error('--from and --to choose the database window: not with --declarations');
      const examples = await examplesFromFiles(
        runtime.ctx,
        options.declarations,
        options.outcomes,
        out,
      );
      trained = await trainModelOnExamples(runtime.ctx, principal, examples, {
        ...evaluateFrom,
        params,
        source: [...options.declarations, options.outcomes].map((f) => path.basename(f)).join(', '),
      }).catch(named);
    } else {
      if (options.from === undefined || options.to === undefined)
        throw new Error(
          'give --from and --to (the database window), or --declarations and --outcomes',
        );
      trained = await trainModel(runtime.ctx, principal, {
        from: options.from,
        to: options.to,
        ...evaluateFrom,
        params,
      }).catch(named);
    }
    const card = trained.card as unknown as ModelCard;
    out(
      `model version ${trained.version} trained (draft): ${card.rows.train} controls learned from (${card.rows.trainPositives} with findings, ${card.rows.trainRandom} random), ${card.rows.earlyStopping} for early stopping, ${card.rows.heldBack} held back from ${card.window.evaluateFrom}`,
    );
    out(
      `${card.training.bestIteration} trees kept of ${card.training.roundsTrained}; most important: ${[
        ...card.features,
      ]
        .sort((a, b) => b.importance - a.importance)
        .slice(0, 5)
        .map((f) => `${f.name} ${f3(f.importance)}`)
        .join(', ')}`,
    );
    const e = card.evaluation;
    const figures = (label: string, f: RankingFigures | null) => {
      if (!f) return out(`${label}: none`);
      out(
        `${label}: ${f.rows} rows, ${f.positives} findings; precision ${(
          ['1', '2', '5', '10'] as const
        )
          .map((k) => `@${k}% ${f.precisionAt[k] === null ? '-' : f3(f.precisionAt[k])}`)
          .join(', ')}; AUC ${f.auc === null ? '-' : f3(f.auc)}`,
      );
    };
    if (e) {
      figures('held back, all controls (biased: chosen by the rules)', e.all);
      figures('held back, random sample (unbiased), model', e.random);
      figures('held back, random sample (unbiased), rules', e.rulesOnRandom);
    } else out('nothing held back: no figures');
    out(`submit and have a second analyst approve it: POST /api/models/${trained.version}/submit`);
    return trained;
  } finally {
    await closeTrainers();
    await runtime.close();
  }
}

/**
 * Examples from files: every declaration is read and validated (a bad one is reported with file,
 * location and field, and nothing is trained), screened with the rules in force now, and paired
 * with its recorded outcome by reference; the trader's record is the one the outcome row gives
 * (missing without it: the register's today would include later findings).
 */
async function examplesFromFiles(
  ctx: AppContext,
  files: string[],
  outcomesFile: string,
  out: (line: string) => void,
): Promise<TrainingExample[]> {
  const outcomes = readOutcomesFile(outcomesFile);
  const examples: TrainingExample[] = [];
  const seen = new Set<string>();
  let withoutOutcome = 0;
  const now = ctx.clock.now().toISOString();
  const summary = await forEachFileDeclaration(
    files,
    { progress: false, concurrency: 8, log: (l) => process.stderr.write(l + '\n') },
    async (d) => {
      const checked = validateDeclaration(d.input, now);
      if (!checked.ok)
        throw new DomainError(
          'invalid_input',
          'not a valid declaration',
          d.translateIssues(checked.issues),
        );
      const content = checked.value;
      const outcome = outcomes.get(content.reference);
      if (!outcome) {
        withoutOutcome++;
        return;
      }
      if (seen.has(content.reference))
        throw new DomainError('invalid_input', 'the reference appears twice', [
          { path: '/reference', reason: `${content.reference} appears twice in the files` },
        ]);
      seen.add(content.reference);
      const assessment = await screen(ctx.risk, ctx.storage.read, content, 0, content.submittedAt);
      examples.push({
        declaration: content,
        rules: { ...rulesFactsOf(assessment), trader: outcome.trader },
        rulesScore: assessment.score,
        finding: outcome.finding,
        random: outcome.random,
        randomShare: outcome.randomShare ?? ctx.risk.settings.randomShare,
        submittedAt: content.submittedAt,
      });
    },
  );
  if (summary.rejected > 0)
    throw new Error(
      `${summary.rejected} of ${summary.read} declarations could not be read (above): nothing trained`,
    );
  const unmatched = [...outcomes.keys()].filter((r) => !seen.has(r));
  out(
    `read ${summary.read} declarations: ${examples.length} with an outcome, ${withoutOutcome} without (left out); ` +
      `${unmatched.length} outcome rows name no declaration in the files` +
      (unmatched.length > 0 ? ` (first: ${unmatched[0]})` : ''),
  );
  return examples;
}
