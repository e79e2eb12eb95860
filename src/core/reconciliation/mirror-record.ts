import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Checked } from '../errors.js';
import { schemaIssues } from '../schema-issues.js';
import type { MirrorInput } from './mirror.js';

/**
 * One aggregate trade record as an administration keeps it for mirror reconciliation: the
 * partner's exports to us (FOB) or our imports from the partner (CIF), by HS6 and month; or our
 * exports to the partner (FOB), which the comparison does not use but the partner receives
 * over the exchange (`trade.exports`) as its partner's exports. Sent
 * again for the same side, partner, HS6 and month, it replaces the figure (a corrected month).
 */
export const MirrorRecordInputSchema = Type.Object(
  {
    side: Type.Enum(['partner-export', 'own-import', 'own-export']),
    /** The partner country (ISO 3166-1 alpha-2). */
    partner: Type.String({ pattern: '^[A-Z]{2}$' }),
    hs6: Type.String({ pattern: '^[0-9]{6}$' }),
    month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }),
    /** FOB for exports, CIF for our imports, in the currency of the comparison. */
    value: Type.Number({ exclusiveMinimum: 0, maximum: 1e15 }),
    quantity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e15 })),
    unit: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{1,10}$' })),
  },
  { additionalProperties: false },
);
export type MirrorRecordInput = Static<typeof MirrorRecordInputSchema>;

export interface StoredMirrorRecord extends MirrorRecordInput {
  administrationId: string;
  receivedAt: string;
  recordedBy: string;
}

const structure = Compile(MirrorRecordInputSchema);

export function validateMirrorRecord(input: unknown): Checked<MirrorRecordInput> {
  if (!structure.Check(input))
    return { ok: false, issues: schemaIssues(structure, input, 'a mirror record') };
  if ((input.quantity === undefined) !== (input.unit === undefined))
    return {
      ok: false,
      issues: [
        {
          path: input.quantity === undefined ? '/quantity' : '/unit',
          reason: 'a quantity and its unit come together',
        },
      ],
    };
  return { ok: true, value: input };
}

/** Stored records of both sides as the mirror reconciliation takes them. */
export function mirrorInputOf(records: readonly MirrorRecordInput[]): MirrorInput {
  const fields = (r: MirrorRecordInput) => ({
    partner: r.partner,
    hs6: r.hs6,
    month: r.month,
    ...(r.quantity !== undefined ? { quantity: r.quantity, unit: r.unit ?? null } : {}),
  });
  return {
    partnerExports: {
      aggregates: records
        .filter((r) => r.side === 'partner-export')
        .map((r) => ({ ...fields(r), fobValue: r.value })),
    },
    ownImports: {
      aggregates: records
        .filter((r) => r.side === 'own-import')
        .map((r) => ({ ...fields(r), cifValue: r.value })),
    },
  };
}
