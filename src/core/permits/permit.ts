import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { AgencyKind } from '../auth/identity.js';
import type { Checked, FieldIssue } from '../errors.js';
import { isCountryCode, isKnownHsPrefix } from '../reference/lookup.js';
import { schemaIssues } from '../schema-issues.js';
import { aName, PERMIT_TYPE_DESCRIPTIONS, PERMIT_UNIT_WORDS } from './permit-types.js';

/**
 * Permits and licences the Single Window issues: CITES permits, waste-shipment consents (prior
 * informed consent), ozone-depleting-substance and pesticide import licences, and expedited
 * green-technology permits. A permit begins life as a trader's application and keeps its id.
 */
export const PERMIT_TYPES = [
  'cites-export',
  'cites-import',
  'cites-re-export',
  'waste-consent',
  'ods-licence',
  'pesticide-licence',
  'green-tech',
] as const;
export type PermitType = (typeof PERMIT_TYPES)[number];

/** Which kind of agency issues each type (from the types' description). */
export const PERMIT_ISSUER_KINDS: Readonly<Record<PermitType, readonly AgencyKind[]>> =
  Object.fromEntries(
    PERMIT_TYPES.map((t) => [t, PERMIT_TYPE_DESCRIPTIONS[t].issuerKinds]),
  ) as Record<PermitType, readonly AgencyKind[]>;

/**
 * applied → under-review → issued | refused, with information-requested ↔ under-review on the
 * way; an issued permit may be suspended (and reinstated), revoked, or used up (exhausted).
 * Expiry is not stored: a permit past its validTo reads as expired.
 */
export const PERMIT_STATUSES = [
  'applied',
  'under-review',
  'information-requested',
  'issued',
  'refused',
  'suspended',
  'revoked',
  'exhausted',
  'expired',
] as const;
export type PermitStatus = (typeof PERMIT_STATUSES)[number];

/** Units a permitted quantity is kept in: kilograms, tonnes, litres, number of items (specimens). */
export const PERMIT_UNITS = ['KGM', 'TNE', 'LTR', 'NAR'] as const;
export type PermitUnit = (typeof PERMIT_UNITS)[number];

export interface Attachment {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export interface Permit {
  id: string;
  /** Issued permit number (e.g. BY-WSC-2026-000012); null until issued. */
  number: string | null;
  type: PermitType;
  issuerAgencyId: string;
  /** The trader the permit is for (trader identification number, e.g. EORI). */
  holderId: string;
  holderName: string;
  /** The trading agency that applied (traders see only their own). */
  applicantAgencyId: string;
  /** Exporter, importer or recycler on the other side. */
  counterpart: { name: string; country: string | null };
  /** HS prefixes covered; empty means any goods of the type. */
  hsScope: string[];
  /** Scientific names covered (CITES); empty means any. */
  species: string[];
  unit: PermitUnit;
  /** Authorised quantity, in thousandths of the unit (exact arithmetic). */
  authorisedMilli: number;
  remainingMilli: number;
  /** Countries the goods may come from, pass through and go to; empty means not restricted. */
  route: { dispatch: string[]; transit: string[]; destination: string[] };
  /** Most shipments the permit covers (waste consents); null: no limit. */
  maxShipments: number | null;
  shipments: number;
  validFrom: string;
  validTo: string;
  status: Exclude<PermitStatus, 'expired'>;
  /** Expedited track (green technology, waste-to-resource) with a service-level deadline. */
  expedited: boolean;
  /** When a decision is due (submission + the service level of its track). */
  deadline: string;
  /** Type-specific particulars: purpose and source codes (CITES), waste code and operation, substance… */
  details: Record<string, string>;
  attachments: Attachment[];
  /** The latest message between applicant and issuer (information requested, refusal reason…). */
  note: string | null;
  submittedAt: string;
  decidedAt: string | null;
  /** Seconds from submission to the decision (issue or refusal). */
  processingSeconds: number | null;
  updatedAt: string;
}

/** The status a reader sees: an issued permit past its validity reads as expired. */
export function effectiveStatus(p: Pick<Permit, 'status' | 'validTo'>, at: string): PermitStatus {
  return p.status === 'issued' && p.validTo <= at ? 'expired' : p.status;
}

/** The register's permit type codes, as they appear in permit numbers. */
export const PERMIT_TYPE_CODES: Record<PermitType, string> = {
  'cites-export': 'CTE',
  'cites-import': 'CTI',
  'cites-re-export': 'CTR',
  'waste-consent': 'WSC',
  'ods-licence': 'ODS',
  'pesticide-licence': 'PST',
  'green-tech': 'GRT',
};

/** The number the issuer gives the n-th permit of a type in a year: BY-ENV-WSC-2026-000012. */
export function permitNumber(
  issuerCode: string,
  type: PermitType,
  year: number,
  n: number,
): string {
  return `${permitNumberPrefix(issuerCode, type, year)}${String(n).padStart(6, '0')}`;
}

export function permitNumberPrefix(issuerCode: string, type: PermitType, year: number): string {
  return `${issuerCode}-${PERMIT_TYPE_CODES[type]}-${year}-`;
}

const NUMBER = new RegExp(
  `^[A-Za-z0-9_.-]+-(${Object.values(PERMIT_TYPE_CODES).join('|')})-\\d{4}-\\d{6}$`,
);

/**
 * True when a document reference has the shape of a number this register gives. Only such
 * references can name a permit in the register (others are invoices, foreign permits…), so
 * screening looks up nothing else.
 */
export function isPermitNumber(reference: string): boolean {
  return NUMBER.test(reference);
}

export const toMilli = (quantity: number): number => Math.round(quantity * 1000);
export const fromMilli = (milli: number): number => milli / 1000;

const Countries = Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { maxItems: 50 });

