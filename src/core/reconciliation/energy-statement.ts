import type { EnergyCommodity, PairResult } from './energy.js';

/**
 * A reconciliation statement: both sides' metered figures of one interconnection point over a
 * period, written so that each administration, computing it from its own records (its meter and
 * the figures the other sent it), writes exactly the same text. Each then signs that text as a
 * C2SP signed note; a note carrying both signatures is the figures both sides agree on, and
 * anyone holding the two nodes' keys can check it. Nothing in the text depends on one side's
 * view: sides are named by node id (in code point order), flows by "from>to", each figure by
 * the node whose meter read it, in the commodity's canonical unit as read (before losses).
 * Outcomes and tolerances are left out: they follow from each side's settings, the figures do not.
 */

export const STATEMENT_HEADER = 'greenlane/energy-reconciliation/v1';
/** Rows a statement may carry (a year of hours in both directions is 17,568). */
export const MAX_STATEMENT_ROWS = 20_000;

export interface StatementSide {
  node: string;
  /** The side's own identifier of the point. */
  pointId: string;
}

export interface StatementRow {
  start: string;
  end: string;
  from: string;
  to: string;
  /** Each node's figure; null when it has none for the period. */
  figures: Record<string, number | null>;
}

export interface Statement {
  sides: [StatementSide, StatementSide];
  commodity: EnergyCommodity;
  unit: string;
  from: string;
  to: string;
  rows: StatementRow[];
}

/** A figure written the same way on every platform: at most 6 decimals, no exponent. */
export function figure(x: number | null): string {
  if (x === null) return '-';
  const r = Math.round(x * 1e6) / 1e6;
  const s = r.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** The statement of a point from one side's reconciliation pairs. */
export function statementOf(
  own: StatementSide,
  partner: StatementSide,
  commodity: EnergyCommodity,
  unit: string,
  period: { from: string; to: string },
  pairs: readonly PairResult[],
): Statement {
  const sides = [own, partner].sort((a, b) => (a.node < b.node ? -1 : 1)) as [
    StatementSide,
    StatementSide,
  ];
  const rows: StatementRow[] = [];
  for (const p of pairs) {
    if (p.own === null && p.partner === null) continue;
    // Our import flows from the partner to us.
    const [from, to] =
      p.direction === 'import' ? [partner.node, own.node] : [own.node, partner.node];
    rows.push({
      start: p.periodStart,
      end: p.periodEnd,
      from,
      to,
      figures: { [own.node]: p.own, [partner.node]: p.partner },
    });
  }
  rows.sort((a, b) =>
    a.start !== b.start
      ? a.start < b.start
        ? -1
        : 1
      : a.from < b.from
        ? -1
        : a.from > b.from
          ? 1
          : 0,
  );
  return { sides, commodity, unit, from: period.from, to: period.to, rows };
}

/** The text both sides sign (ends with a newline, as a signed note's text must). */
export function statementText(s: Statement): string {
  const lines = [
    STATEMENT_HEADER,
    ...s.sides.map((x) => `point ${x.node} ${x.pointId}`),
    `commodity ${s.commodity} ${s.unit}`,
    `period ${s.from} ${s.to}`,
    `rows ${s.rows.length}`,
    ...s.rows.map(
      (r) =>
        `${r.start} ${r.end} ${r.from}>${r.to} ` +
        s.sides.map((x) => `${x.node}=${figure(r.figures[x.node] ?? null)}`).join(' '),
    ),
  ];
  return lines.join('\n') + '\n';
}

export interface StatementHeader {
  sides: [StatementSide, StatementSide];
  commodity: string;
  unit: string;
  from: string;
  to: string;
  rows: number;
}

/** The header of a statement's text, or why it is not one. */
export function parseStatementHeader(
  text: string,
): { ok: true; value: StatementHeader } | { ok: false; reason: string } {
  const lines = text.split('\n', 7);
  if (lines[0] !== STATEMENT_HEADER)
    return { ok: false, reason: `the first line is not ${STATEMENT_HEADER}` };
  const side = (line: string | undefined): StatementSide | null => {
    const m = /^point (\S{1,35}) (\S{1,64})$/.exec(line ?? '');
    return m ? { node: m[1]!, pointId: m[2]! } : null;
  };
  const a = side(lines[1]);
  const b = side(lines[2]);
  if (!a || !b || a.node === b.node)
    return { ok: false, reason: 'lines 2 and 3 name the two sides' };
  const c = /^commodity (\S{1,30}) (\S{1,10})$/.exec(lines[3] ?? '');
  if (!c) return { ok: false, reason: 'line 4 names the commodity and unit' };
  const p = /^period (\S{1,40}) (\S{1,40})$/.exec(lines[4] ?? '');
  if (!p || !Number.isFinite(Date.parse(p[1]!)) || !Number.isFinite(Date.parse(p[2]!)))
    return { ok: false, reason: 'line 5 gives the period' };
  const n = /^rows ([0-9]{1,6})$/.exec(lines[5] ?? '');
  if (!n || Number(n[1]) > MAX_STATEMENT_ROWS)
    return { ok: false, reason: 'line 6 counts the rows' };
  return {
    ok: true,
    value: {
      sides: [a, b],
      commodity: c[1]!,
      unit: c[2]!,
      from: p[1]!,
      to: p[2]!,
      rows: Number(n[1]),
    },
  };
}

/** The first line where two statements' texts differ (1-based), with both lines; null if equal. */
export function firstDifference(
  ours: string,
  theirs: string,
): { line: number; ours: string | null; theirs: string | null } | null {
  if (ours === theirs) return null;
  const a = ours.split('\n');
  const b = theirs.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return { line: i + 1, ours: a[i] ?? null, theirs: b[i] ?? null };
  return null;
}
