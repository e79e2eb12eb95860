import { assertAllowed } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { Repositories } from '../core/ports.js';
import { CANONICAL_UNIT, periodOf } from '../core/reconciliation/energy.js';
import {
  comparisonOf,
  reconcileStored,
  type EnergyPoint,
  type StoredFlowReport,
} from '../core/reconciliation/energy-point.js';
import {
  ENERGY_CASE_KINDS,
  ENERGY_CASE_RESOLUTIONS,
  alertRecorded,
  decideCase,
  findingsOf,
  openCase,
  refreshCase,
  type CaseDecision,
  type EnergyCase,
  type EnergyCaseKind,
} from '../core/reconciliation/energy-case.js';
import type { AppContext } from './context.js';
import { sendMessage } from './exchange.js';

/**
 * Reconciliation cases: raised in the transaction that records new figures of a point (ours, the
 * declarants', or the partner's over the exchange), so a discrepancy is never acknowledged
 * without its case; worked by analysts; told to the partner as an alert when the analyst decides.
 */

/** Months one reconciliation window covers when cases are raised (a long file is cut in years). */
const WINDOW_MONTHS = 12;
/** Reports one window reads when raising cases. */
const WINDOW_REPORTS = 1_000_000;

export interface RaisedCases {
  opened: number;
  updated: number;
}

/**
 * Reconciles the months of a point that new figures fall in, [from, to) in ms, plus the month
 * before (the CUSUM's run-up), and opens a case for every finding not yet cased (refreshing the
 * open ones whose figures changed). Runs in the caller's transaction.
 */
export async function raiseCases(
  ctx: AppContext,
  tx: Repositories,
  point: EnergyPoint,
  range: { from: number; to: number },
  by: { actorId: string; agencyId: string },
): Promise<RaisedCases> {
  // One transaction at a time raises a point's cases, and reads the figures after the lock, so
  // concurrent batches for one month all end up in its case (none overwrites another's view).
  await tx.energy.lockPoint(point.administrationId, point.id);
  const comparison = comparisonOf(point);
  const at = ctx.clock.now().toISOString();
  const first = periodOf(comparison, 'P1M', range.from).start;
  let start = periodOf(comparison, 'P1M', first - 1).start;
  const end = periodOf(comparison, 'P1M', range.to - 1).end;
  const raised: RaisedCases = { opened: 0, updated: 0 };
  while (start < end) {
    let stop = start;
    for (let m = 0; m < WINDOW_MONTHS && stop < end; m++)
      stop = periodOf(comparison, 'P1M', stop).end;
    const reports = await tx.energy.listReports({
      administrationId: point.administrationId,
      pointId: point.id,
      from: new Date(start).toISOString(),
      to: new Date(stop).toISOString(),
      limit: WINDOW_REPORTS,
    });
    const r = await caseWindow(ctx, tx, point, reports, at, by);
    raised.opened += r.opened;
    raised.updated += r.updated;
    start = stop;
  }
  return raised;
}

async function caseWindow(
  ctx: AppContext,
  tx: Repositories,
  point: EnergyPoint,
  reports: StoredFlowReport[],
  at: string,
  by: { actorId: string; agencyId: string },
): Promise<RaisedCases> {
  if (reports.length === 0) return { opened: 0, updated: 0 };
  const findings = findingsOf(
    comparisonOf(point),
    reconcileStored(point, reports),
    CANONICAL_UNIT[point.commodity],
  );
  if (findings.length === 0) return { opened: 0, updated: 0 };
  const existing = new Map(
    (
      await tx.energy.findCasesByKey(
        point.administrationId,
        point.id,
        findings.map((f) => f.key),
      )
    ).map((c) => [c.key, c]),
  );
  const openBias = (
    await tx.energy.listCases({
      administrationId: point.administrationId,
      pointId: point.id,
      status: 'open',
      kind: 'bias',
      limit: 100,
    })
  ).filter((c) => !findings.some((f) => f.key === c.key));
  let opened = 0;
  let updated = 0;
  for (const f of findings) {
    const held = existing.get(f.key);
    if (held) {
      const next = refreshCase(held, f, at);
      if (
        next &&
        (await tx.energy.updateCase({ ...next, version: held.version + 1 }, held.version))
      )
        updated++;
      continue;
    }
    // A bias still being worked is the same bias, whatever month the CUSUM signals it again in.
    if (
      f.kind === 'bias' &&
      openBias.some((c) => c.direction === f.direction && c.bias?.higher === f.bias?.higher)
    )
      continue;
    const c = openCase(f, {
      id: ctx.ids.next(),
      administrationId: point.administrationId,
      pointId: point.id,
      partner: point.partner,
      at,
      by: by.actorId,
    });
    if (await tx.energy.insertCase(c)) {
      opened++;
      await tx.audit.append({
        at,
        agencyId: by.agencyId,
        actorId: by.actorId,
        action: 'energy-case.opened',
        subjectType: 'energy-case',
        subjectId: c.id,
        details: { pointId: point.id, kind: c.kind, month: c.month },
      });
    }
  }
  return { opened, updated };
}

