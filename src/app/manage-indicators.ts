import type { EventKind } from '../core/events.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type {
  Approval,
  Repositories,
  StoredIndicator,
  StoredReferenceList,
} from '../core/ports.js';
import { compileCondition, ConditionError } from '../core/risk/compile-condition.js';
import {
  nextIndicatorCode,
  type Authored,
  type IndicatorStatus,
  type PriorityArea,
  type ReferenceList,
  type SharingLevel,
} from '../core/risk/indicator.js';
import { validateIndicator } from '../core/risk/validate-indicator.js';
import {
  assertCurrentVersion,
  assertMayDecide,
  assertMayEdit,
  assertStatus,
  checkApproval,
  checkRetirement,
  requiredAgencies,
} from '../core/risk/workflow.js';
import { isCountryCode, isKnownHsPrefix } from '../core/reference/lookup.js';
import type { AppContext } from './context.js';

/**
 * Saves an indicator: a new one (`id` undefined, owned by the author's agency) or a new version
 * of an existing one. Either way the version is a draft: it screens nothing until every named
 * agency has approved it. The condition must compile against the reference lists (their newest
 * versions, so that a list and the indicators using it can be drafted together).
 */
export async function saveIndicator(
  ctx: AppContext,
  principal: Principal,
  id: string | undefined,
  input: unknown,
  options: { newId?: string } = {},
): Promise<StoredIndicator> {
  assertMayEdit(principal);
  const checked = validateIndicator(input, await draftingLists(ctx.storage.read));
  if (!checked.ok)
    throw new DomainError('invalid_input', 'the indicator is not valid', checked.issues);
  const v = checked.value;
  const at = ctx.clock.now().toISOString();
  const saved = await ctx.storage.write(async (tx) => {
    const previous = id === undefined ? undefined : await tx.indicators.latest(id);
    if (id !== undefined && !previous) throw new DomainError('not_found', `no indicator ${id}`);
    if (previous) assertMayEdit(principal, previous);
    if (!previous && options.newId !== undefined && (await tx.indicators.latest(options.newId))) {
      throw new DomainError('conflict', `indicator ${options.newId} exists already`);
    }
    const ownerAgencyId = previous?.ownerAgencyId ?? principal.agencyId;
    const coAuthorAgencyIds = await coAuthors(
      tx,
      principal,
      ownerAgencyId,
      v.coAuthorAgencies,
      previous?.coAuthorAgencyIds,
    );
    const indicator: StoredIndicator = {
      id: previous?.id ?? options.newId ?? (await newIndicatorCode(tx, principal, v.priorityArea)),
      version: (previous?.version ?? 0) + 1,
      title: v.title,
      priorityArea: v.priorityArea,
      condition: v.condition,
      weight: v.weight ?? 0,
      directChannel: v.directChannel ?? null,
      controlForm: v.controlForm,
      rationale: v.rationale,
      validFrom: v.validFrom ?? null,
      validTo: v.validTo ?? null,
      status: 'draft',
      ownerAgencyId,
      coAuthorAgencyIds,
      sharing: v.sharing ?? previous?.sharing ?? 'national',
      expectedDocuments: v.expectedDocuments ?? previous?.expectedDocuments ?? [],
      sources: v.sources ?? previous?.sources ?? [],
      createdAt: at,
      createdBy: principal.userId,
    };
    // A pending version is replaced by the edit; an active one keeps screening meanwhile.
    if (previous && (previous.status === 'draft' || previous.status === 'awaiting-approval')) {
      await tx.indicators.setStatus(previous.id, previous.version, 'superseded');
    }
    await tx.indicators.insert(indicator);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: previous ? 'indicator.revised' : 'indicator.created',
      subjectType: 'indicator',
      subjectId: indicator.id,
      details: { version: indicator.version, status: indicator.status, title: indicator.title },
    });
    return indicator;
  });
  return saved;
}

/** A readable code for a new indicator of the principal's agency (see nextIndicatorCode). */
async function newIndicatorCode(
  tx: Repositories,
  principal: Principal,
  area: PriorityArea,
): Promise<string> {
  const agency = await tx.identity.findAgency(principal.agencyId);
  const taken = (await tx.indicators.listLatest()).map((i) => i.id);
  return nextIndicatorCode(agency?.code ?? 'IND', area, taken);
}

const LIST_ENTRY: Record<ReferenceList['kind'], (e: string) => boolean> = {
  'hs-prefixes': isKnownHsPrefix,
  countries: isCountryCode,
  parties: (e) => e.length > 0 && e.length <= 35,
  values: (e) => e.length > 0 && e.length <= 200,
};

const LIST_ENTRY_EXPECTED: Record<ReferenceList['kind'], string> = {
  'hs-prefixes': 'an HS 2022 code or prefix (1 to 10 digits)',
  countries: 'an ISO 3166-1 alpha-2 country code',
  parties: 'a party identifier of 1 to 35 characters',
  values: 'a value of 1 to 200 characters',
};

