import { describe, expect, it } from 'vitest';
import type { AgencyKind, Principal, Role } from './identity.js';
import { abilities, authorize, can, POLICY, scopeOf } from './policy.js';

const who = (
  roles: Role[],
  agencyKind: AgencyKind = 'customs',
  agencyId = 'BY-CUSTOMS',
  administrationId = 'BY',
  traderId: string | null = null,
): Principal => ({
  userId: 'u',
  username: 'u',
  agencyId,
  agencyKind,
  administrationId,
  traderId,
  roles,
  via: 'session',
});

const officer = who(['border_officer']);
const manager = who(['manager']);
const trader = who(['trader'], 'trader', 'TRADER-1', 'BY', 'BY123');
const ecologist = who(['environmental_officer'], 'environment', 'BY-ENV');
const foreignOfficer = who(['border_officer'], 'customs', 'KZ-CUSTOMS', 'KZ');
const declaration = { agencyId: 'BY-CUSTOMS', submitterAgencyId: 'TRADER-1' };

describe('the access policy', () => {
  it('allows nothing without a rule', () => {
    expect(can(who([]), 'read', 'declaration', declaration)).toBe(false);
    expect(abilities(who([]))).toEqual([]);
  });

  it('every rule has a reason and at least one role', () => {
    for (const r of POLICY) {
      expect(r.reason.length).toBeGreaterThan(10);
      expect(r.roles.length).toBeGreaterThan(0);
    }
  });

  it('managers read but never change goods, permits or certificates', () => {
    expect(can(manager, 'read', 'declaration', declaration)).toBe(true);
    for (const action of ['release', 'inspect', 'hold', 'refer'] as const)
      expect(can(manager, action, 'control', declaration), action).toBe(false);
    expect(can(manager, 'issue', 'certificate', { issuerAgencyId: 'BY-CUSTOMS' })).toBe(false);
    expect(can(manager, 'decide', 'permit', { issuerAgencyId: 'BY-CUSTOMS' })).toBe(false);
    expect(can(manager, 'author', 'indicator', { administrationId: 'BY' })).toBe(false);
  });

  it('border officers release only what is lodged with their own agency', () => {
    expect(can(officer, 'release', 'control', declaration)).toBe(true);
    expect(can(foreignOfficer, 'release', 'control', declaration)).toBe(false);
    expect(can(foreignOfficer, 'read', 'declaration', declaration)).toBe(false);
  });

  it('traders read their own declarations only, and never the targeting rules', () => {
    expect(can(trader, 'read', 'declaration', declaration)).toBe(true);
    expect(can(trader, 'read', 'declaration', { ...declaration, submitterAgencyId: 'T2' })).toBe(
      false,
    );
    expect(can(trader, 'read', 'indicator')).toBe(false);
    expect(can(trader, 'run', 'screening')).toBe(false);
    expect(can(trader, 'read', 'performance-metrics')).toBe(false);
    expect(can(trader, 'read', 'system-metrics')).toBe(false);
  });

  it('indicators and certificates stay inside their administration', () => {
    expect(can(ecologist, 'read', 'indicator', { administrationId: 'BY' })).toBe(true);
    expect(can(ecologist, 'read', 'indicator', { administrationId: 'KZ' })).toBe(false);
    expect(can(foreignOfficer, 'read', 'certificate', { administrationId: 'BY' })).toBe(false);
    expect(can(who(['admin']), 'administer', 'identity', { administrationId: 'KZ' })).toBe(false);
  });

  it('a missing condition value never matches (a trader without an EORI reads no certificate)', () => {
    const anonymous = who(['trader'], 'trader', 'TRADER-9', 'BY', null);
    expect(can(anonymous, 'read', 'certificate', { holderId: null })).toBe(false);
    expect(scopeOf(anonymous, 'read', 'certificate')).toEqual([]);
  });

  it('turns into the storage filter the lists apply', () => {
    expect(scopeOf(trader, 'read', 'declaration')).toEqual([{ submitterAgencyId: 'TRADER-1' }]);
    expect(scopeOf(officer, 'read', 'declaration')).toEqual([{ agencyId: 'BY-CUSTOMS' }]);
    expect(scopeOf(ecologist, 'read', 'declaration')).toEqual([]);
    expect(scopeOf(officer, 'read', 'permit')).toEqual([
      { issuerAgencyId: 'BY-CUSTOMS' },
      { issuerAdministrationId: 'BY' },
    ]);
  });

  it('says why it refused', () => {
    expect(authorize(manager, 'release', 'control', declaration)).toEqual({
      allowed: false,
      reason: 'your roles do not allow release on control',
    });
  });
});
