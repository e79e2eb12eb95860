import { createPublicKey, type KeyObject } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, compactVerify, errors } from 'jose';
import type { DecodedJws, JwsVerifier, PublishedKey } from '../core/exchange/ports.js';

/**
 * Compact JWS with Ed25519 (alg EdDSA) for the exchange between administrations. Everything in a
 * received JWS is attacker-controlled, so decoding is strict (exactly three canonical base64url
 * parts, a JSON object header) and verification takes the key from the caller, never from the
 * header: `jwk`, `jku`, `x5c` and the like are ignored, the only algorithm is EdDSA, and a header
 * that changes how the signature is to be read (`crit`, `b64`) is refused rather than understood.
 */

export const JWS_ALG = 'EdDSA';

export type JwsFailure =
  'malformed' | 'algorithm' | 'unsupported-header' | 'bad-key' | 'kid-mismatch' | 'bad-signature';

export class JwsError extends Error {
  constructor(
    readonly reason: JwsFailure,
    detail: string,
  ) {
    super(`JWS refused (${reason}): ${detail}`);
    this.name = 'JwsError';
  }
}

type PublicJwk = PublishedKey['jwk'];

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key: the `kid` of its JWS. */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  const key = checkPublicJwk(jwk);
  return calculateJwkThumbprint(key, 'sha256');
}

export async function signCompact(
  payload: Uint8Array,
  privateKey: KeyObject,
  kid: string,
  typ?: string,
): Promise<string> {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('signCompact needs an Ed25519 private key');
  }
  // An empty payload part means a detached payload in compact form; the exchange never uses one.
  if (payload.length === 0) throw new TypeError('signCompact: empty payload');
  const header = typ === undefined ? { alg: JWS_ALG, kid } : { alg: JWS_ALG, kid, typ };
  return new CompactSign(payload).setProtectedHeader(header).sign(privateKey);
}

export const jwsVerifier: JwsVerifier = {
  decode: (jws) => split(jws).decoded,

  async verify(jws, key) {
    const { decoded, signature } = split(jws);
    const { header } = decoded;
    if (header.alg !== JWS_ALG) {
      throw new JwsError('algorithm', `alg ${JSON.stringify(header.alg)}`);
    }
    for (const name of ['crit', 'b64']) {
      if (name in header) throw new JwsError('unsupported-header', `header ${name}`);
    }
    const publicJwk = checkPublicJwk(key);
    const { thumbprint, keyObject } = await prepared(publicJwk);
    if (header.kid !== thumbprint) {
      throw new JwsError('kid-mismatch', `kid ${JSON.stringify(header.kid)} is not the key's`);
    }
    if (signature.length !== 64) throw new JwsError('malformed', 'signature is not 64 bytes');
    try {
      await compactVerify(jws, keyObject, { algorithms: [JWS_ALG] });
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) {
        throw new JwsError('bad-signature', 'signature does not verify');
      }
      if (error instanceof errors.JOSEAlgNotAllowed) throw new JwsError('algorithm', error.message);
      throw new JwsError('malformed', error instanceof Error ? error.message : String(error));
    }
    return decoded.payload;
  },
};

/**
 * A partner's few keys verify every message it sends: their thumbprint and imported form are
 * computed once (per public key `x`), not per message.
 */
const PREPARED = new Map<string, { thumbprint: string; keyObject: KeyObject }>();
async function prepared(
  jwk: PublishedKey['jwk'],
): Promise<{ thumbprint: string; keyObject: KeyObject }> {
  const hit = PREPARED.get(jwk.x);
  if (hit) return hit;
  const entry = {
    thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
    keyObject: createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' }),
  };
  if (PREPARED.size >= 1000) PREPARED.clear();
  PREPARED.set(jwk.x, entry);
  return entry;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function split(jws: unknown): { decoded: DecodedJws; signature: Uint8Array } {
  if (typeof jws !== 'string') throw new JwsError('malformed', 'not a string');
  const parts = jws.split('.');
  if (parts.length !== 3) throw new JwsError('malformed', `${parts.length} parts, not 3`);
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const headerBytes = base64url(headerPart, 'header');
  const payload = base64url(payloadPart, 'payload');
  // An empty signature is an unsecured JWS (alg none): decodable, and refused for its alg.
  const signature = signaturePart === '' ? new Uint8Array() : base64url(signaturePart, 'signature');

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw new JwsError('malformed', 'header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new JwsError('malformed', 'header is not a JSON object');
  }
  const fields = header as Record<string, unknown>;
  if (typeof fields.alg !== 'string') throw new JwsError('malformed', 'header has no alg');
  for (const name of ['kid', 'typ']) {
    if (name in fields && typeof fields[name] !== 'string') {
      throw new JwsError('malformed', `header ${name} is not a string`);
    }
  }
  return { decoded: { header: fields as DecodedJws['header'], payload }, signature };
}

/** Decodes one part, refusing padding, foreign characters and non-canonical trailing bits. */
function base64url(part: string, what: string): Uint8Array {
  if (part === '') throw new JwsError('malformed', `${what} is empty`);
  const bytes = BASE64URL.test(part) ? Buffer.from(part, 'base64url') : undefined;
  // Buffer.from is lenient (skips junk, ignores extra bits): only an exact round trip is accepted.
  if (bytes === undefined || bytes.toString('base64url') !== part) {
    throw new JwsError('malformed', `${what} is not base64url`);
  }
  return new Uint8Array(bytes);
}

function checkPublicJwk(jwk: unknown): PublicJwk {
  const { kty, crv, x } = (jwk ?? {}) as Record<string, unknown>;
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string') {
    throw new JwsError('bad-key', 'not an Ed25519 public JWK');
  }
  let length = -1;
  try {
    length = base64url(x, 'x').length;
  } catch {
    // reported below
  }
  if (length !== 32) throw new JwsError('bad-key', 'x is not 32 bytes of base64url');
  // Only the members that define the key: nothing else from the caller reaches jose.
  return { kty, crv, x };
}
