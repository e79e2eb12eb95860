import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Checked, FieldIssue } from '../errors.js';
import { schemaIssues } from '../schema-issues.js';

/**
 * An application for action (Regulation (EU) No 608/2013, Art. 6): a right holder asks customs to
 * watch for goods that infringe its rights, says how to tell authentic goods, who may trade them,
 * and undertakes to bear liability and costs. Customs accepts it for at most a year.
 */

export const RIGHT_TYPES = [
  'trademark',
  'design',
  'copyright',
  'geographical-indication',
  'patent',
  'plant-variety',
  'utility-model',
  'topography',
] as const;
export type RightType = (typeof RIGHT_TYPES)[number];

export const APPLICANT_KINDS = ['right-holder', 'licensee', 'collective-body'] as const;

export const APPLICATION_STATUSES = [
  'submitted',
  'more-information-requested',
  'accepted',
  'refused',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const HsCode = Type.String({ pattern: '^[0-9]{2,10}$', description: 'HS code or prefix' });
const Party = Type.Object(
  {
    name: Text(200),
    address: Type.Optional(Text(500)),
    /** EORI or TIN: what declarations name the party by. */
    id: Type.Optional(Type.String({ pattern: '^[A-Z]{2}[A-Za-z0-9]{1,15}$' })),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  },
  { additionalProperties: false },
);

const Right = Type.Object(
  {
    type: Type.Enum(RIGHT_TYPES),
    /** The mark, design name or title as it appears on goods. */
    mark: Text(120),
    registrationNumber: Text(60),
    registeredIn: Type.Optional(Text(60)),
    expiresOn: Type.Optional(Type.String({ format: 'date' })),
    /** HS codes or prefixes of the goods the right covers (its goods scope). */
    goods: Type.Array(HsCode, { minItems: 1, maxItems: 200, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const ApplicationInputSchema = Type.Object(
  {
    applicant: Type.Object(
      { kind: Type.Enum(APPLICANT_KINDS), ...Party.properties },
      { additionalProperties: false },
    ),
    representatives: Type.Array(Party, { maxItems: 20 }),
    rights: Type.Array(Right, { minItems: 1, maxItems: 100 }),
    goods: Type.Array(
      Type.Object({ hs: HsCode, description: Text(500) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 200 },
    ),
    authenticFeatures: Type.Array(
      Type.Object(
        {
          description: Text(2000),
          /** Images are attachments: their metadata is kept here, the file elsewhere. */
          images: Type.Array(
            Type.Object(
              {
                fileName: Text(200),
                mediaType: Type.String({ pattern: '^image/[a-z0-9.+-]{1,40}$' }),
                sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
              },
              { additionalProperties: false },
            ),
            { maxItems: 20 },
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
    placesOfProduction: Type.Array(Text(300), { maxItems: 50 }),
    /** Licensees, importers and distributors whose goods bearing the right are authentic. */
    authorisedTraders: Type.Array(Party, { maxItems: 500 }),
    knownInfringers: Type.Array(Party, { maxItems: 500 }),
    knownRoutes: Type.Array(
      Type.Object(
        {
          origin: Type.String({ pattern: '^[A-Z]{2}$' }),
          via: Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { maxItems: 10 }),
          description: Type.Optional(Text(500)),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
    smallConsignmentsProcedure: Type.Boolean(),
    /** Art. 6(3)(q) and 29: the applicant bears liability and the costs of storage and destruction. */
    undertakings: Type.Object(
      { liability: Type.Literal(true), costs: Type.Literal(true) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ApplicationInput = Static<typeof ApplicationInputSchema>;

export interface ApplicationForAction extends ApplicationInput {
  id: string;
  administrationId: string;
  /** The right holder's organisation in GreenLane that lodged it. */
  applicantAgencyId: string;
  status: ApplicationStatus;
  /** Set on acceptance: from the day after, for at most a year; extension moves validTo. */
  validFrom: string | null;
  validTo: string | null;
  submittedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  /** What customs last said to the applicant (the question, or the grounds of refusal). */
  customsNote: string | null;
  version: number;
}

const structure = Compile(ApplicationInputSchema);

/** An application's content checked against the schema and its cross-field rules. */
export function validateApplication(input: unknown): Checked<ApplicationInput> {
  if (!structure.Check(input)) {
    return { ok: false, issues: schemaIssues(structure, input, 'an application for action') };
  }
  const a = input;
  const issues: FieldIssue[] = [];
  const covered = new Set(a.goods.map((g) => g.hs));
  a.rights.forEach((r, i) => {
    for (const [j, hs] of r.goods.entries()) {
      const inScope = [...covered].some((g) => hs.startsWith(g) || g.startsWith(hs));
      if (!inScope)
        issues.push({
          path: `/rights/${i}/goods/${j}`,
          reason: `HS ${hs} is not among the goods of the application`,
        });
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: a };
}

/** Applications are accepted for at most a year (Art. 11(1)). */
export const MAX_VALIDITY_DAYS = 365;

/** The validity window of an acceptance decided at `at`: from the next day for `days` days. */
export function validityFrom(
  at: string,
  days: number = MAX_VALIDITY_DAYS,
): {
  validFrom: string;
  validTo: string;
} {
  const d = new Date(at);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return {
    validFrom: new Date(from).toISOString(),
    validTo: new Date(from + days * 86_400_000).toISOString(),
  };
}
