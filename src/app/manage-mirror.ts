import { parse } from 'csv-parse/sync';
import { assertAllowed } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError, type Checked, type FieldIssue } from '../core/errors.js';
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
import { CONTROL_STATUSES, type ControlStatus } from '../core/controls/inspection.js';
import { rateTableInfo, type RateTable, type RateTableInfo } from '../core/currency-rates.js';
import type { DeclaredImportItem } from '../core/ports.js';
import {
  tariffLookup,
  validateTariffRate,
  type StoredTariffRate,
} from '../core/reconciliation/tariff-schedule.js';
import type { AppContext } from './context.js';
import { sendMessage } from './exchange.js';
import type { StoredMessage } from '../core/exchange/agreements.js';
import { NODE_ID_PATTERN } from '../core/exchange/ports.js';
import { readRateTable } from './currency-rates.js';

/** Records one request may carry: a year of 5,000 HS6 × partner pairs, one side. */
export const MAX_MIRROR_RECORDS = 100_000;
/** The most records one comparison reads (both sides). */
export const MAX_COMPARED_RECORDS = 500_000;

/**
 * A batch checked item by item: the valid values, and every problem (at most 100) at its item's
 * field, an item whose key came before being one.
 */
function checkedBatch<T>(
  inputs: readonly unknown[],
  validate: (input: unknown) => Checked<T>,
  keyOf: (value: T) => string,
  twice: { path: string; reason: string },
  fieldOf: (index: number, path: string) => string,
): { values: T[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const values: T[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, i) => {
    const checked = validate(input);
    if (!checked.ok) {
      for (const issue of checked.issues)
        if (issues.length < 100) issues.push({ ...issue, path: fieldOf(i, issue.path) });
      return;
    }
    const key = keyOf(checked.value);
    if (seen.has(key)) {
      if (issues.length < 100) issues.push({ path: fieldOf(i, twice.path), reason: twice.reason });
      return;
    }
    seen.add(key);
    values.push(checked.value);
  });
  return { values, issues };
}

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
  const at = ctx.clock.now().toISOString();
  const { values, issues } = checkedBatch(
    inputs,
    validateMirrorRecord,
    (r) => `${r.side}|${r.partner}|${r.hs6}|${r.month}`,
    { path: '/month', reason: 'this side, partner, HS6 and month came twice' },
    fieldOf,
  );
  const stored: StoredMirrorRecord[] = values.map((r) => ({
    ...r,
    administrationId: principal.administrationId,
    receivedAt: at,
    recordedBy: principal.userId,
  }));
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

/** Records one `trade.exports` message carries. */
export const RECORDS_PER_MESSAGE = 5000;

/**
 * Sends our exports to a partner administration's country (our `own-export` figures of the
 * months) as signed `trade.exports` messages, for its mirror comparison with its imports. The
 * exchange's boundary checks the agreement, as for any message.
 */
