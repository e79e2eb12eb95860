import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { DeclarationRecord } from '../core/ports.js';
import { compileIndicators, RiskEngine } from '../core/risk/engine.js';
import type { Indicator } from '../core/risk/indicator.js';
import { validateIndicator } from '../core/risk/validate-indicator.js';
import { assertMayEdit } from '../core/risk/workflow.js';
import { screeningTrader } from '../core/traders/certificate.js';
import type { AppContext } from './context.js';
import { BoundedWorkers, BudgetExceeded } from './bounded-worker.js';
import { draftingLists } from './manage-indicators.js';
import type { PreviewHit, PreviewJob, PreviewOutcome } from './preview-screening.js';

export type { PreviewHit } from './preview-screening.js';
import { traderProfile } from './risk.js';

export const PREVIEW_DEFAULTS = {
  limit: 500,
  days: 30,
  /** A condition hitting more than this share of the examined declarations is too broad (GREENLANE_PREVIEW_WARN_PERCENT). */
  warnShare: 0.5,
} as const;
export const PREVIEW_LIMITS = {
  maxLimit: 2000,
  maxDays: 366,
  maxHitsListed: 500,
  /** Default time a preview's screening may take, in its worker thread (GREENLANE_PREVIEW_BUDGET_MS). */
  budgetMs: 2000,
  /** Previews screening at once in this process (each in its own worker thread). */
  maxRunning: 2,
  /** Previews waiting for one of those to end (each at most its budget); beyond: 503. */
  maxWaiting: 4,
} as const;

let running = 0;
/** Previews waiting for a slot, first come first served. */
const waiting: Array<() => void> = [];

/**
 * Takes a slot, waiting at most `ms` for one; false when none came (or the queue is full). A
 * slot that ends is handed to the first waiting preview as it is, so `running` never exceeds
 * the limit.
 */
function acquire(ms: number): Promise<boolean> {
  if (running < PREVIEW_LIMITS.maxRunning) {
    running++;
    return Promise.resolve(true);
  }
  if (waiting.length >= PREVIEW_LIMITS.maxWaiting) return Promise.resolve(false);
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      const i = waiting.indexOf(wake);
      if (i >= 0) waiting.splice(i, 1);
      resolve(false);
    }, ms);
    waiting.push(wake);
  });
}
// One worker kept warm: a preview that answered in time leaves its worker for the next.
const previewWorkers = new BoundedWorkers(new URL('./preview-worker.js', import.meta.url));

export interface IndicatorPreview {
  /** The declarations screened: lodged in [from, to), newest first, at most `limit`. */
  window: { from: string; to: string; limit: number };
  examined: number;
  /** Declarations with at least one hit. */
  declarationsHit: number;
  /** declarationsHit / examined; null when nothing was examined. */
  hitRate: number | null;
  /** Goods items hit, in all. */
  itemsHit: number;
  /** The item hits, newest declaration first; at most `PREVIEW_LIMITS.maxHitsListed`. */
  hits: PreviewHit[];
  truncated: boolean;
  /**
   * The configured share of examined declarations above which the condition is too broad, and
   * whether this one is (hitRate > share): the console warns without knowing the setting.
   */
  broad: { share: number; exceeded: boolean };
}

/**
 * What-if for an indicator being drafted: validates it exactly as saving would (same issues,
 * compiled against the same lists) and screens the most recent stored declarations with an engine
 * holding only this indicator, in a worker thread within a time budget. Nothing is stored. Customs staff preview against their agency's
 * declarations; an environmental officer against the customs agency of their administration,
 * whose declarations the indicator would screen.
 */