export const PermitApplicationSchema = Type.Object(
  {
    type: Type.Enum(PERMIT_TYPES),
    issuerAgency: Type.String({
      minLength: 1,
      maxLength: 35,
      description: 'Code (or id) of the agency asked to issue it',
    }),
    counterpart: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
      },
      { additionalProperties: false },
    ),
    hsScope: Type.Array(Type.String({ pattern: '^[0-9]{2,10}$' }), { maxItems: 100 }),
    species: Type.Optional(
      Type.Array(Type.String({ minLength: 3, maxLength: 200 }), { maxItems: 50 }),
    ),
    quantity: Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }),
    unit: Type.Enum(PERMIT_UNITS),
    route: Type.Optional(
      Type.Object(
        {
          dispatch: Type.Optional(Countries),
          transit: Type.Optional(Countries),
          destination: Type.Optional(Countries),
        },
        { additionalProperties: false },
      ),
    ),
    maxShipments: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    validFrom: Type.String({ format: 'date-time' }),
    validTo: Type.String({ format: 'date-time' }),
    wasteToResource: Type.Optional(
      Type.Boolean({
        description: 'Waste shipped for recovery (an R operation): expedited track',
      }),
    ),
    details: Type.Optional(
      Type.Record(Type.String({ maxLength: 50 }), Type.String({ maxLength: 500 }), {
        description:
          'Type-specific particulars, e.g. purpose, sourceCode (CITES), wasteCode, operation (waste), substance (ODS, pesticides)',
      }),
    ),
    attachments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            mediaType: Type.String({ minLength: 3, maxLength: 100 }),
            size: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
            sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PermitApplication = Static<typeof PermitApplicationSchema>;

const structure = Compile(PermitApplicationSchema);

