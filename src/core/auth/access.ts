import type { Declaration } from '../declaration/declaration.js';
import type { Principal } from './identity.js';
import { hasRole } from './identity.js';

/** Roles that may lodge declarations. */
export function canSubmitDeclaration(p: Principal): boolean {
  return hasRole(p, 'trader', 'border_officer', 'risk_analyst', 'admin');
}

/**
 * Who reads a declaration: staff of the owning customs agency (and managers and admins there);
 * a trader only reads the declarations their own company submitted.
 */
export function canReadDeclaration(
  p: Principal,
  d: Pick<Declaration, 'agencyId'> & { submitterAgencyId: string },
): boolean {
  if (p.agencyKind === 'trader') return d.submitterAgencyId === p.agencyId;
  if (p.agencyId !== d.agencyId) return false;
  return hasRole(p, 'border_officer', 'risk_analyst', 'manager', 'admin', 'liaison_officer');
}

/** Only administrators manage users, agencies and API tokens. */
export function canAdminister(p: Principal): boolean {
  return hasRole(p, 'admin');
}
