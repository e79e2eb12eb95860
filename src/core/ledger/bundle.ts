import { parseCheckpoint } from './checkpoint.js';
import { cosignaturesOf } from './cosignature.js';
import { eventLeafHash, SALT_BYTES, type LedgerEvent } from './leaf.js';
import { hashesEqual, verifyInclusion } from './merkle.js';
import { openNote, verifierFromKey, type NoteVerifier } from './note.js';

/** The outcome of checking a proof bundle (`greenlane ledger verify-proof`). */
export interface BundleResult {
  kind: 'bundle';
  valid: boolean;
  error?: string;
  /** The checkpoint's signer (key name and key id in hex) when it verified. */
  signedBy?: string;
  /** Witnesses whose cosignature verified. */
  cosignedBy?: string[];
}

/** True when the value has the shape of a GreenLane proof bundle (whatever its contents). */
export function isBundle(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { bundle?: unknown }).bundle === 'greenlane-ledger-proof/v1'
  );
}

class BundleError extends Error {}

/**
 * Checks a proof bundle without a database: the event (with its salt) gives the leaf hash, the
 * inclusion proof leads from it to the root, the checkpoint states that root and size and is
 * signed by one of the log's keys (only `pinnedLogKeys` when given: the keys a verifier got from
 * the node itself, not from the bundle), and every cosignature of the named witnesses verifies.
 */
export function checkBundle(value: unknown, pinnedLogKeys?: readonly string[]): BundleResult {
  try {
    return check(value, pinnedLogKeys);
  } catch (error) {
    return {
      kind: 'bundle',
      valid: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function check(value: unknown, pinned: readonly string[] | undefined): BundleResult {
  const b = value as Record<string, unknown>;
  const str = (name: string): string => {
    const v = b[name];
    if (typeof v !== 'string') throw new BundleError(`${name} must be a string`);
    return v;
  };
  const int = (name: string): number => {
    const v = b[name];
    if (!Number.isSafeInteger(v) || (v as number) < 0)
      throw new BundleError(`${name} must be a non-negative integer`);
    return v as number;
  };
  const hash = (name: string, v: unknown): Uint8Array => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      throw new BundleError(`${name} must be base64`);
    const bytes = new Uint8Array(Buffer.from(v, 'base64'));
    if (bytes.length !== 32) throw new BundleError(`${name} must be a 32-byte hash`);
    return bytes;
  };
  const origin = str('origin');
  const leafIdx = int('leafIdx');
  const treeSize = int('treeSize');
  const leafHash = hash('leafHash', b.leafHash);
  const root = hash('root', b.root);
  if (!Array.isArray(b.proof)) throw new BundleError('proof must be an array of base64 hashes');
  const proof = (b.proof as unknown[]).map((p, i) => hash(`proof[${i}]`, p));
  const event = b.event as LedgerEvent;
  if (typeof event !== 'object' || event === null) throw new BundleError('event must be an object');
  let salt: Uint8Array | null = null;
  if (b.salt !== null) {
    salt = new Uint8Array(Buffer.from(str('salt'), 'base64'));
    if (salt.length !== SALT_BYTES) throw new BundleError(`salt must be ${SALT_BYTES} bytes`);
  }

  let computed: Uint8Array;
  try {
    computed = eventLeafHash(event, salt);
  } catch (error) {
    throw new BundleError(`event: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!hashesEqual(computed, leafHash))
    throw new BundleError('the event (with its salt) does not give the leaf hash');
  verifyInclusion(leafIdx, treeSize, leafHash, proof, root);

  const keys = pinned ?? (Array.isArray(b.logKeys) ? (b.logKeys as unknown[]) : []);
  const verifiers: NoteVerifier[] = keys.map((k) => {
    if (typeof k !== 'string') throw new BundleError('logKeys must be verifier key strings');
    return verifierFromKey(k);
  });
  if (verifiers.some((v) => v.name !== origin))
    throw new BundleError(`a log key is not named after the origin ${origin}`);
  const checkpoint = str('checkpoint');
  const opened = openNote(checkpoint, verifiers);
  const body = parseCheckpoint(opened.text);
  if (body.origin !== origin)
    throw new BundleError(`the checkpoint is of ${body.origin}, not ${origin}`);
  if (body.size !== treeSize)
    throw new BundleError(`the checkpoint is of ${body.size} leaves, not ${treeSize}`);
  if (!hashesEqual(body.root, root)) throw new BundleError('the checkpoint states another root');

  const witnesses = (Array.isArray(b.witnesses) ? (b.witnesses as unknown[]) : []).map((w, i) => {
    const { name, publicKey } = (w ?? {}) as { name?: unknown; publicKey?: unknown };
    if (typeof name !== 'string' || typeof publicKey !== 'string')
      throw new BundleError(`witnesses[${i}] must have a name and a base64 publicKey`);
    return { name, publicKey: new Uint8Array(Buffer.from(publicKey, 'base64')) };
  });
  const cosigned = cosignaturesOf(checkpoint, witnesses);
  if (cosigned.invalid.length > 0)
    throw new BundleError(
      `the cosignature of ${cosigned.invalid[0]!.name} does not verify: ${cosigned.invalid[0]!.reason}`,
    );
  const signer = opened.verified[0]!;
  return {
    kind: 'bundle',
    valid: true,
    signedBy: `${signer.name}+${Buffer.from(signer.keyId).toString('hex')}`,
    cosignedBy: [...new Set(cosigned.valid.map((c) => c.name))],
  };
}
