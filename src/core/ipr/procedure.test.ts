import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IPR_EVENT_TYPES,
  IPR_PROCEDURES,
  canRecord,
  caseState,
  smallConsignmentEligible,
  type IprCaseFacts,
  type IprEvent,
  type IprEventType,
} from './procedure.js';
import { isWorkingDay, type WorkingDayCalendar } from './working-days.js';

// Minsk keeps UTC+3 all year; Friday 25 December 2026 is a holiday here.
const cal: WorkingDayCalendar = {
  timeZone: 'Europe/Minsk',
  weekend: [0, 6],
  holidays: ['2026-12-25'],
};
/** A local time in Minsk as an ISO instant. */
const m = (local: string): string => new Date(`${local}+03:00`).toISOString();
const SUSPENDED = m('2026-12-07T10:00:00'); // a Monday
const standard: IprCaseFacts = { procedure: 'standard', perishable: false, suspendedAt: SUSPENDED };
const notified: IprEvent[] = [
  { type: 'declarant-notified', at: SUSPENDED },
  { type: 'holder-notified', at: SUSPENDED },
];

const due = (state: ReturnType<typeof caseState>, kind: string) =>
  state.deadlines.find((d) => d.kind === kind);

/** Records events one by one, failing the test if the procedure refuses one. */
function record(facts: IprCaseFacts, events: IprEvent[]): IprEvent[] {
  const past: IprEvent[] = [];
  for (const e of events) {
    const verdict = canRecord(cal, facts, past, e);
    expect(verdict, `${e.type} at ${e.at}`).toEqual({ ok: true });
    past.push(e);
  }
  return past;
}

