import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { authenticate } from './authenticate.js';
import { createAdmin, seedDemo, DEMO_USERS } from './bootstrap.js';
import { signIn } from './sign-in.js';
import type { AppContext } from './context.js';

describe('first run', () => {
  let t: TestDatabase;
  let ctx: AppContext;
  beforeEach(async () => {
    t = await freshDatabase('sqlite');
    ctx = testContext(t.db);
  });
  afterEach(() => t.drop());

  it('creates the administration, its customs agency and an administrator with a working token', async () => {
    const created = await createAdmin(ctx, {
      username: 'root',
      country: 'KZ',
      administrationName: 'State Revenue Committee',
    });
    expect(created.password.length).toBeGreaterThanOrEqual(16);
    const principal = await authenticate(ctx, created.token);
    expect(principal).toMatchObject({
      username: 'root',
      roles: ['admin'],
      agencyKind: 'customs',
      via: 'api-token',
    });
    const [administration] = await t.db.read.identity.listAdministrations();
    expect(administration).toMatchObject({ country: 'KZ', name: 'State Revenue Committee' });
    const signedIn = await signIn(ctx, 'root', created.password);
    expect((await authenticate(ctx, signedIn.token)).via).toBe('session');
    const audit = await t.db.read.audit.listFor('user', principal.userId);
    expect(audit.map((e) => e.action)).toEqual([
      'user.created',
      'api-token.issued',
      'user.signed-in',
    ]);
  });

  it('adds a second administrator to the existing administration and refuses a taken username', async () => {
    await createAdmin(ctx, { username: 'root', country: 'KZ', administrationName: 'A' });
    const second = await createAdmin(ctx, {
      username: 'deputy',
      password: 'a long passphrase',
      country: 'BY',
      administrationName: 'B',
    });
    expect(await t.db.read.identity.listAdministrations()).toHaveLength(1);
    expect(second.password).toBe('a long passphrase');
    await expect(
      createAdmin(ctx, { username: 'deputy', country: 'KZ', administrationName: 'A' }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await t.db.read.identity.countUsers()).toBe(2);
  });

  it('seeds one demo user per role, in customs, environment, right-holder and trader agencies', async () => {
    const seeded = await seedDemo(ctx);
    expect(seeded.seeded).toBe(true);
    expect(await t.db.read.identity.countUsers()).toBe(DEMO_USERS.length);
    const kinds = (await t.db.read.identity.listAgencies()).map((a) => a.kind).sort();
    expect(kinds).toEqual(['customs', 'environment', 'right-holder', 'trader']);
    const roles = new Set(DEMO_USERS.flatMap((u) => u.roles));
    expect([...roles].sort()).toEqual([
      'admin',
      'border_officer',
      'environmental_officer',
      'ipr_officer',
      'liaison_officer',
      'manager',
      'right_holder',
      'risk_analyst',
      'trader',
    ]);
    // Advance cargo reports through the real intake: the library decides their outcomes.
    const reports = await t.db.read.cargo.list({ limit: 50 });
    expect(reports).toHaveLength(7);
    const outcomes = new Set(reports.map((r) => r.outcome));
    expect([...outcomes].sort()).toEqual([
      'assessment-complete',
      'do-not-load',
      'information-request',
    ]);
    expect(reports.some((r) => r.lodging.status === 'late')).toBe(true);
  });
});
