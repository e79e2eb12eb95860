import { assertAllowed, can, type Action } from '../core/auth/policy.js';
import type { EventKind } from '../core/events.js';
import { hasRole, type Principal } from '../core/auth/identity.js';
import {
  outcomeDelta,
  outcomeOf,
  validateInspection,
  type ControlStatus,
  type InspectionRecord,
  type SeizureRecord,
} from '../core/controls/inspection.js';
import { DomainError } from '../core/errors.js';
import type {
  DeclarationRecord,
  Referral,
  Repositories,
  WorklistEntry,
  WorklistFilter,
} from '../core/ports.js';
import { PRIORITY_AREAS } from '../core/risk/indicator.js';
import { traderParty } from '../core/traders/certificate.js';
import type { Channel, DeclarationKind } from '../core/declaration/declaration.js';
import { blockingPermitChecks, releasePermitChecks } from './manage-permits.js';
import { PERMIT_TITLES } from './views/declaration-view.js';
import { aName } from '../core/permits/permit-types.js';
import { officerPermitProblem } from './views/officer-explanation.js';
import {
  explainAssessment,
  type IndicatorWords,
  type OfficerExplanation,
} from './views/officer-explanation.js';
import type { AppContext } from './context.js';
import { iprReleaseBlock } from './manage-ipr.js';

export interface WorklistQuery {
  office?: string;
  trader?: string;
  indicatorId?: string;
  priorityArea?: string;
  assignedTo?: string;
  /** Only declarations lodged at least this many hours ago. */
  olderThanHours?: number;
  statuses?: ControlStatus[];
  limit?: number;
}

/** Yellow and red declarations of the principal's customs agency, highest score first, then oldest. */
export async function worklist(
  ctx: AppContext,
  principal: Principal,
  q: WorklistQuery,
): Promise<WorklistEntry[]> {
  assertAllowed(principal, 'read', 'control');
  if (
    q.priorityArea !== undefined &&
    !(PRIORITY_AREAS as readonly string[]).includes(q.priorityArea)
  ) {
    throw new DomainError('invalid_input', 'unknown priority area', [
      { path: 'querystring/priorityArea', reason: `one of ${PRIORITY_AREAS.join(', ')}` },
    ]);
  }
  const filter: WorklistFilter = {
    agencyId: principal.agencyId,
    statuses: q.statuses ?? ['awaiting-control', 'under-control', 'held'],
    limit: Math.min(q.limit ?? 100, 500),
    ...(q.office !== undefined ? { office: q.office } : {}),
    ...(q.trader !== undefined ? { trader: q.trader } : {}),
    ...(q.indicatorId !== undefined ? { indicatorId: q.indicatorId } : {}),
    ...(q.priorityArea !== undefined ? { priorityArea: q.priorityArea } : {}),
    ...(q.assignedTo !== undefined ? { assignedTo: q.assignedTo } : {}),
    ...(q.olderThanHours !== undefined
      ? {
          submittedBefore: new Date(
            ctx.clock.now().getTime() - q.olderThanHours * 3600_000,
          ).toISOString(),
        }
      : {}),
  };
  return ctx.storage.read.declarations.worklist(filter);
}

/** Assigns a declaration to an officer (a manager for anyone, an officer for themself). */
export async function assignDeclaration(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
  username: string,
): Promise<ControlView> {
  assertAllowed(principal, 'assign', 'control');
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    const d = await owned(tx, principal, declarationId, 'assign');
    const user = await tx.identity.findUserByUsername(username);
    if (!user || user.agencyId !== principal.agencyId || !user.roles.includes('border_officer')) {
      throw new DomainError('invalid_input', 'not an officer of this agency', [
        { path: '/officer', reason: `'${username}' is not a border officer of your agency` },
      ]);
    }
    if (user.id !== principal.userId && !hasRole(principal, 'manager')) {
      throw new DomainError(
        'forbidden',
        'officers take declarations for themselves; managers assign',
      );
    }
    const state = (await tx.declarations.status(declarationId))!;
    if (!OPEN.includes(state.status)) {
      throw new DomainError(
        'conflict',
        'a released, seized or cancelled declaration is not assigned',
      );
    }
    await tx.declarations.assign(declarationId, user.id);
    await tx.declarations.setStatus(declarationId, ['awaiting-control'], 'under-control');
    await audit(tx, principal, d.id, 'declaration.assigned', at, { officer: user.id });
  });
  return controlView(ctx, principal, declarationId);
}

/**
 * Records an inspection (append-only; a correction references the record it corrects) with any
 * seizures, and feeds the outcome back: controls and findings of every indicator version that hit
 * the declaration, the trader's record. Feedback applies the change in the declaration's outcome,
 * so a correction moves each counter once.
 */
