import canonicalize from 'canonicalize';

/**
 * RFC 8785 JSON Canonicalization Scheme: the bytes a signature covers. `canonicalize` does the
 * serialisation (key order by UTF-16 code units, ECMAScript number form); this module first walks
 * the value and refuses what JCS cannot represent, because `canonicalize` (like JSON.stringify)
 * quietly drops undefined members, turns undefined array items into null and calls toJSON (a Date
 * becomes a string): two parties would then sign different things than they think they sign.
 */

/** A value JCS cannot represent; `path` is a JSON pointer to it ('' is the value itself). */
export class CanonicalJsonError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`Not canonical JSON at ${path === '' ? '(root)' : JSON.stringify(path)}: ${problem}`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  check(value, '', new Set());
  const text = canonicalize(value);
  // Unreachable after check(); kept so the type says string and a library change cannot slip by.
  if (text === undefined) throw new CanonicalJsonError('', 'no JSON representation');
  return text;
}

export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

/** True when the bytes are UTF-8 JSON and exactly their own canonical form. */
export function isCanonical(bytes: Uint8Array): boolean {
  let parsed: unknown;
  try {
    // fatal: invalid UTF-8 is refused instead of being replaced by U+FFFD.
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    return false;
  }
  let again: Uint8Array;
  try {
    again = canonicalBytes(parsed);
  } catch {
    return false;
  }
  return again.length === bytes.length && again.every((b, i) => b === bytes[i]);
}

function check(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) throw new CanonicalJsonError(path, 'lone surrogate in string');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a number`);
      return;
    case 'boolean':
      return;
    case 'undefined':
      throw new CanonicalJsonError(path, 'undefined');
    case 'bigint':
      throw new CanonicalJsonError(path, 'bigint (convert it to a string or a safe number)');
    case 'function':
    case 'symbol':
      throw new CanonicalJsonError(path, typeof value);
  }
  if (value === null) return;
  const object = value as object;
  if (ancestors.has(object)) throw new CanonicalJsonError(path, 'circular reference');
  ancestors.add(object);
  if (Array.isArray(object)) {
    if (Object.getPrototypeOf(object) !== Array.prototype) {
      throw new CanonicalJsonError(path, `${describe(object)} is not a plain array`);
    }
    // A for loop, not forEach: holes in sparse arrays must be seen (as undefined).
    for (let i = 0; i < object.length; i++) check(object[i], `${path}/${i}`, ancestors);
  } else {
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(path, `${describe(object)} is not a plain object`);
    }
    if (Object.getOwnPropertySymbols(object).length > 0) {
      throw new CanonicalJsonError(path, 'symbol keys');
    }
    for (const [key, member] of Object.entries(object)) {
      const memberPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (hasLoneSurrogate(key)) throw new CanonicalJsonError(memberPath, 'lone surrogate in key');
      check(member, memberPath, ancestors);
    }
  }
  ancestors.delete(object);
}

function describe(object: object): string {
  const name = (object.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'an object with a prototype';
}

/** In a `u` regex paired surrogates are one code point, so only lone ones match. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
