import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { StoredIndicator, StoredReferenceList } from '../core/ports.js';
import type { AppContext } from './context.js';

/** Indicators are method information: public authorities read them, traders do not. */
function assertReader(principal: Principal): void {
  if (principal.agencyKind === 'trader')
    throw new DomainError('forbidden', 'traders do not read risk indicators');
}

/** The newest version of every indicator. */
export async function listIndicators(
  ctx: AppContext,
  principal: Principal,
): Promise<StoredIndicator[]> {
  assertReader(principal);
  return ctx.storage.read.indicators.listLatest();
}

/** One indicator: its newest version, or the version asked for. */
export async function getIndicator(
  ctx: AppContext,
  principal: Principal,
  id: string,
  version?: number,
): Promise<StoredIndicator> {
  assertReader(principal);
  const found =
    version === undefined
      ? await ctx.storage.read.indicators.latest(id)
      : await ctx.storage.read.indicators.version(id, version);
  if (!found)
    throw new DomainError(
      'not_found',
      `no indicator ${id}${version === undefined ? '' : ` version ${version}`}`,
    );
  return found;
}

/** Every version of an indicator, oldest first. */
export async function indicatorVersions(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<StoredIndicator[]> {
  assertReader(principal);
  const versions = await ctx.storage.read.indicators.versions(id);
  if (versions.length === 0) throw new DomainError('not_found', `no indicator ${id}`);
  return versions;
}

/** The newest version of every reference list. */
export async function listReferenceLists(
  ctx: AppContext,
  principal: Principal,
): Promise<StoredReferenceList[]> {
  assertReader(principal);
  return ctx.storage.read.referenceLists.listLatest();
}
