import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PublishedKey } from '../core/exchange/ports.js';
import { JwsError, jwkThumbprint, jwsVerifier, signCompact } from './signing.js';

const b64u = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const text = (data: string) => new TextEncoder().encode(data);

// RFC 8037 appendix A.1: the Ed25519 key of the JOSE specification's own examples.
const RFC8037_PRIVATE = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
} as const;

function keyPair(): { privateKey: KeyObject; jwk: PublishedKey['jwk'] } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  return { privateKey, jwk: { kty: 'OKP', crv: 'Ed25519', x: x! } };
}

/** A JWS assembled without jose: any header, signed over its exact bytes with node:crypto. */
function handMade(header: object, payload: Uint8Array, privateKey: KeyObject): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(payload)}`;
  return `${input}.${b64u(cryptoSign(null, Buffer.from(input), privateKey))}`;
}

async function refusal(jws: string, jwk: PublishedKey['jwk']): Promise<JwsError> {
  const error: unknown = await jwsVerifier.verify(jws, jwk).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof JwsError)) throw new Error(`not refused with a JwsError: ${jws}`);
  return error;
}

describe('jwkThumbprint', () => {
  it('is the RFC 8037 A.3 thumbprint of the RFC 8037 key', async () => {
    const { kty, crv, x } = RFC8037_PRIVATE;
    expect(await jwkThumbprint({ kty, crv, x })).toBe(
      'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
    );
  });

  it('refuses what is not an Ed25519 public key', async () => {
    const bad = {
      kty: 'OKP',
      crv: 'X25519',
      x: RFC8037_PRIVATE.x,
    } as unknown as PublishedKey['jwk'];
    await expect(jwkThumbprint(bad)).rejects.toMatchObject({ reason: 'bad-key' });
  });
});

describe('signCompact and jwsVerifier', () => {
  it('round trip: the payload bytes come back, the header is {alg, kid, typ}', async () => {
    const { privateKey, jwk } = keyPair();
    const kid = await jwkThumbprint(jwk);
    const payload = text('{"hello":"world"}');
    const jws = await signCompact(payload, privateKey, kid, 'greenlane-test');

    expect(await jwsVerifier.verify(jws, jwk)).toEqual(payload);
    const decoded = jwsVerifier.decode(jws);
    expect(decoded.header).toEqual({ alg: 'EdDSA', kid, typ: 'greenlane-test' });
    expect(decoded.payload).toEqual(payload);
    expect(jwsVerifier.decode(await signCompact(payload, privateKey, kid)).header).toEqual({
      alg: 'EdDSA',
      kid,
    });
  });

  it('node:crypto alone signs the RFC 8037 A.4 example exactly as the RFC does', () => {
    const privateKey = createPrivateKey({ key: { ...RFC8037_PRIVATE }, format: 'jwk' });
    const input = `${b64u('{"alg":"EdDSA"}')}.${b64u('Example of Ed25519 signing')}`;
    expect(b64u(cryptoSign(null, Buffer.from(input), privateKey))).toBe(
      'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
    );
  });

  it('a JWS made by signCompact verifies with plain node:crypto', async () => {
    const { privateKey, jwk } = keyPair();
    const jws = await signCompact(text('payload'), privateKey, await jwkThumbprint(jwk));
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    const input = Buffer.from(`${header}.${payload}`);
    expect(cryptoVerify(null, input, publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('a JWS assembled by hand with node:crypto verifies with jwsVerifier', async () => {
    const { privateKey, jwk } = keyPair();
    const kid = await jwkThumbprint(jwk);
    const jws = handMade({ typ: 'x', kid, alg: 'EdDSA' }, text('by hand'), privateKey);
    expect(new TextDecoder().decode(await jwsVerifier.verify(jws, jwk))).toBe('by hand');
  });

  it('a flipped bit in any byte of header, payload or signature is refused', async () => {
    const { privateKey, jwk } = keyPair();
    const jws = await signCompact(text('{"a":1}'), privateKey, await jwkThumbprint(jwk), 't');
    const parts = jws.split('.').map((p) => Buffer.from(p, 'base64url'));
    const reasons = new Set<string>();
    let tries = 0;
    for (const [index, part] of parts.entries()) {
      for (let i = 0; i < part.length; i++) {
        const flipped = parts.map((p) => Buffer.from(p));
        flipped[index]![i]! ^= 0x01;
        const reason = (await refusal(flipped.map((p) => b64u(p)).join('.'), jwk)).reason;
        // A header flip may break its JSON or its kid; payload and signature flips only verify wrong.
        if (index > 0) expect(reason).toBe('bad-signature');
        reasons.add(reason);
        tries++;
      }
    }
    expect(tries).toBeGreaterThan(64 + 7 + 40);
    expect(reasons).toContain('bad-signature');
  });

  it('a changed character anywhere in the compact form is refused', async () => {
    const { privateKey, jwk } = keyPair();
    const jws = await signCompact(text('chars'), privateKey, await jwkThumbprint(jwk));
    for (let i = 0; i < jws.length; i++) {
      if (jws[i] === '.') continue;
      const other = jws[i] === 'A' ? 'B' : 'A';
      await refusal(jws.slice(0, i) + other + jws.slice(i + 1), jwk);
    }
  });

  it('refuses alg none and HS256 with the public key as the HMAC secret', async () => {
    const { jwk } = keyPair();
    const kid = await jwkThumbprint(jwk);
    const input = (alg: string) => `${b64u(JSON.stringify({ alg, kid }))}.${b64u('x')}`;

    expect((await refusal(`${input('none')}.`, jwk)).reason).toBe('algorithm');
    expect(jwsVerifier.decode(`${input('none')}.`).header.alg).toBe('none');
    for (const secret of [jwk.x, Buffer.from(jwk.x, 'base64url'), JSON.stringify(jwk)]) {
      const mac = createHmac('sha256', secret).update(input('HS256')).digest();
      expect((await refusal(`${input('HS256')}.${b64u(mac)}`, jwk)).reason).toBe('algorithm');
    }
  });

  it('refuses every algorithm but EdDSA, even one naming the same curve', async () => {
    const { privateKey, jwk } = keyPair();
    const kid = await jwkThumbprint(jwk);
    for (const alg of ['Ed25519', 'eddsa', 'EdDSA ', 'ES256', 'RS256']) {
      const reason = (await refusal(handMade({ alg, kid }, text('x'), privateKey), jwk)).reason;
      expect(reason).toBe('algorithm');
    }
  });

  it('refuses critical headers and b64 (unencoded payload)', async () => {
    const { privateKey, jwk } = keyPair();
    const kid = await jwkThumbprint(jwk);
    for (const extra of [
      { crit: ['exp'], exp: 1 },
      { b64: false, crit: ['b64'] },
      { b64: false },
    ]) {
      const jws = handMade({ alg: 'EdDSA', kid, ...extra }, text('x'), privateKey);
      expect((await refusal(jws, jwk)).reason).toBe('unsupported-header');
    }
  });

  it('refuses a kid that is not the thumbprint of the key given, or no kid', async () => {
    const a = keyPair();
    const b = keyPair();
    const kidA = await jwkThumbprint(a.jwk);
    const jws = await signCompact(text('x'), a.privateKey, kidA);
    expect((await refusal(jws, b.jwk)).reason).toBe('kid-mismatch');
    const wrongKid = await signCompact(text('x'), a.privateKey, 'some-other-kid');
    expect((await refusal(wrongKid, a.jwk)).reason).toBe('kid-mismatch');
    const noKid = handMade({ alg: 'EdDSA' }, text('x'), a.privateKey);
    expect((await refusal(noKid, a.jwk)).reason).toBe('kid-mismatch');
    // The kid of b on a signature by a: the kid matches b, the signature does not.
    const claimsB = await signCompact(text('x'), a.privateKey, await jwkThumbprint(b.jwk));
    expect((await refusal(claimsB, b.jwk)).reason).toBe('bad-signature');
  });

  it('ignores a key embedded in the header: only the key given verifies', async () => {
    const a = keyPair();
    const b = keyPair();
    const jws = handMade(
      { alg: 'EdDSA', kid: await jwkThumbprint(b.jwk), jwk: b.jwk },
      text('x'),
      a.privateKey,
    );
    expect((await refusal(jws, b.jwk)).reason).toBe('bad-signature');
  });

  it('refuses what is not a compact JWS: malformed base64url, extra or missing parts', async () => {
    const { privateKey, jwk } = keyPair();
    const kid = await jwkThumbprint(jwk);
    const jws = await signCompact(text('x'), privateKey, kid);
    const [h, p, s] = jws.split('.') as [string, string, string];
    const header = (value: string | object) =>
      b64u(typeof value === 'string' ? value : JSON.stringify(value));
    const malformed = [
      '',
      'abc',
      `${h}.${p}`,
      `${jws}.`,
      `${jws}.${s}`,
      `${h}.${p}.${s}.${h}.${p}`,
      `${h}..${s}`,
      `.${p}.${s}`,
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s}==`,
      `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}x+/`,
      `${h}.${p} .${s}`,
      ` ${jws}`,
      `${h}.${p}.${s.slice(0, -1)}`,
      // Same signature bytes with other trailing bits: a lenient decoder would accept it.
      `${h}.${p}.${s.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(s.at(-1)!) | 1]}`,
      `${header('not json')}.${p}.${s}`,
      `${header('["alg","EdDSA"]')}.${p}.${s}`,
      `${header('null')}.${p}.${s}`,
      `${header({ kid })}.${p}.${s}`,
      `${header({ alg: 1, kid })}.${p}.${s}`,
      `${header({ alg: 'EdDSA', kid: 7 })}.${p}.${s}`,
      `${b64u(Uint8Array.of(0x7b, 0xff, 0x7d))}.${p}.${s}`,
      `${h}.${p}.${b64u(Buffer.alloc(63))}`,
    ];
    for (const bad of malformed) {
      expect((await refusal(bad, jwk)).reason, bad).toBe('malformed');
    }
    expect(() => jwsVerifier.decode(`${h}.${p}`)).toThrow(JwsError);
    expect(() => jwsVerifier.decode(42 as unknown as string)).toThrow(/malformed/);
  });

  it('refuses a key that is not an Ed25519 public JWK', async () => {
    const { privateKey, jwk } = keyPair();
    const jws = await signCompact(text('x'), privateKey, await jwkThumbprint(jwk));
    const keys = [
      { ...jwk, crv: 'Ed448' },
      { ...jwk, kty: 'EC' },
      { ...jwk, x: jwk.x.slice(0, 40) },
      { ...jwk, x: `${jwk.x}=` },
      { kty: 'OKP', crv: 'Ed25519' },
    ] as unknown as PublishedKey['jwk'][];
    for (const key of keys) expect((await refusal(jws, key)).reason).toBe('bad-key');
  });

  it('signCompact refuses a key that is not an Ed25519 private key, and an empty payload', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expect(signCompact(text('x'), publicKey, 'k')).rejects.toThrow(/Ed25519 private key/);
    await expect(signCompact(text('x'), ec, 'k')).rejects.toThrow(/Ed25519 private key/);
    await expect(signCompact(new Uint8Array(), privateKey, 'k')).rejects.toThrow(/empty/);
  });
});
