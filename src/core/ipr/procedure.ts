import {
  addWorkingDays,
  endOfLocalDay,
  localDate,
  type WorkingDayCalendar,
} from './working-days.js';

/**
 * The detention procedure for goods suspected of infringing intellectual-property rights, after
 * Regulation (EU) No 608/2013 (Art. 17–18, 23 and 26), as a pure function of the case's facts,
 * its events and the administration's working-day calendar. Nothing here stores or reads a clock:
 * the state at any instant is computed from what happened, so a deadline passing changes the
 * outcome without anyone writing anything, and the same events give the same answer everywhere.
 *
 * - standard: under an accepted application. Customs notifies the declarant and the right holder
 *   within one working day of the suspension. The right holder has 10 working days (3 for
 *   perishable goods) from its notification to confirm the infringement and agree to destruction;
 *   customs may extend that once by up to 10 working days on a justified request (not for
 *   perishables). The declarant has the same period from its notification to agree or object;
 *   silence counts as agreement. Confirmed + agreed (or silent) → destruction. Objection → the
 *   right holder must start proceedings within its period, else the goods are released. No
 *   confirmation in time → release.
 * - small-consignment (Art. 26): counterfeit or pirated, non-perishable, at most 3 units or under
 *   2 kg gross, postal or express, and the application asked for it. Only the declarant is
 *   notified and has 10 working days; silence or agreement → destruction without the right
 *   holder. Objection → customs informs the right holder (within one working day), who has 10
 *   working days from then to start proceedings, else release.
 * - ex-officio (Art. 18): no application covers the goods. Customs notifies the declarant and a
 *   person entitled to apply (or records that none could be identified → release); that person
 *   has 4 working days to lodge an application. Once customs accepts it, the standard procedure
 *   runs, the right holder's period counting from the acceptance.
 */

export const IPR_PROCEDURES = ['standard', 'small-consignment', 'ex-officio'] as const;
export type IprProcedure = (typeof IPR_PROCEDURES)[number];

/** One step of a case. Every step says when it happened. */
export type IprEvent =
  | { type: 'declarant-notified'; at: string }
  | { type: 'holder-notified'; at: string }
  | { type: 'no-holder-identified'; at: string }
  | { type: 'application-lodged'; at: string }
  | { type: 'application-accepted'; at: string }
  | { type: 'holder-confirmed'; at: string; agreesToDestruction: boolean }
  | { type: 'holder-withdrew'; at: string }
  | { type: 'declarant-agreed'; at: string }
  | { type: 'declarant-objected'; at: string }
  | { type: 'extension-granted'; at: string; workingDays: number; justification: string }
  | { type: 'holder-informed-of-objection'; at: string }
  | { type: 'proceedings-started'; at: string }
  | { type: 'samples-requested'; at: string }
  | { type: 'samples-provided'; at: string }
  | { type: 'cleared'; at: string; reason: string }
  | { type: 'destroyed'; at: string }
  | { type: 'released'; at: string };

export type IprEventType = IprEvent['type'];

export const IPR_EVENT_TYPES = [
  'declarant-notified',
  'holder-notified',
  'no-holder-identified',
  'application-lodged',
  'application-accepted',
  'holder-confirmed',
  'holder-withdrew',
  'declarant-agreed',
  'declarant-objected',
  'extension-granted',
  'holder-informed-of-objection',
  'proceedings-started',
  'samples-requested',
  'samples-provided',
  'cleared',
  'destroyed',
  'released',
] as const satisfies readonly IprEventType[];

