import { describe, expect, it } from 'vitest';
import { checkRateTable, convertTotal, type RateTable } from '../core/currency-rates.js';
import { readRateTable } from './currency-rates.js';
import { channelsPerDay, checkPeriod, previousPeriod } from './metrics.js';

describe('channels per day', () => {
  const d = (submittedAt: string, channel: 'green' | 'yellow' | 'red' | null) => ({
    submittedAt,
    channel,
  });

  it.each([
    { name: 'no declarations', list: [], expected: [] },
    {
      name: 'one day, every channel and an unscreened one',
      list: [
        d('2026-11-02T08:00:00Z', 'green'),
        d('2026-11-02T09:00:00Z', 'green'),
        d('2026-11-02T10:00:00Z', 'yellow'),
        d('2026-11-02T11:00:00Z', 'red'),
        d('2026-11-02T12:00:00Z', null),
      ],
      expected: [
        { date: '2026-11-02', declarations: 5, green: 2, yellow: 1, red: 1, unscreened: 1 },
      ],
    },
    {
      name: 'days are UTC; a day with none in between is zero; out of order input',
      list: [
        d('2026-11-04T00:00:00Z', 'red'),
        d('2026-11-01T23:59:59.999Z', 'green'),
        // 01:30 in Minsk (UTC+3) on the 3rd is still the 2nd in UTC.
        d('2026-11-03T01:30:00+03:00', 'yellow'),
      ],
      expected: [
        { date: '2026-11-01', declarations: 1, green: 1, yellow: 0, red: 0, unscreened: 0 },
        { date: '2026-11-02', declarations: 1, green: 0, yellow: 1, red: 0, unscreened: 0 },
        { date: '2026-11-03', declarations: 0, green: 0, yellow: 0, red: 0, unscreened: 0 },
        { date: '2026-11-04', declarations: 1, green: 0, yellow: 0, red: 1, unscreened: 0 },
      ],
    },
    {
      name: 'across a month end',
      list: [d('2026-10-31T12:00:00Z', 'green'), d('2026-11-01T12:00:00Z', 'green')],
      expected: [
        { date: '2026-10-31', declarations: 1, green: 1, yellow: 0, red: 0, unscreened: 0 },
        { date: '2026-11-01', declarations: 1, green: 1, yellow: 0, red: 0, unscreened: 0 },
      ],
    },
  ])('$name', ({ list, expected }) => {
    expect(channelsPerDay(list)).toEqual(expected);
  });

  it('sums to the declarations given, per channel', () => {
    const list = Array.from({ length: 200 }, (_, k) =>
      d(
        new Date(Date.UTC(2026, 10, 1) + k * 7_777_777).toISOString(),
        (['green', 'yellow', 'red', null] as const)[k % 4]!,
      ),
    );
    const days = channelsPerDay(list);
    const total = (key: 'declarations' | 'green' | 'yellow' | 'red' | 'unscreened') =>
      days.reduce((n, x) => n + x[key], 0);
    expect(total('declarations')).toBe(200);
    expect([total('green'), total('yellow'), total('red'), total('unscreened')]).toEqual([
      50, 50, 50, 50,
    ]);
    for (const x of days) expect(x.green + x.yellow + x.red + x.unscreened).toBe(x.declarations);
    // Consecutive days, no gaps.
    for (let k = 1; k < days.length; k++)
      expect(Date.parse(days[k]!.date) - Date.parse(days[k - 1]!.date)).toBe(86_400_000);
  });
});

