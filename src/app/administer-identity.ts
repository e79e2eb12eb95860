import {
  AGENCY_KIND_TITLES,
  AGENCY_KINDS,
  CREATABLE_AGENCY_KINDS,
  ROLE_TITLES,
  ROLES,
  ROLES_OF_AGENCY_KIND,
  type Agency,
  type AgencyKind,
  type Principal,
  type Role,
} from '../core/auth/identity.js';
import { can } from '../core/auth/policy.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { StoredToken, StoredUser } from '../core/ports.js';
import type { AppContext } from './context.js';
import { createAgency, createUser, issueApiTokenAsAdmin } from './manage-identity.js';
import { hashToken } from './secrets.js';

/**
 * An administrator manages the agencies, users, roles, API tokens and sessions of its own
 * administration (the policy's `administer identity`). Nobody sees a password hash or a token's
 * secret; the secret of an API token is shown once, when it is issued. Every change is audited
 * through the outbox in the transaction of the change.
 */

export interface RoleView {
  role: Role;
  title: string;
}
export interface AgencyKindView {
  kind: AgencyKind;
  title: string;
  /** The roles a user of such an agency may hold: what the console offers. */
  roles: RoleView[];
  /** Whether an administrator may add an agency of this kind. */
  creatable: boolean;
}
export interface AgencyView {
  id: string;
  code: string;
  name: string;
  kind: AgencyKind;
  kindTitle: string;
  traderId: string | null;
  simplifiedProcedures: boolean;
}
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  agency: { id: string; code: string; name: string; kind: AgencyKind };
  roles: RoleView[];
  disabled: boolean;
  /** False for a system user that can only use API tokens. */
  signsInWithPassword: boolean;
  createdAt: string;
  /** The administrator asking. */
  self: boolean;
}
export interface TokenHolder {
  id: string;
  username: string;
  displayName: string;
  agencyName: string;
}
export interface ApiTokenView {
  id: string;
  name: string;
  user: TokenHolder;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}
export interface SessionView {
  id: string;
  user: TokenHolder;
  startedAt: string;
  expiresAt: string | null;
  /** The session this request was made with. */
  current: boolean;
}

/** Most tokens or sessions listed at once (newest first). */
export const TOKEN_LIST_LIMIT = 500;

const roleView = (role: Role): RoleView => ({ role, title: ROLE_TITLES[role] ?? role });

const mayAdminister = (p: Principal, administrationId: string): boolean =>
  can(p, 'administer', 'identity', { administrationId });

function requireAdministrator(p: Principal): void {
  if (!mayAdminister(p, p.administrationId))
    throw new DomainError(
      'forbidden',
      'only administrators of the customs agency manage agencies, users, tokens and sessions',
    );
}

function agencyView(a: Agency): AgencyView {
  return {
    id: a.id,
    code: a.code,
    name: a.name,
    kind: a.kind,
    kindTitle: AGENCY_KIND_TITLES[a.kind] ?? a.kind,
    traderId: a.traderId,
    simplifiedProcedures: a.simplifiedProcedures === true,
  };
}

function userView(p: Principal, u: StoredUser, a: Agency): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    agency: { id: a.id, code: a.code, name: a.name, kind: a.kind },
    roles: u.roles.map(roleView),
    disabled: u.disabled,
    signsInWithPassword: u.passwordHash !== null,
    createdAt: u.createdAt,
    self: u.id === p.userId,
  };
}

const holder = (u: StoredUser, a: Agency): TokenHolder => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  agencyName: a.name,
});

function tokenView(t: StoredToken, u: StoredUser, a: Agency, now: string): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    user: holder(u, a),
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
    status:
      t.revokedAt !== null
        ? 'revoked'
        : t.expiresAt !== null && t.expiresAt <= now
          ? 'expired'
          : 'active',
  };
}

/** The kinds of agency with the roles each allows: the console's only source of role names. */
export function agencyKinds(): AgencyKindView[] {
  return AGENCY_KINDS.map((kind) => ({
    kind,
    title: AGENCY_KIND_TITLES[kind],
    roles: ROLES_OF_AGENCY_KIND[kind].map(roleView),
    creatable: CREATABLE_AGENCY_KINDS.includes(kind),
  }));
}

/** The agencies of the administrator's administration, and the kinds with their roles. */
export async function listAgencies(
  ctx: AppContext,
  p: Principal,
): Promise<{ agencies: AgencyView[]; kinds: AgencyKindView[] }> {
  requireAdministrator(p);
  const agencies = await ctx.storage.read.identity.listAgencies(p.administrationId);
  return { agencies: agencies.map(agencyView), kinds: agencyKinds() };
}