export async function recordInspection(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
  input: unknown,
): Promise<ControlView> {
  assertAllowed(principal, 'inspect', 'control');
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    const d = await owned(tx, principal, declarationId, 'inspect');
    const checked = validateInspection(
      input,
      d.goodsItems.map((g) => g.sequence),
    );
    if (!checked.ok) {
      throw new DomainError('invalid_input', 'the inspection record is not valid', checked.issues);
    }
    const v = checked.value;
    const state = (await tx.declarations.status(declarationId))!;
    if (state.status === 'released') {
      throw new DomainError('conflict', 'the goods are released: record a correction only');
    }
    const before = await tx.controls.inspectionsOf(declarationId);
    if (v.corrects !== undefined && !before.some((r) => r.id === v.corrects)) {
      throw new DomainError('invalid_input', 'nothing to correct', [
        { path: '/corrects', reason: `no inspection ${v.corrects} of this declaration` },
      ]);
    }
    const record: InspectionRecord = {
      id: ctx.ids.next(),
      declarationId,
      agencyId: principal.agencyId,
      officerId: principal.userId,
      controlForm: v.controlForm,
      startedAt: new Date(v.startedAt).toISOString(),
      endedAt: new Date(v.endedAt).toISOString(),
      result: v.result,
      findings: v.findings,
      findingsText: v.findingsText,
      itemsAffected: v.itemsAffected,
      corrects: v.corrects ?? null,
      recordedAt: at,
    };
    await tx.controls.insertInspection(record);
    for (const s of v.seizures ?? []) {
      const item = d.goodsItems.find((g) => g.sequence === s.itemSequence)!;
      const seizure: SeizureRecord = {
        id: ctx.ids.next(),
        inspectionId: record.id,
        declarationId,
        itemSequence: s.itemSequence,
        hsCode: item.hsCode ?? '',
        species: s.species ?? item.species ?? null,
        quantity: s.quantity,
        unit: s.unit,
        estimatedValue: s.estimatedValue,
        currency: s.currency,
        storageLocation: s.storageLocation,
        legalBasis: s.legalBasis,
        recordedAt: at,
      };
      await tx.controls.insertSeizure(seizure);
      await audit(tx, principal, declarationId, 'declaration.seized', at, {
        inspection: record.id,
        item: s.itemSequence,
        hsCode: seizure.hsCode,
        quantity: s.quantity,
        unit: s.unit,
        estimatedValue: s.estimatedValue,
        currency: s.currency,
      });
    }
    const delta = outcomeDelta(outcomeOf(before), outcomeOf([...before, record]));
    const seized = (v.seizures ?? []).length > 0;
    await tx.declarations.setStatus(
      declarationId,
      seized
        ? ['lodged', 'awaiting-control', 'under-control', 'held', 'referred']
        : ['lodged', 'awaiting-control'],
      seized ? 'seized' : 'under-control',
    );
    await audit(tx, principal, declarationId, 'declaration.inspected', at, {
      inspection: record.id,
      controlForm: record.controlForm,
      result: record.result,
      findings: record.findings,
      corrects: record.corrects,
      feedback: delta,
    });
    // The feedback comes last: the trader's record is one row every inspection of that trader
    // updates, so its lock is held only from this update to the commit (with it earlier, 300
    // inspections at once on PostgreSQL queued past the statement timeout on a loaded machine).
    if (delta.controls !== 0 || delta.findings !== 0) {
      const versions = await tx.declarations.hitVersions(declarationId);
      if (versions.length > 0)
        await tx.indicatorStats.adjust(versions, delta.controls, delta.findings);
      const trader = traderParty(d).id;
      if (trader !== '') await tx.traderRecords.adjust(trader, delta.controls, delta.findings, at);
    }
  });
  ctx.risk.invalidate(); // trader records changed: scores of their next declarations follow
  return controlView(ctx, principal, declarationId);
}

