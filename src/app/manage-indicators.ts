import { hasRole, type Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { StoredIndicator, StoredReferenceList } from '../core/ports.js';
import type { ReferenceList } from '../core/risk/indicator.js';
import { validateIndicator } from '../core/risk/validate-indicator.js';
import { isCountryCode } from '../core/reference/lookup.js';
import type { AppContext } from './context.js';

function assertAuthor(principal: Principal): void {
  if (!hasRole(principal, 'risk_analyst', 'environmental_officer', 'admin')) {
    throw new DomainError(
      'forbidden',
      'only risk analysts, environmental officers and administrators author indicators',
    );
  }
}

/**
 * Saves an indicator: a new one (`id` undefined) or a new version of an existing one. The
 * condition must compile against the reference lists in force; nothing is saved otherwise.
 */
export async function saveIndicator(
  ctx: AppContext,
  principal: Principal,
  id: string | undefined,
  input: unknown,
): Promise<StoredIndicator> {
  assertAuthor(principal);
  const checked = validateIndicator(input, await ctx.risk.lists());
  if (!checked.ok)
    throw new DomainError('invalid_input', 'the indicator is not valid', checked.issues);
  const v = checked.value;
  const at = ctx.clock.now().toISOString();
  const saved = await ctx.storage.write(async (tx) => {
    const previous = id === undefined ? undefined : await tx.indicators.latest(id);
    if (id !== undefined && !previous) throw new DomainError('not_found', `no indicator ${id}`);
    if (previous && previous.ownerAgencyId !== principal.agencyId && !hasRole(principal, 'admin')) {
      throw new DomainError('forbidden', 'only the owner agency changes this indicator');
    }
    const indicator: StoredIndicator = {
      id: previous?.id ?? ctx.ids.next(),
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
      status: v.status ?? 'draft',
      ownerAgencyId: previous?.ownerAgencyId ?? principal.agencyId,
      createdAt: at,
      createdBy: principal.userId,
    };
    await tx.indicators.insert(indicator);
    await tx.audit.append({
      at,
      agencyId: indicator.ownerAgencyId,
      actorId: principal.userId,
      action: previous ? 'indicator.revised' : 'indicator.created',
      subjectType: 'indicator',
      subjectId: indicator.id,
      details: { version: indicator.version, status: indicator.status, title: indicator.title },
    });
    return indicator;
  });
  ctx.risk.invalidate();
  return saved;
}

const LIST_ENTRY: Record<ReferenceList['kind'], (e: string) => boolean> = {
  'hs-prefixes': (e) => /^[0-9]{1,10}$/.test(e),
  countries: isCountryCode,
  parties: (e) => e.length > 0 && e.length <= 35,
  values: (e) => e.length > 0 && e.length <= 200,
};

/** Saves a new version of a reference list (HS prefixes, countries, party ids, values). */
export async function saveReferenceList(
  ctx: AppContext,
  principal: Principal,
  input: { name: string; kind: ReferenceList['kind']; title: string; entries: string[] },
): Promise<StoredReferenceList> {
  assertAuthor(principal);
  const bad = input.entries.findIndex((e) => !LIST_ENTRY[input.kind](e));
  if (bad >= 0) {
    throw new DomainError('invalid_input', 'the reference list is not valid', [
      {
        path: `/entries/${bad}`,
        reason: `'${input.entries[bad]}' is not a valid ${input.kind} entry`,
      },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  const saved = await ctx.storage.write(async (tx) => {
    const previous = (await tx.referenceLists.listLatest()).find((l) => l.name === input.name);
    if (previous && previous.kind !== input.kind) {
      throw new DomainError('invalid_input', 'a list keeps its kind', [
        { path: '/kind', reason: `list '${input.name}' holds ${previous.kind}` },
      ]);
    }
    const list: StoredReferenceList = {
      ...input,
      entries: [...new Set(input.entries)].sort(),
      version: (previous?.version ?? 0) + 1,
      ownerAgencyId: principal.agencyId,
      createdAt: at,
    };
    await tx.referenceLists.insert(list);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'reference-list.saved',
      subjectType: 'reference-list',
      subjectId: list.name,
      details: { version: list.version, entries: list.entries.length },
    });
    return list;
  });
  ctx.risk.invalidate();
  return saved;
}
