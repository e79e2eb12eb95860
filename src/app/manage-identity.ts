import type { AgencyKind, Principal, Role } from '../core/auth/identity.js';
import { ROLES } from '../core/auth/identity.js';
import { canAdminister } from '../core/auth/access.js';
import { DomainError } from '../core/errors.js';
import type { Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';
import { hashPassword, hashToken, newBearerToken } from './secrets.js';

/** Creates an administration (a country's customs service) with its customs agency. */
export async function createAdministration(
  ctx: AppContext,
  tx: Repositories,
  input: { country: string; name: string; customsAgencyCode: string; customsAgencyName: string },
): Promise<{ administrationId: string; customsAgencyId: string }> {
  const at = ctx.clock.now().toISOString();
  const administrationId = ctx.ids.next();
  const customsAgencyId = ctx.ids.next();
  await tx.identity.insertAdministration({
    id: administrationId,
    country: input.country,
    name: input.name,
    createdAt: at,
  });
  await tx.identity.insertAgency({
    id: customsAgencyId,
    administrationId,
    kind: 'customs',
    code: input.customsAgencyCode,
    name: input.customsAgencyName,
    traderId: null,
    createdAt: at,
  });
  await tx.audit.append({
    at,
    agencyId: customsAgencyId,
    actorId: null,
    action: 'administration.created',
    subjectType: 'administration',
    subjectId: administrationId,
    details: { country: input.country, name: input.name },
  });
  return { administrationId, customsAgencyId };
}

/** Adds an agency (or a trading company) to an administration. */
export async function createAgency(
  ctx: AppContext,
  tx: Repositories,
  input: {
    administrationId: string;
    kind: AgencyKind;
    code: string;
    name: string;
    traderId?: string;
  },
  actorId: string | null = null,
): Promise<string> {
  const at = ctx.clock.now().toISOString();
  const id = ctx.ids.next();
  await tx.identity.insertAgency({ id, ...input, traderId: input.traderId ?? null, createdAt: at });
  await tx.audit.append({
    at,
    agencyId: id,
    actorId,
    action: 'agency.created',
    subjectType: 'agency',
    subjectId: id,
    details: { kind: input.kind, code: input.code, name: input.name },
  });
  return id;
}

/** Creates a user; `password` null makes a system user that can only use API tokens. */
export async function createUser(
  ctx: AppContext,
  tx: Repositories,
  input: {
    agencyId: string;
    username: string;
    displayName: string;
    roles: Role[];
    password: string | null;
  },
  actorId: string | null = null,
): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._-]{1,62}$/.test(input.username)) {
    throw new DomainError('invalid_input', 'invalid username', [
      { path: '/username', reason: 'use 2–63 lower-case letters, digits, dot, dash or underscore' },
    ]);
  }
  const unknownRole = input.roles.find((r) => !ROLES.includes(r));
  if (unknownRole !== undefined || input.roles.length === 0) {
    throw new DomainError('invalid_input', 'invalid roles', [
      { path: '/roles', reason: `each role must be one of: ${ROLES.join(', ')}` },
    ]);
  }
  if (await tx.identity.findUserByUsername(input.username)) {
    throw new DomainError('conflict', `username '${input.username}' is taken`, [
      { path: '/username', reason: 'already taken' },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  const id = ctx.ids.next();
  await tx.identity.insertUser({
    id,
    agencyId: input.agencyId,
    username: input.username,
    displayName: input.displayName,
    roles: input.roles,
    passwordHash: input.password === null ? null : await hashPassword(input.password),
    disabled: false,
    createdAt: at,
  });
  await tx.audit.append({
    at,
    agencyId: input.agencyId,
    actorId,
    action: 'user.created',
    subjectType: 'user',
    subjectId: id,
    details: { username: input.username, roles: input.roles },
  });
  return id;
}

/** Issues an API token for a system or user; only the hash is kept, so it is shown once. */
export async function issueApiToken(
  ctx: AppContext,
  tx: Repositories,
  input: { userId: string; name: string; expiresAt?: string | null },
  actorId: string | null = null,
): Promise<{ token: string; id: string }> {
  const user = await tx.identity.findUserById(input.userId);
  if (!user) throw new DomainError('not_found', `no user ${input.userId}`);
  const token = newBearerToken('api');
  const at = ctx.clock.now().toISOString();
  const id = ctx.ids.next();
  await tx.identity.insertToken({
    id,
    tokenHash: hashToken(token),
    userId: user.id,
    kind: 'api',
    name: input.name,
    createdAt: at,
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
  });
  await tx.audit.append({
    at,
    agencyId: user.agencyId,
    actorId,
    action: 'api-token.issued',
    subjectType: 'user',
    subjectId: user.id,
    details: { tokenId: id, name: input.name },
  });
  return { token, id };
}

/** An administrator issues an API token for a user of their administration. */
export async function issueApiTokenAsAdmin(
  ctx: AppContext,
  principal: Principal,
  input: { userId: string; name: string; expiresAt?: string | null },
): Promise<{ token: string; id: string }> {
  if (!canAdminister(principal))
    throw new DomainError('forbidden', 'only administrators issue API tokens');
  const user = await ctx.storage.read.identity.findUserById(input.userId);
  const agency = user && (await ctx.storage.read.identity.findAgency(user.agencyId));
  if (!agency || agency.administrationId !== principal.administrationId) {
    throw new DomainError('not_found', `no user ${input.userId} in your administration`);
  }
  // Stored as an instant the expiry check compares with; a leap second (23:59:60) is none.
  let expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null) {
    const t = Date.parse(expiresAt);
    if (Number.isNaN(t))
      throw new DomainError('invalid_input', 'expiresAt is not a valid date-time', [
        { path: '/expiresAt', reason: 'not a valid date-time' },
      ]);
    expiresAt = new Date(t).toISOString();
  }
  return ctx.storage.write((tx) =>
    issueApiToken(ctx, tx, { ...input, expiresAt }, principal.userId),
  );
}