/** Refers a declaration to another agency (e.g. the environmental agency for waste or CITES). */
export async function referDeclaration(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
  input: { agency: string; reason: string },
): Promise<ControlView> {
  assertAllowed(principal, 'refer', 'control');
  if (input.reason.trim() === '') {
    throw new DomainError('invalid_input', 'say what the other agency is asked', [
      { path: '/reason', reason: 'required: the question for the other agency' },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    await owned(tx, principal, declarationId, 'refer');
    const to =
      (await tx.identity.findAgency(input.agency)) ??
      (await tx.identity.findAgencyByCode(input.agency));
    if (
      !to ||
      to.kind === 'trader' ||
      to.administrationId !== principal.administrationId ||
      to.id === principal.agencyId
    ) {
      throw new DomainError('invalid_input', 'cannot refer to that agency', [
        {
          path: '/agency',
          reason: `'${input.agency}' is not another public agency of this administration`,
        },
      ]);
    }
    const referral: Referral = {
      id: ctx.ids.next(),
      declarationId,
      fromAgencyId: principal.agencyId,
      toAgencyId: to.id,
      reason: input.reason,
      referredBy: principal.userId,
      at,
    };
    await tx.controls.insertReferral(referral);
    if (
      !(await tx.declarations.setStatus(
        declarationId,
        ['lodged', 'awaiting-control', 'under-control', 'held'],
        'referred',
      ))
    ) {
      throw new DomainError('conflict', 'this declaration can no longer be referred');
    }
    await audit(tx, principal, declarationId, 'declaration.referred', at, {
      toAgencyId: to.id,
      reason: input.reason,
    });
  });
  return controlView(ctx, principal, declarationId);
}

/** Holds the goods (pending documents, a laboratory result, a decision). */
export async function holdDeclaration(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
  reason: string,
): Promise<ControlView> {
  assertAllowed(principal, 'hold', 'control');
  const why = reason.trim();
  if (why === '') {
    throw new DomainError('invalid_input', 'say why the goods are held', [
      { path: '/reason', reason: 'required: the reason the goods are held' },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    const d = await owned(tx, principal, declarationId, 'hold');
    if (d.kind === 'cargo-report') {
      throw new DomainError(
        'conflict',
        'an entry summary declaration is not held: hold the goods on their customs declaration',
      );
    }
    if (
      !(await tx.declarations.setStatus(
        declarationId,
        ['lodged', 'awaiting-control', 'under-control'],
        'held',
      ))
    ) {
      throw new DomainError('conflict', 'only goods awaiting release can be held');
    }
    await audit(tx, principal, declarationId, 'declaration.held', at, { reason: why });
  });
  return controlView(ctx, principal, declarationId);
}

/** What the principal may do next on a declaration's control, as the use cases would allow it. */
export const NEXT_ACTIONS = ['assign', 'inspect', 'correct', 'hold', 'refer', 'release'] as const;
export type NextAction = (typeof NEXT_ACTIONS)[number];

/** Statuses in which a control is still open. */
const OPEN: readonly ControlStatus[] = [
  'lodged',
  'awaiting-control',
  'under-control',
  'held',
  'referred',
];

export interface ControlView {
  declarationId: string;
  kind: DeclarationKind;
  channel: Channel | null;
  status: ControlStatus;
  assignedTo: string | null;
  releasedAt: string | null;
  inspections: InspectionRecord[];
  seizures: SeizureRecord[];
  referrals: Referral[];
  outcome: { controlled: boolean; finding: boolean };
  /** What the principal may do now (the routes refuse the rest). */
  nextActions: NextAction[];
  /** Why release is not among them, in words, when the principal could otherwise release. */
  releaseBlocked: string | null;
  /** Who has it, in words: a name and whether it is the principal. */
  assignee: { displayName: string; self: boolean } | null;
  /** Whom the principal may assign it to (themself for an officer; a manager, any officer). */
  assignees: Array<{ username: string; displayName: string; self: boolean }>;
  /** The public agencies it may be referred to. */
  referTo: Array<{ code: string; name: string; kind: string }>;
  /** The risk engine's explanation in words; null when it was not screened. */
  explanation: OfficerExplanation | null;
}

/** Status, records and what the principal may do next on a declaration's control. */
export async function controlView(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
): Promise<ControlView> {
  const read = ctx.storage.read;
  const d = await read.declarations.findById(declarationId);
  const referredHere =
    d !== undefined &&
    (await read.controls.referralsOf(declarationId)).some(
      (r) => r.toAgencyId === principal.agencyId,
    );
  // The agency a declaration was referred to follows its control too (a relation, not a field).
  if (
    !d ||
    (!can(principal, 'read', 'control', d) && !(referredHere && principal.agencyKind !== 'trader'))
  ) {
    throw new DomainError('not_found', `no declaration ${declarationId}`);
  }
  const state = (await read.declarations.status(declarationId))!;
  const inspections = await read.controls.inspectionsOf(declarationId);
  const outcome = outcomeOf(inspections);
  const entrySummary = d.kind === 'cargo-report';
  const open = OPEN.includes(state.status);
  const may = (action: Action) => can(principal, action, 'control', d);

  const referTo = may('refer')
    ? (await read.identity.listAgencies(principal.administrationId))
        .filter((a) => a.kind !== 'trader' && a.id !== principal.agencyId)
        .map((a) => ({ code: a.code, name: a.name, kind: a.kind }))
    : [];
  const assignees = may('assign')
    ? (await read.identity.listUsers(principal.agencyId))
        .filter(
          (u) =>
            !u.disabled &&
            u.roles.includes('border_officer') &&
            u.id !== state.assignedTo && // already theirs
            (u.id === principal.userId || hasRole(principal, 'manager')),
        )
        .map((u) => ({
          username: u.username,
          displayName: u.displayName,
          self: u.id === principal.userId,
        }))
    : [];
  // Mirrors the checks of the use cases below and releaseDeclaration; permits are checked on release.
  const releasable = ['lodged', 'awaiting-control', 'under-control', 'held'].includes(state.status);
  const needsControl = (d.channel === 'yellow' || d.channel === 'red') && !outcome.controlled;
  let releaseBlocked: string | null = null;
  let ipr: string | null;
  if (may('release') && releasable) {
    if (entrySummary)
      releaseBlocked =
        'An entry summary declaration is not released: the goods are released on their customs declaration.';
    else if ((ipr = await iprReleaseBlock(ctx, read, d)) !== null)
      releaseBlocked = `Not releasable while intellectual-property rights are in question: ${ipr}.`;
    else if (needsControl)
      releaseBlocked = `Record the control first: a ${d.channel} declaration is released only after a control.`;
    else {
      const rules = (await ctx.risk.engine()).permitRules;
      const blocking = blockingPermitChecks(await releasePermitChecks(read, d, rules));
      if (blocking.length > 0)
        releaseBlocked = `Not releasable until the permits are in order: ${blocking
          .map(
            (c) =>
              `item ${c.itemSequence} needs ${aName(PERMIT_TITLES[c.required] ?? 'permit')} (${officerPermitProblem(c) ?? 'not covered'})`,
          )
          .join('; ')}.`;
    }
  }
  const next: NextAction[] = [];
  if (open && assignees.length > 0) next.push('assign');
  if (open && !entrySummary && may('inspect')) next.push('inspect');
  if (state.status !== 'released' && !entrySummary && inspections.length > 0 && may('inspect'))
    next.push('correct');
  if (
    ['lodged', 'awaiting-control', 'under-control'].includes(state.status) &&
    !entrySummary &&
    may('hold')
  )
    next.push('hold');
  if (
    ['lodged', 'awaiting-control', 'under-control', 'held'].includes(state.status) &&
    referTo.length > 0
  )
    next.push('refer');
  if (may('release') && releasable && releaseBlocked === null) next.push('release');

  return {
    declarationId,
    kind: d.kind,
    channel: d.channel,
    status: state.status,
    assignedTo: state.assignedTo,
    releasedAt: state.releasedAt,
    inspections,
    seizures: await read.controls.seizuresOf(declarationId),
    referrals: await read.controls.referralsOf(declarationId),
    outcome,
    nextActions: next,
    releaseBlocked,
    assignee: state.assignedTo === null ? null : await assigneeOf(ctx, principal, state.assignedTo),
    assignees,
    referTo,
    explanation: d.assessment
      ? explainAssessment(d.assessment, await indicatorWords(ctx, d))
      : null,
  };
}

/** The officer a control is assigned to, named only within their own agency. */
async function assigneeOf(
  ctx: AppContext,
  principal: Principal,
  userId: string,
): Promise<{ displayName: string; self: boolean }> {
  const user = await ctx.storage.read.identity.findUserById(userId);
  const self = userId === principal.userId;
  return {
    displayName: user && user.agencyId === principal.agencyId ? user.displayName : 'an officer',
    self,
  };
}

/** Rationale and expected documents of each indicator version that hit. */
async function indicatorWords(
  ctx: AppContext,
  d: DeclarationRecord,
): Promise<Map<string, IndicatorWords>> {
  const out = new Map<string, IndicatorWords>();
  for (const h of d.assessment?.hits ?? []) {
    const key = `${h.indicatorId}@${h.indicatorVersion}`;
    if (out.has(key)) continue;
    const i = await ctx.storage.read.indicators.version(h.indicatorId, h.indicatorVersion);
    if (i) out.set(key, { rationale: i.rationale, expectedDocuments: i.expectedDocuments });
  }
  return out;
}

/** The declaration, if the principal may see its control (else it does not exist for them) and act. */
async function owned(
  tx: Repositories,
  principal: Principal,
  declarationId: string,
  action: Action,
): Promise<DeclarationRecord> {
  const d = await tx.declarations.findById(declarationId);
  if (!d || !can(principal, 'read', 'control', d)) {
    throw new DomainError('not_found', `no declaration ${declarationId}`);
  }
  assertAllowed(principal, action, 'control', d);
  return d;
}

function audit(
  tx: Repositories,
  principal: Principal,
  declarationId: string,
  action: EventKind,
  at: string,
  details: Record<string, unknown>,
): Promise<void> {
  return tx.audit.append({
    at,
    agencyId: principal.agencyId,
    actorId: principal.userId,
    action,
    subjectType: 'declaration',
    subjectId: declarationId,
    details,
  });
}
