import { canReadDeclaration } from '../core/auth/access.js';
import type { Principal } from '../core/auth/identity.js';
import { assertAllowed, scopeOf } from '../core/auth/policy.js';
import { DomainError } from '../core/errors.js';
import type { DeclarationFilter, DeclarationRecord, DeclarationVersion } from '../core/ports.js';
import type { AppContext } from './context.js';
import { seesTraderView } from './views/declaration-view.js';

/** One declaration, if the principal may see it (otherwise it does not exist for them). */
export async function getDeclaration(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<DeclarationRecord> {
  const d = await ctx.storage.read.declarations.findById(id);
  if (!d || !canReadDeclaration(principal, d))
    throw new DomainError('not_found', `no declaration ${id}`);
  return d;
}

export type DeclarationQuery = Omit<
  DeclarationFilter,
  'agencyId' | 'submitterAgencyId' | 'after'
> & {
  cursor?: string;
};

export interface DeclarationPage {
  items: DeclarationRecord[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** A page of declarations the principal may see, newest declaration date first. */
export async function listDeclarations(
  ctx: AppContext,
  principal: Principal,
  query: DeclarationQuery,
): Promise<DeclarationPage> {
  // The same policy as a read by id, as a storage filter: a list and a read never disagree.
  const scope = scopeOf(principal, 'read', 'declaration');
  if (scope.length === 0) assertAllowed(principal, 'read', 'declaration');
  // A trader never learns the channel (see views/declaration-view.ts): not by filtering on it.
  if (query.channel !== undefined && seesTraderView(principal)) {
    throw new DomainError('invalid_input', 'the control channel is not shown to traders', [
      { path: 'channel', reason: 'not a filter for traders' },
    ]);
  }
  const { cursor, ...rest } = query;
  const filter: DeclarationFilter = { ...rest, scope, limit: query.limit + 1 };
  if (cursor !== undefined) filter.after = decodeCursor(cursor);
  const rows = await ctx.storage.read.declarations.list(filter);
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return rows.length > query.limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
}

function encodeCursor(d: DeclarationRecord): string {
  return Buffer.from(JSON.stringify([d.submittedAt, d.id])).toString('base64url');
}

function decodeCursor(cursor: string): { submittedAt: string; id: string } {
  try {
    const [submittedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof submittedAt === 'string' && typeof id === 'string') return { submittedAt, id };
  } catch {
    // reported below
  }
  throw new DomainError('invalid_input', 'invalid cursor', [
    { path: 'cursor', reason: 'not a cursor from a previous page' },
  ]);
}

/** Every version of a declaration the principal may see, oldest first. */
export async function declarationVersions(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<DeclarationVersion[]> {
  await getDeclaration(ctx, principal, id);
  return ctx.storage.read.declarations.versions(id);
}
