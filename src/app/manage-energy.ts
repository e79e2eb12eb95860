import { parse } from 'csv-parse/sync';
import { assertAllowed, can } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { EnergyReconciliation } from '../core/reconciliation/energy.js';
import {
  reconcileStored,
  validatePoint,
  validateReport,
  type EnergyPoint,
  type ReportInput,
  type StoredFlowReport,
} from '../core/reconciliation/energy-point.js';
import type { StoredMessage } from '../core/exchange/agreements.js';
import type { Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';
import { raiseCases, spanOf } from './energy-cases.js';
import { sendMessage } from './exchange.js';

/**
 * Energy transfer control: the administration's interconnection points, the figures reported for
 * them, and their reconciliation computed on demand from every figure held (core/reconciliation).
 */

/** Reports one request may carry (a month of quarter hours for 30 points, both directions). */
export const MAX_REPORTS_PER_REQUEST = 200_000;
/** The longest period one reconciliation covers, and the most reports it reads. */
export const MAX_RECONCILIATION_DAYS = 367;
export const MAX_RECONCILED_REPORTS = 1_000_000;

export async function definePoint(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
): Promise<EnergyPoint> {
  assertAllowed(principal, 'administer', 'energy-point', {
    administrationId: principal.administrationId,
  });
  const checked = validatePoint(input);
  if (!checked.ok)
    throw new DomainError(
      'invalid_input',
      'the interconnection point is not valid',
      checked.issues,
    );
  const at = ctx.clock.now().toISOString();
  const point: EnergyPoint = {
    ...checked.value,
    administrationId: principal.administrationId,
    createdAt: at,
    updatedAt: at,
    updatedBy: principal.userId,
    version: 1,
  };
  await ctx.storage.write(async (tx) => {
    if (!(await tx.energy.insertPoint(point)))
      throw new DomainError('conflict', `there is already a point ${point.id}`, [
        { path: '/id', reason: 'already used by another point' },
      ]);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'energy-point.defined',
      subjectType: 'energy-point',
      subjectId: point.id,
      details: { commodity: point.commodity, partner: point.partner },
    });
  });
  return point;
}

export async function updatePoint(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: unknown,
  expectedVersion: number,
): Promise<EnergyPoint> {
  const current = await getPoint(ctx, principal, id);
  assertAllowed(principal, 'administer', 'energy-point', current);
  const checked = validatePoint(input);
  if (!checked.ok)
    throw new DomainError(
      'invalid_input',
      'the interconnection point is not valid',
      checked.issues,
    );
  if (checked.value.id !== id)
    throw new DomainError('invalid_input', 'a point keeps its id', [
      { path: '/id', reason: `this is point ${id}` },
    ]);
  const at = ctx.clock.now().toISOString();
  const next: EnergyPoint = {
    ...checked.value,
    administrationId: current.administrationId,
    createdAt: current.createdAt,
    updatedAt: at,
    updatedBy: principal.userId,
    version: current.version + 1,
  };
  await ctx.storage.write(async (tx) => {
    if (!(await tx.energy.updatePoint(next, expectedVersion)))
      throw new DomainError(
        'conflict',
        `point ${id} is no longer at version ${expectedVersion}: read it again`,
      );
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'energy-point.updated',
      subjectType: 'energy-point',
      subjectId: id,
      details: { version: next.version },
    });
  });
  return next;
}

