/**
 * Movement reference numbers as EU customs systems (ICS, NCTS, ECS) give them: 18 characters,
 * two digits of the year, the ISO country code of the office, 13 unique alphanumerics, and a check
 * character computed as for ISO 6346 container numbers (letters valued skipping multiples of 11,
 * weights 2^position, sum mod 11, 10 written as 0).
 */
export function movementReference(year: number, country: string, unique: string): string {
  if (!/^[A-Z]{2}$/.test(country)) throw new Error(`country '${country}' is not ISO alpha-2`);
  const body = unique.toUpperCase().replace(/[^0-9A-Z]/g, '');
  if (body.length < 13) throw new Error('an MRN needs 13 unique characters');
  const head = `${String(year % 100).padStart(2, '0')}${country}${body.slice(-13)}`;
  return head + checkCharacter(head);
}

/** True for an 18-character MRN whose check character is right. */
export function isMovementReference(text: string): boolean {
  return (
    /^[0-9]{2}[A-Z]{2}[0-9A-Z]{14}$/.test(text) && checkCharacter(text.slice(0, 17)) === text[17]
  );
}

/** The ISO 6346 check character of `head` (container CSQU305438 → 3). */
export function checkCharacter(head: string): string {
  let sum = 0;
  for (let i = 0; i < head.length; i++) sum += value(head[i]!) * 2 ** i;
  return String((sum % 11) % 10);
}

/** ISO 6346 values: digits as themselves, A=10 then upwards skipping 11, 22 and 33. */
function value(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  let v = 10 + (code - 65);
  if (v >= 11) v++;
  if (v >= 22) v++;
  if (v >= 33) v++;
  return v;
}