describe('the IPR detention procedure', () => {
  it('gives customs one working day to notify and the parties ten to answer', () => {
    const early = caseState(cal, standard, [], m('2026-12-07T11:00:00'));
    expect(early.stage).toBe('notifying');
    expect(due(early, 'notify-declarant')).toMatchObject({
      dueLocalDate: '2026-12-08',
      dueAt: '2026-12-08T20:59:59.999Z',
      status: 'open',
    });
    expect(early.nextActions.map((a) => a.party)).toEqual(['customs', 'customs']);
    // Not notified by the end of Tuesday: overdue for the IPR unit.
    const late = caseState(cal, standard, [], m('2026-12-09T09:00:00'));
    expect(late.overdue.map((d) => d.kind)).toEqual(['notify-declarant', 'notify-holder']);
    const s = caseState(cal, standard, notified, m('2026-12-08T09:00:00'));
    expect(s).toMatchObject({
      stage: 'awaiting-right-holder',
      outcome: 'pending',
      releaseBlocked: true,
      overdue: [],
    });
    expect(due(s, 'holder-confirm')).toMatchObject({
      party: 'right-holder',
      dueLocalDate: '2026-12-21',
      status: 'open',
    });
    expect(due(s, 'declarant-answer')).toMatchObject({
      party: 'declarant',
      dueLocalDate: '2026-12-21',
    });
    expect(s.nextActions.map((a) => a.party).sort()).toEqual(['declarant', 'right-holder']);
  });

  it('destroys when the right holder confirms and the declarant agrees', () => {
    const events = record(standard, [
      ...notified,
      { type: 'holder-confirmed', at: m('2026-12-10T12:00:00'), agreesToDestruction: true },
      { type: 'declarant-agreed', at: m('2026-12-11T12:00:00') },
    ]);
    const s = caseState(cal, standard, events, m('2026-12-11T12:00:00'));
    expect(s).toMatchObject({ outcome: 'destroy', stage: 'to-destroy', releaseBlocked: true });
    expect(
      canRecord(cal, standard, events, { type: 'released', at: m('2026-12-11T13:00:00') }).ok,
    ).toBe(false);
    const done = record(standard, [...events, { type: 'destroyed', at: m('2026-12-14T09:00:00') }]);
    const closed = caseState(cal, standard, done, m('2026-12-14T10:00:00'));
    expect(closed).toMatchObject({ stage: 'destroyed', closed: true, nextActions: [] });
    for (const type of IPR_EVENT_TYPES)
      expect(
        canRecord(cal, standard, done, { type, at: m('2026-12-15T09:00:00') } as IprEvent),
      ).toMatchObject({ ok: false });
  });

  it("counts the declarant's silence as agreement, but only once its period has ended", () => {
    const events = record(standard, [
      ...notified,
      { type: 'holder-confirmed', at: m('2026-12-10T12:00:00'), agreesToDestruction: true },
    ]);
    expect(caseState(cal, standard, events, m('2026-12-21T23:59:00')).outcome).toBe('pending');
    const after = caseState(cal, standard, events, m('2026-12-22T00:00:01'));
    expect(after.outcome).toBe('destroy');
    expect(after.outcomeReason).toMatch(/silence counts as agreement/);
    expect(
      canRecord(cal, standard, events, {
        type: 'declarant-objected',
        at: m('2026-12-22T08:00:00'),
      }),
    ).toMatchObject({ ok: false });
  });

  it('releases when the right holder does not confirm in time', () => {
    expect(caseState(cal, standard, notified, m('2026-12-21T20:00:00')).outcome).toBe('pending');
    const s = caseState(cal, standard, notified, m('2026-12-22T00:00:01'));
    expect(s).toMatchObject({ outcome: 'release', stage: 'to-release', releaseBlocked: false });
    expect(due(s, 'holder-confirm')?.status).toBe('missed');
    expect(
      canRecord(cal, standard, notified, {
        type: 'holder-confirmed',
        at: m('2026-12-22T08:00:00'),
        agreesToDestruction: true,
      }),
    ).toEqual({
      ok: false,
      reason: 'the case is decided: the right holder did not confirm an infringement in time',
    });
    record(standard, [...notified, { type: 'released', at: m('2026-12-22T08:00:00') }]);
  });

  it('after an objection only proceedings keep the goods detained', () => {
    const events = record(standard, [
      ...notified,
      { type: 'declarant-objected', at: m('2026-12-09T12:00:00') },
      { type: 'holder-confirmed', at: m('2026-12-10T12:00:00'), agreesToDestruction: true },
    ]);
    const waiting = caseState(cal, standard, events, m('2026-12-15T12:00:00'));
    expect(waiting.stage).toBe('awaiting-proceedings');
    expect(due(waiting, 'start-proceedings')).toMatchObject({
      dueLocalDate: '2026-12-21',
      status: 'open',
    });
    expect(caseState(cal, standard, events, m('2026-12-22T00:00:01')).outcomeReason).toBe(
      'the right holder did not start proceedings in time after the declarant objected',
    );
    const court = record(standard, [
      ...events,
      { type: 'proceedings-started', at: m('2026-12-18T12:00:00') },
    ]);
    const s = caseState(cal, standard, court, m('2027-03-01T12:00:00'));
    expect(s).toMatchObject({ outcome: 'proceedings', stage: 'proceedings', releaseBlocked: true });
    // The court decides either way.
    expect(
      canRecord(cal, standard, court, { type: 'destroyed', at: m('2027-03-01T12:00:00') }).ok,
    ).toBe(true);
    expect(
      canRecord(cal, standard, court, { type: 'released', at: m('2027-03-01T12:00:00') }).ok,
    ).toBe(true);
  });

  it('a holder that will not agree to destruction must go to court', () => {
    const events = record(standard, [
      ...notified,
      { type: 'holder-confirmed', at: m('2026-12-10T12:00:00'), agreesToDestruction: false },
    ]);
    expect(
      caseState(
        cal,
        standard,
        [...events, { type: 'declarant-agreed', at: m('2026-12-11T12:00:00') }],
        m('2026-12-11T12:00:00'),
      ).outcome,
    ).toBe('pending');
    expect(caseState(cal, standard, events, m('2026-12-22T09:00:00')).outcomeReason).toMatch(
      /did not agree to destruction/,
    );
  });

  it('extends the right holder once by up to ten working days on a justified request, not for perishables', () => {
    const ext: IprEvent = {
      type: 'extension-granted',
      at: m('2026-12-18T12:00:00'),
      workingDays: 5,
      justification: 'Laboratory analysis of the soles',
    };
    const events = record(standard, [...notified, ext]);
    const s = caseState(cal, standard, events, m('2026-12-23T12:00:00'));
    expect(s.extensionUsed).toBe(true);
    // 15 working days from Monday 7 December, skipping the holiday on the 25th.
    expect(due(s, 'holder-confirm')?.dueLocalDate).toBe('2026-12-29');
    expect(s.outcome).toBe('pending');
    expect(caseState(cal, standard, events, m('2026-12-30T00:00:01')).outcome).toBe('release');
    expect(
      canRecord(cal, standard, events, { ...ext, at: m('2026-12-21T12:00:00') }),
    ).toMatchObject({ ok: false });
    expect(canRecord(cal, standard, notified, { ...ext, workingDays: 11 })).toMatchObject({
      ok: false,
    });
    expect(canRecord(cal, standard, notified, { ...ext, justification: ' ' })).toMatchObject({
      ok: false,
    });
    expect(
      canRecord(cal, standard, notified, { ...ext, at: m('2026-12-22T08:00:00') }),
    ).toMatchObject({ ok: false });
    const perishable = { ...standard, perishable: true };
    expect(canRecord(cal, perishable, notified, ext)).toEqual({
      ok: false,
      reason: 'the period for perishable goods cannot be extended',
    });
  });

  it('gives three working days for perishable goods', () => {
    const s = caseState(cal, { ...standard, perishable: true }, notified, m('2026-12-08T12:00:00'));
    expect(due(s, 'holder-confirm')?.dueLocalDate).toBe('2026-12-10');
    expect(due(s, 'declarant-answer')?.dueLocalDate).toBe('2026-12-10');
    expect(
      caseState(cal, { ...standard, perishable: true }, notified, m('2026-12-11T00:00:01')).outcome,
    ).toBe('release');
  });

  it('runs small consignments with the declarant alone unless it objects', () => {
    const small: IprCaseFacts = {
      procedure: 'small-consignment',
      perishable: false,
      suspendedAt: SUSPENDED,
    };
    const notice: IprEvent[] = [{ type: 'declarant-notified', at: SUSPENDED }];
    expect(canRecord(cal, small, notice, { type: 'holder-notified', at: SUSPENDED }).ok).toBe(
      false,
    );
    expect(
      caseState(cal, small, notice, m('2026-12-08T12:00:00')).deadlines.map((d) => d.kind),
    ).toEqual(['notify-declarant', 'declarant-answer']);
    expect(caseState(cal, small, notice, m('2026-12-22T00:00:01')).outcome).toBe('destroy');
    const objected = record(small, [
      ...notice,
      { type: 'declarant-objected', at: m('2026-12-09T12:00:00') },
    ]);
    // Customs must inform the right holder within a working day.
    expect(
      caseState(cal, small, objected, m('2026-12-11T12:00:00')).overdue.map((d) => d.kind),
    ).toEqual(['inform-holder-of-objection']);
    expect(caseState(cal, small, objected, m('2027-01-30T12:00:00')).outcome).toBe('pending');
    const informed = record(small, [
      ...objected,
      { type: 'holder-informed-of-objection', at: m('2026-12-14T09:00:00') },
    ]);
    const s = caseState(cal, small, informed, m('2026-12-15T09:00:00'));
    expect(due(s, 'start-proceedings')?.dueLocalDate).toBe('2026-12-29'); // ten working days, holiday skipped
    expect(s.overdue).toEqual([]);
    expect(
      canRecord(cal, small, informed, {
        type: 'holder-confirmed',
        at: m('2026-12-15T09:00:00'),
        agreesToDestruction: true,
      }).ok,
    ).toBe(false);
    expect(caseState(cal, small, informed, m('2026-12-30T00:00:01')).outcome).toBe('release');
    expect(
      caseState(
        cal,
        small,
        [...informed, { type: 'proceedings-started', at: m('2026-12-28T09:00:00') }],
        m('2026-12-30T00:00:01'),
      ).outcome,
    ).toBe('proceedings');
  });

  it('ex officio: the person entitled to apply has four working days, then the standard periods run', () => {
    const exOfficio: IprCaseFacts = {
      procedure: 'ex-officio',
      perishable: false,
      suspendedAt: SUSPENDED,
    };
    const s = caseState(cal, exOfficio, notified, m('2026-12-08T12:00:00'));
    expect(s.stage).toBe('awaiting-application');
    expect(due(s, 'lodge-application')?.dueLocalDate).toBe('2026-12-11');
    expect(caseState(cal, exOfficio, notified, m('2026-12-12T00:00:01')).outcomeReason).toBe(
      'no application for action was lodged in time',
    );
    expect(
      canRecord(cal, exOfficio, notified, {
        type: 'holder-confirmed',
        at: m('2026-12-08T12:00:00'),
        agreesToDestruction: true,
      }).ok,
    ).toBe(false);
    const accepted = record(exOfficio, [
      ...notified,
      { type: 'application-lodged', at: m('2026-12-09T12:00:00') },
      { type: 'application-accepted', at: m('2026-12-10T12:00:00') },
    ]);
    const after = caseState(cal, exOfficio, accepted, m('2026-12-14T12:00:00'));
    expect(after.stage).toBe('awaiting-right-holder');
    expect(due(after, 'holder-confirm')?.dueLocalDate).toBe('2026-12-24');
    const none = record(exOfficio, [
      { type: 'declarant-notified', at: SUSPENDED },
      { type: 'no-holder-identified', at: m('2026-12-08T09:00:00') },
    ]);
    expect(caseState(cal, exOfficio, none, m('2026-12-08T09:00:00')).outcome).toBe('release');
    expect(canRecord(cal, standard, [], { type: 'no-holder-identified', at: SUSPENDED }).ok).toBe(
      false,
    );
  });

  it('refuses steps out of order, twice, or without their reasons', () => {
    expect(
      canRecord(cal, standard, notified, { type: 'declarant-notified', at: SUSPENDED }).ok,
    ).toBe(false);
    expect(
      canRecord(cal, standard, notified, {
        type: 'holder-confirmed',
        at: m('2026-12-01T09:00:00'),
        agreesToDestruction: true,
      }).ok,
    ).toBe(false);
    const later = [
      ...notified,
      { type: 'samples-requested', at: m('2026-12-09T09:00:00') } as IprEvent,
    ];
    expect(
      canRecord(cal, standard, later, { type: 'samples-provided', at: m('2026-12-08T09:00:00') })
        .ok,
    ).toBe(false);
    expect(
      canRecord(cal, standard, later, { type: 'samples-provided', at: m('2026-12-09T10:00:00') })
        .ok,
    ).toBe(true);
    expect(
      canRecord(cal, standard, notified, { type: 'samples-provided', at: m('2026-12-09T10:00:00') })
        .ok,
    ).toBe(false);
    expect(
      canRecord(cal, standard, notified, {
        type: 'cleared',
        at: m('2026-12-09T10:00:00'),
        reason: '',
      }).ok,
    ).toBe(false);
    expect(
      canRecord(cal, standard, notified, { type: 'destroyed', at: m('2026-12-09T10:00:00') }),
    ).toEqual({
      ok: false,
      reason: 'destruction is not agreed yet',
    });
    const cleared = record(standard, [
      ...notified,
      {
        type: 'cleared',
        at: m('2026-12-09T10:00:00'),
        reason: 'Authentic: hologram labels present',
      },
    ]);
    expect(caseState(cal, standard, cleared, m('2026-12-09T10:00:00'))).toMatchObject({
      closed: true,
      outcome: 'release',
      releaseBlocked: false,
    });
  });

  it('decides small consignments by their conditions', () => {
    const ok = {
      infringement: 'counterfeit',
      postalOrExpress: true,
      units: 2,
      grossMassKg: 5,
      perishable: false,
      requestedInApplication: true,
    } as const;
    expect(smallConsignmentEligible(ok)).toEqual({ ok: true });
    expect(smallConsignmentEligible({ ...ok, units: 10, grossMassKg: 1.5 })).toEqual({ ok: true });
    const no = smallConsignmentEligible({
      ...ok,
      units: 4,
      grossMassKg: 2,
      postalOrExpress: false,
      infringement: 'other',
      perishable: true,
      requestedInApplication: false,
    });
    expect(no.ok).toBe(false);
    if (!no.ok) expect(no.reasons).toHaveLength(5);
  });
});

