/**
 * The learned risk model's life (issue 20): an analyst trains a version on the node's inspection
 * outcomes, reads its card, submits it; a second analyst approves it (never the one who trained
 * or submitted it) and it becomes the model screening uses, the previous active version
 * superseded; any version stays readable, and the drift of recent declarations' features from
 * the training rows, and of the model's predicted against observed finding rates, is shown.
 */
import type { Principal } from '../core/auth/identity.js';
import { assertAllowed } from '../core/auth/policy.js';
import { outcomeOf } from '../core/controls/inspection.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { EventKind } from '../core/events.js';
import { declarationFeatures, featureRowsTable } from '../core/model/declaration-features.js';
import { featureDrift, type FeatureDrift } from '../core/model/drift.js';
import type { TrainingParams } from '../core/model/model-schema.js';
import { loadRiskModel } from '../core/model/risk-model.js';
import type {
  TrainingExample,
  TrainingJob,
  TrainingReport,
} from '../core/model/train-risk-model.js';
import type {
  DeclarationRecord,
  Repositories,
  RiskModelStatus,
  RiskModelSummary,
  RiskModelTransitionFields,
} from '../core/ports.js';
import { rulesFactsOf } from '../core/risk/assess.js';
import { BoundedWorkers } from './bounded-worker.js';
import type { AppContext } from './context.js';

/** One training at a time per process, off the event loop. */
const trainers = new BoundedWorkers(new URL('./model-worker.js', import.meta.url));
let training = false;

/** Longest a training may take before its worker is stopped. */
export const TRAINING_BUDGET_MS = 10 * 60_000;
/** Controlled declarations a training reads at most. */
export const MAX_TRAINING_EXAMPLES = 200_000;

/** The parameters a request may set; the rest are GreenLane's (DECLARATION_PARAMS). */
export type TrainingParamsInput = Partial<
  Pick<
    TrainingParams,
    'rounds' | 'learningRate' | 'maxLeaves' | 'maxDepth' | 'minSamplesLeaf' | 'lambda' | 'seed'
  >
>;

export interface TrainModelInput {
  /** Lodging dates of the controlled declarations learned from: [from, to). */
  from: string;
  to: string;
  /** Start of the held-back period; default: where the latest fifth of the controls begins. */
  evaluateFrom?: string;
  params?: TrainingParamsInput;
  /** A randomly selected control's weight at most (default 50). */
  maxRandomWeight?: number;
}

/** The model card: the training report with who trained it on what. */
export interface ModelCard extends TrainingReport {
  window: { from: string; to: string; evaluateFrom: string };
  /** 'database', or the files the examples were read from. */
  source: string;
  trainedBy: string;
  administrationId: string;
}

/** The controlled declarations of the principal's administration lodged in [from, to). */
async function examplesOf(
  read: Repositories,
  principal: Principal,
  from: string,
  to: string,
): Promise<TrainingExample[]> {
  const agencies = new Set(
    (await read.identity.listAgencies(principal.administrationId)).map((a) => a.id),
  );
  const declarations = (await read.metrics.declarations(from, to)).filter((d) =>
    agencies.has(d.agencyId),
  );
  const records = await read.metrics.inspectionsOfDeclarations(declarations.map((d) => d.id));
  const byDeclaration = new Map<string, typeof records>();
  for (const r of records) {
    const list = byDeclaration.get(r.declarationId);
    if (list) list.push(r);
    else byDeclaration.set(r.declarationId, [r]);
  }
  const examples: TrainingExample[] = [];
  for (const d of declarations) {
    const outcome = outcomeOf(byDeclaration.get(d.id) ?? []);
    if (!outcome.controlled) continue;
    const full = await read.declarations.findById(d.id);
    if (!full?.assessment) continue;
    if (examples.length >= MAX_TRAINING_EXAMPLES)
      throw new DomainError(
        'invalid_input',
        `more than ${MAX_TRAINING_EXAMPLES} controlled declarations in the window: choose a shorter one`,
        [{ path: '/from', reason: 'the window holds too many controlled declarations' }],
      );
    examples.push({
      declaration: contentOf(full),
      rules: rulesFactsOf(full.assessment),
      rulesScore: full.assessment.score,
      finding: outcome.finding,
      random: d.randomSelected,
      randomShare: full.assessment.random.share,
      submittedAt: full.submittedAt,
    });
  }
  return examples;
}

/** The declaration without its assessment (read separately), to send to the training worker. */
function contentOf(d: DeclarationRecord): TrainingExample['declaration'] {
  const { assessment: _assessment, ...content } = d;
  return content;
}