/** Each step as the parties read it in the case's history. */
export const IPR_EVENT_TITLES: Readonly<Record<IprEventType, string>> = {
  'declarant-notified': 'Declarant notified of the suspension',
  'holder-notified': 'Right holder notified of the suspension',
  'no-holder-identified': 'No right holder could be identified',
  'application-lodged': 'Right holder lodged an application for action',
  'application-accepted': 'Application for action accepted for this case',
  'holder-confirmed': 'Right holder confirmed the infringement',
  'holder-withdrew': 'Right holder withdrew',
  'declarant-agreed': 'Declarant agreed to destruction',
  'declarant-objected': 'Declarant objected to destruction',
  'extension-granted': "Right holder's period extended",
  'holder-informed-of-objection': "Right holder informed of the declarant's objection",
  'proceedings-started': 'Right holder started court proceedings',
  'samples-requested': 'Right holder asked for samples or images',
  'samples-provided': 'Samples or images provided to the right holder',
  cleared: 'Goods cleared by customs',
  destroyed: 'Goods destroyed',
  released: 'Goods released from detention',
};

/** Whose step each event is: only that party records it. */
export const IPR_EVENT_PARTY: Readonly<Record<IprEventType, IprParty>> = {
  'declarant-notified': 'customs',
  'holder-notified': 'customs',
  'no-holder-identified': 'customs',
  'application-lodged': 'customs',
  'application-accepted': 'customs',
  'holder-informed-of-objection': 'customs',
  'extension-granted': 'customs',
  'samples-provided': 'customs',
  cleared: 'customs',
  destroyed: 'customs',
  released: 'customs',
  'holder-confirmed': 'right-holder',
  'holder-withdrew': 'right-holder',
  'proceedings-started': 'right-holder',
  'samples-requested': 'right-holder',
  'declarant-agreed': 'declarant',
  'declarant-objected': 'declarant',
};

/** Period for the right holder and the declarant, in working days. */
export const HOLDER_PERIOD = 10;
export const PERISHABLE_PERIOD = 3;
/** Period to notify the parties after the suspension, in working days. */
export const NOTIFY_PERIOD = 1;
/** Period for the person entitled to apply in an ex-officio case, in working days. */
export const EX_OFFICIO_APPLICATION_PERIOD = 4;
export const MAX_EXTENSION = 10;

export interface IprCaseFacts {
  procedure: IprProcedure;
  perishable: boolean;
  /** When release was suspended (ISO instant). */
  suspendedAt: string;
}

export type IprParty = 'customs' | 'declarant' | 'right-holder';

export type IprDeadlineKind =
  | 'notify-declarant'
  | 'notify-holder'
  | 'lodge-application'
  | 'holder-confirm'
  | 'declarant-answer'
  | 'inform-holder-of-objection'
  | 'start-proceedings';

export interface IprDeadline {
  kind: IprDeadlineKind;
  party: IprParty;
  /** The last local working day of the period. */
  dueLocalDate: string;
  /** The end of that day in the administration's time zone (ISO, UTC). */
  dueAt: string;
  /** The party acted in time. */
  met: boolean;
  /** open: still running; met: acted in time; missed: passed without the act. */
  status: 'open' | 'met' | 'missed';
}

export type IprOutcome = 'pending' | 'destroy' | 'release' | 'proceedings';

export type IprStage =
  | 'notifying'
  | 'awaiting-application'
  | 'awaiting-right-holder'
  | 'awaiting-declarant'
  | 'awaiting-proceedings'
  | 'proceedings'
  | 'to-destroy'
  | 'to-release'
  | 'destroyed'
  | 'released';

export interface IprNextAction {
  party: IprParty;
  action: string;
  dueAt: string | null;
}

export interface IprCaseState {
  stage: IprStage;
  outcome: IprOutcome;
  /** Why the outcome is what it is, in words the parties read; null while pending. */
  outcomeReason: string | null;
  deadlines: IprDeadline[];
  /** Customs' own deadlines past due without the act: what the IPR unit must do first. */
  overdue: IprDeadline[];
  nextActions: IprNextAction[];
  extensionUsed: boolean;
  /** The goods may not be released (anything but a release outcome). */
  releaseBlocked: boolean;
  closed: boolean;
}

type Of<T extends IprEventType> = Extract<IprEvent, { type: T }>;

function first<T extends IprEventType>(events: readonly IprEvent[], type: T): Of<T> | undefined {
  return events.find((e): e is Of<T> => e.type === type);
}