describe('the IPR procedure: properties', () => {
  const START = Date.parse(SUSPENDED);
  const HOUR = 3_600_000;
  const step = fc.record({
    type: fc.constantFrom(...IPR_EVENT_TYPES),
    gapHours: fc.integer({ min: 0, max: 96 }),
    agreesToDestruction: fc.boolean(),
    workingDays: fc.integer({ min: 0, max: 12 }),
  });
  const scenario = fc.record({
    procedure: fc.constantFrom(...IPR_PROCEDURES),
    perishable: fc.boolean(),
    steps: fc.array(step, { maxLength: 30 }),
    probeHours: fc.array(fc.integer({ min: 0, max: 24 * 60 }), { minLength: 1, maxLength: 5 }),
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: 90 }), { maxLength: 10 }),
  });

  const build = (
    type: IprEventType,
    at: string,
    s: { agreesToDestruction: boolean; workingDays: number },
  ): IprEvent => {
    switch (type) {
      case 'holder-confirmed':
        return { type, at, agreesToDestruction: s.agreesToDestruction };
      case 'extension-granted':
        return { type, at, workingDays: s.workingDays, justification: 'More time for analysis' };
      case 'cleared':
        return { type, at, reason: 'Found authentic' };
      default:
        return { type, at };
    }
  };

  it('whatever steps are tried, the accepted ones keep the rules of the regulation', () => {
    fc.assert(
      fc.property(scenario, ({ procedure, perishable, steps, probeHours, holidays }) => {
        const calendar: WorkingDayCalendar = {
          ...cal,
          holidays: holidays.map((d) =>
            new Date(START + d * 86_400_000).toISOString().slice(0, 10),
          ),
        };
        const facts: IprCaseFacts = { procedure, perishable, suspendedAt: SUSPENDED };
        const events: IprEvent[] = [];
        let t = START;
        for (const s of steps) {
          t += s.gapHours * HOUR;
          const e = build(s.type, new Date(t).toISOString(), s);
          const before = caseState(calendar, facts, events, e.at);
          const verdict = canRecord(calendar, facts, events, e);
          if (before.closed) expect(verdict.ok).toBe(false);
          if (verdict.ok) events.push(e);
        }
        const types = new Set(events.map((e) => e.type));
        // Each act at most once, except samples.
        for (const type of IPR_EVENT_TYPES)
          if (type !== 'samples-requested' && type !== 'samples-provided')
            expect(events.filter((e) => e.type === type).length).toBeLessThanOrEqual(1);
        if (perishable) expect(types.has('extension-granted')).toBe(false);
        if (types.has('destroyed') && !types.has('proceedings-started')) {
          // Destruction without a court: the declarant did not object, and under the standard
          // procedure the right holder confirmed and agreed.
          expect(types.has('declarant-objected')).toBe(false);
          if (procedure !== 'small-consignment')
            expect(events.some((e) => e.type === 'holder-confirmed' && e.agreesToDestruction)).toBe(
              true,
            );
        }
        for (const h of probeHours) {
          const at = new Date(START + h * HOUR).toISOString();
          const later = new Date(START + (h + 24 * 30) * HOUR).toISOString();
          const s = caseState(calendar, facts, events, at);
          expect(s.releaseBlocked).toBe(s.outcome !== 'release');
          for (const d of s.deadlines) expect(isWorkingDay(calendar, d.dueLocalDate)).toBe(true);
          // Time alone never undoes a decision: an outcome reached stays reached.
          const events0 = events.filter((e) => e.at <= at);
          if (s.outcome !== 'pending')
            expect(caseState(calendar, facts, events0, later).outcome).toBe(s.outcome);
        }
      }),
      { numRuns: 400 },
    );
  });
});
