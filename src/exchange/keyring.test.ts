import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyringError, generateNodeKey, openKeyring } from './keyring.js';
import { jwkThumbprint, jwsVerifier } from './signing.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);
const payload = new TextEncoder().encode('{"m":1}');

let root: string;
let path: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'greenlane-keyring-'));
  path = join(root, 'keys', 'keyring.json');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const create = (now = T0) => openKeyring(path, { now, create: true, nodeId: 'BY/GTK' });
const reopen = (now = T0) => openKeyring(path, { now, create: false });
const stored = () =>
  JSON.parse(readFileSync(path, 'utf8')) as { keys: Array<Record<string, unknown>> };

describe('openKeyring', () => {
  it('creates the file with mode 0600 in a directory with mode 0700, one key valid from now', async () => {
    const keyring = await create();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'keys')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(root, 'keys'))).toEqual(['keyring.json']);
    expect(keyring.warnings).toEqual([]);
    expect(keyring.nodeId).toBe('BY/GTK');
    const [key, ...others] = keyring.publicKeys();
    expect(others).toEqual([]);
    expect(key).toMatchObject({ validFrom: T0.toISOString(), validTo: null });
    expect(key!.kid).toBe(await jwkThumbprint(key!.jwk));
    expect(stored()).toMatchObject({ version: 1, nodeId: 'BY/GTK' });
  });

  it('reopened, gives the same keys and signs verifiably', async () => {
    const first = await create();
    const again = await reopen(hours(1));
    const created = await create(hours(2));
    expect(again.publicKeys()).toEqual(first.publicKeys());
    expect(created.publicKeys()).toEqual(first.publicKeys());
    const jws = await again.sign(payload, hours(1));
    const key = first.publicKeys()[0]!;
    expect(await jwsVerifier.verify(jws, key.jwk)).toEqual(payload);
    expect(jwsVerifier.decode(jws).header).toEqual({ alg: 'EdDSA', kid: key.kid });
  });

  it('two openings racing to create it end with one keyring, the same for both', async () => {
    const [a, b] = await Promise.all([create(), create()]);
    expect(a.publicKeys()).toEqual(b.publicKeys());
    expect(readdirSync(join(root, 'keys'))).toEqual(['keyring.json']);
  });

  it('refuses a missing file unless asked to create it, and creating without a node id', async () => {
    await expect(reopen()).rejects.toThrow(`Keyring ${path}: does not exist`);
    await expect(openKeyring(path, { now: T0, create: true })).rejects.toThrow(/node id/);
    await expect(openKeyring(path, { now: T0, create: true, nodeId: 'belarus' })).rejects.toThrow(
      /node id/,
    );
  });

  it('refuses a keyring of another node', async () => {
    await create();
    await expect(openKeyring(path, { now: T0, create: false, nodeId: 'LT/LMT' })).rejects.toThrow(
      /belongs to BY\/GTK, not LT\/LMT/,
    );
  });

  it('warns, without refusing, when the file is readable by group or others', async () => {
    await create();
    chmodSync(path, 0o644);
    const keyring = await reopen();
    expect(keyring.warnings).toEqual([expect.stringMatching(/open to group or others.*mode 644/)]);
    expect(keyring.warnings[0]).toContain(path);
  });

  it.each([
    ['not JSON', () => '{"version":1,', /corrupt: not JSON/],
    ['empty', () => '', /corrupt: not JSON/],
    ['another version', (f: Record<string, unknown>) => ({ ...f, version: 2 }), /version 2/],
    ['no keys', (f: Record<string, unknown>) => ({ ...f, keys: [] }), /no keys/],
    [
      'a key without d',
      (f: { keys: Array<{ privateJwk: object }> }) => {
        const { d: _d, ...rest } = f.keys[0]!.privateJwk as { d: string };
        f.keys[0]!.privateJwk = rest;
        return f;
      },
      /key 0: corrupt: privateJwk has no d/,
    ],
    [
      'a bad validFrom',
      (f: { keys: Array<{ validFrom: string }> }) => {
        f.keys[0]!.validFrom = '2026-01-01';
        return f;
      },
      /ISO 8601/,
    ],
    [
      'a kid that is not the thumbprint',
      (f: { keys: Array<{ kid: string }> }) => {
        f.keys[0]!.kid = 'k1';
        return f;
      },
      /kid k1 is not the key's thumbprint/,
    ],
  ])('refuses a corrupt file: %s', async (_name, change, message) => {
    await create();
    const changed = (change as (f: unknown) => unknown)(stored());
    writeFileSync(path, typeof changed === 'string' ? changed : JSON.stringify(changed));
    const error: unknown = await reopen().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path);
  });

  it('refuses a file whose private and public key do not match', async () => {
    await create();
    const file = stored();
    const other = await generateNodeKey(T0);
    // A coherent public key and kid, with the private key of someone else.
    file.keys[0]!.privateJwk = {
      ...other.privateJwk,
      x: (file.keys[0]!.publicJwk as { x: string }).x,
    };
    writeFileSync(path, JSON.stringify(file));
    await expect(reopen()).rejects.toThrow(
      `Keyring ${path}: key 0: private and public key do not match`,
    );
  });
});

