import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type {
  Approval,
  IndicatorStats,
  StoredIndicator,
  StoredReferenceList,
} from '../core/ports.js';
import { diffFields, type FieldChange } from '../core/diff.js';
import { namedAgencies, requiredAgencies } from '../core/risk/workflow.js';
import { assertAllowed, can } from '../core/auth/policy.js';
import { exportShareable, type ShareableExport } from '../core/risk/sharing.js';
import type { AppContext } from './context.js';

/** Indicators are method information: public authorities read them, traders do not. */
function assertReader(principal: Principal): void {
  assertAllowed(principal, 'read', 'indicator');
}

/**
 * The policy's `read indicator` on records owned by agencies: readable when the owner agency is of
 * the principal's administration (an indicator of another administration does not exist here).
 */
async function readableIn<T extends { ownerAgencyId: string }>(
  ctx: AppContext,
  principal: Principal,
  records: T[],
): Promise<T[]> {
  const own = new Set(
    (await ctx.storage.read.identity.listAgencies(principal.administrationId)).map((a) => a.id),
  );
  return records.filter((r) =>
    can(principal, 'read', 'indicator', {
      administrationId: own.has(r.ownerAgencyId) ? principal.administrationId : null,
    }),
  );
}

/** The newest version of every indicator. */
export async function listIndicators(
  ctx: AppContext,
  principal: Principal,
): Promise<StoredIndicator[]> {
  assertReader(principal);
  return readableIn(ctx, principal, await ctx.storage.read.indicators.listLatest());
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
  if (!found || (await readableIn(ctx, principal, [found])).length === 0)
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
  const versions = await readableIn(ctx, principal, await ctx.storage.read.indicators.versions(id));
  if (versions.length === 0) throw new DomainError('not_found', `no indicator ${id}`);
  return versions;
}

/** The newest version of every reference list. */
export async function listReferenceLists(
  ctx: AppContext,
  principal: Principal,
): Promise<StoredReferenceList[]> {
  assertReader(principal);
  return readableIn(ctx, principal, await ctx.storage.read.referenceLists.listLatest());
}

/** Every version of a reference list, oldest first. */
export async function referenceListVersions(
  ctx: AppContext,
  principal: Principal,
  name: string,
): Promise<StoredReferenceList[]> {
  assertReader(principal);
  const versions = await readableIn(
    ctx,
    principal,
    await ctx.storage.read.referenceLists.versions(name),
  );
  if (versions.length === 0) throw new DomainError('not_found', `no reference list ${name}`);
  return versions;
}

/** The approvals recorded for an indicator or list, every version, oldest first. */
export async function listApprovals(
  ctx: AppContext,
  principal: Principal,
  type: Approval['subjectType'],
  key: string,
): Promise<Approval[]> {
  assertReader(principal);
  const read = ctx.storage.read;
  const versions: Array<{ ownerAgencyId: string }> =
    type === 'indicator'
      ? await read.indicators.versions(key)
      : await read.referenceLists.versions(key);
  if ((await readableIn(ctx, principal, versions)).length === 0)
    throw new DomainError(
      'not_found',
      `no ${type === 'indicator' ? 'indicator' : 'reference list'} ${key}`,
    );
  return read.approvals.listFor(type, key);
}

/** What changed between two versions of an indicator, field by field. */
export async function diffIndicatorVersions(
  ctx: AppContext,
  principal: Principal,
  id: string,
  a: number,
  b: number,
): Promise<{ id: string; from: number; to: number; changes: FieldChange[] }> {
  const [x, y] = [
    await getIndicator(ctx, principal, id, a),
    await getIndicator(ctx, principal, id, b),
  ];
  return { id, from: a, to: b, changes: diffFields(x, y, DIFFED_FIELDS) };
}

/** The fields an author changes (not workflow state or bookkeeping). */
const DIFFED_FIELDS = [
  'title',
  'priorityArea',
  'condition',
  'weight',
  'directChannel',
  'controlForm',
  'rationale',
  'validFrom',
  'validTo',
  'coAuthorAgencyIds',
  'sharing',
  'expectedDocuments',
  'sources',
] as const satisfies ReadonlyArray<keyof StoredIndicator>;

