import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Checked } from '../errors.js';
import { schemaIssues } from '../schema-issues.js';
import type { TariffLookup } from './mirror.js';

/**
 * The administration's ad valorem import duty rates, as the mirror comparison needs them to tell
 * a misclassification (goods moved from a high-tariff code to a low-tariff one under one HS4)
 * from a plain gap. A rate is given for an HS chapter, heading, subheading or a national line;
 * an HS6 takes the rate of the longest code that is a prefix of it, or of a national line under
 * it when all its lines share one rate.
 */

export const TariffRateInputSchema = Type.Object(
  {
    /** 2 to 10 digits: a chapter, heading, subheading or national line. */
    hsCode: Type.String({ pattern: '^[0-9]{2,10}$' }),
    /** Ad valorem, as a fraction: 0.12 for 12 %. */
    rate: Type.Number({ minimum: 0, maximum: 10 }),
  },
  { additionalProperties: false },
);
export type TariffRateInput = Static<typeof TariffRateInputSchema>;

export interface StoredTariffRate extends TariffRateInput {
  administrationId: string;
  recordedAt: string;
  recordedBy: string;
}

const structure = Compile(TariffRateInputSchema);

export function validateTariffRate(input: unknown): Checked<TariffRateInput> {
  if (!structure.Check(input))
    return { ok: false, issues: schemaIssues(structure, input, 'a tariff rate') };
  return { ok: true, value: input };
}

/** The rate of an HS6 from a schedule (see the module comment); undefined when unknown. */
export function tariffLookup(rates: readonly TariffRateInput[]): TariffLookup {
  const exact = new Map<string, number>();
  // National lines under each HS6: one rate if they all agree, NaN if they do not.
  const lines = new Map<string, number>();
  for (const r of rates) {
    if (r.hsCode.length <= 6) exact.set(r.hsCode, r.rate);
    else {
      const hs6 = r.hsCode.slice(0, 6);
      const held = lines.get(hs6);
      lines.set(hs6, held === undefined || held === r.rate ? r.rate : NaN);
    }
  }
  const memo = new Map<string, number | undefined>();
  return (hs6) => {
    if (memo.has(hs6)) return memo.get(hs6);
    let rate: number | undefined = exact.get(hs6);
    const line = lines.get(hs6);
    if (rate === undefined && line !== undefined && !Number.isNaN(line)) rate = line;
    for (let n = 5; rate === undefined && n >= 2; n--) rate = exact.get(hs6.slice(0, n));
    memo.set(hs6, rate);
    return rate;
  };
}