export async function sendMirrorExports(
  ctx: AppContext,
  principal: Principal,
  input: { to: string; fromMonth?: string; toMonth?: string; note?: string },
): Promise<StoredMessage[]> {
  assertAllowed(principal, 'read', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  if (!NODE_ID_PATTERN.test(input.to))
    throw new DomainError('invalid_input', 'name the partner administration', [
      { path: '/to', reason: 'a node id such as KZ/KGD' },
    ]);
  const { fromMonth, toMonth } = monthSpan(ctx, input);
  const records = (
    await ctx.storage.read.mirror.listRecords({
      administrationId: principal.administrationId,
      fromMonth,
      toMonth,
      partner: input.to.slice(0, 2),
      limit: MAX_COMPARED_RECORDS,
    })
  ).filter((r) => r.side === 'own-export');
  if (records.length === 0)
    throw new DomainError(
      'conflict',
      `no export figures to ${input.to.slice(0, 2)} in ${fromMonth}..${toMonth} to send`,
    );
  const table = ctx.settings.exchangeRates ?? (await readRateTable());
  const sent: StoredMessage[] = [];
  for (let i = 0; i < records.length; i += RECORDS_PER_MESSAGE) {
    sent.push(
      ...(await sendMessage(ctx, principal, {
        type: 'trade.exports',
        body: {
          currency: table.currency,
          records: records.slice(i, i + RECORDS_PER_MESSAGE).map((r) => ({
            hs6: r.hs6,
            month: r.month,
            value: r.value,
            ...(r.quantity !== undefined && r.quantity !== null ? { quantity: r.quantity } : {}),
            ...(r.unit !== undefined && r.unit !== null ? { unit: r.unit } : {}),
          })),
          ...(input.note ? { note: input.note } : {}),
        },
        sharing: 'shareable',
        to: [input.to],
      })),
    );
  }
  return sent;
}

/** Duty rates one request may carry (a national tariff has some 15,000 lines). */
export const MAX_TARIFF_RATES = 30_000;

/**
 * Records import duty rates, all or nothing (a bad one refuses the batch, every problem named);
 * a rate for an HS code already held replaces it.
 */
export async function recordTariffs(
  ctx: AppContext,
  principal: Principal,
  inputs: readonly unknown[],
  fieldOf: (index: number, path: string) => string = (i, path) => `/${i}${path}`,
): Promise<{ recorded: number }> {
  assertAllowed(principal, 'lodge', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  if (inputs.length === 0 || inputs.length > MAX_TARIFF_RATES)
    throw new DomainError('invalid_input', `send 1 to ${MAX_TARIFF_RATES} rates`, [
      { path: '', reason: `${inputs.length} rates` },
    ]);
  const at = ctx.clock.now().toISOString();
  const { values, issues } = checkedBatch(
    inputs,
    validateTariffRate,
    (r) => r.hsCode,
    { path: '/hsCode', reason: 'this HS code came twice' },
    fieldOf,
  );
  const stored: StoredTariffRate[] = values.map((r) => ({
    ...r,
    administrationId: principal.administrationId,
    recordedAt: at,
    recordedBy: principal.userId,
  }));
  if (issues.length > 0)
    throw new DomainError('invalid_input', 'some rates are not valid; none was recorded', issues);
  await ctx.storage.write(async (tx) => {
    await tx.mirror.upsertTariffs(stored);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'trade-mirror.recorded',
      subjectType: 'trade-mirror',
      subjectId: 'tariffs',
      details: { tariffRates: stored.length },
    });
  });
  return { recorded: stored.length };
}

/** The administration's duty rates. */
export async function listTariffs(
  ctx: AppContext,
  principal: Principal,
): Promise<StoredTariffRate[]> {
  assertAllowed(principal, 'read', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  return ctx.storage.read.mirror.listTariffs(principal.administrationId);
}

/** Rates from a CSV file with a header row `hsCode,rate` (rate as a fraction: 0.12 for 12 %). */
export function tariffsFromCsv(text: string): unknown[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    throw new DomainError('invalid_input', 'the file is not CSV', [
      { path: 'body', reason: e instanceof Error ? e.message : String(e) },
    ]);
  }
  const [header, ...body] = rows;
  const missing = ['hsCode', 'rate'].filter((c) => !header?.includes(c));
  const unknown = (header ?? []).filter((h) => h !== 'hsCode' && h !== 'rate');
  if (!header || missing.length > 0 || unknown.length > 0)
    throw new DomainError('invalid_input', 'the header row names hsCode and rate', [
      ...missing.map((c) => ({ path: 'row 1', reason: `missing column ${c}` })),
      ...unknown.map((c) => ({ path: 'row 1', reason: `unknown column ${c}` })),
    ]);
  return body.map((cells) => {
    const r: Record<string, unknown> = {};
    header.forEach((h, k) => {
      const v = cells[k] ?? '';
      r[h] = h === 'rate' && v !== '' ? Number(v) : v;
    });
    return r;
  });
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
  /** Figures compared (both sides). */
  records: number;
  /** Partners with our import figures but no export figures of theirs in the span: not compared. */
  partnersWithoutExports: string[];
  rows: MirrorGapRow[];
  /** Rows before `all`/`limit` cut them, and how many carry a flag. */
  totalRows: number;
  flaggedRows: number;
}

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
/** Longest span whose own imports one refresh recomputes. */
export const MAX_REFRESH_MONTHS = 36;

const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;

/**
 * The months asked for, checked: by default the year up to this month; a problem names the
 * query field.
 */
function monthSpan(
  ctx: AppContext,
  q: { fromMonth?: string; toMonth?: string },
): { fromMonth: string; toMonth: string } {
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
  return { fromMonth, toMonth };
}

