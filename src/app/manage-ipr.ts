import { assertAllowed, can, scopeOf } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import {
  MAX_VALIDITY_DAYS,
  validateApplication,
  validityFrom,
  type ApplicationForAction,
  type ApplicationStatus,
} from '../core/ipr/application.js';
import type { DetainedItem, IprCase, SuspectedRight } from '../core/ipr/case.js';
import {
  canRecord,
  caseState,
  IPR_EVENT_PARTY,
  smallConsignmentEligible,
  type IprCaseState,
  type IprEvent,
  type IprProcedure,
} from '../core/ipr/procedure.js';
import { RightsRegister, type RightMatch } from '../core/ipr/register.js';
import { validateCalendar, type WorkingDayCalendar } from '../core/ipr/working-days.js';
import type { DeclarationRecord, Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';
import type { EventKind } from '../core/events.js';

/** The calendar of an administration that has set none: Saturday and Sunday off, no holidays, UTC. */
export const DEFAULT_CALENDAR: WorkingDayCalendar = {
  timeZone: 'UTC',
  weekend: [0, 6],
  holidays: [],
};

// ---------------------------------------------------------------------------------------------
// Applications for action

/** A right holder lodges an application for action; it waits for the IPR unit's decision. */
export async function submitApplication(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
): Promise<ApplicationForAction> {
  assertAllowed(principal, 'apply', 'ipr-application');
  const checked = validateApplication(input);
  if (!checked.ok)
    throw new DomainError(
      'invalid_input',
      'the application for action is not valid',
      checked.issues,
    );
  const at = ctx.clock.now().toISOString();
  const a: ApplicationForAction = {
    ...checked.value,
    applicant: {
      ...checked.value.applicant,
      // The right holder's own identifier names it in declarations unless it gives another.
      ...(checked.value.applicant.id === undefined && principal.traderId !== null
        ? { id: principal.traderId }
        : {}),
    },
    id: ctx.ids.next(),
    administrationId: principal.administrationId,
    applicantAgencyId: principal.agencyId,
    status: 'submitted',
    validFrom: null,
    validTo: null,
    submittedAt: at,
    decidedAt: null,
    decidedBy: null,
    customsNote: null,
    version: 1,
  };
  await ctx.storage.write(async (tx) => {
    await tx.ipr.insertApplication(a);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'ipr-application.submitted',
      subjectType: 'ipr-application',
      subjectId: a.id,
      details: { rights: a.rights.map((r) => `${r.type} ${r.mark} ${r.registrationNumber}`) },
    });
  });
  return a;
}

/** The right holder answers a request for information with a completed application. */
export async function completeApplication(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: unknown,
): Promise<ApplicationForAction> {
  const current = await readableApplication(ctx.storage.read, principal, id);
  assertAllowed(principal, 'respond', 'ipr-application', current);
  if (current.status !== 'more-information-requested') {
    throw new DomainError(
      'conflict',
      `application ${id} is ${current.status}: only an application customs asked about can be completed`,
    );
  }
  const checked = validateApplication(input);
  if (!checked.ok)
    throw new DomainError(
      'invalid_input',
      'the application for action is not valid',
      checked.issues,
    );
  const at = ctx.clock.now().toISOString();
  const next: ApplicationForAction = {
    ...current,
    ...checked.value,
    status: 'submitted',
    version: current.version + 1,
  };
  await writeApplication(
    ctx,
    principal,
    next,
    current.version,
    'ipr-application.completed',
    at,
    {},
  );
  return next;
}

export const APPLICATION_DECISIONS = ['accept', 'request-information', 'refuse', 'extend'] as const;
export type ApplicationDecision = (typeof APPLICATION_DECISIONS)[number];

/**
 * The IPR unit decides: accept (valid from the next day for at most a year), ask for more
 * information or refuse (both with a note the applicant reads), or extend an accepted application
 * by up to a year. Each decision applies only to the version it was made on.
 */
