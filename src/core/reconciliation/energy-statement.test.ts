import { describe, expect, it } from 'vitest';
import type { PairResult } from './energy.js';
import {
  figure,
  firstDifference,
  parseStatementHeader,
  statementOf,
  statementText,
} from './energy-statement.js';

const pair = (
  start: string,
  end: string,
  direction: 'import' | 'export',
  own: number | null,
  partner: number | null,
): PairResult => ({
  pointId: 'x',
  direction,
  granularity: 'PT1H',
  periodStart: start,
  periodEnd: end,
  own,
  partner,
  ownAtImporter: own,
  partnerAtImporter: partner,
  difference: null,
  tolerance: null,
  outcome: 'match',
  detail: '',
  reports: [],
});

const H0 = '2026-06-01T00:00:00.000Z';
const H1 = '2026-06-01T01:00:00.000Z';
const H2 = '2026-06-01T02:00:00.000Z';
const period = { from: H0, to: H2 };

describe('reconciliation statements: one text from either side', () => {
  it.each([
    [93.1, '93.1'],
    [100, '100'],
    [0.1 + 0.2, '0.3'],
    [1e-9, '0'],
    [-0.0000001, '0'],
    [123456789.1234567, '123456789.123457'],
    [null, '-'],
  ])('writes %s as %s', (x, s) => {
    expect(figure(x)).toBe(s);
  });

  it('BY and KZ, each from its own view, write the same text', () => {
    // At BY: it imports from KZ in the first hour, exports to KZ in the second.
    const atBy = statementOf(
      { node: 'BY/GTK', pointId: 'BY-KZ-1' },
      { node: 'KZ/KGD', pointId: 'KZ-BY-1' },
      'electricity',
      'MWh',
      period,
      [pair(H1, H2, 'export', 50, 49.5), pair(H0, H1, 'import', 98, 100)],
    );
    // At KZ the same hours: it exports in the first, imports in the second; own and partner swap.
    const atKz = statementOf(
      { node: 'KZ/KGD', pointId: 'KZ-BY-1' },
      { node: 'BY/GTK', pointId: 'BY-KZ-1' },
      'electricity',
      'MWh',
      period,
      [pair(H0, H1, 'export', 100, 98), pair(H1, H2, 'import', 49.5, 50)],
    );
    expect(statementText(atBy)).toBe(statementText(atKz));
    expect(statementText(atBy).split('\n')).toEqual([
      'greenlane/energy-reconciliation/v1',
      'point BY/GTK BY-KZ-1',
      'point KZ/KGD KZ-BY-1',
      'commodity electricity MWh',
      `period ${H0} ${H2}`,
      'rows 2',
      `${H0} ${H1} KZ/KGD>BY/GTK BY/GTK=98 KZ/KGD=100`,
      `${H1} ${H2} BY/GTK>KZ/KGD BY/GTK=50 KZ/KGD=49.5`,
      '',
    ]);
  });

  it('leaves out periods neither side has, and shows a missing side as -', () => {
    const s = statementOf(
      { node: 'BY/GTK', pointId: 'A' },
      { node: 'LT/MUITINE', pointId: 'B' },
      'electricity',
      'MWh',
      period,
      [pair(H0, H1, 'import', null, null), pair(H1, H2, 'import', 10, null)],
    );
    expect(s.rows).toHaveLength(1);
    expect(statementText(s)).toMatch(/BY\/GTK=10 LT\/MUITINE=-\n$/);
  });

  it('reads its header back and refuses what is not one', () => {
    const text = statementText(
      statementOf(
        { node: 'BY/GTK', pointId: 'A' },
        { node: 'LT/MUITINE', pointId: 'B' },
        'natural-gas',
        'MWh',
        period,
        [pair(H0, H1, 'import', 1, 1)],
      ),
    );
    expect(parseStatementHeader(text)).toEqual({
      ok: true,
      value: {
        sides: [
          { node: 'BY/GTK', pointId: 'A' },
          { node: 'LT/MUITINE', pointId: 'B' },
        ],
        commodity: 'natural-gas',
        unit: 'MWh',
        from: H0,
        to: H2,
        rows: 1,
      },
    });
    expect(parseStatementHeader('hello\n')).toMatchObject({ ok: false });
    expect(
      parseStatementHeader(text.replace('point LT/MUITINE B', 'point BY/GTK B')),
    ).toMatchObject({ ok: false, reason: 'lines 2 and 3 name the two sides' });
    expect(parseStatementHeader(text.replace('rows 1', 'rows 9999999'))).toMatchObject({
      ok: false,
    });
    expect(firstDifference(text, text)).toBeNull();
    expect(firstDifference(text, text.replace('=1 ', '=2 '))).toMatchObject({ line: 7 });
  });
});