/** The partners' exports against our imports over a span of months. */
export async function mirrorGaps(
  ctx: AppContext,
  principal: Principal,
  q: MirrorQuery,
): Promise<MirrorGaps> {
  assertAllowed(principal, 'read', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  const { fromMonth, toMonth } = monthSpan(ctx, q);
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
  // A partner that sent no export figures for the span is not compared: every one of its rows
  // would read "missing export". It is named instead.
  const reporting = new Set(
    records.filter((r) => r.side === 'partner-export').map((r) => r.partner),
  );
  const compared = records.filter((r) => reporting.has(r.partner));
  const partnersWithoutExports = [
    ...new Set(records.filter((r) => !reporting.has(r.partner)).map((r) => r.partner)),
  ].sort();
  let result: MirrorResult;
  try {
    const tariffRate = tariffLookup(
      await ctx.storage.read.mirror.listTariffs(principal.administrationId),
    );
    result = reconcileMirror(mirrorInputOf(compared), {
      tariffRate,
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
    records: compared.length,
    partnersWithoutExports,
    totalRows: result.rows.length,
    flaggedRows: flagged.length,
    rows: chosen.slice(0, Math.min(q.limit ?? 1000, 5000)),
  };
}

/**
 * The import declarations the mirror counts as our imports: every one lodged and accepted, under
 * control or released, but not those invalidated (cancelled) before release.
 */
export const DECLARED_STATUSES: readonly ControlStatus[] = CONTROL_STATUSES.filter(
  (s) => s !== 'cancelled',
);

/** Units of `currency` one unit of the table's currency buys; undefined without a rate. */
export function rateOf(table: RateTable, currency: string | null): number | undefined {
  if (currency === null) return undefined;
  if (currency === table.currency) return 1;
  return Object.hasOwn(table.rates, currency) ? table.rates[currency] : undefined;
}

const cents = (n: number) => Math.round(n * 100) / 100;

export interface OwnImportsRefresh {
  fromMonth: string;
  toMonth: string;
  /** The currency the figures are in, and the rate table that converted them. */
  rates: RateTableInfo;
  /** Goods items summed, and the HS6 × partner × month figures they gave. */
  items: number;
  records: number;
  /** Own-import figures of the span held before and replaced. */
  replaced: number;
  /** Items left out: in a currency without a rate (by currency), or with no value. */
  unconverted: Array<{ currency: string | null; items: number; amount: number }>;
  itemsWithoutValue: number;
}

/**
 * Our own imports as the mirror compares them, computed from what was declared: the goods items
 * of the administration's import declarations (not cancelled) summed by HS6 × month × partner
 * (country of dispatch, else of origin) into `own-import` figures. The value is the declared
 * (CIF) value converted with the configured rate table; the quantity is the net mass in KGM,
 * given only where every item of the figure declared one. They replace every own-import figure
 * of the span, loaded from a file or computed before, in one transaction.
 */
export async function refreshOwnImports(
  ctx: AppContext,
  principal: Principal,
  q: { fromMonth?: string; toMonth?: string },
): Promise<OwnImportsRefresh> {
  assertAllowed(principal, 'lodge', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  const { fromMonth, toMonth } = monthSpan(ctx, q);
  if (monthIndex(toMonth) - monthIndex(fromMonth) >= MAX_REFRESH_MONTHS)
    throw new DomainError('invalid_input', `refresh at most ${MAX_REFRESH_MONTHS} months at once`, [
      { path: '/querystring/fromMonth', reason: `more than ${MAX_REFRESH_MONTHS} months` },
    ]);
  const table = ctx.settings.exchangeRates ?? (await readRateTable());
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const groups = await tx.mirror.declaredImports({
      administrationId: principal.administrationId,
      fromMonth,
      toMonth,
      statuses: DECLARED_STATUSES,
    });
    const figures = new Map<
      string,
      {
        partner: string;
        hs6: string;
        month: string;
        value: number;
        mass: number;
        massKnown: boolean;
      }
    >();
    const unconverted = new Map<
      string | null,
      { currency: string | null; items: number; amount: number }
    >();
    let items = 0;
    let itemsWithoutValue = 0;
    for (const g of groups) {
      items += g.items;
      itemsWithoutValue += g.items - g.itemsWithValue;
      const key = `${g.partner}|${g.hs6}|${g.month}`;
      const f = figures.get(key) ?? {
        partner: g.partner,
        hs6: g.hs6,
        month: g.month,
        value: 0,
        mass: 0,
        massKnown: true,
      };
      figures.set(key, f);
      f.mass += g.netMass;
      if (g.itemsWithMass < g.items) f.massKnown = false;
      const rate = rateOf(table, g.currency);
      if (rate === undefined) {
        if (g.itemsWithValue === 0) continue;
        const u = unconverted.get(g.currency) ?? { currency: g.currency, items: 0, amount: 0 };
        u.items += g.itemsWithValue;
        u.amount = cents(u.amount + g.value);
        unconverted.set(g.currency, u);
      } else f.value += g.value / rate;
    }
    const records: StoredMirrorRecord[] = [];
    for (const f of figures.values()) {
      // A figure needs a value: one whose items had none (or none convertible) is left out.
      if (!(f.value > 0)) continue;
      records.push({
        side: 'own-import',
        partner: f.partner,
        hs6: f.hs6,
        month: f.month,
        value: Math.max(cents(f.value), 0.01),
        ...(f.massKnown && f.mass > 0 ? { quantity: f.mass, unit: 'KGM' } : {}),
        administrationId: principal.administrationId,
        receivedAt: at,
        recordedBy: principal.userId,
      });
    }
    const replaced = await tx.mirror.replaceOwnImports(
      principal.administrationId,
      fromMonth,
      toMonth,
      records,
    );
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'trade-mirror.recorded',
      subjectType: 'trade-mirror',
      subjectId: `own-imports:${fromMonth}..${toMonth}`,
      details: { records: records.length, replaced, source: 'declarations' },
    });
    return {
      fromMonth,
      toMonth,
      rates: rateTableInfo(table),
      items,
      records: records.length,
      replaced,
      unconverted: [...unconverted.values()].sort((a, b) =>
        (a.currency ?? '') < (b.currency ?? '') ? -1 : 1,
      ),
      itemsWithoutValue,
    };
  });
}