export async function decideApplication(
  ctx: AppContext,
  principal: Principal,
  id: string,
  decision: {
    decision: ApplicationDecision;
    note?: string;
    days?: number;
    expectedVersion?: number;
  },
): Promise<ApplicationForAction> {
  const current = await readableApplication(ctx.storage.read, principal, id);
  assertAllowed(principal, 'decide', 'ipr-application', current);
  if (decision.expectedVersion !== undefined && decision.expectedVersion !== current.version) {
    throw new DomainError(
      'conflict',
      `application ${id} is at version ${current.version}, not ${decision.expectedVersion}: read it again`,
      [{ path: '/expectedVersion', reason: `the current version is ${current.version}` }],
    );
  }
  const days = decision.days ?? MAX_VALIDITY_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new DomainError('invalid_input', 'the validity is at most a year', [
      { path: '/days', reason: `a whole number of days from 1 to ${MAX_VALIDITY_DAYS}` },
    ]);
  }
  const note = decision.note?.trim() ?? '';
  const at = ctx.clock.now().toISOString();
  const from: Record<ApplicationDecision, ApplicationStatus[]> = {
    accept: ['submitted'],
    'request-information': ['submitted'],
    refuse: ['submitted', 'more-information-requested'],
    extend: ['accepted'],
  };
  if (!from[decision.decision].includes(current.status)) {
    throw new DomainError(
      'conflict',
      `application ${id} is ${current.status}: it cannot be given the decision '${decision.decision}'`,
    );
  }
  if (
    (decision.decision === 'refuse' || decision.decision === 'request-information') &&
    note === ''
  ) {
    throw new DomainError('invalid_input', 'say what is missing or why it is refused', [
      { path: '/note', reason: 'required for this decision: the applicant reads it' },
    ]);
  }
  let next: ApplicationForAction = {
    ...current,
    decidedAt: at,
    decidedBy: principal.userId,
    customsNote: note === '' ? current.customsNote : note,
    version: current.version + 1,
  };
  if (decision.decision === 'accept')
    next = { ...next, status: 'accepted', ...validityFrom(at, days) };
  else if (decision.decision === 'request-information')
    next = { ...next, status: 'more-information-requested' };
  else if (decision.decision === 'refuse') next = { ...next, status: 'refused' };
  else {
    // Extended from its current end (or from now, if it has lapsed) by up to a year.
    const base = current.validTo !== null && current.validTo > at ? current.validTo : at;
    next = {
      ...next,
      validTo: new Date(new Date(base).getTime() + days * 86_400_000).toISOString(),
    };
  }
  await writeApplication(
    ctx,
    principal,
    next,
    current.version,
    `ipr-application.${decision.decision}` as const,
    at,
    {
      note: note === '' ? null : note,
      validFrom: next.validFrom,
      validTo: next.validTo,
    },
  );
  // The register of rights feeds screening: the next declaration sees the decision.
  if (decision.decision === 'accept' || decision.decision === 'extend') ctx.risk.invalidate();
  return next;
}