export interface ReferenceListInput {
  name: string;
  kind: ReferenceList['kind'];
  title: string;
  entries: string[];
  source?: string;
  coAuthorAgencies?: string[];
  sharing?: SharingLevel;
}

/** Saves a new version of a reference list as a draft (HS prefixes, countries, party ids, values). */
export async function saveReferenceList(
  ctx: AppContext,
  principal: Principal,
  input: ReferenceListInput,
): Promise<StoredReferenceList> {
  assertMayEdit(principal, undefined, 'reference list');
  const bad = input.entries.findIndex((e) => !LIST_ENTRY[input.kind](e));
  if (bad >= 0) {
    throw new DomainError('invalid_input', 'the reference list is not valid', [
      {
        path: `/entries/${bad}`,
        reason: `'${input.entries[bad]}' is not ${LIST_ENTRY_EXPECTED[input.kind]}`,
      },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const previous = await tx.referenceLists.latest(input.name);
    if (previous) assertMayEdit(principal, previous, 'reference list');
    if (previous && previous.kind !== input.kind) {
      throw new DomainError('invalid_input', 'a list keeps its kind', [
        { path: '/kind', reason: `list '${input.name}' holds ${previous.kind}` },
      ]);
    }
    const ownerAgencyId = previous?.ownerAgencyId ?? principal.agencyId;
    const list: StoredReferenceList = {
      name: input.name,
      kind: input.kind,
      title: input.title,
      entries: [...new Set(input.entries)].sort(),
      source: input.source ?? previous?.source ?? '',
      version: (previous?.version ?? 0) + 1,
      status: 'draft',
      ownerAgencyId,
      coAuthorAgencyIds: await coAuthors(
        tx,
        principal,
        ownerAgencyId,
        input.coAuthorAgencies,
        previous?.coAuthorAgencyIds,
      ),
      sharing: input.sharing ?? previous?.sharing ?? 'national',
      createdAt: at,
      createdBy: principal.userId,
    };
    if (previous && (previous.status === 'draft' || previous.status === 'awaiting-approval')) {
      await tx.referenceLists.setStatus(previous.name, previous.version, 'superseded');
    }
    await tx.referenceLists.insert(list);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: previous ? 'reference-list.revised' : 'reference-list.created',
      subjectType: 'reference-list',
      subjectId: list.name,
      details: { version: list.version, status: list.status, entries: list.entries.length },
    });
    return list;
  });
}

/** An indicator or a reference list, as the workflow steps see them. */
export type SubjectType = Approval['subjectType'];

interface Versioned extends Authored {
  version: number;
  createdBy: string | null;
}

/** Where a retirement request stands: who agreed (agency ids) and who still has to. */
export interface RetirementState {
  agreedBy: string[];
  remaining: string[];
}

interface SubjectAccess {
  what: string;
  latest(tx: Repositories, key: string): Promise<Versioned | undefined>;
  versions(tx: Repositories, key: string): Promise<Versioned[]>;
  setStatus(tx: Repositories, key: string, version: number, status: IndicatorStatus): Promise<void>;
  /** Refuses activation when the version could not screen (e.g. it names a list not in force). */
  checkActivation(tx: Repositories, key: string, version: number): Promise<void>;
  /** Refuses retirement when something active depends on the subject. */
  checkRetirement(tx: Repositories, key: string): Promise<void>;
}

const SUBJECTS: Record<SubjectType, SubjectAccess> = {
  indicator: {
    what: 'indicator',
    latest: (tx, id) => tx.indicators.latest(id),
    versions: (tx, id) => tx.indicators.versions(id),
    setStatus: (tx, id, version, status) => tx.indicators.setStatus(id, version, status),
    async checkActivation(tx, id, version) {
      const indicator = (await tx.indicators.version(id, version))!;
      try {
        compileCondition(indicator.condition, await activeLists(tx));
      } catch (e) {
        if (!(e instanceof ConditionError)) throw e;
        throw new DomainError(
          'conflict',
          `version ${version} cannot become active with the reference lists in force: ${e.message}` +
            ' (approve the list first)',
        );
      }
    },
    async checkRetirement() {},
  },
  'reference-list': {
    what: 'reference list',
    latest: (tx, name) => tx.referenceLists.latest(name),
    versions: (tx, name) => tx.referenceLists.versions(name),
    setStatus: (tx, name, version, status) => tx.referenceLists.setStatus(name, version, status),
    async checkActivation() {},
    async checkRetirement(tx, name) {
      const lists = await activeLists(tx);
      lists.delete(name);
      for (const i of await tx.indicators.listActive()) {
        try {
          compileCondition(i.condition, lists);
        } catch (e) {
          if (!(e instanceof ConditionError)) throw e;
          throw new DomainError(
            'conflict',
            `active indicator ${i.id} ('${i.title}') uses list '${name}': retire or revise it first`,
          );
        }
      }
    },
  },
};