export interface MirrorDeclarationsQuery {
  partner?: string;
  hs6?: string;
  /** Default: 11 months before `toMonth`. */
  fromMonth?: string;
  /** Default: this month. */
  toMonth?: string;
  /** The `next` of the page before. */
  after?: string;
  limit?: number;
}

export interface MirrorDeclarationItem extends DeclaredImportItem {
  /** The item's value in the comparison currency; null without a value or a rate. */
  comparisonValue: number | null;
}

export interface MirrorDeclarationsPage {
  currency: string;
  items: MirrorDeclarationItem[];
  /** Where the next page starts (pass as `after`); null on the last page. */
  next: string | null;
}

/** The most items one page of the drill-down lists. */
export const MAX_DRILL_DOWN_PAGE = 200;

const encodeCursor = (i: DeclaredImportItem) =>
  Buffer.from(JSON.stringify([i.submittedAt, i.declarationId, i.sequence])).toString('base64url');

function decodeCursor(s: string): { submittedAt: string; declarationId: string; sequence: number } {
  try {
    const [submittedAt, declarationId, sequence] = JSON.parse(
      Buffer.from(s, 'base64url').toString('utf8'),
    ) as unknown[];
    if (
      typeof submittedAt === 'string' &&
      typeof declarationId === 'string' &&
      typeof sequence === 'number' &&
      Number.isInteger(sequence)
    )
      return { submittedAt, declarationId, sequence };
  } catch {
    // Falls through to the problem below.
  }
  throw new DomainError('invalid_input', 'not a page cursor', [
    { path: '/querystring/after', reason: 'the next of an earlier page' },
  ]);
}

/**
 * The goods items of our import declarations behind a gap row (an HS6 × partner and its months),
 * one by one with their declaration, by declaration date; a page at a time.
 */
export async function mirrorDeclarations(
  ctx: AppContext,
  principal: Principal,
  q: MirrorDeclarationsQuery,
): Promise<MirrorDeclarationsPage> {
  assertAllowed(principal, 'read', 'trade-mirror', {
    administrationId: principal.administrationId,
  });
  const { fromMonth, toMonth } = monthSpan(ctx, q);
  const limit = Math.min(Math.max(q.limit ?? 50, 1), MAX_DRILL_DOWN_PAGE);
  const table = ctx.settings.exchangeRates ?? (await readRateTable());
  const rows = await ctx.storage.read.mirror.declaredImportItems({
    administrationId: principal.administrationId,
    fromMonth,
    toMonth,
    statuses: DECLARED_STATUSES,
    ...(q.partner !== undefined ? { partner: q.partner } : {}),
    ...(q.hs6 !== undefined ? { hs6: q.hs6 } : {}),
    ...(q.after !== undefined ? { after: decodeCursor(q.after) } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    currency: table.currency,
    items: page.map((i) => {
      const rate = rateOf(table, i.currency);
      return {
        ...i,
        comparisonValue: i.value === null || rate === undefined ? null : cents(i.value / rate),
      };
    }),
    next: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}