/** Adds an agency (a public agency or a trading company) to the administrator's administration. */
export async function addAgency(
  ctx: AppContext,
  p: Principal,
  input: { kind: string; code: string; name: string; traderId?: string | null },
): Promise<AgencyView> {
  requireAdministrator(p);
  const issues: FieldIssue[] = [];
  const kind = input.kind as AgencyKind;
  if (!CREATABLE_AGENCY_KINDS.includes(kind))
    issues.push({
      path: '/kind',
      reason:
        kind === 'customs'
          ? 'an administration has one customs agency already'
          : 'choose a kind of agency from the list',
    });
  const code = input.code.trim();
  if (!/^[A-Z0-9][A-Z0-9-]{1,31}$/.test(code))
    issues.push({
      path: '/code',
      reason: 'use 2 to 32 capital letters, digits or dashes, e.g. BY-PHYTO',
    });
  const name = input.name.trim();
  if (name.length < 2 || name.length > 120)
    issues.push({ path: '/name', reason: 'give a name of 2 to 120 characters' });
  const traderId = input.traderId?.trim() || null;
  if (kind === 'trader' && (traderId === null || !/^[A-Z]{2}[A-Z0-9]{1,33}$/.test(traderId)))
    issues.push({
      path: '/traderId',
      reason:
        'a trading company needs its EORI or trader number (country code, then letters and digits)',
    });
  if (kind !== 'trader' && traderId !== null)
    issues.push({ path: '/traderId', reason: 'only a trading company has a trader number' });
  if (issues.length > 0) throw new DomainError('invalid_input', 'the agency is not valid', issues);
  const id = await ctx.storage.write(async (tx) => {
    if (await tx.identity.findAgencyByCode(code))
      throw new DomainError('conflict', `an agency with code ${code} exists already`, [
        { path: '/code', reason: 'another agency has this code already' },
      ]);
    return createAgency(
      ctx,
      tx,
      {
        administrationId: p.administrationId,
        kind,
        code,
        name,
        ...(traderId !== null ? { traderId } : {}),
      },
      p.userId,
    );
  });
  const agency = await ctx.storage.read.identity.findAgency(id);
  return agencyView(agency!);
}

/** Users of the administration with their agency and roles (never a password hash). */
export async function listUsers(ctx: AppContext, p: Principal): Promise<UserView[]> {
  requireAdministrator(p);
  const users = await ctx.storage.read.identity.listUsersOf(p.administrationId);
  return users.map((u) => userView(p, u, u.agency));
}

/** Shortest initial password an administrator may set. */
export const MIN_PASSWORD_LENGTH = 12;