export async function previewIndicator(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
  options: { limit?: number; days?: number } = {},
): Promise<IndicatorPreview> {
  assertMayEdit(principal);
  const limit = options.limit ?? PREVIEW_DEFAULTS.limit;
  const days = options.days ?? PREVIEW_DEFAULTS.days;
  const issues = [];
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= PREVIEW_LIMITS.maxLimit))
    issues.push({ path: 'querystring/limit', reason: `1 to ${PREVIEW_LIMITS.maxLimit}` });
  if (!(Number.isInteger(days) && days >= 1 && days <= PREVIEW_LIMITS.maxDays))
    issues.push({ path: 'querystring/days', reason: `1 to ${PREVIEW_LIMITS.maxDays}` });
  if (issues.length > 0) throw new DomainError('invalid_input', 'invalid preview window', issues);

  const read = ctx.storage.read;
  const lists = await draftingLists(read);
  const checked = validateIndicator(input, lists);
  if (!checked.ok)
    throw new DomainError('invalid_input', 'the indicator is not valid', checked.issues);
  const v = checked.value;
  const draft: Indicator = {
    id: 'preview',
    version: 1,
    title: v.title,
    priorityArea: v.priorityArea,
    condition: v.condition,
    weight: v.weight ?? 0,
    directChannel: v.directChannel ?? null,
    controlForm: v.controlForm,
    rationale: v.rationale,
    validFrom: v.validFrom ?? null,
    validTo: v.validTo ?? null,
    status: 'draft',
    ownerAgencyId: principal.agencyId,
  };
  // Only this indicator and no permit rules: the hits are the indicator's alone. This engine only
  // tells traderProfile whether permits matter; the screening runs in a worker thread.
  const engine = new RiskEngine(compileIndicators([draft], lists), null);

  const agencyId =
    principal.agencyKind === 'customs'
      ? principal.agencyId
      : (await read.identity.findCustomsAgency(principal.administrationId))?.id;
  const now = ctx.clock.now();
  const to = new Date(now.getTime() + 1).toISOString();
  const from = new Date(now.getTime() - days * 86_400_000).toISOString();
  const declarations: DeclarationRecord[] =
    agencyId === undefined ? [] : await read.declarations.list({ agencyId, from, to, limit });

  const job: PreviewJob = {
    draft,
    lists: [...lists.values()],
    settings: ctx.risk.settings,
    declarations: [],
    maxHitsListed: PREVIEW_LIMITS.maxHitsListed,
  };
  for (const d of declarations) {
    const profile = await traderProfile(read, d, engine);
    job.declarations.push({ declaration: d, trader: screeningTrader(d, profile) });
  }
  const { declarationsHit, itemsHit, hits } = await screenOffTheEventLoop(
    job,
    ctx.settings.previewBudgetMs ?? PREVIEW_LIMITS.budgetMs,
  );
  const hitRate = declarations.length === 0 ? null : declarationsHit / declarations.length;
  const share = ctx.settings.previewWarnShare ?? PREVIEW_DEFAULTS.warnShare;
  return {
    window: { from, to, limit },
    examined: declarations.length,
    declarationsHit,
    hitRate,
    itemsHit,
    hits,
    truncated: itemsHit > hits.length,
    broad: { share, exceeded: hitRate !== null && hitRate > share },
  };
}

/**
 * Screens in a worker thread within the budget: a condition that is slow on the stored
 * declarations delays no other request, and is stopped at the budget.
 */
async function screenOffTheEventLoop(job: PreviewJob, budgetMs: number): Promise<PreviewOutcome> {
  // An analyst's second preview (or an approver's) waits for a running one rather than fail.
  if (!(await acquire(budgetMs))) {
    throw new DomainError(
      'unavailable',
      `${PREVIEW_LIMITS.maxRunning} previews are running and ${PREVIEW_LIMITS.maxWaiting} waiting already; try again in a moment`,
      [],
      1,
    );
  }
  try {
    return await previewWorkers.run<PreviewOutcome>(job, budgetMs);
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    throw new DomainError(
      'unavailable',
      `the preview took longer than ${budgetMs} ms and was stopped: preview fewer declarations (a lower limit or fewer days) or a simpler condition`,
    );
  } finally {
    // The slot goes to the longest waiting preview, if any.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
