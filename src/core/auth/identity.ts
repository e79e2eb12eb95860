/** The roles a GreenLane user can hold. */
export const ROLES = [
  'risk_analyst',
  'border_officer',
  'environmental_officer',
  'trader',
  'liaison_officer',
  'manager',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** Kinds of agency: public authorities, plus the trading companies whose staff file declarations. */
export const AGENCY_KINDS = [
  'customs',
  'environment',
  'phytosanitary',
  'energy',
  'police',
  'trader',
  'other',
] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/** A country's customs service: one GreenLane node. */
export interface Administration {
  id: string;
  country: string;
  name: string;
}

/** An agency (or registered trading company) inside an administration. */
export interface Agency {
  id: string;
  administrationId: string;
  kind: AgencyKind;
  code: string;
  name: string;
  /** Trader identification number (e.g. EORI) for trading companies. */
  traderId: string | null;
  /** Authorised to lodge simplified declarations (read from storage; absent: not authorised). */
  simplifiedProcedures?: boolean;
}

/** How a customs representative acts: in the trader's name (direct) or its own (indirect). */
export const REPRESENTATION_MODES = ['direct', 'indirect'] as const;
export type RepresentationMode = (typeof REPRESENTATION_MODES)[number];

/** A registration that one organisation may lodge for a trader (named by its EORI). */
export interface Representation {
  id: string;
  representativeAgencyId: string;
  traderId: string;
  mode: RepresentationMode;
  validFrom: string;
  /** Exclusive; null: until revoked. */
  validTo: string | null;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** True when the registration lets its representative lodge for the trader at `at`. */
export function representsOn(r: Representation, at: string): boolean {
  return r.revokedAt === null && r.validFrom <= at && (r.validTo === null || at < r.validTo);
}

/** Who is asking: the authenticated user, with the agency and administration they act for. */
export interface Principal {
  userId: string;
  username: string;
  agencyId: string;
  agencyKind: AgencyKind;
  administrationId: string;
  traderId: string | null;
  roles: readonly Role[];
  /** How the request was authenticated. */
  via: 'session' | 'api-token';
}

/** True when the principal holds any of the roles. */
export function hasRole(p: Principal, ...roles: Role[]): boolean {
  return roles.some((r) => p.roles.includes(r));
}
