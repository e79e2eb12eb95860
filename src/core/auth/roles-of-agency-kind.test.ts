import { describe, expect, it } from 'vitest';
import {
  AGENCY_KINDS,
  ROLES,
  ROLES_OF_AGENCY_KIND,
  type Principal,
  type Role,
} from './identity.js';
import { abilities, can } from './policy.js';

const who = (kind: Principal['agencyKind'], role: Role): Principal => ({
  userId: 'u',
  username: 'u',
  agencyId: 'a',
  agencyKind: kind,
  administrationId: 'BY',
  traderId: kind === 'trader' ? 'BY1' : null,
  roles: [role],
  via: 'session',
});

describe('the roles an administrator may give in each kind of agency', () => {
  it.each(AGENCY_KINDS)('each role offered in a %s agency lets its holder do something', (kind) => {
    for (const role of ROLES_OF_AGENCY_KIND[kind]) {
      expect(ROLES).toContain(role);
      expect(abilities(who(kind, role)).length, `${role} in ${kind}`).toBeGreaterThan(0);
    }
  });

  it('only administrators of the customs agency administer identity', () => {
    for (const kind of AGENCY_KINDS)
      expect(
        can(who(kind, 'admin'), 'administer', 'identity', { administrationId: 'BY' }),
        kind,
      ).toBe(kind === 'customs');
    for (const kind of AGENCY_KINDS)
      if (kind !== 'customs') expect(ROLES_OF_AGENCY_KIND[kind]).not.toContain('admin');
  });
});
