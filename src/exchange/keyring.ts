import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EnvelopeSigner, PublishedKey } from '../core/exchange/ports.js';
import { NODE_ID_PATTERN } from '../core/exchange/ports.js';
import { jwkThumbprint, signCompact } from './signing.js';

/**
 * The node's own Ed25519 signing keys, in a file of their own (mode 0600, directory 0700) and
 * never in the database: a database dump or replica must not be enough to sign as the node.
 * Every change is written to a temporary file and renamed over the old one, so a crash leaves
 * either the old keyring or the new one, never half of one.
 */

export interface StoredNodeKey {
  kid: string;
  privateJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; d: string };
  publicJwk: PublishedKey['jwk'];
  validFrom: string;
  validTo: string | null;
}

interface KeyringFile {
  version: 1;
  nodeId: string;
  keys: StoredNodeKey[];
}

export interface Keyring extends EnvelopeSigner {
  readonly path: string;
  readonly nodeId: string;
  /** Problems that do not stop the node, e.g. a file readable by group or others. */
  readonly warnings: string[];
  /** The key that signs at `at`: the newest one valid then. */
  current(at: Date): PublishedKey;
  /**
   * Adds a key valid from `now` and ends the current key at now + overlap (a partner that has
   * not yet fetched the new key keeps accepting messages signed before then). Persists first.
   */
  rotate(now: Date, overlapHours: number): Promise<PublishedKey>;
  /** Raw Ed25519 signing with the key current at `at`: C2SP notes (checkpoints, cosignatures). */
  rawSigner(at: Date): { publicKey: Uint8Array; sign(message: Uint8Array): Promise<Uint8Array> };
}

export interface OpenKeyringOptions {
  now: Date;
  /** Create the keyring (with one key valid from `now`) when the file does not exist. */
  create: boolean;
  /** Needed to create the file; when given, an existing file must belong to this node. */
  nodeId?: string;
}

export class KeyringError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`Keyring ${path}: ${problem}`);
    this.name = 'KeyringError';
  }
}

export async function generateNodeKey(now: Date): Promise<StoredNodeKey> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x, d } = privateKey.export({ format: 'jwk' });
  if (x === undefined || d === undefined) throw new Error('Ed25519 key export without x or d');
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x } as const;
  return {
    kid: await jwkThumbprint(publicJwk),
    privateJwk: { ...publicJwk, d },
    publicJwk,
    validFrom: iso(now),
    validTo: null,
  };
}

export async function openKeyring(path: string, options: OpenKeyringOptions): Promise<Keyring> {
  const { now, create, nodeId } = options;
  if (nodeId !== undefined && !NODE_ID_PATTERN.test(nodeId)) {
    throw new KeyringError(path, `node id ${JSON.stringify(nodeId)} is not like BY/GTK`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!isNotFound(error)) throw new KeyringError(path, `cannot be read (${message(error)})`);
    if (!create) throw new KeyringError(path, 'does not exist');
    if (nodeId === undefined) throw new KeyringError(path, 'a node id is needed to create it');
    const file: KeyringFile = { version: 1, nodeId, keys: [await generateNodeKey(now)] };
    // Two processes starting at once: the first file wins and both use it.
    await persist(path, file, { replace: false });
    return openKeyring(path, { ...options, create: false });
  }

  const warnings: string[] = [];
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    warnings.push(
      `Keyring ${path} is open to group or others (mode ${mode.toString(8)}); chmod 600 it`,
    );
  }
  const file = await parse(path, text);
  if (nodeId !== undefined && file.nodeId !== nodeId) {
    throw new KeyringError(path, `belongs to ${file.nodeId}, not ${nodeId}`);
  }
  return new FileKeyring(path, file, warnings);
}

class FileKeyring implements Keyring {
  private privateKeys = new Map<string, KeyObject>();
  /** Rotations one after the other, so that none is computed from a state another replaces. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private file: KeyringFile,
    readonly warnings: string[],
  ) {
    for (const key of file.keys) {
      this.privateKeys.set(key.kid, createPrivateKey({ key: key.privateJwk, format: 'jwk' }));
    }
  }

  get nodeId(): string {
    return this.file.nodeId;
  }

  publicKeys(): PublishedKey[] {
    return this.file.keys.map(published);
  }

  current(at: Date): PublishedKey {
    const key = currentKey(this.file.keys, at);
    if (key === undefined) throw new KeyringError(this.path, `no key is valid at ${iso(at)}`);
    return published(key);
  }

  async sign(payload: Uint8Array, at: Date, options?: { established?: boolean }): Promise<string> {
    const { kid } = options?.established ? this.established(at) : this.current(at);
    return signCompact(payload, this.privateKeys.get(kid)!, kid);
  }

  rawSigner(at: Date) {
    const { kid, jwk } = this.current(at);
    const key = this.privateKeys.get(kid)!;
    return {
      publicKey: new Uint8Array(Buffer.from(jwk.x, 'base64url')),
      sign: (message: Uint8Array) => Promise.resolve(new Uint8Array(sign(null, message, key))),
    };
  }

  /** The oldest key valid at `at` (the one partners have trusted longest). */
  private established(at: Date): PublishedKey {
    const t = iso(at);
    const valid = this.file.keys
      .filter((k) => k.validFrom <= t && (k.validTo === null || t < k.validTo))
      .sort((a, b) => (a.validFrom < b.validFrom ? -1 : 1));
    const k = valid[0];
    return k ? published(k) : this.current(at);
  }