/** One application, if the principal may read it (others are told it does not exist). */
export async function getApplication(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<ApplicationForAction> {
  return readableApplication(ctx.storage.read, principal, id);
}

/** The applications the principal may read: a right holder's own, or its administration's register. */
export async function listApplications(
  ctx: AppContext,
  principal: Principal,
  q: { status?: ApplicationStatus; limit?: number },
): Promise<ApplicationForAction[]> {
  assertAllowed(principal, 'read', 'ipr-application');
  const limit = Math.min(q.limit ?? 100, 500);
  const scope = scopeOf(principal, 'read', 'ipr-application');
  const lists = await Promise.all(
    scope.map((alt) =>
      ctx.storage.read.ipr.listApplications({
        limit,
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(alt.administrationId !== undefined ? { administrationId: alt.administrationId } : {}),
        ...(alt.applicantAgencyId !== undefined
          ? { applicantAgencyId: alt.applicantAgencyId }
          : {}),
      }),
    ),
  );
  return dedupe(lists.flat(), (a) => a.id)
    .sort((a, b) => (a.submittedAt < b.submittedAt ? 1 : a.submittedAt > b.submittedAt ? -1 : 0))
    .slice(0, limit);
}

async function readableApplication(
  read: Repositories,
  principal: Principal,
  id: string,
): Promise<ApplicationForAction> {
  const a = await read.ipr.findApplication(id);
  if (!a || !can(principal, 'read', 'ipr-application', a))
    throw new DomainError('not_found', `no application for action ${id}`);
  return a;
}

async function writeApplication(
  ctx: AppContext,
  principal: Principal,
  next: ApplicationForAction,
  expectedVersion: number,
  action: EventKind,
  at: string,
  details: Record<string, unknown>,
): Promise<void> {
  const ok = await ctx.storage.write(async (tx) => {
    if (!(await tx.ipr.updateApplication(next, expectedVersion))) return false;
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action,
      subjectType: 'ipr-application',
      subjectId: next.id,
      details: { version: next.version, status: next.status, ...details },
    });
    return true;
  });
  if (!ok) {
    throw new DomainError(
      'conflict',
      `application ${next.id} was changed meanwhile: read it again and decide on what it says now`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Screening's suspicion and detention cases

/** An item that bears registered rights for which none of the declaration's parties is authorised. */
export interface Suspicion {
  itemSequence: number;
  matches: RightMatch[];
}

/** The declaration's goods that bear registered rights without an authorised party. */
export async function suspicionsOf(ctx: AppContext, d: DeclarationRecord): Promise<Suspicion[]> {
  const { rights } = await ctx.risk.engine();
  return suspicionsIn(rights, d);
}

function suspicionsIn(rights: RightsRegister, d: DeclarationRecord): Suspicion[] {
  const parties = [d.declarant.id ?? '', d.consignor?.id ?? '', d.consignee?.id ?? ''];
  const out: Suspicion[] = [];
  for (const g of d.goodsItems) {
    const matches = rights.matches(
      { brand: g.brand ?? '', description: g.description ?? '', hs: g.hsCode ?? '' },
      d.receivedAt,
    );
    const unauthorised = matches.filter((m) => !RightsRegister.authorised([m], parties));
    if (unauthorised.length > 0) out.push({ itemSequence: g.sequence, matches: unauthorised });
  }
  return out;
}

/**
 * Why intellectual-property rights stand in the way of releasing the declaration now, or null:
 * an open case whose goods must stay detained, or goods bearing rights without an authorised
 * party that no officer has looked at (they are detained, or cleared in a case, first).
 */
export async function iprReleaseBlock(
  ctx: AppContext,
  tx: Repositories,
  d: DeclarationRecord,
): Promise<string | null> {
  const c = await tx.ipr.findCaseByDeclaration(d.id);
  if (c) {
    const state = caseState(
      await calendarOf(tx, c.administrationId),
      facts(c),
      events(c),
      ctx.clock.now().toISOString(),
    );
    if (!state.releaseBlocked) return null;
    return `the goods are detained in IPR case ${c.id} (${state.outcomeReason ?? 'awaiting the right holder and the declarant'})`;
  }
  const suspicions = await suspicionsOf(ctx, d);
  if (suspicions.length === 0) return null;
  return `${suspicions
    .map(
      (s) =>
        `item ${s.itemSequence} bears ${s.matches.map((m) => `the ${m.right.type} ${m.right.mark} (${m.right.holderName})`).join(' and ')} and no party of the declaration is authorised for it`,
    )
    .join('; ')}: suspend release in an IPR case first (the case can clear the goods)`;
}

/** What the officer says when suspending release. */
export interface DetainRequest {
  grounds: string;
  perishable?: boolean;
  /** Goods items to detain; absent: those screening found bearing rights (all items if none). */
  items?: number[];
  /** Ask for the small-consignments procedure (checked against its conditions). */
  smallConsignment?: {
    infringement: 'counterfeit' | 'pirated' | 'other';
    postalOrExpress: boolean;
    units: number;
  };
  /** For an ex-officio case: the mark the officer sees on the goods, as a suspected right. */
  mark?: string;
}

/**
 * Suspends release of a declaration's goods suspected of infringing intellectual-property rights
 * and opens the case: under the matched application (standard or small consignments) or ex
 * officio. GreenLane notifies the parties as it opens the case (each sees it in its own list),
 * which records the notifications the procedure counts its periods from.
 */
export async function detainGoods(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
  request: DetainRequest,
): Promise<IprCaseView> {
  assertAllowed(principal, 'hold', 'ipr-case');
  const grounds = request.grounds.trim();
  if (grounds === '')
    throw new DomainError('invalid_input', 'say why the goods are suspected', [
      { path: '/grounds', reason: 'required: the declarant and the right holder read it' },
    ]);
  const { rights } = await ctx.risk.engine();
  const at = ctx.clock.now().toISOString();
  const id = ctx.ids.next();
  await ctx.storage.write(async (tx) => {
    const d = await tx.declarations.findById(declarationId);
    if (!d || !can(principal, 'read', 'control', d))
      throw new DomainError('not_found', `no declaration ${declarationId}`);
    assertAllowed(principal, 'hold', 'ipr-case', { administrationId: principal.administrationId });
    if (d.kind === 'cargo-report')
      throw new DomainError(
        'conflict',
        'goods are detained on their customs declaration, not on an entry summary',
      );
    const suspicions = suspicionsIn(rights, d);
    const sequences =
      request.items ??
      (suspicions.length > 0
        ? suspicions.map((s) => s.itemSequence)
        : d.goodsItems.map((g) => g.sequence));
    for (const [k, seq] of sequences.entries()) {
      if (!d.goodsItems.some((g) => g.sequence === seq))
        throw new DomainError('invalid_input', `the declaration has no goods item ${seq}`, [
          { path: `/items/${k}`, reason: 'not a goods item of the declaration' },
        ]);
    }
    const matched = suspicions
      .filter((s) => sequences.includes(s.itemSequence))
      .flatMap((s) => s.matches);
    const application = matched[0]?.right;
    const suspected: SuspectedRight[] = dedupe(
      matched.map((m) => ({
        rightId: m.right.id,
        type: m.right.type,
        mark: m.right.mark,
        registrationNumber: m.right.registrationNumber,
        match: m.kind,
        matchedText: m.matchedText,
      })),
      (r) => r.rightId,
    );
    if (!application) {
      const mark = request.mark?.trim() ?? '';
      if (mark === '')
        throw new DomainError(
          'invalid_input',
          'no registered right matches these goods: name the mark for an ex-officio case',
          [{ path: '/mark', reason: 'required when no application for action covers the goods' }],
        );
      suspected.push({
        rightId: '',
        type: 'trademark',
        mark,
        registrationNumber: '',
        match: 'manual',
        matchedText: mark,
      });
    }
    const items: DetainedItem[] = d.goodsItems
      .filter((g) => sequences.includes(g.sequence))
      .map((g) => ({
        sequence: g.sequence,
        hs: g.hsCode ?? '',
        description: g.description ?? '',
        brand: g.brand ?? '',
        quantity: g.quantity ?? null,
        unit: g.unit ?? null,
        grossMassKg: g.grossMass ?? null,
      }));
    const perishable = request.perishable ?? false;
    let procedure: IprProcedure = application ? 'standard' : 'ex-officio';
    if (request.smallConsignment) {
      const eligible = smallConsignmentEligible({
        ...request.smallConsignment,
        perishable,
        grossMassKg: items.reduce((s, g) => s + (g.grossMassKg ?? 0), 0),
        requestedInApplication: application?.smallConsignmentsProcedure ?? false,
      });
      if (!eligible.ok)
        throw new DomainError(
          'invalid_input',
          `the small-consignments procedure does not apply: ${eligible.reasons.join('; ')}`,
          [{ path: '/smallConsignment', reason: eligible.reasons.join('; ') }],
        );
      procedure = 'small-consignment';
    }
    const declarant = await tx.identity.findAgency(d.submitterAgencyId);
    const c: IprCase = {
      id,
      administrationId: principal.administrationId,
      declarationId: d.id,
      declarationReference: d.reference,
      applicationId: application?.applicationId ?? null,
      holderAgencyId: application?.holderAgencyId ?? null,
      holderName: application?.holderName ?? null,
      declarantAgencyId: d.submitterAgencyId,
      declarantName: declarant?.name ?? d.declarant.name ?? d.submitterAgencyId,
      procedure,
      perishable,
      suspendedAt: at,
      suspendedBy: principal.userId,
      grounds,
      rights: suspected,
      items,
      route: {
        dispatchCountry: d.route.dispatchCountry ?? '',
        originCountries: [
          ...new Set(
            d.goodsItems
              .filter((g) => sequences.includes(g.sequence))
              .map((g) => g.originCountry ?? '')
              .filter((o) => o !== ''),
          ),
        ],
        transportMode: d.route.transportMode ?? '',
      },
      events: [],
      closed: false,
    };
    if (!(await tx.ipr.insertCase(c)))
      throw new DomainError(
        'conflict',
        `the goods of declaration ${d.id} are already in an IPR case`,
      );
    if (
      !(await tx.declarations.setStatus(
        d.id,
        ['lodged', 'awaiting-control', 'under-control', 'held'],
        'held',
      ))
    )
      throw new DomainError('conflict', `declaration ${d.id} is no longer awaiting release`);
    // GreenLane's notice to each party is the case itself, visible to it from now on.
    const notices: IprEvent[] = [{ type: 'declarant-notified', at }];
    if (procedure === 'standard') notices.push({ type: 'holder-notified', at });
    const cal = await calendarOf(tx, c.administrationId);
    const stored = [...c.events];
    for (const e of notices) {
      const verdict = canRecord(
        cal,
        facts(c),
        stored.map((s) => s.event),
        e,
      );
      if (!verdict.ok) throw new DomainError('conflict', verdict.reason);
      const next = { seq: stored.length + 1, by: principal.userId, event: e };
      stored.push(next);
      await tx.ipr.appendEvent(c.id, next, { closed: false });
    }
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'ipr-case.opened',
      subjectType: 'declaration',
      subjectId: d.id,
      details: {
        case: id,
        procedure,
        perishable,
        rights: suspected.map((r) => `${r.mark} ${r.registrationNumber}`.trim()),
        items: sequences,
        grounds,
      },
    });
  });
  return getCase(ctx, principal, id);
}