export interface IndicatorEffectiveness extends IndicatorStats {
  /** findings / controls; null before any control. */
  hitRate: number | null;
}

/** Per version: declarations hit, controls performed on them, findings, and the hit rate. */
export async function indicatorEffectiveness(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<{ id: string; versions: IndicatorEffectiveness[]; total: IndicatorEffectiveness }> {
  const versions = await indicatorVersions(ctx, principal, id);
  const stats = new Map(
    (await ctx.storage.read.indicatorStats.forIndicator(id)).map((s) => [s.version, s]),
  );
  const rows = versions.map((v) =>
    withRate(
      stats.get(v.version) ?? {
        indicatorId: id,
        version: v.version,
        hits: 0,
        controls: 0,
        findings: 0,
      },
    ),
  );
  const total = withRate({
    indicatorId: id,
    version: 0,
    hits: rows.reduce((n, r) => n + r.hits, 0),
    controls: rows.reduce((n, r) => n + r.controls, 0),
    findings: rows.reduce((n, r) => n + r.findings, 0),
  });
  return { id, versions: rows, total };
}

function withRate(s: IndicatorStats): IndicatorEffectiveness {
  return { ...s, hitRate: s.controls === 0 ? null : s.findings / s.controls };
}

/**
 * What may leave this node for partner administrations: the active versions of shareable
 * indicators and reference lists with their method metadata. National (confidential) ones are
 * never included, and neither are owner, authors or approvals.
 */
export async function shareableMethodInformation(
  ctx: AppContext,
  principal: Principal,
): Promise<ShareableExport> {
  assertAllowed(principal, 'read', 'method-information');
  const read = ctx.storage.read;
  return exportShareable(
    await read.indicators.listActive(),
    await read.referenceLists.listActive(),
  );
}

export interface AgencyApprovals {
  agencyId: string;
  code: string;
  name: string;
  /**
   * The owner authored it; co-authors were named by an owner's author; a former co-author is
   * named on the active version but not on the newest, and must approve leaving it.
   */
  role: 'owner' | 'co-author' | 'former-co-author';
  /** True when this agency has approved the newest version. */
  approvedNewest: boolean;
  /** Every approval this agency gave, any version, oldest first. */
  approvals: Array<{
    version: number;
    userId: string;
    username: string;
    displayName: string;
    at: string;
    comment: string;
  }>;
}

/**
 * Which agencies must approve an indicator (owner and co-authors of the newest version, and those
 * of the active version it would drop) and, for
 * each, who approved which version and when, with names rather than identifiers.
 */
export async function approvalsByAgency(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<{
  id: string;
  version: number;
  status: StoredIndicator['status'];
  agencies: AgencyApprovals[];
}> {
  const newest = await getIndicator(ctx, principal, id);
  const read = ctx.storage.read;
  const approvals = await read.approvals.listFor('indicator', id, undefined, 'activation');
  const active = (await read.indicators.versions(id)).find((v) => v.status === 'active');
  const named = namedAgencies(newest);
  const users = new Map<string, { username: string; displayName: string }>();
  for (const a of approvals) {
    if (users.has(a.userId)) continue;
    const u = await read.identity.findUserById(a.userId);
    users.set(a.userId, {
      username: u?.username ?? a.userId,
      displayName: u?.displayName ?? a.userId,
    });
  }
  const agencies: AgencyApprovals[] = [];
  for (const agencyId of requiredAgencies(newest, active)) {
    const agency = await read.identity.findAgency(agencyId);
    const mine = approvals.filter((a) => a.agencyId === agencyId);
    agencies.push({
      agencyId,
      code: agency?.code ?? agencyId,
      name: agency?.name ?? agencyId,
      role:
        agencyId === newest.ownerAgencyId
          ? 'owner'
          : named.includes(agencyId)
            ? 'co-author'
            : 'former-co-author',
      approvedNewest: mine.some((a) => a.version === newest.version),
      approvals: mine.map((a) => ({
        version: a.version,
        userId: a.userId,
        ...users.get(a.userId)!,
        at: a.at,
        comment: a.comment,
      })),
    });
  }
  return { id, version: newest.version, status: newest.status, agencies };
}
