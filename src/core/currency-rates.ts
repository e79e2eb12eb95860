import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { schemaIssues } from './schema-issues.js';

/**
 * A table of exchange rates into one currency, as central banks publish them: `rates[X]` is how
 * many units of X one unit of `currency` buys (the ECB's "1 EUR = 1.0876 USD" form), so an
 * amount in X is `amount / rates[X]` in `currency`.
 */
export const RateTableSchema = Type.Object(
  {
    /** What the table is called in answers and reports. */
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** The currency every value is converted to (ISO 4217). */
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    /** The day the rates are of (YYYY-MM-DD). */
    date: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
    /** Where the rates come from, in words. */
    source: Type.String({ minLength: 1, maxLength: 2000 }),
    /** True when the rates are not published rates (the shipped default): to be replaced. */
    illustrative: Type.Boolean(),
    rates: Type.Record(
      Type.String({ pattern: '^[A-Z]{3}$' }),
      Type.Number({ exclusiveMinimum: 0 }),
    ),
  },
  { additionalProperties: false },
);
export type RateTable = Static<typeof RateTableSchema>;

const structure = Compile(RateTableSchema);

/** Checks a rate table read from a file; throws an Error saying what is wrong. */
export function checkRateTable(value: unknown): RateTable {
  if (!structure.Check(value)) {
    const issues = schemaIssues(structure, value, 'a rate table').slice(0, 5);
    throw new Error(`not a rate table: ${issues.map((i) => `${i.path} ${i.reason}`).join('; ')}`);
  }
  const table = value;
  for (const [code, rate] of Object.entries(table.rates))
    if (!Number.isFinite(rate)) throw new Error(`not a rate table: /rates/${code} is not finite`);
  return table;
}

/** What a rate table says about itself, for answers that used it. */
export type RateTableInfo = Omit<RateTable, 'rates'>;

export function rateTableInfo(t: RateTable): RateTableInfo {
  return {
    name: t.name,
    currency: t.currency,
    date: t.date,
    source: t.source,
    illustrative: t.illustrative,
  };
}

/** Values in one currency, and those that could not be converted (no rate), by currency. */
export interface ConvertedTotal {
  currency: string;
  /** Sum of the converted values, rounded to hundredths (cents). */
  total: number;
  /** Records whose value was converted (or already in the currency). */
  records: number;
  /** Currencies without a rate in the table: their records and the sum in that currency. */
  unconverted: Array<{ currency: string; records: number; amount: number }>;
}

/**
 * Sums values in the table's currency; a value in a currency without a rate is not dropped but
 * counted under `unconverted`. Sums stop at the largest double (JSON has no Infinity).
 */
export function convertTotal(
  values: ReadonlyArray<{ currency: string; amount: number }>,
  table: RateTable,
): ConvertedTotal {
  let total = 0;
  let records = 0;
  const missing = new Map<string, { currency: string; records: number; amount: number }>();
  const capped = (n: number) => Math.min(n, Number.MAX_VALUE);
  for (const v of values) {
    const amount = Number.isFinite(v.amount) ? v.amount : 0;
    const rate =
      v.currency === table.currency
        ? 1
        : Object.hasOwn(table.rates, v.currency)
          ? table.rates[v.currency]
          : undefined;
    if (rate === undefined) {
      const m = missing.get(v.currency) ?? { currency: v.currency, records: 0, amount: 0 };
      m.records++;
      m.amount = capped(m.amount + amount);
      missing.set(v.currency, m);
    } else {
      records++;
      total = capped(total + amount / rate);
    }
  }
  // Money in cents: the sum of converted values carries no binary noise (47130.380000000005).
  const cents = Math.round(total * 100) / 100;
  return {
    currency: table.currency,
    total: Number.isFinite(cents) ? cents : total,
    records,
    unconverted: [...missing.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)),
  };
}
