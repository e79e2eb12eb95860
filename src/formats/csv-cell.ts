/**
 * One CSV cell (RFC 4180), safe to open in a spreadsheet: text that a spreadsheet would read as a
 * formula (starting with = + - @, a tab or a carriage return: OWASP's CSV injection list) is
 * prefixed with a single quote, so `=cmd|' /C calc'!A0` stays text. Numbers are written as they are
 * (a negative number is not a formula).
 */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
