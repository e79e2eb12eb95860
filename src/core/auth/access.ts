import type { Declaration } from '../declaration/declaration.js';
import type { Principal } from './identity.js';
import { can } from './policy.js';

/** Roles that may lodge declarations (the policy's `lodge declaration`). */
export function canSubmitDeclaration(p: Principal): boolean {
  return can(p, 'lodge', 'declaration');
}

/**
 * Who reads a declaration (the policy's `read declaration`): staff of the owning customs agency;
 * a trader only what its own organisation lodged.
 */
export function canReadDeclaration(
  p: Principal,
  d: Pick<Declaration, 'agencyId'> & { submitterAgencyId: string },
): boolean {
  return can(p, 'read', 'declaration', d);
}

/** Only administrators manage users, agencies and API tokens of their administration. */
export function canAdminister(p: Principal): boolean {
  return can(p, 'administer', 'identity', { administrationId: p.administrationId });
}
