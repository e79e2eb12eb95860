/** Numbers and dates in the user's locale. */
const locale = navigator.language || 'en';
export const formatNumber = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined
    ? '—'
    : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
/** Date and time in the user's locale and time zone, the zone named ("2 Dec 2026, 17:05 UTC"). */
const dateTime = new Intl.DateTimeFormat(locale, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
export const formatDateTime = (iso: string | null | undefined): string =>
  iso ? dateTime.format(new Date(iso)) : '—';
/** The user's time zone, as the browser knows it (e.g. "Europe/Minsk"). */
export const timeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
/** A calendar day (YYYY-MM-DD, UTC) as the user writes it, short: "2 Nov" or "Nov 2". */
export const formatDay = (date: string): string =>
  new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
/** A day of a UTC instant with its year ("4 Mar 2024"), for periods counted in UTC days. */
export const formatUtcDate = (iso: string): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