/** The span in ms of some reports of one point, to raise its cases over. */
export function spanOf(reports: readonly { start: string; end: string }[]): {
  from: number;
  to: number;
} {
  let from = Infinity;
  let to = -Infinity;
  for (const r of reports) {
    from = Math.min(from, Date.parse(r.start));
    to = Math.max(to, Date.parse(r.end));
  }
  return { from, to };
}

export const MAX_CASES_LISTED = 500;

/** The administration's reconciliation cases, newest first. */
export async function listEnergyCases(
  ctx: AppContext,
  principal: Principal,
  f: { status?: string; pointId?: string; kind?: string; limit?: number },
): Promise<EnergyCase[]> {
  assertAllowed(principal, 'read', 'energy-case', {
    administrationId: principal.administrationId,
  });
  if (f.status !== undefined && f.status !== 'open' && f.status !== 'closed')
    throw new DomainError('invalid_input', 'status is open or closed', [
      { path: '/querystring/status', reason: 'open or closed' },
    ]);
  if (f.kind !== undefined && !(ENERGY_CASE_KINDS as readonly string[]).includes(f.kind))
    throw new DomainError('invalid_input', 'not a kind of case', [
      { path: '/querystring/kind', reason: ENERGY_CASE_KINDS.join(', ') },
    ]);
  return ctx.storage.read.energy.listCases({
    administrationId: principal.administrationId,
    ...(f.status ? { status: f.status } : {}),
    ...(f.pointId ? { pointId: f.pointId } : {}),
    ...(f.kind ? { kind: f.kind as EnergyCaseKind } : {}),
    limit: Math.min(Math.max(1, f.limit ?? 100), MAX_CASES_LISTED),
  });
}

/** One case; another administration's is not found. */
export async function getEnergyCase(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<EnergyCase> {
  const c = await ctx.storage.read.energy.findCase(principal.administrationId, id);
  if (!c) throw new DomainError('not_found', `no reconciliation case ${id}`);
  assertAllowed(principal, 'read', 'energy-case', c);
  return c;
}

/** Checks a decision as the API sends it. */
export function decisionOf(input: {
  action: string;
  resolution?: string;
  note?: string;
}): CaseDecision {
  const note = (input.note ?? '').trim();
  if (note.length === 0)
    throw new DomainError('invalid_input', 'say why', [
      { path: '/note', reason: 'a note for the case history' },
    ]);
  switch (input.action) {
    case 'close':
      if (
        input.resolution === undefined ||
        !(ENERGY_CASE_RESOLUTIONS as readonly string[]).includes(input.resolution)
      )
        throw new DomainError('invalid_input', 'closing a case needs a resolution', [
          { path: '/resolution', reason: ENERGY_CASE_RESOLUTIONS.join(', ') },
        ]);
      return {
        action: 'close',
        resolution: input.resolution as (typeof ENERGY_CASE_RESOLUTIONS)[number],
        note,
      };
    case 'reopen':
    case 'note':
      return { action: input.action, note };
    default:
      throw new DomainError('invalid_input', 'not a decision', [
        { path: '/action', reason: 'close, reopen or note' },
      ]);
  }
}

/** An analyst closes, reopens or annotates a case, at the version they read. */
export async function decideEnergyCase(
  ctx: AppContext,
  principal: Principal,
  id: string,
  decision: CaseDecision,
  expectedVersion: number,
): Promise<EnergyCase> {
  const c = await getEnergyCase(ctx, principal, id);
  assertAllowed(principal, 'decide', 'energy-case', c);
  if (c.version !== expectedVersion)
    throw new DomainError(
      'conflict',
      `case ${id} is at version ${c.version}, not ${expectedVersion}: reload it`,
    );
  const at = ctx.clock.now().toISOString();
  const next = decideCase(c, decision, at, principal.userId);
  await ctx.storage.write(async (tx) => {
    if (!(await tx.energy.updateCase(next, expectedVersion)))
      throw new DomainError('conflict', `case ${id} changed meanwhile: reload it`);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: `energy-case.${decision.action}`,
      subjectType: 'energy-case',
      subjectId: id,
      details: {
        note: decision.note,
        ...(decision.action === 'close' ? { resolution: decision.resolution } : {}),
      },
    });
  });
  return next;
}