  rotate(now: Date, overlapHours: number): Promise<PublishedKey> {
    const next = this.queue.then(() => this.rotateNow(now, overlapHours));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async rotateNow(now: Date, overlapHours: number): Promise<PublishedKey> {
    if (!Number.isFinite(overlapHours) || overlapHours < 0) {
      throw new KeyringError(this.path, `overlap of ${overlapHours} hours`);
    }
    const at = iso(now);
    const latest = this.file.keys.reduce((max, k) => (k.validFrom > max ? k.validFrom : max), '');
    // A new key not younger than the newest would never be picked: the clock went backwards.
    if (at <= latest) throw new KeyringError(this.path, `rotation at ${at}, not after ${latest}`);
    const end = iso(new Date(now.getTime() + overlapHours * 3_600_000));
    const previous = currentKey(this.file.keys, now);
    const fresh = await generateNodeKey(now);
    const keys = this.file.keys.map((k) =>
      // Never lengthen a key's life, only shorten it.
      k === previous && (k.validTo === null || end < k.validTo) ? { ...k, validTo: end } : k,
    );
    const file: KeyringFile = { ...this.file, keys: [...keys, fresh] };
    await persist(this.path, file, { replace: true });
    this.file = file;
    this.privateKeys.set(fresh.kid, createPrivateKey({ key: fresh.privateJwk, format: 'jwk' }));
    return published(fresh);
  }
}

function currentKey(keys: readonly StoredNodeKey[], at: Date): StoredNodeKey | undefined {
  const t = iso(at);
  let best: StoredNodeKey | undefined;
  for (const key of keys) {
    const valid = key.validFrom <= t && (key.validTo === null || t < key.validTo);
    if (valid && (best === undefined || key.validFrom >= best.validFrom)) best = key;
  }
  return best;
}

function published(key: StoredNodeKey): PublishedKey {
  const { kty, crv, x } = key.publicJwk;
  return { kid: key.kid, jwk: { kty, crv, x }, validFrom: key.validFrom, validTo: key.validTo };
}

async function parse(path: string, text: string): Promise<KeyringFile> {
  const corrupt = (problem: string) => new KeyringError(path, `corrupt: ${problem}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  const file = data as Partial<KeyringFile> | null;
  if (typeof file !== 'object' || file === null) throw corrupt('not a JSON object');
  if (file.version !== 1) throw corrupt(`version ${JSON.stringify(file.version)}, not 1`);
  if (typeof file.nodeId !== 'string' || !NODE_ID_PATTERN.test(file.nodeId)) {
    throw corrupt('no valid nodeId');
  }
  if (!Array.isArray(file.keys) || file.keys.length === 0) throw corrupt('no keys');
  const kids = new Set<string>();
  for (const [i, key] of (file.keys as unknown[]).entries()) {
    const problem = await checkKey(key);
    if (problem !== undefined) throw new KeyringError(path, `key ${i}: ${problem}`);
    const { kid } = key as StoredNodeKey;
    if (kids.has(kid)) throw corrupt(`key ${kid} appears twice`);
    kids.add(kid);
  }
  return { version: 1, nodeId: file.nodeId, keys: file.keys };
}

/** Why a stored key cannot be used, or undefined. */
async function checkKey(value: unknown): Promise<string | undefined> {
  const key = (value ?? {}) as Partial<StoredNodeKey>;
  const { privateJwk, publicJwk } = key;
  if (typeof key.kid !== 'string' || !isOkp(privateJwk) || !isOkp(publicJwk)) {
    return 'corrupt: kid, privateJwk or publicJwk missing';
  }
  if (typeof privateJwk.d !== 'string') return 'corrupt: privateJwk has no d';
  if (!isIso(key.validFrom) || !(key.validTo === null || isIso(key.validTo))) {
    return 'corrupt: validFrom or validTo is not an ISO 8601 UTC time';
  }
  if (key.validTo !== null && key.validTo <= key.validFrom) return 'corrupt: validTo <= validFrom';
  let derived: string | undefined;
  try {
    // The public key is recomputed from d: a stored x is not trusted to belong to it.
    const privateKey = createPrivateKey({ key: { ...privateJwk }, format: 'jwk' });
    derived = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  } catch {
    return 'corrupt: privateJwk is not an Ed25519 private key';
  }
  if (derived !== publicJwk.x || derived !== privateJwk.x) {
    return 'private and public key do not match';
  }
  let thumbprint: string;
  try {
    thumbprint = await jwkThumbprint(publicJwk);
  } catch {
    return 'corrupt: publicJwk is not an Ed25519 public key';
  }
  return thumbprint === key.kid ? undefined : `kid ${key.kid} is not the key's thumbprint`;
}

function isOkp(jwk: unknown): jwk is { kty: 'OKP'; crv: 'Ed25519'; x: string; d?: unknown } {
  const { kty, crv, x } = (jwk ?? {}) as Record<string, unknown>;
  return kty === 'OKP' && crv === 'Ed25519' && typeof x === 'string';
}

/** Only Date.prototype.toISOString's own form: then string order is time order. */
function isIso(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString() === value
  );
}

function iso(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('Invalid Date');
  return date.toISOString();
}

/** Writes the file next to its place, synced, then renames (replace) or links (create) it in. */
async function persist(path: string, file: KeyringFile, { replace }: { replace: boolean }) {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(file, null, 2) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (replace) {
      await rename(temp, path);
    } else {
      await link(temp, path).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
      await unlink(temp);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new KeyringError(path, `cannot be written (${message(error)})`);
  }
  // The rename itself is durable only once the directory is synced.
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