export interface StepInput {
  version: number;
  comment?: string;
}

/** draft → awaiting-approval: the version goes to every named agency for approval. */
export async function submitForApproval(
  ctx: AppContext,
  principal: Principal,
  type: SubjectType,
  key: string,
  input: StepInput,
): Promise<Versioned> {
  const s = SUBJECTS[type];
  return step(ctx, principal, type, key, input, async (tx, subject, at) => {
    assertMayEdit(principal, subject, s.what);
    assertStatus(subject, ['draft'], 'submit', s.what);
    await s.setStatus(tx, key, subject.version, 'awaiting-approval');
    await audit(tx, principal, type, key, `${type}.submitted`, at, {
      version: subject.version,
      comment: input.comment ?? '',
      awaiting: requiredAgencies(subject, await activeVersion(s, tx, key)),
    });
    return { ...subject, status: 'awaiting-approval' as const };
  });
}

/**
 * One agency approves the version, for the principal's own agency; when it is the last agency
 * to do so (those named on it and on the active version) the version becomes active and the
 * previously active one is superseded. Nobody approves a version they saved.
 */
export async function approve(
  ctx: AppContext,
  principal: Principal,
  type: SubjectType,
  key: string,
  input: StepInput,
): Promise<Versioned & { approvals: Approval[] }> {
  const s = SUBJECTS[type];
  const result = await step(ctx, principal, type, key, input, async (tx, subject, at) => {
    const done = await tx.approvals.listFor(type, key, subject.version, 'activation');
    const check = checkApproval(
      principal,
      subject,
      input.version,
      done.map((a) => a.agencyId),
      s.what,
      await activeVersion(s, tx, key),
    );
    const approval: Approval = {
      subjectType: type,
      subjectId: key,
      version: subject.version,
      purpose: 'activation',
      agencyId: principal.agencyId,
      userId: principal.userId,
      at,
      comment: input.comment ?? '',
    };
    await tx.approvals.insert(approval);
    await audit(tx, principal, type, key, `${type}.approved`, at, {
      version: subject.version,
      comment: approval.comment,
      authoredBy: subject.createdBy,
      remaining: check.remaining,
    });
    let status = subject.status;
    if (check.activates) {
      await s.checkActivation(tx, key, subject.version);
      for (const v of await s.versions(tx, key)) {
        if (v.status === 'active') await s.setStatus(tx, key, v.version, 'superseded');
      }
      await s.setStatus(tx, key, subject.version, 'active');
      status = 'active';
      await audit(tx, principal, type, key, `${type}.activated`, at, {
        version: subject.version,
        authoredBy: subject.createdBy,
        approvedBy: [...done.map((a) => a.agencyId), principal.agencyId],
        approvers: [...done.map((a) => a.userId), principal.userId],
      });
    }
    return { ...subject, status, approvals: [...done, approval] };
  });
  if (result.status === 'active') ctx.risk.invalidate();
  return result;
}

/** awaiting-approval → draft, with the reason; the version's approvals are withdrawn. */
export async function reject(
  ctx: AppContext,
  principal: Principal,
  type: SubjectType,
  key: string,
  input: StepInput & { reason: string },
): Promise<Versioned> {
  const s = SUBJECTS[type];
  return step(ctx, principal, type, key, input, async (tx, subject, at) => {
    // Every agency whose approval the version needs may send it back, a dropped co-author too.
    assertMayDecide(principal, requiredAgencies(subject, await activeVersion(s, tx, key)), s.what);
    assertStatus(subject, ['awaiting-approval'], 'reject', s.what);
    await tx.approvals.deleteFor(type, key, subject.version, 'activation');
    await s.setStatus(tx, key, subject.version, 'draft');
    await audit(tx, principal, type, key, `${type}.rejected`, at, {
      version: subject.version,
      comment: input.reason,
    });
    return { ...subject, status: 'draft' as const };
  });
}

/**
 * One owning agency agrees to take the subject out of use, for the principal's own agency. The
 * owners are the agencies named on every version still in use (active or pending); when the last
 * of them agrees, those versions become retired. A subject owned by one agency retires at once.
 * The agreement names the newest version: an edit meanwhile needs the owners to agree again.
 */
