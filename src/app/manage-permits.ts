import { assertAllowed, authorize, can, scopeOf } from '../core/auth/policy.js';
import type { EventKind } from '../core/events.js';
import type { AgencyKind, Principal } from '../core/auth/identity.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { DeclarationRecord, PermitFilter, PermitUsage, Repositories } from '../core/ports.js';
import { checkPermits, type PermitCheck, type PermitRules } from '../core/permits/check.js';
import { outcomeOf } from '../core/controls/inspection.js';
import {
  effectiveStatus,
  isExpedited,
  PERMIT_ISSUER_KINDS,
  PERMIT_TYPES,
  permitNumber,
  permitNumberPrefix,
  toMilli,
  validatePermitApplication,
  type Attachment,
  type Permit,
  type PermitStatus,
  type PermitUnit,
} from '../core/permits/permit.js';
import {
  aName,
  PERMIT_TYPE_DESCRIPTIONS,
  PERMIT_UNIT_WORDS,
  type CodeMeaning,
  type DetailField,
  type PermitTypeDescription,
} from '../core/permits/permit-types.js';
import { screeningContexts } from '../core/risk/screening-context.js';
import { screeningTrader } from '../core/traders/certificate.js';
import type { AppContext } from './context.js';
import { iprReleaseBlock } from './manage-ipr.js';
import { traderProfile } from './risk.js';

/** A permit as a reader sees it: expiry applied to the status. */
export type PermitView = Omit<Permit, 'status'> & { status: PermitStatus; overdue: boolean };

function view(p: Permit, at: string): PermitView {
  const undecided = ['applied', 'under-review', 'information-requested'].includes(p.status);
  return {
    ...p,
    status: effectiveStatus(p, at),
    overdue: undecided && p.deadline < at,
  };
}

/** A trader applies; the application is a permit in status `applied`, with a decision deadline. */
export async function applyForPermit(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
): Promise<PermitView> {
  assertAllowed(principal, 'apply', 'permit');
  if (principal.traderId === null) {
    throw new DomainError('forbidden', 'permits are applied for by traders, for their company');
  }
  const checked = validatePermitApplication(input);
  if (!checked.ok) {
    throw new DomainError('invalid_input', 'the application is not valid', checked.issues);
  }
  const a = checked.value;
  const at = ctx.clock.now();
  const now = at.toISOString();
  return ctx.storage.write(async (tx) => {
    const issuer =
      (await tx.identity.findAgency(a.issuerAgency)) ??
      (await tx.identity.findAgencyByCode(a.issuerAgency));
    if (!issuer || issuer.administrationId !== principal.administrationId) {
      throw new DomainError('invalid_input', 'unknown issuing agency', [
        { path: '/issuerAgency', reason: `no agency '${a.issuerAgency}' in this administration` },
      ]);
    }
    if (!PERMIT_ISSUER_KINDS[a.type].includes(issuer.kind)) {
      throw new DomainError('invalid_input', 'this agency does not issue this permit', [
        {
          path: '/issuerAgency',
          reason: `${aName(PERMIT_TYPE_DESCRIPTIONS[a.type].name)} is issued by an agency for ${PERMIT_ISSUER_KINDS[a.type].join(' or ')}; ${issuer.name} is not one`,
        },
      ]);
    }
    const expedited = isExpedited(a);
    const { expeditedHours, standardDays } = ctx.settings.permitDeadlines;
    const deadline = new Date(
      at.getTime() + (expedited ? expeditedHours * 3600_000 : standardDays * 86_400_000),
    ).toISOString();
    const applicant = (await tx.identity.findAgency(principal.agencyId))!;
    const permit: Permit = {
      id: ctx.ids.next(),
      number: null,
      type: a.type,
      issuerAgencyId: issuer.id,
      holderId: principal.traderId!,
      holderName: applicant.name,
      applicantAgencyId: principal.agencyId,
      counterpart: { name: a.counterpart.name, country: a.counterpart.country ?? null },
      hsScope: [...new Set(a.hsScope)].sort(),
      species: a.species ?? [],
      unit: a.unit,
      authorisedMilli: toMilli(a.quantity),
      remainingMilli: toMilli(a.quantity),
      route: {
        dispatch: a.route?.dispatch ?? [],
        transit: a.route?.transit ?? [],
        destination: a.route?.destination ?? [],
      },
      maxShipments: a.maxShipments ?? null,
      shipments: 0,
      validFrom: new Date(a.validFrom).toISOString(),
      validTo: new Date(a.validTo).toISOString(),
      status: 'applied',
      expedited,
      deadline,
      details: a.details ?? {},
      attachments: a.attachments ?? [],
      note: null,
      submittedAt: now,
      decidedAt: null,
      processingSeconds: null,
      updatedAt: now,
    };
    await tx.permits.insert(permit);
    await event(tx, principal, permit, 'permit.applied', now, {
      type: permit.type,
      expedited,
      deadline,
      issuerAgencyId: issuer.id,
      attachments: permit.attachments.length,
    });
    return view(permit, now);
  });
}