/** Checks an application: structure, codes that exist, and what its type asks for. */
export function validatePermitApplication(input: unknown): Checked<PermitApplication> {
  if (!structure.Check(input)) {
    const issues = schemaIssues(structure, input, 'a permit application');
    // What the type asks for is told in the same answer, not only once the structure is right.
    const raw = (input ?? {}) as { type?: unknown; species?: unknown; details?: unknown };
    if ((PERMIT_TYPES as readonly unknown[]).includes(raw.type)) {
      const named = new Set(issues.map((i) => i.path));
      issues.push(
        ...particularIssues(raw.type as PermitType, raw.species, raw.details).filter(
          (i) => ![...named].some((n) => n === i.path || i.path.startsWith(`${n}/`)),
        ),
      );
    }
    return { ok: false, issues };
  }
  const issues: FieldIssue[] = [];
  const described = PERMIT_TYPE_DESCRIPTIONS[input.type];
  // Quantities are kept in thousandths: one that rounds to none authorises nothing.
  if (toMilli(input.quantity) < 1)
    issues.push({ path: '/quantity', reason: 'at least 0.001 of the unit' });
  input.hsScope.forEach((p, i) => {
    if (!isKnownHsPrefix(p))
      issues.push({ path: `/hsScope/${i}`, reason: `'${p}' is not an HS 2022 code or prefix` });
  });
  const country = (path: string, c: string | undefined) => {
    if (c !== undefined && !isCountryCode(c))
      issues.push({ path, reason: `unknown country code '${c}'` });
  };
  country('/counterpart/country', input.counterpart.country);
  for (const leg of ['dispatch', 'transit', 'destination'] as const) {
    (input.route?.[leg] ?? []).forEach((c, i) => country(`/route/${leg}/${i}`, c));
  }
  if (!described.units.includes(input.unit)) {
    issues.push({
      path: '/unit',
      reason: `${aName(described.name)} is given in ${described.units.map((u) => PERMIT_UNIT_WORDS[u]).join(' or ')}`,
    });
  }
  issues.push(...particularIssues(input.type, input.species, input.details));
  const from = Date.parse(input.validFrom);
  const to = Date.parse(input.validTo);
  if (Number.isNaN(from)) issues.push({ path: '/validFrom', reason: 'not a valid date-time' });
  if (Number.isNaN(to)) issues.push({ path: '/validTo', reason: 'not a valid date-time' });
  else if (to <= from) issues.push({ path: '/validTo', reason: 'must be after validFrom' });
  if (input.wasteToResource && described.expedited !== 'on-request') {
    issues.push({
      path: '/wasteToResource',
      reason: `${aName(described.name)} has no expedited track to ask for`,
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: input };
}

/** The type's own demands: a species (CITES) and its particulars, each code from its list. */
function particularIssues(type: PermitType, species: unknown, rawDetails: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const described = PERMIT_TYPE_DESCRIPTIONS[type];
  if (described.speciesRequired && !(Array.isArray(species) && species.length > 0)) {
    issues.push({
      path: '/species',
      reason: `${aName(described.name)} names the species it covers`,
    });
  }
  const details: Record<string, unknown> =
    rawDetails && typeof rawDetails === 'object' && !Array.isArray(rawDetails)
      ? (rawDetails as Record<string, unknown>)
      : {};
  for (const field of described.details) {
    const given = details[field.key];
    const value = typeof given === 'string' ? given.trim() : '';
    const path = `/details/${field.key}`;
    if (given !== undefined && typeof given !== 'string') continue; // the schema says so
    if (value === '') {
      if (field.required) issues.push({ path, reason: `required for ${aName(described.name)}` });
    } else if (field.kind === 'code' && !field.codes?.some((c) => c.code === value)) {
      issues.push({
        path,
        reason: `not ${aName(field.label.toLowerCase())} code; choose one of the list`,
      });
    } else if (value.length > field.maxLength) {
      issues.push({ path, reason: `at most ${field.maxLength} characters` });
    }
  }
  for (const key of Object.keys(details)) {
    if (!described.details.some((f) => f.key === key)) {
      issues.push({
        path: `/details/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        reason: `not a particular of ${aName(described.name)}`,
      });
    }
  }
  return issues;
}

/** Green technology and waste shipped for recovery go on the expedited track. */
export function isExpedited(a: Pick<PermitApplication, 'type' | 'wasteToResource'>): boolean {
  const track = PERMIT_TYPE_DESCRIPTIONS[a.type].expedited;
  return track === 'always' || (track === 'on-request' && a.wasteToResource === true);
}