/**
 * Tells the partner administration about a case as a signed alert (priority area energy): the
 * point, both sides' figures of the periods, the summary; the case records the message. The
 * exchange's boundary checks the agreement, as for any alert.
 */
export async function alertPartnerOfCase(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: { note?: string; expectedVersion: number },
): Promise<EnergyCase> {
  const c = await getEnergyCase(ctx, principal, id);
  assertAllowed(principal, 'decide', 'energy-case', c);
  if (c.version !== input.expectedVersion)
    throw new DomainError(
      'conflict',
      `case ${id} is at version ${c.version}, not ${input.expectedVersion}: reload it`,
    );
  const point = await ctx.storage.read.energy.findPoint(principal.administrationId, c.pointId);
  if (!point) throw new DomainError('not_found', `no interconnection point ${c.pointId}`);
  const unit = CANONICAL_UNIT[point.commodity];
  const lines = [
    `Interconnection point ${point.name} (ours ${point.id}${point.partnerPointId ? `, yours ${point.partnerPointId}` : ''}${point.eic ? `, EIC ${point.eic}` : ''}).`,
    `Finding: ${c.summary}.`,
    `Span: ${c.periodStart} to ${c.periodEnd} (${c.month}); direction as seen by us: ${c.direction}.`,
    ...(c.monthTotal
      ? [
          `Month total at the importer's meter: ours ${c.monthTotal.own} ${unit}, yours ${c.monthTotal.partner} ${unit}, difference ${c.monthTotal.difference} (tolerance ${c.monthTotal.tolerance}).`,
        ]
      : []),
    ...c.periods
      .slice(0, 30)
      .map(
        (p) =>
          `${p.start}/${p.end}: ours ${p.own ?? '-'} ${unit}, yours ${p.partner ?? '-'} ${unit}, difference ${p.difference ?? '-'} (tolerance ${p.tolerance ?? '-'})`,
      ),
    ...(c.periods.length > 30 ? [`… and ${c.periodCount - 30} more periods.`] : []),
    ...(input.note?.trim() ? [`Note: ${input.note.trim()}`] : []),
  ];
  const sent = await sendMessage(ctx, principal, {
    type: 'alert',
    body: {
      priorityArea: 'energy',
      summary: `Energy flow ${c.kind.replace('-', ' ')} at ${point.name}, ${c.month}`.slice(0, 300),
      details: lines.join('\n').slice(0, 5000),
      goods: [{ hsCode: point.hsCode, description: point.name.slice(0, 500) }],
      routes: [
        {
          mode: point.commodity === 'electricity' ? 'other' : 'pipeline',
          ...(c.direction === 'import'
            ? { from: point.partner, to: principal.administrationId }
            : { from: principal.administrationId, to: point.partner }),
        },
      ],
      conveyances: [],
    },
    sharing: 'shareable',
    to: [point.partner],
  });
  const at = ctx.clock.now().toISOString();
  let next = c;
  for (const m of sent) next = alertRecorded(next, m.id, at, principal.userId);
  next = { ...next, version: c.version + 1 };
  await ctx.storage.write(async (tx) => {
    if (!(await tx.energy.updateCase(next, c.version)))
      throw new DomainError('conflict', `case ${id} changed meanwhile: the alert went; reload it`);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'energy-case.alert-sent',
      subjectType: 'energy-case',
      subjectId: id,
      details: { messages: sent.map((m) => m.id), to: point.partner },
    });
  });
  return next;
}
