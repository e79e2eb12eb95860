/**
 * Byte strings for the signed-note formats. Base64 is strict: Buffer's decoder skips characters
 * it does not know, accepts missing padding and both alphabets, so different strings would decode
 * to the same bytes; here only the one canonical spelling of each byte string is accepted.
 */

const STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** Standard base64 (RFC 4648 §4) with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64');
}

/** The bytes of canonical standard base64 (padded, unused bits zero); null for anything else. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!STANDARD.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero unused bits in the last character decode like zero ones: refuse that spelling.
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

/** Unpadded base64url (RFC 4648 §5), as in a JWK. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64url');
}

/** The bytes of canonical unpadded base64url; null for anything else. */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (!URL_SAFE.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? new Uint8Array(bytes) : null;
}

/** Lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('hex');
}

/** True when both byte strings are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The parts one after the other. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