function checkWindow(input: TrainModelInput): {
  from: string;
  to: string;
  evaluateFrom: string | null;
} {
  const errors: FieldIssue[] = [];
  const from = Date.parse(input.from);
  const to = Date.parse(input.to);
  if (!Number.isFinite(from)) errors.push({ path: '/from', reason: 'must be a date-time' });
  if (!Number.isFinite(to)) errors.push({ path: '/to', reason: 'must be a date-time' });
  if (errors.length === 0 && to <= from) errors.push({ path: '/to', reason: 'must be after from' });
  let evaluateFrom: number | null = null;
  if (input.evaluateFrom !== undefined) {
    evaluateFrom = Date.parse(input.evaluateFrom);
    if (!Number.isFinite(evaluateFrom) || evaluateFrom <= from || evaluateFrom >= to)
      errors.push({ path: '/evaluateFrom', reason: 'must lie strictly between from and to' });
  }
  if (errors.length > 0)
    throw new DomainError('invalid_input', 'the training window is not valid', errors);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    evaluateFrom: evaluateFrom === null ? null : new Date(evaluateFrom).toISOString(),
  };
}

/**
 * Trains a version on the outcomes of the window and stores it as a draft with its card. The
 * training runs on a worker thread, one at a time per process.
 */
export async function trainModel(
  ctx: AppContext,
  principal: Principal,
  input: TrainModelInput,
): Promise<RiskModelSummary> {
  assertAllowed(principal, 'author', 'risk-model');
  const window = checkWindow(input);
  return trainOnce(
    async () => ({
      examples: await examplesOf(ctx.storage.read, principal, window.from, window.to),
      window,
      source: 'database',
    }),
    ctx,
    principal,
    input,
  );
}

/**
 * Trains a version on examples read elsewhere (`greenlane model train --declarations`): each a
 * declaration with what the rules found when it is screened now and the recorded outcome.
 */
export async function trainModelOnExamples(
  ctx: AppContext,
  principal: Principal,
  examples: TrainingExample[],
  input: Omit<TrainModelInput, 'from' | 'to'> & { source: string },
): Promise<RiskModelSummary> {
  assertAllowed(principal, 'author', 'risk-model');
  if (examples.length === 0)
    throw new DomainError('invalid_input', 'no examples to learn from', [
      { path: '/examples', reason: 'no declaration with an outcome' },
    ]);
  const dates = examples.map((e) => e.submittedAt).sort();
  const to = new Date(Date.parse(dates.at(-1)!) + 1).toISOString();
  const window = checkWindow({
    from: dates[0]!,
    to,
    ...(input.evaluateFrom !== undefined ? { evaluateFrom: input.evaluateFrom } : {}),
  });
  return trainOnce(async () => ({ examples, window, source: input.source }), ctx, principal, input);
}