interface Period {
  kind: IprDeadlineKind;
  party: IprParty;
  dueLocalDate: string;
  dueAt: string;
  /** When the act that meets it happened, if it did. */
  doneAt: string | null;
}

/** The end of the n-th working day after the local day of `at`. */
function due(
  cal: WorkingDayCalendar,
  at: string,
  n: number,
): { dueLocalDate: string; dueAt: string } {
  const dueLocalDate = addWorkingDays(cal, localDate(cal, at), n);
  return { dueLocalDate, dueAt: endOfLocalDay(cal, dueLocalDate) };
}

/** The periods of a case given its events (those up to `now`), independent of the outcome. */
function periodsOf(cal: WorkingDayCalendar, facts: IprCaseFacts, events: readonly IprEvent[]) {
  const declarantNotified = first(events, 'declarant-notified');
  const holderNotified = first(events, 'holder-notified');
  const noHolder = first(events, 'no-holder-identified');
  const lodged = first(events, 'application-lodged');
  const accepted = first(events, 'application-accepted');
  const confirmed = first(events, 'holder-confirmed');
  const agreed = first(events, 'declarant-agreed');
  const objected = first(events, 'declarant-objected');
  const answered = agreed ?? objected;
  const extension = first(events, 'extension-granted');
  const informed = first(events, 'holder-informed-of-objection');
  const proceedings = first(events, 'proceedings-started');
  const periods: Period[] = [];
  const notify = due(cal, facts.suspendedAt, NOTIFY_PERIOD);
  periods.push({
    kind: 'notify-declarant',
    party: 'customs',
    ...notify,
    doneAt: declarantNotified?.at ?? null,
  });
  if (facts.procedure !== 'small-consignment')
    periods.push({
      kind: 'notify-holder',
      party: 'customs',
      ...notify,
      doneAt: (holderNotified ?? noHolder)?.at ?? null,
    });
  const span = facts.perishable ? PERISHABLE_PERIOD : HOLDER_PERIOD;
  let declarantPeriod: Period | undefined;
  if (declarantNotified) {
    declarantPeriod = {
      kind: 'declarant-answer',
      party: 'declarant',
      ...due(cal, declarantNotified.at, span),
      doneAt: answered?.at ?? null,
    };
    periods.push(declarantPeriod);
  }
  let lodgePeriod: Period | undefined;
  let holderPeriod: Period | undefined;
  let proceedingsPeriod: Period | undefined;
  if (facts.procedure === 'ex-officio' && holderNotified) {
    lodgePeriod = {
      kind: 'lodge-application',
      party: 'right-holder',
      ...due(cal, holderNotified.at, EX_OFFICIO_APPLICATION_PERIOD),
      doneAt: lodged?.at ?? null,
    };
    periods.push(lodgePeriod);
  }
  // The right holder's period: from its notification, or from the acceptance of its application.
  const holderStart =
    facts.procedure === 'standard'
      ? holderNotified
      : facts.procedure === 'ex-officio'
        ? accepted
        : undefined;
  if (holderStart) {
    const base = due(cal, holderStart.at, span + (extension?.workingDays ?? 0));
    holderPeriod = {
      kind: 'holder-confirm',
      party: 'right-holder',
      ...base,
      doneAt: (confirmed ?? proceedings)?.at ?? null,
    };
    periods.push(holderPeriod);
    // After an objection, or when the holder will not agree to destruction, only proceedings keep
    // the goods detained; they are due within the same period.
    if (objected || (confirmed && !confirmed.agreesToDestruction)) {
      proceedingsPeriod = {
        kind: 'start-proceedings',
        party: 'right-holder',
        ...base,
        doneAt: proceedings?.at ?? null,
      };
      periods.push(proceedingsPeriod);
    }
  }
  let informPeriod: Period | undefined;
  if (facts.procedure === 'small-consignment' && objected) {
    informPeriod = {
      kind: 'inform-holder-of-objection',
      party: 'customs',
      ...due(cal, objected.at, NOTIFY_PERIOD),
      doneAt: informed?.at ?? null,
    };
    periods.push(informPeriod);
    if (informed) {
      proceedingsPeriod = {
        kind: 'start-proceedings',
        party: 'right-holder',
        ...due(cal, informed.at, HOLDER_PERIOD),
        doneAt: proceedings?.at ?? null,
      };
      periods.push(proceedingsPeriod);
    }
  }
  return {
    periods,
    declarantPeriod,
    lodgePeriod,
    holderPeriod,
    proceedingsPeriod,
    informPeriod,
    declarantNotified,
    holderNotified,
    noHolder,
    lodged,
    accepted,
    confirmed,
    agreed,
    objected,
    extension,
    informed,
    proceedings,
  };
}