describe('the previous period', () => {
  it.each([
    {
      period: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' },
      previous: { from: '2026-10-30T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
    },
    // A month of 30 days before a month of 31: the same length, not the same calendar month.
    {
      period: { from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' },
      previous: { from: '2026-10-31T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
    },
    {
      period: { from: '2026-11-02T10:00:00.000Z', to: '2026-11-02T10:00:00.001Z' },
      previous: { from: '2026-11-02T09:59:59.999Z', to: '2026-11-02T10:00:00.000Z' },
    },
  ])('before $period.from', ({ period, previous }) => {
    expect(previousPeriod(period)).toEqual(previous);
  });

  it('refuses dates outside four-digit years, so the previous period is always a date', () => {
    expect(() => checkPeriod({ from: '1899-12-31', to: '2026-01-01' })).toThrow(/invalid period/);
    expect(() => checkPeriod({ from: '2026-01-01', to: '+010000-01-01' })).toThrow();
    const widest = checkPeriod({ from: '1900-01-01', to: '9999-12-31' });
    expect(Number.isNaN(Date.parse(previousPeriod(widest).from))).toBe(false);
  });
});

describe('values in one currency', () => {
  const table: RateTable = {
    name: 't',
    currency: 'EUR',
    date: '2026-11-02',
    source: 's',
    illustrative: false,
    rates: { USD: 2, JPY: 160 },
  };

  it.each([
    { name: 'none', values: [], total: 0, records: 0, unconverted: [] },
    {
      name: 'a sum in cents, without binary noise',
      values: [
        { currency: 'EUR', amount: 0.1 },
        { currency: 'EUR', amount: 0.2 },
        { currency: 'USD', amount: 0.01 },
      ],
      total: 0.31,
      records: 3,
      unconverted: [],
    },
    {
      name: 'the table currency as it is, others divided by their rate',
      values: [
        { currency: 'EUR', amount: 10 },
        { currency: 'USD', amount: 10 },
        { currency: 'JPY', amount: 1600 },
      ],
      total: 25,
      records: 3,
      unconverted: [],
    },
    {
      name: 'currencies without a rate counted and summed apart, by currency',
      values: [
        { currency: 'XAF', amount: 500 },
        { currency: 'USD', amount: 4 },
        { currency: 'BTN', amount: 7 },
        { currency: 'XAF', amount: 250 },
      ],
      total: 2,
      records: 1,
      unconverted: [
        { currency: 'BTN', records: 1, amount: 7 },
        { currency: 'XAF', records: 2, amount: 750 },
      ],
    },
    {
      name: 'a name on the object prototype is no rate',
      values: [{ currency: 'constructor', amount: 1 }],
      total: 0,
      records: 0,
      unconverted: [{ currency: 'constructor', records: 1, amount: 1 }],
    },
    {
      name: 'sums stop at the largest double',
      values: [
        { currency: 'EUR', amount: Number.MAX_VALUE },
        { currency: 'EUR', amount: Number.MAX_VALUE },
      ],
      total: Number.MAX_VALUE,
      records: 2,
      unconverted: [],
    },
  ])('$name', ({ values, total, records, unconverted }) => {
    expect(convertTotal(values, table)).toEqual({ currency: 'EUR', total, records, unconverted });
  });

  it('checks a rate table and says what is wrong', () => {
    expect(checkRateTable(table)).toEqual(table);
    expect(() => checkRateTable({ ...table, rates: { USD: 0 } })).toThrow(/\/rates\/USD/);
    expect(() => checkRateTable({ ...table, currency: 'euro' })).toThrow(/\/currency/);
    expect(() => checkRateTable({ ...table, extra: 1 })).toThrow(/\/extra unknown field/);
    expect(() => checkRateTable([])).toThrow(/not a rate table/);
  });

  it('ships an illustrative table that says so', async () => {
    const shipped = await readRateTable();
    expect(shipped).toMatchObject({ currency: 'EUR', illustrative: true });
    expect(shipped.source).toMatch(/^Illustrative, not published rates/);
    expect(Object.keys(shipped.rates)).toEqual(
      expect.arrayContaining(['USD', 'BYN', 'RUB', 'KZT']),
    );
    await expect(readRateTable('/nonexistent/rates.json')).rejects.toThrow(
      /exchange rates \/nonexistent\/rates.json/,
    );
  });
});
