import type { Checked, FieldIssue } from '../errors.js';

/**
 * An administration's working days: the periods of the IPR procedure (one working day to notify,
 * ten for the right holder) count in them, in the administration's own time zone. A period ends
 * at the end of its last local day, so a deadline on a Friday in Minsk ends at midnight in Minsk,
 * whatever the server's clock says.
 */
export interface WorkingDayCalendar {
  /** IANA time zone, e.g. Europe/Minsk. */
  timeZone: string;
  /** Days that are not working days: 0 = Sunday … 6 = Saturday. */
  weekend: number[];
  /** Public holidays as local dates (YYYY-MM-DD). */
  holidays: string[];
}

/** Holidays an administration may list (several years of public holidays fit easily). */
export const MAX_HOLIDAYS = 1000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Whether `s` is a real calendar date written YYYY-MM-DD. */
export function isLocalDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === s;
}

/** Checks a calendar as someone sent it; holidays come back sorted and without repeats. */
export function validateCalendar(input: unknown): Checked<WorkingDayCalendar> {
  const issues: FieldIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return {
      ok: false,
      issues: [{ path: '', reason: 'a calendar object with timeZone, weekend and holidays' }],
    };
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'timeZone' && k !== 'weekend' && k !== 'holidays')
      issues.push({ path: `/${k}`, reason: 'unknown field' });
  const { timeZone, weekend, holidays } = o;
  if (
    typeof timeZone !== 'string' ||
    timeZone.length === 0 ||
    timeZone.length > 64 ||
    !knownTimeZone(timeZone)
  )
    issues.push({ path: '/timeZone', reason: 'an IANA time zone such as Europe/Minsk' });
  if (!Array.isArray(weekend))
    issues.push({
      path: '/weekend',
      reason: 'required: a list of weekdays, 0 = Sunday … 6 = Saturday',
    });
  else {
    weekend.forEach((d, i) => {
      if (!Number.isInteger(d) || (d as number) < 0 || (d as number) > 6)
        issues.push({ path: `/weekend/${i}`, reason: 'a weekday from 0 (Sunday) to 6 (Saturday)' });
    });
    if (new Set(weekend).size !== weekend.length)
      issues.push({ path: '/weekend', reason: 'a weekday is listed twice' });
    else if (weekend.length >= 7)
      issues.push({
        path: '/weekend',
        reason: 'at least one day of the week must be a working day',
      });
  }
  if (!Array.isArray(holidays))
    issues.push({
      path: '/holidays',
      reason: 'required: a list of dates YYYY-MM-DD (may be empty)',
    });
  else if (holidays.length > MAX_HOLIDAYS)
    issues.push({ path: '/holidays', reason: `at most ${MAX_HOLIDAYS} holidays` });
  else
    holidays.forEach((h, i) => {
      if (typeof h !== 'string' || !isLocalDate(h))
        issues.push({ path: `/holidays/${i}`, reason: 'a date written YYYY-MM-DD' });
    });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      timeZone: timeZone as string,
      weekend: [...(weekend as number[])].sort((a, b) => a - b),
      holidays: [...new Set(holidays as string[])].sort(),
    },
  };
}

function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// One formatter per time zone: building one costs far more than formatting with it.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    if (formatters.size > 256) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date (YYYY-MM-DD) in the calendar's time zone at an instant. */
export function localDate(
  cal: Pick<WorkingDayCalendar, 'timeZone'>,
  instant: string | number | Date,
): string {
  const t =
    instant instanceof Date
      ? instant.getTime()
      : typeof instant === 'number'
        ? instant
        : Date.parse(instant);
  if (!Number.isFinite(t)) throw new RangeError(`not an instant: ${String(instant)}`);
  const parts = formatter(cal.timeZone).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function dayNumber(date: string): number {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The date `n` calendar days after `date` (negative: before). */
export function addCalendarDays(date: string, n: number): string {
  return dateOf(dayNumber(date) + n);
}

/** Whether a local date is a working day: not a weekend day and not a holiday. */
export function isWorkingDay(cal: WorkingDayCalendar, date: string): boolean {
  const weekday = (((dayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return !cal.weekend.includes(weekday) && !cal.holidays.includes(date);
}

/**
 * The n-th working day after `date` (n = 0: `date` itself). A period of n working days that
 * starts on an event ends at the end of this day: the day of the event does not count.
 */
export function addWorkingDays(cal: WorkingDayCalendar, date: string, n: number): string {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`working days must be a whole number ≥ 0, not ${n}`);
  const holidays = new Set(cal.holidays);
  let day = dayNumber(date);
  let left = n;
  // A week has a working day and holidays are bounded, so this ends; the bound guards the rest.
  for (let guard = 0; left > 0; guard++) {
    if (guard > n * 7 + MAX_HOLIDAYS + 7) throw new RangeError('the calendar has no working days');
    day++;
    const weekday = (((day + 4) % 7) + 7) % 7;
    if (!cal.weekend.includes(weekday) && !holidays.has(dateOf(day))) left--;
  }
  return dateOf(day);
}

/** Working days d with from < d ≤ to (0 when `to` is not after `from`). */
export function workingDaysBetween(cal: WorkingDayCalendar, from: string, to: string): number {
  const start = dayNumber(from);
  const end = dayNumber(to);
  let count = 0;
  for (let day = start + 1; day <= end; day++) if (isWorkingDay(cal, dateOf(day))) count++;
  return count;
}

/**
 * The first instant of a local date in the calendar's time zone (ISO, UTC). Found by bisection
 * on the local date, so days of 23 or 25 hours and zones that skip midnight come out right.
 */
export function startOfLocalDay(cal: Pick<WorkingDayCalendar, 'timeZone'>, date: string): string {
  const noon = dayNumber(date) * DAY_MS + DAY_MS / 2;
  // Every offset in use lies within −12…+14 hours: the day starts from 26 hours before its UTC
  // noon (UTC+14) to 12 hours after it (UTC−12).
  let lo = noon - 27 * 3_600_000; // local date before `date`
  let hi = noon + 13 * 3_600_000; // local date is `date` or later
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2 / 1000) * 1000;
    if (localDate(cal, mid) < date) lo = mid;
    else hi = mid;
  }
  return new Date(hi).toISOString();
}

/** The last instant (to the millisecond) of a local date: when a deadline on that day ends. */
export function endOfLocalDay(cal: Pick<WorkingDayCalendar, 'timeZone'>, date: string): string {
  return new Date(Date.parse(startOfLocalDay(cal, addCalendarDays(date, 1))) - 1).toISOString();
}