function checkRoles(kind: AgencyKind, roles: readonly string[], issues: FieldIssue[]): Role[] {
  const allowed = ROLES_OF_AGENCY_KIND[kind];
  const unique = [...new Set(roles)];
  if (unique.length === 0)
    issues.push({ path: '/roles', reason: 'give the user at least one role' });
  const wrong = unique.filter((r) => !allowed.includes(r as Role));
  if (wrong.length > 0)
    issues.push({
      path: '/roles',
      reason: `${AGENCY_KIND_TITLES[kind]} users may hold only: ${allowed.map((r) => ROLE_TITLES[r]).join(', ')}`,
    });
  return unique.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

/**
 * Creates a user in an agency of the administration with an initial password the administrator
 * passes on (hashed as sign-in checks it), or without one: a system user that only uses API tokens.
 */
export async function addUser(
  ctx: AppContext,
  p: Principal,
  input: {
    agencyId: string;
    username: string;
    displayName: string;
    roles: readonly string[];
    password?: string | null;
  },
): Promise<UserView> {
  requireAdministrator(p);
  const agency = await ctx.storage.read.identity.findAgency(input.agencyId);
  if (!agency || !mayAdminister(p, agency.administrationId))
    throw new DomainError('not_found', `no agency ${input.agencyId} in your administration`, [
      { path: '/agencyId', reason: 'choose an agency of your administration' },
    ]);
  const issues: FieldIssue[] = [];
  const username = input.username.trim();
  if (!/^[a-z0-9][a-z0-9._-]{1,62}$/.test(username))
    issues.push({
      path: '/username',
      reason: 'use 2 to 63 lower-case letters, digits, dots, dashes or underscores',
    });
  const displayName = input.displayName.trim();
  if (displayName.length < 2 || displayName.length > 120)
    issues.push({ path: '/displayName', reason: 'give a name of 2 to 120 characters' });
  const roles = checkRoles(agency.kind, input.roles, issues);
  const password = input.password ?? null;
  if (password !== null && password.length < MIN_PASSWORD_LENGTH)
    issues.push({
      path: '/password',
      reason: `use at least ${MIN_PASSWORD_LENGTH} characters`,
    });
  if (issues.length > 0) throw new DomainError('invalid_input', 'the user is not valid', issues);
  const id = await ctx.storage.write((tx) =>
    createUser(ctx, tx, { agencyId: agency.id, username, displayName, roles, password }, p.userId),
  );
  const user = await ctx.storage.read.identity.findUserById(id);
  return userView(p, user!, agency);
}

/** The user and its agency, when the administrator may manage it; else `not_found`. */
async function managedUser(ctx: AppContext, p: Principal, userId: string) {
  const user = await ctx.storage.read.identity.findUserById(userId);
  const agency = user && (await ctx.storage.read.identity.findAgency(user.agencyId));
  if (!user || !agency || !mayAdminister(p, agency.administrationId))
    throw new DomainError('not_found', `no user ${userId} in your administration`);
  return { user, agency };
}

/**
 * Replaces a user's roles with roles its agency's kind allows. An administrator never removes its
 * own administrator role (another one does), and the last active administrator keeps it.
 */
export async function changeRoles(
  ctx: AppContext,
  p: Principal,
  userId: string,
  wanted: readonly string[],
): Promise<UserView> {
  requireAdministrator(p);
  const { user, agency } = await managedUser(ctx, p, userId);
  const issues: FieldIssue[] = [];
  const roles = checkRoles(agency.kind, wanted, issues);
  if (issues.length > 0) throw new DomainError('invalid_input', 'the roles are not valid', issues);
  const dropsAdmin = user.roles.includes('admin') && !roles.includes('admin');
  if (dropsAdmin && user.id === p.userId)
    throw new DomainError('conflict', 'you cannot remove your own administrator role', [
      { path: '/roles', reason: 'another administrator must remove your administrator role' },
    ]);
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    await tx.identity.setUserRoles(user.id, roles);
    if (
      dropsAdmin &&
      !user.disabled &&
      (await tx.identity.countActiveAdmins(p.administrationId)) < 1
    )
      throw new DomainError('conflict', 'the administration would have no administrator left', [
        { path: '/roles', reason: 'keep at least one active administrator' },
      ]);
    await tx.audit.append({
      at,
      agencyId: user.agencyId,
      actorId: p.userId,
      action: 'user.roles-changed',
      subjectType: 'user',
      subjectId: user.id,
      details: { from: user.roles, to: roles },
    });
  });
  return userView(p, { ...user, roles }, agency);
}

/**
 * Disables a user, which ends its sessions and revokes its API tokens at once (they stay revoked
 * if it is enabled again), or enables it again. An administrator never disables itself.
 */
export async function setUserDisabled(
  ctx: AppContext,
  p: Principal,
  userId: string,
  disabled: boolean,
): Promise<UserView> {
  requireAdministrator(p);
  const { user, agency } = await managedUser(ctx, p, userId);
  if (disabled && user.id === p.userId)
    throw new DomainError('conflict', 'you cannot disable yourself', [
      { path: '/disabled', reason: 'another administrator must disable your account' },
    ]);
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    if (!(await tx.identity.setUserDisabled(user.id, disabled))) return;
    const revoked = disabled ? await tx.identity.revokeTokensOfUser(user.id, at) : 0;
    if (
      disabled &&
      user.roles.includes('admin') &&
      (await tx.identity.countActiveAdmins(p.administrationId)) < 1
    )
      throw new DomainError('conflict', 'the administration would have no administrator left', [
        { path: '/disabled', reason: 'keep at least one active administrator' },
      ]);
    await tx.audit.append({
      at,
      agencyId: user.agencyId,
      actorId: p.userId,
      action: disabled ? 'user.disabled' : 'user.enabled',
      subjectType: 'user',
      subjectId: user.id,
      details: disabled ? { tokensRevoked: revoked } : {},
    });
  });
  return userView(p, { ...user, disabled }, agency);
}

/** API tokens of the administration's users, newest first (never their secrets). */
export async function listApiTokens(ctx: AppContext, p: Principal): Promise<ApiTokenView[]> {
  requireAdministrator(p);
  const now = ctx.clock.now().toISOString();
  const tokens = await ctx.storage.read.identity.listTokensOf(p.administrationId, 'api', {
    limit: TOKEN_LIST_LIMIT,
  });
  return tokens.map((t) => tokenView(t, t.user, t.agency, now));
}

