/** The roles a GreenLane user can hold. */
export const ROLES = [
  'risk_analyst',
  'border_officer',
  'environmental_officer',
  'trader',
  'liaison_officer',
  'manager',
  'admin',
  'ipr_officer',
  'right_holder',
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
  'right-holder',
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

/** Each role as people say it (the console shows these, never the codes). */
export const ROLE_TITLES: Readonly<Record<Role, string>> = {
  risk_analyst: 'Risk analyst',
  border_officer: 'Border officer',
  environmental_officer: 'Environmental officer',
  trader: 'Trader (declarant)',
  liaison_officer: 'Liaison officer',
  manager: 'Manager',
  admin: 'Administrator',
  ipr_officer: 'IPR officer (customs IPR unit)',
  right_holder: 'Right holder',
};

/** Each kind of agency as people say it. */
export const AGENCY_KIND_TITLES: Readonly<Record<AgencyKind, string>> = {
  customs: 'Customs',
  environment: 'Environmental agency',
  phytosanitary: 'Phytosanitary service',
  energy: 'Energy regulator',
  police: 'Police',
  trader: 'Trading company',
  'right-holder': 'Right holder (intellectual property)',
  other: 'Other public agency',
};

const PUBLIC_AGENCY_ROLES: readonly Role[] = ['environmental_officer', 'risk_analyst', 'manager'];

/**
 * The roles a user of each kind of agency may hold: customs staff roles in the customs agency
 * (administrators included: they manage the whole administration), officers of the other public
 * agencies, and the declarant role in a trading company. An administrator assigns only these.
 */
export const ROLES_OF_AGENCY_KIND: Readonly<Record<AgencyKind, readonly Role[]>> = {
  customs: ['border_officer', 'risk_analyst', 'liaison_officer', 'manager', 'admin', 'ipr_officer'],
  environment: PUBLIC_AGENCY_ROLES,
  phytosanitary: PUBLIC_AGENCY_ROLES,
  energy: PUBLIC_AGENCY_ROLES,
  police: PUBLIC_AGENCY_ROLES,
  other: PUBLIC_AGENCY_ROLES,
  trader: ['trader'],
  'right-holder': ['right_holder'],
};

/** Kinds of agency an administrator may add: every kind but customs (one per administration). */
export const CREATABLE_AGENCY_KINDS: readonly AgencyKind[] = AGENCY_KINDS.filter(
  (k) => k !== 'customs',
);