export type PermitStep =
  | { step: 'review' }
  | { step: 'request-information'; message: string }
  | { step: 'respond'; message: string; attachments?: Attachment[] }
  | { step: 'issue'; validFrom?: string; validTo?: string; quantity?: number; note?: string }
  | { step: 'refuse'; reason: string }
  | { step: 'suspend' | 'reinstate' | 'revoke'; reason: string };

const FROM: Record<PermitStep['step'], Permit['status'][]> = {
  review: ['applied'],
  'request-information': ['applied', 'under-review'],
  respond: ['information-requested'],
  issue: ['applied', 'under-review'],
  refuse: ['applied', 'under-review', 'information-requested'],
  suspend: ['issued'],
  reinstate: ['suspended'],
  revoke: ['issued', 'suspended', 'exhausted'],
};

/** One step of the application and permit life, by the issuer (or the applicant, to respond). */
export async function permitStep(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: PermitStep,
): Promise<PermitView> {
  const at = ctx.clock.now();
  const now = at.toISOString();
  return ctx.storage.write(async (tx) => {
    const p = await tx.permits.find(id);
    if (!p || !(await mayRead(tx, principal, p)))
      throw new DomainError('not_found', `no permit ${id}`);
    assertAllowed(principal, input.step === 'respond' ? 'respond' : 'decide', 'permit', p);
    if (!FROM[input.step].includes(p.status)) {
      throw new DomainError('conflict', `cannot ${input.step} a permit that is ${p.status}`);
    }
    const next: Permit = { ...p, updatedAt: now };
    const details: Record<string, unknown> = { from: p.status };
    switch (input.step) {
      case 'review':
        next.status = 'under-review';
        break;
      case 'request-information':
        next.status = 'information-requested';
        next.note = input.message;
        details.message = input.message;
        break;
      case 'respond':
        next.status = 'under-review';
        next.note = input.message;
        next.attachments = [...p.attachments, ...(input.attachments ?? [])];
        details.message = input.message;
        details.attachments = (input.attachments ?? []).length;
        break;
      case 'issue': {
        const issues: FieldIssue[] = [];
        if (input.quantity !== undefined) {
          const q = toMilli(input.quantity);
          if (!(q > 0) || q > p.authorisedMilli)
            issues.push({ path: '/quantity', reason: 'between 0 and the quantity applied for' });
          next.authorisedMilli = q;
        }
        // RFC 3339 allows a leap second (23:59:60) that a Date cannot hold: refused, not thrown.
        const iso = (s: string | undefined, path: string, kept: string) => {
          if (s === undefined) return kept;
          const t = Date.parse(s);
          if (!Number.isNaN(t)) return new Date(t).toISOString();
          issues.push({ path, reason: 'not a valid date-time' });
          return kept;
        };
        next.validFrom = iso(input.validFrom, '/validFrom', next.validFrom);
        next.validTo = iso(input.validTo, '/validTo', next.validTo);
        if (!issues.some((i) => i.path.startsWith('/valid')) && next.validTo <= next.validFrom)
          issues.push({ path: '/validTo', reason: 'must be after validFrom' });
        if (issues.length > 0) throw new DomainError('invalid_input', 'cannot issue', issues);
        next.remainingMilli = next.authorisedMilli;
        next.status = 'issued';
        next.note = input.note ?? null;
        next.number = await nextPermitNumber(tx, p, at);
        decided(next, at);
        details.number = next.number;
        details.authorisedMilli = next.authorisedMilli;
        break;
      }
      case 'refuse':
        next.status = 'refused';
        next.note = input.reason;
        decided(next, at);
        details.reason = input.reason;
        break;
      case 'suspend':
      case 'reinstate':
      case 'revoke':
        next.status =
          input.step === 'suspend' ? 'suspended' : input.step === 'revoke' ? 'revoked' : 'issued';
        next.note = input.reason;
        details.reason = input.reason;
        break;
    }
    if (!(await tx.permits.update(next, p))) {
      throw new DomainError(
        'conflict',
        `permit ${p.number ?? p.id} changed while this ${input.step} was decided: read it again`,
      );
    }
    const action = (
      {
        review: 'permit.under-review',
        'request-information': 'permit.information-requested',
        respond: 'permit.information-provided',
        issue: 'permit.issued',
        refuse: 'permit.refused',
        suspend: 'permit.suspended',
        reinstate: 'permit.reinstated',
        revoke: 'permit.revoked',
      } as const
    )[input.step];
    await event(tx, principal, next, action, now, {
      ...details,
      to: next.status,
      processingSeconds: next.processingSeconds,
    });
    return view(next, now);
  });
}