/** A step as a party sends it: the event without its time (GreenLane's clock gives that). */
export type IprEventInput = IprEvent extends infer E
  ? E extends IprEvent
    ? Omit<E, 'at'>
    : never
  : never;

/**
 * Records one step of a case by the party whose step it is (customs, the right holder or the
 * declarant), if the procedure allows it now. Destruction seizes the declaration's goods; a
 * release or clearance lets the declaration be released. Two steps racing for one position:
 * one lands, the other is told to read the case again.
 */
export async function recordCaseEvent(
  ctx: AppContext,
  principal: Principal,
  caseId: string,
  input: IprEventInput & { applicationId?: string },
): Promise<IprCaseView> {
  const at = ctx.clock.now().toISOString();
  const type = input.type;
  const party = (IPR_EVENT_PARTY as Partial<typeof IPR_EVENT_PARTY>)[type];
  if (party === undefined)
    throw new DomainError('invalid_input', `unknown step '${String(type)}'`, [
      { path: '/type', reason: `one of ${Object.keys(IPR_EVENT_PARTY).join(', ')}` },
    ]);
  const ok = await ctx.storage.write(async (tx) => {
    const c = await tx.ipr.findCase(caseId);
    if (!c || !can(principal, 'read', 'ipr-case', c))
      throw new DomainError('not_found', `no IPR case ${caseId}`);
    if (party === 'customs') assertAllowed(principal, 'decide', 'ipr-case', c);
    else {
      assertAllowed(principal, 'respond', 'ipr-case', c);
      const mine =
        party === 'right-holder'
          ? c.holderAgencyId === principal.agencyId
          : c.declarantAgencyId === principal.agencyId;
      if (!mine)
        throw new DomainError(
          'forbidden',
          `only the ${party === 'right-holder' ? 'right holder' : 'declarant'} records this step`,
        );
    }
    const summary: Parameters<Repositories['ipr']['appendEvent']>[2] = { closed: false };
    const { applicationId, ...rest } = input;
    const event = { ...rest, at };
    if (type === 'application-accepted') {
      // An ex-officio case continues under the application customs has now accepted.
      const a =
        applicationId === undefined ? undefined : await tx.ipr.findApplication(applicationId);
      if (!a || a.status !== 'accepted' || a.administrationId !== c.administrationId)
        throw new DomainError(
          'invalid_input',
          'name an accepted application of this administration',
          [{ path: '/applicationId', reason: 'not an accepted application for action' }],
        );
      summary.applicationId = a.id;
      summary.holderAgencyId = a.applicantAgencyId;
      summary.holderName = a.applicant.name;
    }
    const cal = await calendarOf(tx, c.administrationId);
    const past = events(c);
    const verdict = canRecord(cal, facts(c), past, event);
    if (!verdict.ok) throw new DomainError('conflict', verdict.reason);
    const all = [...past, event];
    const state = caseState(cal, facts(c), all, at);
    summary.closed = state.closed;
    const stored = { seq: c.events.length + 1, by: principal.userId, event };
    if (!(await tx.ipr.appendEvent(c.id, stored, summary))) return false;
    if (type === 'destroyed') {
      await tx.declarations.setStatus(c.declarationId, ['held'], 'seized');
    } else if (type === 'released' || type === 'cleared') {
      // Released from detention: back to the officer, who releases as for any other control.
      await tx.declarations.setStatus(c.declarationId, ['held'], 'under-control');
    }
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: `ipr-case.${type}`,
      subjectType: 'declaration',
      subjectId: c.declarationId,
      details: { case: c.id, seq: stored.seq, event, outcome: state.outcome },
    });
    return true;
  });
  if (!ok) throw new DomainError('conflict', `IPR case ${caseId} changed meanwhile: read it again`);
  return getCase(ctx, principal, caseId);
}

