import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { AppContext } from './context.js';
import { hashToken } from './secrets.js';

/** Resolves a bearer token (session or API) to the principal it speaks for, or refuses. */
export async function authenticate(
  ctx: AppContext,
  bearer: string | undefined,
): Promise<Principal> {
  if (!bearer)
    throw new DomainError('unauthenticated', 'Authorization: Bearer <token> is required');
  const found = await ctx.storage.read.identity.findToken(hashToken(bearer));
  const now = ctx.clock.now().toISOString();
  if (
    !found ||
    found.token.revokedAt !== null ||
    (found.token.expiresAt !== null && found.token.expiresAt <= now) ||
    found.user.disabled
  ) {
    throw new DomainError('unauthenticated', 'the token is unknown, expired or revoked');
  }
  return {
    userId: found.user.id,
    username: found.user.username,
    agencyId: found.agency.id,
    agencyKind: found.agency.kind,
    administrationId: found.agency.administrationId,
    traderId: found.agency.traderId,
    roles: found.user.roles,
    via: found.token.kind === 'session' ? 'session' : 'api-token',
  };
}

/** The principal of a user acting locally (the CLI runs as a named user, without a token). */
export async function principalOfUser(ctx: AppContext, username: string): Promise<Principal> {
  const user = await ctx.storage.read.identity.findUserByUsername(username);
  const agency = user && (await ctx.storage.read.identity.findAgency(user.agencyId));
  if (!user || !agency || user.disabled)
    throw new DomainError('not_found', `no active user '${username}'`);
  return {
    userId: user.id,
    username: user.username,
    agencyId: agency.id,
    agencyKind: agency.kind,
    administrationId: agency.administrationId,
    traderId: agency.traderId,
    roles: user.roles,
    via: 'api-token',
  };
}
