import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { DeclarationRecord } from '../core/ports.js';
import { assessDeclaration } from '../core/risk/assess.js';
import { compileIndicators, RiskEngine } from '../core/risk/engine.js';
import type { Indicator } from '../core/risk/indicator.js';
import { validateIndicator } from '../core/risk/validate-indicator.js';
import { assertMayEdit } from '../core/risk/workflow.js';
import { screeningTrader } from '../core/traders/certificate.js';
import type { AppContext } from './context.js';
import { draftingLists } from './manage-indicators.js';
import { traderProfile } from './risk.js';

export const PREVIEW_DEFAULTS = { limit: 500, days: 30 } as const;
export const PREVIEW_LIMITS = { maxLimit: 2000, maxDays: 366, maxHitsListed: 500 } as const;

/** One goods item the draft would hit. */
export interface PreviewHit {
  declarationId: string;
  reference: string;
  submittedAt: string;
  itemSequence: number;
  hsCode: string;
  /** Score the hit adds (0 when the indicator routes to a channel directly). */
  points: number;
  directChannel: 'yellow' | 'red' | null;
  reason: string;
}

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
}

/**
 * What-if for an indicator being drafted: validates it exactly as saving would (same issues,
 * compiled against the same lists) and screens the most recent stored declarations with an engine
 * holding only this indicator. Nothing is stored. Customs staff preview against their agency's
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
  // Only this indicator and no permit rules: the hits are the indicator's alone.
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

  const hits: PreviewHit[] = [];
  let declarationsHit = 0;
  let itemsHit = 0;
  for (const d of declarations) {
    const profile = await traderProfile(read, d, engine);
    const assessment = assessDeclaration(
      engine,
      d,
      screeningTrader(d, profile),
      ctx.risk.settings,
      0,
    );
    if (assessment.hits.length === 0) continue;
    declarationsHit++;
    itemsHit += assessment.hits.length;
    for (const h of assessment.hits) {
      if (hits.length >= PREVIEW_LIMITS.maxHitsListed) break;
      hits.push({
        declarationId: d.id,
        reference: d.reference,
        submittedAt: d.submittedAt,
        itemSequence: h.itemSequence,
        hsCode: h.hsCode,
        points: h.weight,
        directChannel: h.directChannel,
        reason: h.reason,
      });
    }
  }
  return {
    window: { from, to, limit },
    examined: declarations.length,
    declarationsHit,
    hitRate: declarations.length === 0 ? null : declarationsHit / declarations.length,
    itemsHit,
    hits,
    truncated: itemsHit > hits.length,
  };
}
