import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { AgencyKind } from '../auth/identity.js';
import type { DeclarationContent } from '../declaration/declaration.js';
import type { Checked, FieldIssue } from '../errors.js';
import { isKnownHsPrefix } from '../reference/lookup.js';
import type { PermitOnFile } from '../permits/check.js';
import type { HeldDocument, ScreeningTrader } from '../risk/screening-context.js';
import { schemaIssues } from '../schema-issues.js';

/**
 * What lowers scrutiny: environmental compliance certificates (ISO 14001-type or a national
 * eco-certificate), membership of a recycler compliance programme, and trusted-trader (AEO-like)
 * status granted by customs.
 */
export const CERTIFICATE_TYPES = [
  'environmental-compliance',
  'recycler-compliance-programme',
  'trusted-trader',
] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];

export const CERTIFICATE_STATUSES = ['valid', 'suspended', 'revoked'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** Which kind of agency issues each type: environmental agencies certify, customs grants trust. */
export const ISSUER_KINDS: Record<CertificateType, readonly AgencyKind[]> = {
  'environmental-compliance': ['environment'],
  'recycler-compliance-programme': ['environment'],
  'trusted-trader': ['customs'],
};

export interface Certificate {
  id: string;
  type: CertificateType;
  /** The issuer's own number for it; unique per issuer. */
  reference: string;
  /** Trader identification number of the holder (e.g. EORI), as declarations name parties. */
  holderId: string;
  holderName: string;
  issuerAgencyId: string;
  /** HS prefixes the certificate covers; empty means all goods. */
  hsScope: string[];
  validFrom: string;
  validTo: string | null;
  status: CertificateStatus;
  /** Why it was last suspended, reinstated or revoked. */
  statusReason: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** A trader's control history, kept up to date by inspection results. */
export interface TraderRecord {
  traderId: string;
  controls: number;
  findings: number;
  lastControlAt: string | null;
  lastFindingAt: string | null;
}

export const CertificateInputSchema = Type.Object(
  {
    type: Type.Enum(CERTIFICATE_TYPES),
    reference: Type.String({ minLength: 1, maxLength: 70 }),
    holderId: Type.String({
      minLength: 1,
      maxLength: 35,
      description: 'Trader identification number of the holder (e.g. EORI)',
    }),
    holderName: Type.String({ minLength: 1, maxLength: 200 }),
    hsScope: Type.Array(Type.String({ pattern: '^[0-9]{2,10}$' }), {
      maxItems: 500,
      description: 'HS prefixes covered (2 to 10 digits); empty for all goods',
    }),
    validFrom: Type.String({ format: 'date-time' }),
    validTo: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type CertificateInput = Static<typeof CertificateInputSchema>;

const structure = Compile(CertificateInputSchema);

/** Checks a certificate to issue: every HS prefix of its scope must exist in HS 2022. */
export function validateCertificate(input: unknown): Checked<CertificateInput> {
  if (!structure.Check(input)) {
    return { ok: false, issues: schemaIssues(structure, input, 'a certificate object') };
  }
  const issues: FieldIssue[] = [];
  input.hsScope.forEach((p, i) => {
    if (!isKnownHsPrefix(p)) {
      issues.push({ path: `/hsScope/${i}`, reason: `'${p}' is not an HS 2022 code or prefix` });
    }
  });
  const from = Date.parse(input.validFrom);
  if (Number.isNaN(from)) issues.push({ path: '/validFrom', reason: 'not a valid date-time' });
  if (input.validTo) {
    const to = Date.parse(input.validTo);
    if (Number.isNaN(to)) issues.push({ path: '/validTo', reason: 'not a valid date-time' });
    else if (to <= from) issues.push({ path: '/validTo', reason: 'must be after validFrom' });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: input };
}

/**
 * The party whose certificates and record count: the importer (consignee) of an import, the
 * exporter (consignor) of an export, the declarant when that party is not named.
 */
export function traderParty(d: DeclarationContent): { id: string; country: string } {
  const party = d.kind === 'export' ? (d.consignor ?? d.declarant) : (d.consignee ?? d.declarant);
  return { id: party.id ?? d.declarant.id ?? '', country: party.country ?? '' };
}

/** What screening knows of a trader: its certificates (all, valid or not) and its record. */
export interface TraderProfile {
  certificates: readonly Certificate[];
  record: Pick<TraderRecord, 'controls' | 'findings'> | undefined;
  /** Permits the trader holds and permits the declaration references by number. */
  permits: readonly PermitOnFile[];
}

export const NO_PROFILE: TraderProfile = { certificates: [], record: undefined, permits: [] };

/** The trader of a declaration as the risk engine sees it. */
export function screeningTrader(d: DeclarationContent, profile: TraderProfile): ScreeningTrader {
  const { id, country } = traderParty(d);
  return {
    id,
    country,
    controls: profile.record?.controls ?? 0,
    findings: profile.record?.findings ?? 0,
    certificates: profile.certificates.map(heldDocument),
    permitsOnFile: [...profile.permits],
  };
}

function heldDocument(c: Certificate): HeldDocument {
  return {
    type: c.type,
    reference: c.reference,
    validFrom: c.validFrom,
    validTo: c.validTo,
    status: c.status,
    hsScope: c.hsScope,
  };
}

/** Every trader's certificates and record, for screening many declarations without a database. */
export interface TraderDirectory {
  certificates: Record<string, Certificate[]>;
  /** Issued permits by holder (a batch run does not look up permits quoted by number). */
  permits: Record<string, PermitOnFile[]>;
  records: Record<string, { controls: number; findings: number }>;
}

export function traderDirectory(
  certificates: readonly Certificate[],
  records: readonly TraderRecord[],
  permits: readonly PermitOnFile[] = [],
): TraderDirectory {
  const dir: TraderDirectory = { certificates: {}, records: {}, permits: {} };
  for (const p of permits) (dir.permits[p.holderId] ??= []).push(p);
  for (const c of certificates) (dir.certificates[c.holderId] ??= []).push(c);
  for (const r of records) dir.records[r.traderId] = { controls: r.controls, findings: r.findings };
  return dir;
}

export function profileIn(dir: TraderDirectory, d: DeclarationContent): TraderProfile {
  const { id } = traderParty(d);
  const certificates = Object.hasOwn(dir.certificates, id) ? dir.certificates[id]! : [];
  const record = Object.hasOwn(dir.records, id) ? dir.records[id] : undefined;
  const permits = Object.hasOwn(dir.permits, id) ? dir.permits[id]! : [];
  return certificates.length === 0 && record === undefined && permits.length === 0
    ? NO_PROFILE
    : { certificates, record, permits };
}