export async function getPoint(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<EnergyPoint> {
  const p = await ctx.storage.read.energy.findPoint(principal.administrationId, id);
  if (!p || !can(principal, 'read', 'energy-point', p))
    throw new DomainError('not_found', `no interconnection point ${id}`);
  return p;
}

export async function listPoints(ctx: AppContext, principal: Principal): Promise<EnergyPoint[]> {
  assertAllowed(principal, 'read', 'energy-point', {
    administrationId: principal.administrationId,
  });
  return ctx.storage.read.energy.listPoints(principal.administrationId);
}

export interface RecordedReports {
  received: number;
  recorded: number;
  /** Sent before under the same point, source and reference: left as first recorded. */
  alreadyRecorded: number;
  /** Reconciliation cases the new figures opened (discrepancies, bias, declarations off). */
  casesOpened: number;
}

/**
 * Records a batch of figures, all or nothing: one report that is not valid, or names a point the
 * administration does not have, refuses the batch with every problem named (`/i/field`), and
 * nothing is written. A report sent again under its reference is counted, not recorded twice.
 */
export async function recordReports(
  ctx: AppContext,
  principal: Principal,
  inputs: readonly unknown[],
  from: { messageId?: string; fieldOf?: (index: number, path: string) => string } = {},
): Promise<RecordedReports> {
  assertAllowed(principal, 'lodge', 'energy-flow', {
    administrationId: principal.administrationId,
  });
  if (inputs.length === 0)
    throw new DomainError('invalid_input', 'no reports', [
      { path: '', reason: 'send at least one report' },
    ]);
  if (inputs.length > MAX_REPORTS_PER_REQUEST)
    throw new DomainError('invalid_input', `at most ${MAX_REPORTS_PER_REQUEST} reports at a time`, [
      { path: '', reason: `${inputs.length} reports` },
    ]);
  const fieldOf = from.fieldOf ?? ((i: number, path: string) => `/${i}${path}`);
  const points = new Map(
    (await ctx.storage.read.energy.listPoints(principal.administrationId)).map((p) => [p.id, p]),
  );
  const issues: FieldIssue[] = [];
  const valid: ReportInput[] = [];
  inputs.forEach((input, i) => {
    const checked = validateReport(input);
    if (!checked.ok) {
      for (const issue of checked.issues)
        if (issues.length < 100) issues.push({ ...issue, path: fieldOf(i, issue.path) });
      return;
    }
    if (!points.has(checked.value.pointId)) {
      if (issues.length < 100)
        issues.push({
          path: fieldOf(i, '/pointId'),
          reason: `no interconnection point ${checked.value.pointId}`,
        });
      return;
    }
    valid.push(checked.value);
  });
  if (issues.length > 0)
    throw new DomainError(
      'invalid_input',
      `${inputs.length - valid.length} of ${inputs.length} reports are not valid; none was recorded`,
      issues,
    );
  const at = ctx.clock.now().toISOString();
  const stored: StoredFlowReport[] = valid.map((r) => ({
    id: r.id,
    source: r.source,
    pointId: r.pointId,
    direction: r.direction,
    // One spelling of each instant, so that periods order and compare as text.
    start: new Date(r.start).toISOString(),
    end: new Date(r.end).toISOString(),
    quantity: r.quantity,
    unit: r.unit,
    ...(r.provisional ? { provisional: true } : {}),
    administrationId: principal.administrationId,
    receivedAt: at,
    recordedBy: principal.userId,
    messageId: from.messageId ?? null,
  }));
  const recorded = await ctx.storage.write(async (tx) => {
    const n = await tx.energy.insertReports(stored);
    const opened = await raiseCasesFor(ctx, tx, points, stored, {
      actorId: principal.userId,
      agencyId: principal.agencyId,
    });
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'energy-flow.recorded',
      subjectType: 'energy-point',
      subjectId: [...new Set(stored.map((r) => r.pointId))].slice(0, 20).join(','),
      details: { received: stored.length, recorded: n, messageId: from.messageId ?? null },
    });
    return { n, opened };
  });
  return {
    received: stored.length,
    recorded: recorded.n,
    alreadyRecorded: stored.length - recorded.n,
    casesOpened: recorded.opened,
  };
}

/** Raises the cases of every point some new figures are for; answers how many were opened. */
export async function raiseCasesFor(
  ctx: AppContext,
  tx: Repositories,
  points: ReadonlyMap<string, EnergyPoint>,
  reports: readonly StoredFlowReport[],
  by: { actorId: string; agencyId: string },
): Promise<number> {
  const byPoint = new Map<string, StoredFlowReport[]>();
  for (const r of reports) {
    const list = byPoint.get(r.pointId);
    if (list) list.push(r);
    else byPoint.set(r.pointId, [r]);
  }
  let opened = 0;
  // Points in one order, so that two batches never wait for each other's locks.
  for (const [id, list] of [...byPoint].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const point = points.get(id);
    if (point) opened += (await raiseCases(ctx, tx, point, spanOf(list), by)).opened;
  }
  return opened;
}

const CSV_COLUMNS = [
  'id',
  'source',
  'pointId',
  'direction',
  'start',
  'end',
  'quantity',
  'unit',
  'provisional',
] as const;

/**
 * Reports from a CSV file with a header row naming the columns (any order; `provisional`
 * optional): each becomes a report, its problems named by row (the header is row 1) and column.
 */
export function reportsFromCsv(text: string): { reports: unknown[]; rowOf: (i: number) => number } {
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
    });
  } catch (e) {
    throw new DomainError('invalid_input', 'the file is not CSV', [
      { path: 'body', reason: e instanceof Error ? e.message : String(e) },
    ]);
  }
  const [header, ...body] = rows;
  if (!header)
    throw new DomainError('invalid_input', 'the file is empty', [
      { path: 'body', reason: 'a header row, then one row per report' },
    ]);
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  const missing = CSV_COLUMNS.filter((c) => c !== 'provisional' && !header.includes(c));
  if (unknown.length > 0 || missing.length > 0)
    throw new DomainError('invalid_input', 'the header row does not name the report columns', [
      ...unknown.map((h) => ({ path: 'row 1', reason: `unknown column ${h}` })),
      ...missing.map((c) => ({ path: 'row 1', reason: `missing column ${c}` })),
    ]);
  const reports = body.map((cells) => {
    const r: Record<string, unknown> = {};
    header.forEach((h, k) => {
      const v = cells[k] ?? '';
      if (h === 'quantity') r[h] = v === '' ? v : Number(v);
      else if (h === 'provisional') {
        if (v !== '')
          r[h] = v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v;
      } else r[h] = v;
    });
    return r;
  });
  return { reports, rowOf: (i) => i + 2 };
}

