/** Numbers and dates in the user's locale. */
const locale = navigator.language || 'en';
export const formatNumber = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined
    ? '—'
    : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
export const formatDateTime = (iso: string | null | undefined): string =>
  iso
    ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(iso),
      )
    : '—';
