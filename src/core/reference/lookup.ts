import { COUNTRIES, CURRENCIES } from './countries.js';
import { HS2022_CODES } from './hs2022.js';

/**
 * Codes that customs messages use beside ISO 3166-1: XI Northern Ireland and XU Great Britain
 * (the UK excluding Northern Ireland); EU the European Union; and HMRC's codes for continental
 * shelf areas, as its CDS samples (TT_IM095a, TT_IM097a) name them: ZN "Continental Shelf Norway"
 * and ZU "Continental Shelf United Kingdom Sector".
 */
const EXTRA_COUNTRY_CODES = ['XI', 'XU', 'EU', 'ZN', 'ZU'];

const countryCodes = new Set([...COUNTRIES.map((c) => c.code), ...EXTRA_COUNTRY_CODES]);
const currencyCodes = new Set(CURRENCIES);
const hsCodes = new Set(HS2022_CODES.split(' '));

/** True for an ISO 3166-1 alpha-2 code (or a customs extension such as XI). */
export function isCountryCode(code: string): boolean {
  return countryCodes.has(code);
}

/** True for an ISO 4217 alphabetic currency code in use. */
export function isCurrencyCode(code: string): boolean {
  return currencyCodes.has(code);
}

/** True when the HS code's chapter and heading exist in HS 2022 (national digits beyond 6 are not checked). */
export function isKnownHsHeading(hsCode: string): boolean {
  return hsCodes.has(hsCode.slice(0, 2)) && hsCodes.has(hsCode.slice(0, 4));
}

/** True when the HS code's 6-digit subheading exists in HS 2022. */
export function isKnownHsSubheading(hsCode: string): boolean {
  return hsCodes.has(hsCode.slice(0, 6));
}

/** Every HS 2022 code (2, 4 and 6 digits), for generators and lists. */
export function hs2022Codes(): string[] {
  return HS2022_CODES.split(' ');
}

/** Every country code with its name. */
export function countries(): ReadonlyArray<{ code: string; name: string; currency: string }> {
  return COUNTRIES;
}

/**
 * True when an HS prefix (1 to 10 digits) names something in HS 2022: a chapter, heading or
 * subheading, a national subdivision of an existing subheading (digits beyond 6 are not checked),
 * or an odd-length prefix that at least one HS 2022 code starts with.
 */
export function isKnownHsPrefix(prefix: string): boolean {
  if (!/^[0-9]{1,10}$/.test(prefix)) return false;
  if (prefix.length >= 6) return hsCodes.has(prefix.slice(0, 6));
  if (hsCodes.has(prefix)) return true;
  for (const code of hsCodes) if (code.startsWith(prefix)) return true;
  return false;
}
