import { describe, expect, it } from 'vitest';
import { canAdminister, canReadDeclaration, canSubmitDeclaration } from './access.js';
import type { Principal, Role } from './identity.js';

const principal = (
  roles: Role[],
  agencyId = 'CUSTOMS',
  agencyKind: Principal['agencyKind'] = 'customs',
): Principal => ({
  userId: 'u',
  username: 'u',
  agencyId,
  agencyKind,
  administrationId: 'BY',
  traderId: null,
  roles,
  via: 'session',
});

const declaration = { agencyId: 'CUSTOMS', submitterAgencyId: 'TRADER-1' };

describe('access to declarations', () => {
  it.each([
    ['border officer of the owning agency', principal(['border_officer']), true],
    ['risk analyst of the owning agency', principal(['risk_analyst']), true],
    ['manager of the owning agency', principal(['manager']), true],
    [
      'border officer of another customs agency',
      principal(['border_officer'], 'KZ-CUSTOMS'),
      false,
    ],
    [
      'environmental officer (no declaration role)',
      principal(['environmental_officer'], 'ENV', 'environment'),
      false,
    ],
    ['the submitting trader', principal(['trader'], 'TRADER-1', 'trader'), true],
    ['another trader', principal(['trader'], 'TRADER-2', 'trader'), false],
  ])('%s reads: %s', (_who, p, expected) => {
    expect(canReadDeclaration(p, declaration)).toBe(expected);
  });

  it.each([
    [['trader'] as Role[], true],
    [['border_officer'] as Role[], true],
    [['environmental_officer'] as Role[], false],
    [['manager'] as Role[], false],
  ])('roles %j may lodge: %s', (roles, expected) => {
    const p = roles.includes('trader') ? principal(roles, 'TRADER-1', 'trader') : principal(roles);
    expect(canSubmitDeclaration(p)).toBe(expected);
  });

  it('only admins administer', () => {
    expect(canAdminister(principal(['admin']))).toBe(true);
    expect(canAdminister(principal(['manager', 'risk_analyst']))).toBe(false);
  });
});
