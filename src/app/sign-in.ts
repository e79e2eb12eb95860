import { DomainError } from '../core/errors.js';
import type { AppContext } from './context.js';
import { DUMMY_PASSWORD_HASH, hashToken, newBearerToken, verifyPassword } from './secrets.js';

export interface SignedIn {
  token: string;
  expiresAt: string;
  user: { id: string; username: string; displayName: string; roles: string[]; agencyId: string };
}

/** Checks a username and password and issues an expiring session token. */
export async function signIn(
  ctx: AppContext,
  username: string,
  password: string,
): Promise<SignedIn> {
  const user = await ctx.storage.read.identity.findUserByUsername(username);
  // Verify against a dummy hash for unknown users: the answer takes as long either way.
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !ok || user.disabled || user.passwordHash === null) {
    throw new DomainError('unauthenticated', 'unknown username or wrong password');
  }
  const now = ctx.clock.now();
  const token = newBearerToken('session');
  const expiresAt = new Date(now.getTime() + ctx.settings.sessionTtlSeconds * 1000).toISOString();
  await ctx.storage.write(async (tx) => {
    await tx.identity.insertToken({
      id: ctx.ids.next(),
      tokenHash: hashToken(token),
      userId: user.id,
      kind: 'session',
      name: 'sign-in',
      createdAt: now.toISOString(),
      expiresAt,
      revokedAt: null,
    });
    await tx.audit.append({
      at: now.toISOString(),
      agencyId: user.agencyId,
      actorId: user.id,
      action: 'user.signed-in',
      subjectType: 'user',
      subjectId: user.id,
      details: {},
    });
  });
  return {
    token,
    expiresAt,
    user: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: user.roles,
      agencyId: user.agencyId,
    },
  };
}

/** Revokes the session token in use. */
export async function signOut(ctx: AppContext, token: string): Promise<void> {
  await ctx.storage.write((tx) =>
    tx.identity.revokeToken(hashToken(token), ctx.clock.now().toISOString()),
  );
}
