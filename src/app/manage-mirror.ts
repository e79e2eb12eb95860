import { parse } from 'csv-parse/sync';
import { assertAllowed } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import {
  reconcileMirror,
  type MirrorGapRow,
  type MirrorResult,
} from '../core/reconciliation/mirror.js';
import {
  mirrorInputOf,
  validateMirrorRecord,
  type StoredMirrorRecord,
} from '../core/reconciliation/mirror-record.js';
import type { AppContext } from './context.js';

/** Records one request may carry: a year of 5,000 HS6 × partner pairs, one side. */
export const MAX_MIRROR_RECORDS = 100_000;
/** The most records one comparison reads (both sides). */
export const MAX_COMPARED_RECORDS = 500_000;

/**
 * Records aggregate trade figures, all or nothing: one that is not valid refuses the batch with
 * every problem named, and nothing is written. A figure for a side, partner, HS6 and month already
 * held replaces it (a corrected month).
 */
export async function recordMirrorRecords(
  ctx: AppContext,
  principal: Principal,
  inputs: readonly unknown[],
  fieldOf: (index: number, path: string) => string = (i, path) => `/${i}${path}`,
): Promise<{ recorded: number }> {
  assertAllowed(principal, 'lodge', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  if (inputs.length === 0 || inputs.length > MAX_MIRROR_RECORDS)
    throw new DomainError('invalid_input', `send 1 to ${MAX_MIRROR_RECORDS} records`, [
      { path: '', reason: `${inputs.length} records` },
    ]);
  const issues: FieldIssue[] = [];
  const at = ctx.clock.now().toISOString();
  const stored: StoredMirrorRecord[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, i) => {
    const checked = validateMirrorRecord(input);
    if (!checked.ok) {
      for (const issue of checked.issues)
        if (issues.length < 100) issues.push({ ...issue, path: fieldOf(i, issue.path) });
      return;
    }
    const r = checked.value;
    const key = `${r.side}|${r.partner}|${r.hs6}|${r.month}`;
    if (seen.has(key)) {
      if (issues.length < 100)
        issues.push({
          path: fieldOf(i, '/month'),
          reason: 'this side, partner, HS6 and month came twice',
        });
      return;
    }
    seen.add(key);
    stored.push({
      ...r,
      administrationId: principal.administrationId,
      receivedAt: at,
      recordedBy: principal.userId,
    });
  });
  if (issues.length > 0)
    throw new DomainError('invalid_input', 'some records are not valid; none was recorded', issues);
  await ctx.storage.write(async (tx) => {
    await tx.mirror.upsertRecords(stored);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'trade-mirror.recorded',
      subjectType: 'trade-mirror',
      subjectId: [...new Set(stored.map((r) => r.partner))].slice(0, 20).join(','),
      details: { records: stored.length },
    });
  });
  return { recorded: stored.length };
}

const CSV_COLUMNS = ['side', 'partner', 'hs6', 'month', 'value', 'quantity', 'unit'];

/** Records from a CSV file with a header row naming the columns (quantity and unit optional). */
export function mirrorRecordsFromCsv(text: string): unknown[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    throw new DomainError('invalid_input', 'the file is not CSV', [
      { path: 'body', reason: e instanceof Error ? e.message : String(e) },
    ]);
  }
  const [header, ...body] = rows;
  const missing = ['side', 'partner', 'hs6', 'month', 'value'].filter((c) => !header?.includes(c));
  const unknown = (header ?? []).filter((h) => !CSV_COLUMNS.includes(h));
  if (!header || missing.length > 0 || unknown.length > 0)
    throw new DomainError('invalid_input', 'the header row does not name the record columns', [
      ...missing.map((c) => ({ path: 'row 1', reason: `missing column ${c}` })),
      ...unknown.map((c) => ({ path: 'row 1', reason: `unknown column ${c}` })),
    ]);
  return body.map((cells) => {
    const r: Record<string, unknown> = {};
    header.forEach((h, k) => {
      const v = cells[k] ?? '';
      if (v === '' && (h === 'quantity' || h === 'unit')) return;
      r[h] = h === 'value' || h === 'quantity' ? (v === '' ? v : Number(v)) : v;
    });
    return r;
  });
}

export interface MirrorQuery {
  /** Default: 11 months before `toMonth` (a year). */
  fromMonth?: string;
  /** Default: this month. */
  toMonth?: string;
  partner?: string;
  hs6?: string;
  lagMonths?: number;
  cifFactor?: number;
  minimumValue?: number;
  /** All rows, not only the flagged ones (at most `limit`). */
  all?: boolean;
  limit?: number;
}

export interface MirrorGaps extends Omit<MirrorResult, 'rows'> {
  records: number;
  rows: MirrorGapRow[];
  /** Rows before `all`/`limit` cut them, and how many carry a flag. */
  totalRows: number;
  flaggedRows: number;
}

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/** The partners' exports against our imports over a span of months. */
export async function mirrorGaps(
  ctx: AppContext,
  principal: Principal,
  q: MirrorQuery,
): Promise<MirrorGaps> {
  assertAllowed(principal, 'read', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  const toMonth = q.toMonth ?? ctx.clock.now().toISOString().slice(0, 7);
  const fromMonth =
    q.fromMonth ??
    (MONTH.test(toMonth)
      ? new Date(Date.UTC(Number(toMonth.slice(0, 4)), Number(toMonth.slice(5, 7)) - 12, 1))
          .toISOString()
          .slice(0, 7)
      : toMonth);
  for (const [field, v] of [
    ['fromMonth', fromMonth],
    ['toMonth', toMonth],
  ] as const)
    if (!MONTH.test(v))
      throw new DomainError('invalid_input', 'a month is YYYY-MM', [
        { path: `/querystring/${field}`, reason: 'YYYY-MM' },
      ]);
  if (toMonth < fromMonth)
    throw new DomainError('invalid_input', 'the span ends after it starts', [
      { path: '/querystring/toMonth', reason: 'not before fromMonth' },
    ]);
  const records = await ctx.storage.read.mirror.listRecords({
    administrationId: principal.administrationId,
    fromMonth,
    toMonth,
    ...(q.partner !== undefined ? { partner: q.partner } : {}),
    ...(q.hs6 !== undefined ? { hs6: q.hs6 } : {}),
    limit: MAX_COMPARED_RECORDS + 1,
  });
  if (records.length > MAX_COMPARED_RECORDS)
    throw new DomainError(
      'invalid_input',
      'too many records: ask for fewer months or one partner',
      [{ path: '/querystring/toMonth', reason: `more than ${MAX_COMPARED_RECORDS} records` }],
    );
  let result: MirrorResult;
  try {
    result = reconcileMirror(mirrorInputOf(records), {
      ...(q.lagMonths !== undefined ? { lagMonths: q.lagMonths } : {}),
      ...(q.cifFactor !== undefined ? { cifFactor: q.cifFactor } : {}),
      ...(q.minimumValue !== undefined ? { minimumValue: q.minimumValue } : {}),
    });
  } catch (e) {
    if (e instanceof DomainError)
      throw new DomainError(
        e.code,
        e.message,
        e.issues.map((i) => ({ ...i, path: `/querystring${i.path}` })),
      );
    throw e;
  }
  const flagged = result.rows.filter((r) => r.flags.length > 0);
  const chosen = q.all ? result.rows : flagged;
  return {
    ...result,
    records: records.length,
    totalRows: result.rows.length,
    flaggedRows: flagged.length,
    rows: chosen.slice(0, Math.min(q.limit ?? 1000, 5000)),
  };
}