async function trainOnce(
  gather: () => Promise<{
    examples: TrainingExample[];
    window: { from: string; to: string; evaluateFrom: string | null };
    source: string;
  }>,
  ctx: AppContext,
  principal: Principal,
  input: Pick<TrainModelInput, 'params' | 'maxRandomWeight'>,
): Promise<RiskModelSummary> {
  if (training)
    throw new DomainError('conflict', 'a model is being trained: try again when it is done');
  training = true;
  try {
    const { examples, window, source } = await gather();
    const job: TrainingJob = {
      examples,
      evaluateFrom: window.evaluateFrom,
      params: input.params ?? {},
      maxRandomWeight: input.maxRandomWeight ?? 50,
    };
    const answer = await trainers
      .run<{ file: Record<string, unknown>; report: TrainingReport } | { refused: string }>(
        job,
        TRAINING_BUDGET_MS,
      )
      .catch((e: unknown) => {
        throw new DomainError(
          'unavailable',
          `training stopped: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
    if ('refused' in answer)
      throw new DomainError('invalid_input', answer.refused, [
        { path: '/from', reason: answer.refused },
      ]);
    const at = ctx.clock.now().toISOString();
    const card: ModelCard = {
      ...answer.report,
      window: { from: window.from, to: window.to, evaluateFrom: answer.report.evaluateFrom },
      source,
      trainedBy: principal.userId,
      administrationId: principal.administrationId,
    };
    return await ctx.storage.write(async (tx) => {
      const version = await tx.riskModels.nextVersion(principal.administrationId);
      const summary: RiskModelSummary = {
        administrationId: principal.administrationId,
        version,
        status: 'draft',
        trainedBy: principal.userId,
        trainedByAgencyId: principal.agencyId,
        trainedAt: at,
        submittedBy: null,
        submittedAt: null,
        decidedBy: null,
        decidedAt: null,
        decisionNote: null,
        activatedAt: null,
        endedAt: null,
        card: card as unknown as Record<string, unknown>,
      };
      await tx.riskModels.insert({ ...summary, model: answer.file });
      await audit(tx, principal, version, 'risk-model.trained', at, {
        window: card.window,
        source,
        rows: card.rows,
        bestIteration: card.training.bestIteration,
      });
      return summary;
    });
  } finally {
    training = false;
  }
}

export interface ModelStepInput {
  note?: string;
}

async function step(
  ctx: AppContext,
  principal: Principal,
  version: number,
  work: (tx: Repositories, model: RiskModelSummary, at: string) => Promise<RiskModelSummary>,
): Promise<RiskModelSummary> {
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const model = await tx.riskModels.find(principal.administrationId, version);
    if (!model) throw new DomainError('not_found', `no model version ${version}`);
    const { model: _trees, ...summary } = model;
    return work(tx, summary, at);
  });
}

async function move(
  tx: Repositories,
  m: RiskModelSummary,
  from: RiskModelStatus,
  to: RiskModelStatus,
  fields: RiskModelTransitionFields,
): Promise<RiskModelSummary> {
  if (!(await tx.riskModels.transition(m.administrationId, m.version, from, to, fields)))
    throw new DomainError('conflict', `model version ${m.version} changed meanwhile: reload`);
  return { ...m, ...fields, status: to };
}

function assertStatus(m: RiskModelSummary, allowed: RiskModelStatus[], what: string): void {
  if (!allowed.includes(m.status))
    throw new DomainError(
      'conflict',
      `model version ${m.version} is ${m.status}: only a ${allowed.join(' or ')} version can be ${what}`,
    );
}

/** draft → awaiting-approval. */
export async function submitModel(
  ctx: AppContext,
  principal: Principal,
  version: number,
  input: ModelStepInput = {},
): Promise<RiskModelSummary> {
  assertAllowed(principal, 'author', 'risk-model');
  return step(ctx, principal, version, async (tx, m, at) => {
    assertStatus(m, ['draft'], 'submitted');
    const next = await move(tx, m, 'draft', 'awaiting-approval', {
      submittedBy: principal.userId,
      submittedAt: at,
    });
    await audit(tx, principal, version, 'risk-model.submitted', at, { note: input.note ?? '' });
    return next;
  });
}

/**
 * awaiting-approval → active, by someone who neither trained nor submitted it; the active
 * version, if any, is superseded in the same transaction.
 */
export async function approveModel(
  ctx: AppContext,
  principal: Principal,
  version: number,
  input: ModelStepInput = {},
): Promise<RiskModelSummary> {
  assertAllowed(principal, 'approve', 'risk-model');
  const result = await step(ctx, principal, version, async (tx, m, at) => {
    assertStatus(m, ['awaiting-approval'], 'approved');
    if (m.trainedBy === principal.userId || m.submittedBy === principal.userId)
      throw new DomainError(
        'forbidden',
        'four eyes: a second analyst approves a model, not the one who trained or submitted it',
      );
    // The model must load here as it will at screening.
    const full = (await tx.riskModels.find(m.administrationId, version))!;
    try {
      loadRiskModel(version, full.model);
    } catch (e) {
      throw new DomainError('conflict', `model version ${version} cannot be used: ${String(e)}`);
    }
    const previous =
      (await tx.riskModels.listActive()).find((a) => a.administrationId === m.administrationId)
        ?.version ?? null;
    if (
      previous !== null &&
      !(await tx.riskModels.transition(m.administrationId, previous, 'active', 'superseded', {
        endedAt: at,
      }))
    )
      throw new DomainError('conflict', 'the active model changed meanwhile: reload');
    const next = await move(tx, m, 'awaiting-approval', 'active', {
      decidedBy: principal.userId,
      decidedAt: at,
      decisionNote: input.note ?? null,
      activatedAt: at,
    });
    await audit(tx, principal, version, 'risk-model.approved', at, {
      note: input.note ?? '',
      trainedBy: m.trainedBy,
    });
    await audit(tx, principal, version, 'risk-model.activated', at, { superseded: previous });
    return next;
  });
  ctx.risk.invalidate();
  return result;
}

/** awaiting-approval → rejected, with the reason. */
export async function rejectModel(
  ctx: AppContext,
  principal: Principal,
  version: number,
  input: ModelStepInput,
): Promise<RiskModelSummary> {
  assertAllowed(principal, 'approve', 'risk-model');
  const note = requireNote(input);
  return step(ctx, principal, version, async (tx, m, at) => {
    assertStatus(m, ['awaiting-approval'], 'rejected');
    const next = await move(tx, m, 'awaiting-approval', 'rejected', {
      decidedBy: principal.userId,
      decidedAt: at,
      decisionNote: note,
    });
    await audit(tx, principal, version, 'risk-model.rejected', at, { note });
    return next;
  });
}

/** active → retired: screening goes on with the rules alone. */
export async function retireModel(
  ctx: AppContext,
  principal: Principal,
  version: number,
  input: ModelStepInput,
): Promise<RiskModelSummary> {
  assertAllowed(principal, 'approve', 'risk-model');
  const note = requireNote(input);
  const result = await step(ctx, principal, version, async (tx, m, at) => {
    assertStatus(m, ['active'], 'retired');
    const next = await move(tx, m, 'active', 'retired', { endedAt: at, decisionNote: note });
    await audit(tx, principal, version, 'risk-model.retired', at, { note });
    return next;
  });
  ctx.risk.invalidate();
  return result;
}

function requireNote(input: ModelStepInput): string {
  const note = input.note?.trim() ?? '';
  if (note === '')
    throw new DomainError('invalid_input', 'say why', [{ path: '/note', reason: 'say why' }]);
  return note;
}

export async function listModels(
  ctx: AppContext,
  principal: Principal,
): Promise<RiskModelSummary[]> {
  assertAllowed(principal, 'read', 'risk-model');
  return ctx.storage.read.riskModels.list(principal.administrationId);
}

export async function getModel(
  ctx: AppContext,
  principal: Principal,
  version: number,
): Promise<RiskModelSummary> {
  assertAllowed(principal, 'read', 'risk-model');
  const m = await ctx.storage.read.riskModels.find(principal.administrationId, version);
  if (!m) throw new DomainError('not_found', `no model version ${version}`);
  const { model: _trees, ...summary } = m;
  return summary;
}

export interface ModelDrift {
  version: number;
  window: { from: string; to: string };
  /** Declarations lodged in the window with a stored assessment. */
  declarations: number;
  /** Population stability of every feature against the training rows. */
  features: FeatureDrift[];
  /**
   * Declarations screened with this version and controlled: the mean probability it gave them
   * against the share where the control found something, by month.
   */
  outcomes: Array<{
    month: string;
    controlled: number;
    findings: number;
    meanProbability: number;
    findingRate: number;
  }>;
}

/** Drift of recent declarations from a version's training rows, and its outcomes since. */
export async function modelDrift(
  ctx: AppContext,
  principal: Principal,
  version: number,
  q: { from: string; to: string },
): Promise<ModelDrift> {
  assertAllowed(principal, 'read', 'risk-model');
  const window = checkWindow({ from: q.from, to: q.to });
  const read = ctx.storage.read;
  const record = await read.riskModels.find(principal.administrationId, version);
  if (!record) throw new DomainError('not_found', `no model version ${version}`);
  const m = loadRiskModel(version, record.model);
  const agencies = new Set(
    (await read.identity.listAgencies(principal.administrationId)).map((a) => a.id),
  );
  const declarations = (await read.metrics.declarations(window.from, window.to))
    .filter((d) => agencies.has(d.agencyId))
    .slice(0, 20_000);
  const records = await read.metrics.inspectionsOfDeclarations(declarations.map((d) => d.id));
  const rows = [];
  const byMonth = new Map<string, { controlled: number; findings: number; p: number }>();
  for (const d of declarations) {
    const full = await read.declarations.findById(d.id);
    if (!full?.assessment) continue;
    rows.push(
      declarationFeatures(contentOf(full), rulesFactsOf(full.assessment), m.file.statistics),
    );
    const scored = full.assessment.model;
    if (!scored || scored.version !== version) continue;
    const outcome = outcomeOf(records.filter((r) => r.declarationId === d.id));
    if (!outcome.controlled) continue;
    const month = full.submittedAt.slice(0, 7);
    const b = byMonth.get(month) ?? { controlled: 0, findings: 0, p: 0 };
    b.controlled++;
    if (outcome.finding) b.findings++;
    b.p += scored.probability;
    byMonth.set(month, b);
  }
  return {
    version,
    window: { from: window.from, to: window.to },
    declarations: rows.length,
    features:
      rows.length === 0
        ? []
        : featureDrift(m.file.model.features, m.file.trainingShares, featureRowsTable(rows)),
    outcomes: [...byMonth.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, b]) => ({
        month,
        controlled: b.controlled,
        findings: b.findings,
        meanProbability: b.p / b.controlled,
        findingRate: b.findings / b.controlled,
      })),
  };
}

function audit(
  tx: Repositories,
  principal: Principal,
  version: number,
  action: EventKind,
  at: string,
  details: Record<string, unknown>,
): Promise<void> {
  return tx.audit.append({
    at,
    agencyId: principal.agencyId,
    actorId: principal.userId,
    action,
    subjectType: 'risk-model',
    subjectId: `${principal.administrationId}/${version}`,
    details,
  });
}

/** Stops the idle training worker (tests, shutdown). */
export function closeTrainers(): Promise<void> {
  return trainers.close();
}