const passed = (p: Period | undefined, now: string): boolean =>
  p !== undefined && p.doneAt === null && now > p.dueAt;
const inTime = (p: Period, at: string): boolean => at <= p.dueAt;

/**
 * The state of a case at `now`: its outcome, the deadlines and who acts next. Only events at or
 * before `now` count.
 */
export function caseState(
  cal: WorkingDayCalendar,
  facts: IprCaseFacts,
  allEvents: readonly IprEvent[],
  now: string,
): IprCaseState {
  const events = allEvents.filter((e) => e.at <= now);
  const p = periodsOf(cal, facts, events);
  const decided = decide(facts, events, p, now);
  const deadlines: IprDeadline[] = p.periods.map((x) => {
    const met = x.doneAt !== null && inTime(x, x.doneAt);
    const status = met ? 'met' : x.doneAt !== null || now > x.dueAt ? 'missed' : 'open';
    return {
      kind: x.kind,
      party: x.party,
      dueLocalDate: x.dueLocalDate,
      dueAt: x.dueAt,
      met,
      status,
    };
  });
  const closed = decided.stage === 'destroyed' || decided.stage === 'released';
  const overdue = closed
    ? []
    : deadlines.filter((d) => d.party === 'customs' && d.status === 'missed' && !isDone(p, d.kind));
  return {
    ...decided,
    deadlines,
    overdue,
    nextActions: closed ? [] : nextActions(facts, p, decided, now),
    extensionUsed: p.extension !== undefined,
    releaseBlocked: decided.outcome !== 'release',
    closed,
  };
}

function isDone(p: ReturnType<typeof periodsOf>, kind: IprDeadlineKind): boolean {
  return p.periods.some((x) => x.kind === kind && x.doneAt !== null);
}

