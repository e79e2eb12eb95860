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
