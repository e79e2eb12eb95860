import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addWorkingDays,
  endOfLocalDay,
  isWorkingDay,
  localDate,
  startOfLocalDay,
  validateCalendar,
  workingDaysBetween,
  type WorkingDayCalendar,
} from './working-days.js';

const minsk: WorkingDayCalendar = {
  timeZone: 'Europe/Minsk',
  weekend: [0, 6],
  holidays: ['2026-12-25'],
};

describe('working days', () => {
  it('counts working days after a date, skipping weekends and holidays', () => {
    expect(addWorkingDays(minsk, '2026-12-04', 1)).toBe('2026-12-07'); // Friday → Monday
    expect(addWorkingDays(minsk, '2026-12-07', 10)).toBe('2026-12-21');
    expect(addWorkingDays(minsk, '2026-12-21', 4)).toBe('2026-12-28'); // Friday 25th is a holiday
    expect(addWorkingDays(minsk, '2026-12-05', 0)).toBe('2026-12-05');
    expect(isWorkingDay(minsk, '2026-12-25')).toBe(false);
    expect(isWorkingDay(minsk, '2026-12-26')).toBe(false);
    expect(isWorkingDay(minsk, '2026-12-24')).toBe(true);
    expect(workingDaysBetween(minsk, '2026-12-07', '2026-12-21')).toBe(10);
    expect(workingDaysBetween(minsk, '2026-12-21', '2026-12-07')).toBe(0);
    // A Friday-and-Saturday weekend.
    const gulf: WorkingDayCalendar = { timeZone: 'Asia/Dubai', weekend: [5, 6], holidays: [] };
    expect(addWorkingDays(gulf, '2026-12-03', 1)).toBe('2026-12-06'); // Thursday → Sunday
    expect(() => addWorkingDays(minsk, '2026-12-07', -1)).toThrow(RangeError);
  });

  it('reads local dates in the administration time zone', () => {
    expect(localDate(minsk, '2026-12-07T20:59:59.999Z')).toBe('2026-12-07');
    expect(localDate(minsk, '2026-12-07T21:00:00.000Z')).toBe('2026-12-08');
    expect(localDate({ timeZone: 'America/New_York' }, '2026-12-08T03:00:00Z')).toBe('2026-12-07');
  });

  it('ends a day at local midnight, on days of 23 and 25 hours too', () => {
    expect(endOfLocalDay(minsk, '2026-12-21')).toBe('2026-12-21T20:59:59.999Z');
    const berlin = { timeZone: 'Europe/Berlin' };
    // 29 March 2026: clocks go forward, the day has 23 hours.
    expect(startOfLocalDay(berlin, '2026-03-29')).toBe('2026-03-28T23:00:00.000Z');
    expect(endOfLocalDay(berlin, '2026-03-29')).toBe('2026-03-29T21:59:59.999Z');
    // 25 October 2026: clocks go back, the day has 25 hours.
    expect(startOfLocalDay(berlin, '2026-10-25')).toBe('2026-10-24T22:00:00.000Z');
    expect(endOfLocalDay(berlin, '2026-10-25')).toBe('2026-10-25T22:59:59.999Z');
    // Chile moves from 00:00 to 01:00 on 6 September 2026: the day starts at 01:00 local.
    expect(startOfLocalDay({ timeZone: 'America/Santiago' }, '2026-09-06')).toBe(
      '2026-09-06T04:00:00.000Z',
    );
  });

  it('property: the end of a local day is its last instant, whatever the zone', () => {
    const zones = [
      'UTC',
      'Europe/Minsk',
      'Europe/Berlin',
      'America/Santiago',
      'Asia/Kathmandu',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
      'Australia/Lord_Howe',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 3000 }),
        (timeZone, offset) => {
          const date = addCalendarDays('2024-01-01', offset);
          const end = Date.parse(endOfLocalDay({ timeZone }, date));
          expect(localDate({ timeZone }, end)).toBe(date);
          expect(localDate({ timeZone }, end + 1)).toBe(addCalendarDays(date, 1));
          const start = Date.parse(startOfLocalDay({ timeZone }, date));
          expect(localDate({ timeZone }, start)).toBe(date);
          expect(localDate({ timeZone }, start - 1000)).toBe(addCalendarDays(date, -1));
        },
      ),
      { numRuns: 300 },
    );
  });

  const calendar = fc.record({
    timeZone: fc.constant('UTC'),
    weekend: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 6 }),
    holidays: fc.uniqueArray(
      fc.integer({ min: 0, max: 800 }).map((d) => addCalendarDays('2026-01-01', d)),
      { maxLength: 120 },
    ),
  });

  it('property: n working days after a date are n working days away and end on a working day', () => {
    fc.assert(
      fc.property(
        calendar,
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 25 }),
        (cal, offset, n) => {
          const date = addCalendarDays('2026-01-01', offset);
          const result = addWorkingDays(cal, date, n);
          expect(workingDaysBetween(cal, date, result)).toBe(n);
          if (n > 0) expect(isWorkingDay(cal, result)).toBe(true);
          else expect(result).toBe(date);
        },
      ),
    );
  });

  it('property: another holiday never brings a deadline forward', () => {
    fc.assert(
      fc.property(
        calendar,
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 0, max: 800 }),
        (cal, offset, n, h) => {
          const date = addCalendarDays('2026-01-01', offset);
          const more = { ...cal, holidays: [...cal.holidays, addCalendarDays('2026-01-01', h)] };
          expect(addWorkingDays(more, date, n) >= addWorkingDays(cal, date, n)).toBe(true);
        },
      ),
    );
  });

  it('checks a calendar field by field and normalises it', () => {
    expect(
      validateCalendar({
        timeZone: 'Europe/Minsk',
        weekend: [6, 0],
        holidays: ['2026-12-25', '2026-01-01', '2026-12-25'],
      }),
    ).toEqual({
      ok: true,
      value: { timeZone: 'Europe/Minsk', weekend: [0, 6], holidays: ['2026-01-01', '2026-12-25'] },
    });
    const bad = validateCalendar({
      timeZone: 'Mars/Olympus',
      weekend: [0, 1, 2, 3, 4, 5, 6],
      holidays: ['2026-02-30', 5],
      extra: 1,
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map((i) => i.path).sort()).toEqual([
        '/extra',
        '/holidays/0',
        '/holidays/1',
        '/timeZone',
        '/weekend',
      ]);
    const repeated = validateCalendar({ timeZone: 'UTC', weekend: [0, 0, 7], holidays: [] });
    expect(repeated.ok).toBe(false);
    if (!repeated.ok)
      expect(repeated.issues.map((i) => i.path)).toEqual(['/weekend/2', '/weekend']);
    expect(validateCalendar(null).ok).toBe(false);
    expect(
      validateCalendar({
        timeZone: 'UTC',
        weekend: [],
        holidays: Array.from({ length: 1001 }, () => '2026-01-01'),
      }).ok,
    ).toBe(false);
  });
});