function decided(p: Permit, at: Date): void {
  p.decidedAt = at.toISOString();
  p.processingSeconds = (at.getTime() - Date.parse(p.submittedAt)) / 1000;
}

/** The issuer's next number for the type and year, e.g. BY-ENV-WSC-2026-000012. */
async function nextPermitNumber(tx: Repositories, p: Permit, at: Date): Promise<string> {
  const issuer = (await tx.identity.findAgency(p.issuerAgencyId))!;
  const year = at.getUTCFullYear();
  const prefix = permitNumberPrefix(issuer.code, p.type, year);
  return permitNumber(
    issuer.code,
    p.type,
    year,
    (await tx.permits.countNumbered(issuer.id, prefix)) + 1,
  );
}

/** The policy's `read permit` on one permit (customs reads those of its administration). */
async function mayRead(read: Repositories, principal: Principal, p: Permit): Promise<boolean> {
  const issuer = await read.identity.findAgency(p.issuerAgencyId);
  return can(principal, 'read', 'permit', {
    applicantAgencyId: p.applicantAgencyId,
    issuerAgencyId: p.issuerAgencyId,
    issuerAdministrationId: issuer?.administrationId,
  });
}

export async function getPermit(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<PermitView> {
  const p = await ctx.storage.read.permits.find(id);
  if (!p || !(await mayRead(ctx.storage.read, principal, p)))
    throw new DomainError('not_found', `no permit ${id}`);
  return view(p, ctx.clock.now().toISOString());
}

/** A permit type as an applicant chooses it: its description and who in this administration issues it. */
export type PermitTypeView = Omit<PermitTypeDescription, 'units' | 'details' | 'issuerKinds'> & {
  issuerKinds: AgencyKind[];
  details: Array<Omit<DetailField, 'codes'> & { codes?: CodeMeaning[] }>;
  units: Array<{ code: PermitUnit; meaning: string }>;
  issuers: Array<{ id: string; code: string; name: string }>;
};

/**
 * The permit types the register knows, for whoever may apply for or read permits: what each is
 * called, what its application carries, and the agencies of the caller's administration that
 * issue it (an applicant chooses one of them).
 */
export async function describePermitTypes(
  ctx: AppContext,
  principal: Principal,
): Promise<PermitTypeView[]> {
  if (
    !authorize(principal, 'apply', 'permit').allowed &&
    scopeOf(principal, 'read', 'permit').length === 0
  )
    assertAllowed(principal, 'read', 'permit');
  const agencies = await ctx.storage.read.identity.listAgencies(principal.administrationId);
  return PERMIT_TYPES.map((type) => {
    const d = PERMIT_TYPE_DESCRIPTIONS[type];
    return {
      ...d,
      issuerKinds: [...d.issuerKinds],
      details: d.details.map(({ codes, ...f }) => ({
        ...f,
        ...(codes ? { codes: [...codes] } : {}),
      })),
      units: d.units.map((code) => ({ code, meaning: PERMIT_UNIT_WORDS[code] })),
      issuers: agencies
        .filter((a) => d.issuerKinds.includes(a.kind))
        .map((a) => ({ id: a.id, code: a.code, name: a.name })),
    };
  });
}

/** Permits and applications: traders see their own, issuers what they issue, customs all. */
export async function listPermits(
  ctx: AppContext,
  principal: Principal,
  filter: Omit<PermitFilter, 'applicantAgencyId' | 'issuerAgencyId'>,
): Promise<PermitView[]> {
  const scope = scopeOf(principal, 'read', 'permit');
  if (scope.length === 0) assertAllowed(principal, 'read', 'permit');
  const scoped: PermitFilter = { ...filter, scope };
  const now = ctx.clock.now().toISOString();
  return (await ctx.storage.read.permits.list(scoped)).map((p) => view(p, now));
}

/** Undecided applications of the principal's agency due within `withinHours`, or past due. */
export async function applicationsDue(
  ctx: AppContext,
  principal: Principal,
  withinHours: number,
): Promise<PermitView[]> {
  assertAllowed(principal, 'decide', 'permit');
  const at = ctx.clock.now();
  const horizon = new Date(at.getTime() + withinHours * 3600_000).toISOString();
  const open = await ctx.storage.read.permits.list({
    issuerAgencyId: principal.agencyId,
    statuses: ['applied', 'under-review', 'information-requested'],
  });
  return open.filter((p) => p.deadline <= horizon).map((p) => view(p, at.toISOString()));
}

export async function permitUsage(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<PermitUsage[]> {
  await getPermit(ctx, principal, id);
  return ctx.storage.read.permits.usage(id);
}

export interface ReleaseResult {
  declarationId: string;
  releasedAt: string;
  draws: Array<{
    permitId: string;
    permitNumber: string | null;
    itemSequence: number;
    quantityMilli: number;
  }>;
  permits: PermitCheck[];
}

/**
 * The permit checks a release makes: every goods item that needs a permit against the permits as
 * they stand now. Permits must have been valid when GreenLane received the declaration, whatever
 * date the declarant wrote on it.
 */
export async function releasePermitChecks(
  tx: Repositories,
  d: DeclarationRecord,
  rules: PermitRules | null,
): Promise<PermitCheck[]> {
  const trader = screeningTrader(d, await traderProfile(tx, d));
  const contexts = screeningContexts(d, trader, d.receivedAt);
  if (rules === null || contexts.length === 0) return [];
  return checkPermits(
    contexts[0]!.declaration,
    contexts.map((c) => c.item),
    trader.id,
    trader.permitsOnFile,
    rules,
    (item) =>
      [
        ...(d.goodsItems.find((g) => g.sequence === item.sequence)?.documents ?? []),
        ...d.documents,
      ].map((x) => x.reference),
  );
}

/** Checks that stand in the way of a release (a foreign permit quoted by code is the officer's). */
export const blockingPermitChecks = (checks: readonly PermitCheck[]): PermitCheck[] =>
  checks.filter((c) => c.outcome !== 'matched' && c.outcome !== 'document-declared');

/**
 * Releases a declaration: checks every goods item that needs a permit against the permits as
 * they stand now, and draws each matched quantity in ONE transaction with a conditional update
 * (`remaining >= quantity`, the database refusing a negative balance as a backstop). If any item
 * cannot be covered the release fails naming the item and permit, and nothing changes.
 */
export async function releaseDeclaration(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
): Promise<ReleaseResult> {
  assertAllowed(principal, 'release', 'control');
  const rules = (await ctx.risk.engine()).permitRules;
  const now = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const d = await tx.declarations.findById(declarationId);
    if (!d || !can(principal, 'read', 'control', d)) {
      throw new DomainError('not_found', `no declaration ${declarationId}`);
    }
    assertAllowed(principal, 'release', 'control', d);
    if (d.kind === 'cargo-report') {
      throw new DomainError(
        'conflict',
        'an entry summary declaration is not released: the goods are released on their customs declaration',
      );
    }
    const state = await tx.declarations.status(declarationId);
    if (!state || !['lodged', 'awaiting-control', 'under-control', 'held'].includes(state.status)) {
      throw new DomainError(
        'conflict',
        `declaration ${declarationId} is ${state?.status ?? 'unknown'}`,
      );
    }
    const checks = await releasePermitChecks(tx, d, rules);
    const index = (seq: number) => d.goodsItems.findIndex((g) => g.sequence === seq);
    // A foreign permit quoted by document code is the officer's to check; nothing to draw.
    const drawn = checks.filter((c) => c.outcome === 'matched');
    const unmatched = blockingPermitChecks(checks);
    if (unmatched.length > 0) {
      throw new DomainError(
        'conflict',
        `cannot release: ${unmatched.map((c) => `item ${c.itemSequence} ${c.reason}`).join('; ')}`,
        unmatched.map((c) => ({
          path: `/goodsItems/${index(c.itemSequence)}`,
          reason: `item ${c.itemSequence} needs ${c.required}: ${c.reason}`,
        })),
      );
    }
    const ipr = await iprReleaseBlock(ctx, tx, d);
    if (ipr !== null) throw new DomainError('conflict', `cannot release: ${ipr}`);
    // Yellow and red goods are released only after a control has been recorded.
    if (
      (d.channel === 'yellow' || d.channel === 'red') &&
      !outcomeOf(await tx.controls.inspectionsOf(declarationId)).controlled
    ) {
      throw new DomainError(
        'conflict',
        `cannot release: a ${d.channel} declaration is released only after its control is recorded`,
      );
    }
    const shipped = new Set<string>();
    const draws: ReleaseResult['draws'] = [];
    for (const c of drawn) {
      const first = !shipped.has(c.permitId!);
      shipped.add(c.permitId!);
      const ok = await tx.permits.draw(c.permitId!, c.quantityMilli!, first, d.receivedAt, now);
      if (!ok) {
        // Another release drew it meanwhile: this whole transaction rolls back.
        throw new DomainError(
          'conflict',
          `cannot release: item ${c.itemSequence} needs ${c.quantityMilli! / 1000} ${c.unit} from permit ${c.permitNumber}, which no longer has it (or is no longer in force)`,
          [
            {
              path: `/goodsItems/${index(c.itemSequence)}`,
              reason: `permit ${c.permitNumber} cannot cover item ${c.itemSequence}`,
            },
          ],
        );
      }
      await tx.permits.addUsage({
        permitId: c.permitId!,
        declarationId,
        itemSequence: c.itemSequence,
        quantityMilli: c.quantityMilli!,
        at: now,
      });
      draws.push({
        permitId: c.permitId!,
        permitNumber: c.permitNumber,
        itemSequence: c.itemSequence,
        quantityMilli: c.quantityMilli!,
      });
    }
    if (!(await tx.declarations.markReleased(declarationId, now))) {
      throw new DomainError('conflict', `declaration ${declarationId} is already released`);
    }
    await tx.audit.append({
      at: now,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'declaration.released',
      subjectType: 'declaration',
      subjectId: declarationId,
      details: { draws },
    });
    for (const permitId of shipped) {
      await tx.audit.append({
        at: now,
        agencyId: principal.agencyId,
        actorId: principal.userId,
        action: 'permit.drawn',
        subjectType: 'permit',
        subjectId: permitId,
        details: {
          declarationId,
          quantityMilli: draws
            .filter((x) => x.permitId === permitId)
            .reduce((n, x) => n + x.quantityMilli, 0),
        },
      });
    }
    return { declarationId, releasedAt: now, draws, permits: checks };
  });
}

function event(
  tx: Repositories,
  principal: Principal,
  p: Permit,
  action: EventKind,
  at: string,
  details: Record<string, unknown>,
): Promise<void> {
  return tx.audit.append({
    at,
    agencyId: principal.agencyId,
    actorId: principal.userId,
    action,
    subjectType: 'permit',
    subjectId: p.id,
    details: { ...details, number: p.number, holderId: p.holderId },
  });
}