export interface PointReconciliation extends EnergyReconciliation {
  point: EnergyPoint;
  from: string;
  to: string;
  /** How many reports went in. */
  reports: number;
  summary: Record<string, number>;
}

/** The reconciliation of one point over [from, to), from every figure held for it. */
export async function reconcilePoint(
  ctx: AppContext,
  principal: Principal,
  id: string,
  period: { from?: string; to?: string },
): Promise<PointReconciliation> {
  const point = await getPoint(ctx, principal, id);
  assertAllowed(principal, 'read', 'energy-flow', point);
  // By default the last seven days.
  const to = period.to === undefined ? ctx.clock.now().getTime() : Date.parse(period.to);
  if (!Number.isFinite(to))
    throw new DomainError('invalid_input', 'not an instant', [
      { path: '/querystring/to', reason: 'an ISO 8601 instant' },
    ]);
  const from = period.from === undefined ? to - 7 * 86_400_000 : Date.parse(period.from);
  if (!Number.isFinite(from))
    throw new DomainError('invalid_input', 'not an instant', [
      { path: '/querystring/from', reason: 'an ISO 8601 instant' },
    ]);
  if (to <= from)
    throw new DomainError('invalid_input', 'a period runs from an instant to a later one', [
      { path: '/querystring/to', reason: 'after from' },
    ]);
  if (to - from > MAX_RECONCILIATION_DAYS * 86_400_000)
    throw new DomainError('invalid_input', `at most ${MAX_RECONCILIATION_DAYS} days at a time`, [
      { path: '/querystring/to', reason: 'too far after from' },
    ]);
  const reports = await ctx.storage.read.energy.listReports({
    administrationId: principal.administrationId,
    pointId: id,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    limit: MAX_RECONCILED_REPORTS + 1,
  });
  if (reports.length > MAX_RECONCILED_REPORTS)
    throw new DomainError(
      'invalid_input',
      'too many reports in the period: ask for a shorter one',
      [{ path: '/querystring/to', reason: `more than ${MAX_RECONCILED_REPORTS} reports` }],
    );
  const result = reconcileStored(point, reports);
  const summary: Record<string, number> = {};
  for (const p of result.pairs) summary[p.outcome] = (summary[p.outcome] ?? 0) + 1;
  return {
    ...result,
    point,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    reports: reports.length,
    summary,
  };
}

/** Figures one message carries (the body schema's bound; a month of hours for both directions). */
export const FIGURES_PER_MESSAGE = 3000;

/**
 * Sends our operator's meter readings of a point for a period to the partner administration as
 * signed `energy.report` messages (as many as the figures need), for it to reconcile with its
 * own: the same figures on both sides. The exchange's boundary checks the agreement, as for any
 * message; the principal must read the flows and send messages.
 */
export async function sendPointFigures(
  ctx: AppContext,
  principal: Principal,
  id: string,
  period: { from: string; to: string; note?: string },
): Promise<StoredMessage[]> {
  const point = await getPoint(ctx, principal, id);
  assertAllowed(principal, 'read', 'energy-flow', point);
  assertAllowed(principal, 'send', 'exchange-message');
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from)
    throw new DomainError('invalid_input', 'a period runs from an instant to a later one', [
      { path: '/to', reason: 'an instant after from' },
    ]);
  if (to - from > MAX_RECONCILIATION_DAYS * 86_400_000)
    throw new DomainError('invalid_input', `at most ${MAX_RECONCILIATION_DAYS} days at a time`, [
      { path: '/to', reason: 'too far after from' },
    ]);
  const reports = (
    await ctx.storage.read.energy.listReports({
      administrationId: principal.administrationId,
      pointId: id,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      limit: MAX_RECONCILED_REPORTS,
    })
  ).filter((r) => r.source === 'own-meter');
  if (reports.length === 0)
    throw new DomainError('conflict', `no meter readings of point ${id} in the period to send`);
  const sent: StoredMessage[] = [];
  for (let i = 0; i < reports.length; i += FIGURES_PER_MESSAGE) {
    const figures = reports.slice(i, i + FIGURES_PER_MESSAGE).map((r) => ({
      id: r.id,
      direction: r.direction,
      start: r.start,
      end: r.end,
      quantity: r.quantity,
      unit: r.unit,
      ...(r.provisional ? { provisional: true } : {}),
    }));
    sent.push(
      ...(await sendMessage(ctx, principal, {
        type: 'energy.report',
        body: {
          point: point.id,
          ...(point.partnerPointId ? { receiverPointId: point.partnerPointId } : {}),
          commodity: point.commodity,
          figures,
          ...(period.note ? { note: period.note } : {}),
        },
        sharing: 'shareable',
        to: [point.partner],
      })),
    );
  }
  return sent;
}