/** Issues an API token for a user of the administration; its secret is in this answer only. */
export async function issueUserApiToken(
  ctx: AppContext,
  p: Principal,
  input: { userId: string; name: string; expiresAt?: string | null },
): Promise<{ id: string; token: string; apiToken: ApiTokenView }> {
  requireAdministrator(p);
  const { user, agency } = await managedUser(ctx, p, input.userId);
  const name = input.name.trim();
  if (name.length < 1)
    throw new DomainError('invalid_input', 'the token needs a name', [
      { path: '/name', reason: 'say what the token is for, e.g. "scanner at gate 3"' },
    ]);
  if (user.disabled)
    throw new DomainError('conflict', `${user.username} is disabled`, [
      { path: '/userId', reason: 'a disabled user cannot be given a token' },
    ]);
  const now = ctx.clock.now().toISOString();
  if (input.expiresAt) {
    const t = Date.parse(input.expiresAt);
    if (!Number.isNaN(t) && new Date(t).toISOString() <= now)
      throw new DomainError('invalid_input', 'the expiry is in the past', [
        { path: '/expiresAt', reason: 'choose a time in the future' },
      ]);
  }
  const issued = await issueApiTokenAsAdmin(ctx, p, { ...input, name });
  const found = await ctx.storage.read.identity.findTokenById(issued.id);
  return { ...issued, apiToken: tokenView(found!.token, user, agency, now) };
}

/** A token of the administration by id (sessions and API tokens), else `not_found`. */
async function managedToken(ctx: AppContext, p: Principal, id: string, kind: StoredToken['kind']) {
  const found = await ctx.storage.read.identity.findTokenById(id);
  if (!found || found.token.kind !== kind || !mayAdminister(p, found.agency.administrationId))
    throw new DomainError(
      'not_found',
      `no ${kind === 'api' ? 'API token' : 'session'} ${id} in your administration`,
    );
  return found;
}

/** Revokes an API token: the next request with it is refused. */
export async function revokeApiToken(
  ctx: AppContext,
  p: Principal,
  id: string,
): Promise<ApiTokenView> {
  requireAdministrator(p);
  const { token, user, agency } = await managedToken(ctx, p, id, 'api');
  const at = ctx.clock.now().toISOString();
  const done = await ctx.storage.write(async (tx) => {
    if (!(await tx.identity.revokeTokenById(id, at))) return false;
    await tx.audit.append({
      at,
      agencyId: user.agencyId,
      actorId: p.userId,
      action: 'api-token.revoked',
      subjectType: 'user',
      subjectId: user.id,
      details: { tokenId: id, name: token.name },
    });
    return true;
  });
  if (!done) throw new DomainError('conflict', `the token "${token.name}" was revoked already`);
  return tokenView({ ...token, revokedAt: at }, user, agency, at);
}

/** Sessions open now in the administration, newest first; `current` marks the caller's own. */
export async function listSessions(
  ctx: AppContext,
  p: Principal,
  bearer: string | undefined,
): Promise<SessionView[]> {
  requireAdministrator(p);
  const now = ctx.clock.now().toISOString();
  const sessions = await ctx.storage.read.identity.listTokensOf(p.administrationId, 'session', {
    liveAt: now,
    limit: TOKEN_LIST_LIMIT,
  });
  // The current session is known by its secret's hash; the list itself carries no hash.
  const current = bearer ? await ctx.storage.read.identity.findToken(hashToken(bearer)) : undefined;
  return sessions.map((s) => ({
    id: s.id,
    user: holder(s.user, s.agency),
    startedAt: s.createdAt,
    expiresAt: s.expiresAt,
    current: s.id === current?.token.id,
  }));
}

/** Ends a session: its token is revoked and the next request with it is refused. */
export async function endSession(ctx: AppContext, p: Principal, id: string): Promise<void> {
  requireAdministrator(p);
  const { user } = await managedToken(ctx, p, id, 'session');
  const at = ctx.clock.now().toISOString();
  const done = await ctx.storage.write(async (tx) => {
    if (!(await tx.identity.revokeTokenById(id, at))) return false;
    await tx.audit.append({
      at,
      agencyId: user.agencyId,
      actorId: p.userId,
      action: 'session.ended',
      subjectType: 'user',
      subjectId: user.id,
      details: { sessionId: id },
    });
    return true;
  });
  if (!done) throw new DomainError('conflict', 'the session has ended already');
}