function decide(
  facts: IprCaseFacts,
  events: readonly IprEvent[],
  p: ReturnType<typeof periodsOf>,
  now: string,
): Pick<IprCaseState, 'stage' | 'outcome' | 'outcomeReason'> {
  const destroyed = first(events, 'destroyed');
  const released = first(events, 'released');
  const cleared = first(events, 'cleared');
  if (destroyed)
    return { stage: 'destroyed', outcome: 'destroy', outcomeReason: 'the goods were destroyed' };
  if (cleared)
    return {
      stage: 'released',
      outcome: 'release',
      outcomeReason: `customs cleared the goods: ${cleared.reason}`,
    };
  if (released)
    return {
      stage: 'released',
      outcome: 'release',
      outcomeReason: 'the goods were released from detention',
    };
  const release = (outcomeReason: string) => ({
    stage: 'to-release' as const,
    outcome: 'release' as const,
    outcomeReason,
  });
  const destroy = (outcomeReason: string) => ({
    stage: 'to-destroy' as const,
    outcome: 'destroy' as const,
    outcomeReason,
  });
  if (p.proceedings)
    return {
      stage: 'proceedings',
      outcome: 'proceedings',
      outcomeReason:
        'the right holder started court proceedings: the goods stay detained until the court decides',
    };
  if (first(events, 'holder-withdrew')) return release('the right holder withdrew');
  if (facts.procedure === 'small-consignment') {
    if (p.agreed) return destroy('the declarant agreed to destruction');
    if (!p.objected) {
      if (passed(p.declarantPeriod, now))
        return destroy(
          'the declarant did not answer within its period: silence counts as agreement',
        );
      return {
        stage: p.declarantNotified ? 'awaiting-declarant' : 'notifying',
        outcome: 'pending',
        outcomeReason: null,
      };
    }
    if (passed(p.proceedingsPeriod, now))
      return release(
        'the right holder did not start proceedings in time after the declarant objected',
      );
    return { stage: 'awaiting-proceedings', outcome: 'pending', outcomeReason: null };
  }
  if (facts.procedure === 'ex-officio' && !p.accepted) {
    if (p.noHolder) return release('no right holder could be identified');
    if (passed(p.lodgePeriod, now)) return release('no application for action was lodged in time');
    if (!p.holderNotified || !p.declarantNotified)
      return { stage: 'notifying', outcome: 'pending', outcomeReason: null };
    return { stage: 'awaiting-application', outcome: 'pending', outcomeReason: null };
  }
  // Standard, or ex officio under the application accepted for the case.
  if (!p.holderPeriod || !p.declarantNotified)
    return { stage: 'notifying', outcome: 'pending', outcomeReason: null };
  if (!p.confirmed) {
    if (passed(p.holderPeriod, now))
      return release('the right holder did not confirm an infringement in time');
    return { stage: 'awaiting-right-holder', outcome: 'pending', outcomeReason: null };
  }
  if (p.confirmed.agreesToDestruction && !p.objected) {
    if (p.agreed)
      return destroy(
        'the right holder confirmed the infringement and the declarant agreed to destruction',
      );
    if (passed(p.declarantPeriod, now))
      return destroy(
        'the right holder confirmed the infringement and the declarant did not answer within its period (silence counts as agreement)',
      );
    return { stage: 'awaiting-declarant', outcome: 'pending', outcomeReason: null };
  }
  // The declarant objected, or the holder does not agree to destruction: proceedings or release.
  if (passed(p.proceedingsPeriod, now))
    return release(
      p.objected
        ? 'the right holder did not start proceedings in time after the declarant objected'
        : 'the right holder did not agree to destruction and started no proceedings in time',
    );
  return { stage: 'awaiting-proceedings', outcome: 'pending', outcomeReason: null };
}