export async function retire(
  ctx: AppContext,
  principal: Principal,
  type: SubjectType,
  key: string,
  input: StepInput,
): Promise<Versioned & { retirement: RetirementState }> {
  const s = SUBJECTS[type];
  const result = await step(ctx, principal, type, key, input, async (tx, subject, at) => {
    const versions = await s.versions(tx, key);
    const inUse = versions.filter((v) => v.status !== 'superseded' && v.status !== 'retired');
    const done = await tx.approvals.listFor(type, key, subject.version, 'retirement');
    const check = checkRetirement(
      principal,
      subject,
      inUse,
      done.map((a) => a.agencyId),
      s.what,
    );
    await s.checkRetirement(tx, key);
    const agreement: Approval = {
      subjectType: type,
      subjectId: key,
      version: subject.version,
      purpose: 'retirement',
      agencyId: principal.agencyId,
      userId: principal.userId,
      at,
      comment: input.comment ?? '',
    };
    await tx.approvals.insert(agreement);
    const agreed = [...done, agreement];
    const retirement = { agreedBy: agreed.map((a) => a.agencyId), remaining: check.remaining };
    if (!check.retires) {
      await audit(
        tx,
        principal,
        type,
        key,
        done.length === 0 ? `${type}.retirement-requested` : `${type}.retirement-agreed`,
        at,
        {
          version: subject.version,
          comment: agreement.comment,
          requestedBy: agreed[0]!.userId,
          remaining: check.remaining,
        },
      );
      return { ...subject, retirement };
    }
    for (const v of inUse) await s.setStatus(tx, key, v.version, 'retired');
    await audit(tx, principal, type, key, `${type}.retired`, at, {
      version: subject.version,
      versions: inUse.map((v) => v.version),
      comment: agreement.comment,
      requestedBy: agreed[0]!.userId,
      agreedBy: retirement.agreedBy,
      approvers: agreed.map((a) => a.userId),
    });
    return { ...subject, status: 'retired' as const, retirement };
  });
  if (result.status === 'retired') ctx.risk.invalidate();
  return result;
}

/** The version in force, if any: the one a new version replaces. */
async function activeVersion(
  s: SubjectAccess,
  tx: Repositories,
  key: string,
): Promise<Versioned | undefined> {
  return (await s.versions(tx, key)).find((v) => v.status === 'active');
}

/** Runs one workflow step in a transaction, on the newest version, which the caller must name. */
async function step<T>(
  ctx: AppContext,
  principal: Principal,
  type: SubjectType,
  key: string,
  input: StepInput,
  work: (tx: Repositories, subject: Versioned, at: string) => Promise<T>,
): Promise<T> {
  const s = SUBJECTS[type];
  if (principal.agencyKind === 'trader') {
    throw new DomainError('forbidden', `traders take no part in authoring ${s.what}s`);
  }
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const subject = await s.latest(tx, key);
    if (!subject) throw new DomainError('not_found', `no ${s.what} ${key}`);
    assertCurrentVersion(subject, input.version, s.what);
    return work(tx, subject, at);
  });
}

function audit(
  tx: Repositories,
  principal: Principal,
  type: SubjectType,
  key: string,
  action: EventKind,
  at: string,
  details: Record<string, unknown>,
): Promise<void> {
  return tx.audit.append({
    at,
    agencyId: principal.agencyId,
    actorId: principal.userId,
    action,
    subjectType: type,
    subjectId: key,
    details,
  });
}

/** Resolves co-author agencies (id or code): public agencies of the same administration, not the owner. */
async function coAuthors(
  tx: Repositories,
  principal: Principal,
  ownerAgencyId: string,
  requested: readonly string[] | undefined,
  previous: readonly string[] | undefined,
): Promise<string[]> {
  if (requested === undefined) return [...(previous ?? [])];
  const ids: string[] = [];
  for (const [i, ref] of requested.entries()) {
    const agency = (await tx.identity.findAgency(ref)) ?? (await tx.identity.findAgencyByCode(ref));
    const path = `/coAuthorAgencies/${i}`;
    if (!agency) {
      throw new DomainError('invalid_input', 'unknown co-author agency', [
        { path, reason: `no agency with id or code '${ref}'` },
      ]);
    }
    if (agency.kind === 'trader' || agency.administrationId !== principal.administrationId) {
      throw new DomainError(
        'invalid_input',
        'co-authors are public agencies of this administration',
        [{ path, reason: `'${ref}' is not a public agency of this administration` }],
      );
    }
    if (agency.id !== ownerAgencyId && !ids.includes(agency.id)) ids.push(agency.id);
  }
  return ids;
}

/** The lists screening uses: the active version of each. */
export async function activeLists(tx: Repositories): Promise<Map<string, ReferenceList>> {
  return new Map((await tx.referenceLists.listActive()).map((l) => [l.name, l]));
}

/** The lists a condition may name while being drafted: the newest version of each not retired. */
export async function draftingLists(read: Repositories): Promise<Map<string, ReferenceList>> {
  const lists = new Map<string, ReferenceList>();
  for (const l of await read.referenceLists.listLatest())
    if (l.status !== 'retired') lists.set(l.name, l);
  return lists;
}