/** A case with its state at the time of asking (deadlines, outcome, what each party does next). */
export interface IprCaseView {
  case: IprCase;
  state: IprCaseState;
  calendar: WorkingDayCalendar;
}

/** One case, if the principal may read it. */
export async function getCase(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<IprCaseView> {
  const read = ctx.storage.read;
  const c = await read.ipr.findCase(id);
  if (!c || !can(principal, 'read', 'ipr-case', c))
    throw new DomainError('not_found', `no IPR case ${id}`);
  const calendar = await calendarOf(read, c.administrationId);
  return {
    case: c,
    state: caseState(calendar, facts(c), events(c), ctx.clock.now().toISOString()),
    calendar,
  };
}

/** The case of a declaration, if there is one and the principal may read it. */
export async function caseOfDeclaration(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
): Promise<IprCaseView | null> {
  const c = await ctx.storage.read.ipr.findCaseByDeclaration(declarationId);
  if (!c || !can(principal, 'read', 'ipr-case', c)) return null;
  return getCase(ctx, principal, c.id);
}

/**
 * The cases the principal may read, newest first: customs sees its administration's, a right
 * holder those of its rights, a declarant those of its goods. `overdue`: only cases with a
 * customs task past its deadline (what the IPR unit must see first). `declarationId`: the case of
 * that declaration, or none (a declaration's page asks whether its goods are detained).
 */
export async function listCases(
  ctx: AppContext,
  principal: Principal,
  q: { open?: boolean; overdue?: boolean; limit?: number; declarationId?: string },
): Promise<IprCaseView[]> {
  assertAllowed(principal, 'read', 'ipr-case');
  if (q.declarationId !== undefined) {
    const view = await caseOfDeclaration(ctx, principal, q.declarationId);
    return view && (q.open !== true || !view.case.closed) ? [view] : [];
  }
  const limit = Math.min(q.limit ?? 100, 500);
  const scope = scopeOf(principal, 'read', 'ipr-case');
  const lists = await Promise.all(
    scope.map((alt) =>
      ctx.storage.read.ipr.listCases({
        limit,
        ...(q.open === true || q.overdue === true ? { open: true } : {}),
        ...(alt.administrationId !== undefined ? { administrationId: alt.administrationId } : {}),
        ...(alt.holderAgencyId !== undefined ? { holderAgencyId: alt.holderAgencyId } : {}),
        ...(alt.declarantAgencyId !== undefined
          ? { declarantAgencyId: alt.declarantAgencyId }
          : {}),
      }),
    ),
  );
  const now = ctx.clock.now().toISOString();
  const calendars = new Map<string, WorkingDayCalendar>();
  const views: IprCaseView[] = [];
  for (const c of dedupe(lists.flat(), (x) => x.id)) {
    let calendar = calendars.get(c.administrationId);
    if (!calendar)
      calendars.set(
        c.administrationId,
        (calendar = await calendarOf(ctx.storage.read, c.administrationId)),
      );
    views.push({ case: c, state: caseState(calendar, facts(c), events(c), now), calendar });
  }
  return views
    .filter(
      (v) =>
        q.overdue !== true ||
        v.state.overdue.length > 0 ||
        (v.state.outcome !== 'pending' && !v.case.closed),
    )
    .sort((a, b) => (a.case.suspendedAt < b.case.suspendedAt ? 1 : -1))
    .slice(0, limit);
}

// ---------------------------------------------------------------------------------------------
// Working-day calendar

/** The administration's working-day calendar (the default when it has set none). */
export async function getCalendar(
  ctx: AppContext,
  principal: Principal,
): Promise<WorkingDayCalendar> {
  assertAllowed(principal, 'read', 'working-calendar', {
    administrationId: principal.administrationId,
  });
  return calendarOf(ctx.storage.read, principal.administrationId);
}

/** Sets the administration's time zone, weekend and holidays; deadlines count in them from now on. */
export async function setCalendar(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
): Promise<WorkingDayCalendar> {
  assertAllowed(principal, 'administer', 'working-calendar', {
    administrationId: principal.administrationId,
  });
  const checked = validateCalendar(input);
  if (!checked.ok)
    throw new DomainError('invalid_input', 'the working-day calendar is not valid', checked.issues);
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    await tx.ipr.saveCalendar(principal.administrationId, checked.value, at, principal.userId);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'working-calendar.set',
      subjectType: 'administration',
      subjectId: principal.administrationId,
      details: { ...checked.value },
    });
  });
  return checked.value;
}

async function calendarOf(
  read: Repositories,
  administrationId: string,
): Promise<WorkingDayCalendar> {
  return (await read.ipr.findCalendar(administrationId)) ?? DEFAULT_CALENDAR;
}

const facts = (c: IprCase) => ({
  procedure: c.procedure,
  perishable: c.perishable,
  suspendedAt: c.suspendedAt,
});
const events = (c: IprCase): IprEvent[] => c.events.map((e) => e.event);

function dedupe<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const k = key(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