describe('rotation', () => {
  it('adds a key valid from now, ends the old one at now + overlap, persisted atomically', async () => {
    const keyring = await create();
    const [old] = keyring.publicKeys();
    const fresh = await keyring.rotate(hours(100), 24);

    expect(fresh).toMatchObject({ validFrom: hours(100).toISOString(), validTo: null });
    expect(fresh.kid).not.toBe(old!.kid);
    expect(keyring.publicKeys()).toEqual([{ ...old, validTo: hours(124).toISOString() }, fresh]);
    expect((await reopen(hours(101))).publicKeys()).toEqual(keyring.publicKeys());
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, 'keys'))).toEqual(['keyring.json']);
  });

  it('sign(at) picks the key current at that time; the old key verifies what it signed', async () => {
    const keyring = await create();
    const [old] = keyring.publicKeys();
    const fresh = await keyring.rotate(hours(100), 24);
    const kidAt = async (at: Date) =>
      jwsVerifier.decode(await keyring.sign(payload, at)).header.kid;

    expect(await kidAt(hours(50))).toBe(old!.kid);
    expect(await kidAt(hours(100))).toBe(fresh.kid);
    expect(await kidAt(hours(110))).toBe(fresh.kid);
    expect(await kidAt(hours(500))).toBe(fresh.kid);
    expect(keyring.current(hours(99.9)).kid).toBe(old!.kid);

    const before = await keyring.sign(payload, hours(99));
    expect(await jwsVerifier.verify(before, old!.jwk)).toEqual(payload);
    await expect(keyring.sign(payload, hours(-1))).rejects.toThrow(/no key is valid at/);
  });

  it('rotating twice: each rotation ends only the key current then', async () => {
    const keyring = await create();
    await keyring.rotate(hours(10), 2);
    const third = await keyring.rotate(hours(11), 5);
    const [first, second] = keyring.publicKeys();
    expect(first!.validTo).toBe(hours(12).toISOString());
    expect(second!.validTo).toBe(hours(16).toISOString());
    expect(keyring.current(hours(11.5)).kid).toBe(third.kid);
    expect(keyring.publicKeys()).toHaveLength(3);
  });

  it('concurrent rotations both land: none is lost', async () => {
    const keyring = await create();
    const [a, b] = await Promise.all([keyring.rotate(hours(1), 1), keyring.rotate(hours(2), 1)]);
    const kids = (await reopen()).publicKeys().map((k) => k.kid);
    expect(kids).toHaveLength(3);
    expect(kids).toContain(a.kid);
    expect(kids).toContain(b.kid);
  });

  it('refuses a rotation not after the newest key, or with a negative overlap', async () => {
    const keyring = await create();
    await expect(keyring.rotate(T0, 1)).rejects.toThrow(/not after/);
    await expect(keyring.rotate(hours(-5), 1)).rejects.toThrow(/not after/);
    await expect(keyring.rotate(hours(1), -1)).rejects.toThrow(/overlap/);
    expect(keyring.publicKeys()).toHaveLength(1);
    expect((await reopen()).publicKeys()).toHaveLength(1);
  });
});

describe('private keys stay private', () => {
  it('publicKeys() carries no d, in no key, also after rotation', async () => {
    const keyring = await create();
    await keyring.rotate(hours(1), 1);
    const published = JSON.stringify(keyring.publicKeys());
    expect(published).not.toMatch(/"d"/);
    for (const key of stored().keys) {
      const { d } = key.privateJwk as { d: string };
      expect(published).not.toContain(d);
    }
    for (const key of keyring.publicKeys()) {
      expect(Object.keys(key.jwk).sort()).toEqual(['crv', 'kty', 'x']);
    }
  });

  it('generateNodeKey: a matching Ed25519 pair whose kid is the public key thumbprint', async () => {
    const key = await generateNodeKey(T0);
    expect(key.kid).toBe(await jwkThumbprint(key.publicJwk));
    expect(key.privateJwk.x).toBe(key.publicJwk.x);
    expect(key).toMatchObject({ validFrom: T0.toISOString(), validTo: null });
    expect(Object.keys(key.publicJwk).sort()).toEqual(['crv', 'kty', 'x']);
  });
});
