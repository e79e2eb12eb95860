/**
 * Local clock time in an IANA time zone, for the periods energy is reported in: a local hour, a
 * day that starts at a local hour (00:00 for electricity, 06:00 for the gas day) and a month
 * that starts on such a day. Days of 23 and 25 hours come out of the offsets, never assumed.
 */

const HOUR_MS = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size > 256) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether a time zone is one this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

// Offsets change at most a few times a year and only on whole quarter hours of UTC: one
// look-up per zone and UTC quarter hour (a year of 15-minute data asks ~35,000 times per zone).
// One map per zone keyed by the quarter's number: a string key per call (`zone|quarter`) cost
// more than the look-up it saved. The entries of all zones together stay below MAX_MEMO.
const MAX_MEMO = 500_000;
const offsets = new Map<string, Map<number, number>>();
let offsetCount = 0;

/** The zone's offset from UTC at an instant, in milliseconds (local = UTC + offset). */
export function offsetAt(timeZone: string, t: number): number {
  const quarter = Math.floor(t / 900_000);
  let zone = offsets.get(timeZone);
  const hit = zone?.get(quarter);
  if (hit !== undefined) return hit;
  const at = quarter * 900_000;
  const parts = formatter(timeZone).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  const o = local - at;
  if (offsetCount >= MAX_MEMO) {
    offsets.clear();
    offsetCount = 0;
    zone = undefined;
  }
  if (!zone) offsets.set(timeZone, (zone = new Map<number, number>()));
  zone.set(quarter, o);
  offsetCount++;
  return o;
}

/** The local wall-clock fields at an instant. */
export function localParts(
  timeZone: string,
  t: number,
): { year: number; month: number; day: number; hour: number; minute: number } {
  const d = new Date(t + offsetAt(timeZone, t));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/**
 * The instant a local wall-clock time happens. A time skipped by a spring-forward gap gives the
 * first instant after the gap; a repeated time (autumn) gives its first occurrence.
 */
export function zonedInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  // Try the offsets in force around the wall time; keep the earliest that maps back exactly.
  const candidates = [
    offsetAt(timeZone, wall - 14 * HOUR_MS),
    offsetAt(timeZone, wall + 14 * HOUR_MS),
  ]
    .map((o) => wall - o)
    .filter((t) => t + offsetAt(timeZone, t) === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: the wall time never happens; the gap ends at the later offset's instant.
  const before = wall - offsetAt(timeZone, wall - 14 * HOUR_MS);
  const after = wall - offsetAt(timeZone, wall + 14 * HOUR_MS);
  return Math.max(before, after);
}