function nextActions(
  facts: IprCaseFacts,
  p: ReturnType<typeof periodsOf>,
  d: Pick<IprCaseState, 'stage' | 'outcome'>,
  now: string,
): IprNextAction[] {
  const out: IprNextAction[] = [];
  const open = (x: Period | undefined): x is Period => x !== undefined && x.doneAt === null;
  if (d.outcome === 'destroy')
    return [{ party: 'customs', action: 'Have the goods destroyed and record it', dueAt: null }];
  if (d.outcome === 'release')
    return [
      { party: 'customs', action: 'Release the goods from detention and record it', dueAt: null },
    ];
  if (d.outcome === 'proceedings')
    return [
      {
        party: 'customs',
        action: 'Keep the goods until the court decides, then record destruction or release',
        dueAt: null,
      },
    ];
  for (const x of p.periods) {
    // A party's act still to come; a period that passed has decided, except customs' own tasks.
    if (!open(x) || (now > x.dueAt && x.party !== 'customs')) continue;
    switch (x.kind) {
      case 'notify-declarant':
        out.push({
          party: 'customs',
          action: 'Notify the declarant of the suspension',
          dueAt: x.dueAt,
        });
        break;
      case 'notify-holder':
        out.push({
          party: 'customs',
          action:
            facts.procedure === 'ex-officio'
              ? 'Notify a person entitled to apply, or record that none can be identified'
              : 'Notify the right holder of the suspension',
          dueAt: x.dueAt,
        });
        break;
      case 'lodge-application':
        out.push({
          party: 'right-holder',
          action: 'Lodge an application for action for these goods',
          dueAt: x.dueAt,
        });
        break;
      case 'holder-confirm':
        out.push({
          party: 'right-holder',
          action:
            'Confirm the infringement and say whether you agree to destruction (or start proceedings)',
          dueAt: x.dueAt,
        });
        break;
      case 'declarant-answer':
        out.push({
          party: 'declarant',
          action: 'Agree to destruction or object; without an answer, you are taken to agree',
          dueAt: x.dueAt,
        });
        break;
      case 'inform-holder-of-objection':
        out.push({
          party: 'customs',
          action: "Inform the right holder of the declarant's objection",
          dueAt: x.dueAt,
        });
        break;
      case 'start-proceedings':
        out.push({
          party: 'right-holder',
          action: 'Start court proceedings, or the goods are released',
          dueAt: x.dueAt,
        });
        break;
    }
  }
  if (facts.procedure === 'ex-officio' && p.lodged && !p.accepted)
    out.push({
      party: 'customs',
      action: 'Decide the application lodged for these goods',
      dueAt: null,
    });
  return out;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether `event` may be recorded next in a case with these past events: the procedure's order,
 * its periods (an act after its deadline is refused, the deadline having decided), and one of
 * each act. Nothing is recorded in a closed case.
 */
export function canRecord(
  cal: WorkingDayCalendar,
  facts: IprCaseFacts,
  past: readonly IprEvent[],
  event: IprEvent,
): Verdict {
  const no = (reason: string): Verdict => ({ ok: false, reason });
  const at = event.at;
  if (!Number.isFinite(Date.parse(at))) return no('the step has no valid time');
  if (at < facts.suspendedAt) return no('a step cannot precede the suspension');
  const last = past[past.length - 1];
  if (last && at < last.at) return no('steps are recorded in the order they happen');
  const state = caseState(cal, facts, past, at);
  if (state.closed) return no('the case is closed');
  const p = periodsOf(cal, facts, past);
  const has = (type: IprEventType) => past.some((e) => e.type === type);
  const once = (type: IprEventType): Verdict | null =>
    has(type) ? no(`already recorded: ${IPR_EVENT_TITLES[type]}`) : null;
  const pending = state.outcome === 'pending';
  const decidedReason = `the case is decided: ${state.outcomeReason ?? state.outcome}`;
  const holderInvolved =
    facts.procedure === 'standard'
      ? p.holderNotified !== undefined
      : facts.procedure === 'ex-officio'
        ? p.holderNotified !== undefined
        : p.informed !== undefined;
  switch (event.type) {
    case 'declarant-notified':
      return once('declarant-notified') ?? { ok: true };
    case 'holder-notified':
      if (facts.procedure === 'small-consignment')
        return no(
          'in the small-consignments procedure the right holder is informed only of an objection',
        );
      return once('holder-notified') ?? once('no-holder-identified') ?? { ok: true };
    case 'no-holder-identified':
      if (facts.procedure !== 'ex-officio')
        return no('only an ex-officio case can lack a right holder');
      return once('holder-notified') ?? once('no-holder-identified') ?? { ok: true };
    case 'application-lodged':
      if (facts.procedure !== 'ex-officio') return no('the case already runs under an application');
      if (!p.holderNotified) return no('notify the person entitled to apply first');
      if (!pending) return no(decidedReason);
      return once('application-lodged') ?? { ok: true };
    case 'application-accepted':
      if (facts.procedure !== 'ex-officio') return no('the case already runs under an application');
      if (!p.lodged) return no('no application was lodged for the case');
      if (!pending) return no(decidedReason);
      return once('application-accepted') ?? { ok: true };
    case 'holder-confirmed':
      if (facts.procedure === 'small-consignment')
        return no(
          'in the small-consignments procedure the right holder answers an objection by starting proceedings',
        );
      if (!p.holderPeriod)
        return no(
          facts.procedure === 'ex-officio'
            ? 'no application is accepted for the case yet'
            : 'the right holder has not been notified',
        );
      if (!pending) return no(decidedReason);
      return (
        once('holder-confirmed') ??
        (inTime(p.holderPeriod, at) ? { ok: true } : no("the right holder's period has ended"))
      );
    case 'holder-withdrew':
      if (!holderInvolved) return no('the right holder is not part of the case');
      return pending ? { ok: true } : no(decidedReason);
    case 'declarant-agreed':
    case 'declarant-objected':
      if (!p.declarantPeriod) return no('the declarant has not been notified');
      if (has('declarant-agreed') || has('declarant-objected'))
        return no('the declarant has already answered');
      if (!pending) return no(decidedReason);
      return inTime(p.declarantPeriod, at) ? { ok: true } : no("the declarant's period has ended");
    case 'extension-granted': {
      if (facts.perishable) return no('the period for perishable goods cannot be extended');
      if (!p.holderPeriod) return no("the right holder's period has not started");
      if (
        !Number.isInteger(event.workingDays) ||
        event.workingDays < 1 ||
        event.workingDays > MAX_EXTENSION
      )
        return no(`an extension is 1 to ${MAX_EXTENSION} working days`);
      if (typeof event.justification !== 'string' || event.justification.trim() === '')
        return no('an extension is granted only on a justified request: give the justification');
      if (!pending) return no(decidedReason);
      return (
        once('extension-granted') ??
        (inTime(p.holderPeriod, at) ? { ok: true } : no("the right holder's period has ended"))
      );
    }
    case 'holder-informed-of-objection':
      if (facts.procedure !== 'small-consignment')
        return no('only the small-consignments procedure informs the holder of an objection');
      if (!p.objected) return no('the declarant has not objected');
      return once('holder-informed-of-objection') ?? { ok: true };
    case 'proceedings-started': {
      if (!holderInvolved) return no('the right holder is not part of the case');
      const period = p.proceedingsPeriod ?? p.holderPeriod;
      if (!period) return no('no application is accepted for the case yet');
      if (!pending) return no(decidedReason);
      return (
        once('proceedings-started') ??
        (inTime(period, at) ? { ok: true } : no('the period to start proceedings has ended'))
      );
    }
    case 'samples-requested':
      if (!holderInvolved) return no('the right holder is not part of the case');
      return pending || state.outcome === 'proceedings' ? { ok: true } : no(decidedReason);
    case 'samples-provided': {
      const asked = past.filter((e) => e.type === 'samples-requested').length;
      const given = past.filter((e) => e.type === 'samples-provided').length;
      return asked > given ? { ok: true } : no('no request for samples is waiting');
    }
    case 'cleared':
      if (typeof event.reason !== 'string' || event.reason.trim() === '')
        return no('say why the goods are cleared');
      return state.outcome === 'destroy' ? no(decidedReason) : { ok: true };
    case 'destroyed':
      return state.outcome === 'destroy' || state.outcome === 'proceedings'
        ? { ok: true }
        : no(pending ? 'destruction is not agreed yet' : decidedReason);
    case 'released':
      return state.outcome === 'release' || state.outcome === 'proceedings'
        ? { ok: true }
        : no(pending ? 'the procedure has not ended: the goods stay detained' : decidedReason);
  }
}

export interface SmallConsignmentFacts {
  infringement: 'counterfeit' | 'pirated' | 'other';
  postalOrExpress: boolean;
  units: number;
  grossMassKg: number;
  perishable: boolean;
  /** The application for action asked for the small-consignments procedure. */
  requestedInApplication: boolean;
}

/** Whether goods qualify for the small-consignments procedure (Art. 2(19) and 26(1)). */
export function smallConsignmentEligible(
  f: SmallConsignmentFacts,
): { ok: true } | { ok: false; reasons: string[] } {
  const reasons: string[] = [];
  if (f.infringement === 'other')
    reasons.push('only suspected counterfeit or pirated goods qualify');
  if (f.perishable) reasons.push('perishable goods do not qualify');
  if (!f.postalOrExpress) reasons.push('only postal or express consignments qualify');
  if (!(f.units <= 3 || f.grossMassKg < 2))
    reasons.push('at most 3 units or under 2 kg gross mass');
  if (!f.requestedInApplication)
    reasons.push('the application for action did not ask for the procedure');
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
