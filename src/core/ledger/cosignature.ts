import { concat, equalBytes, hex, utf8 } from './bytes.js';
import { parseCheckpoint } from './checkpoint.js';
import {
  ed25519Verify,
  formatVerifierKey,
  keyLabel,
  noteKeyId,
  NoteError,
  parseNote,
  parseSignatureLine,
  parseTypedVerifierKey,
  signatureLine,
} from './note.js';

/**
 * Witness cosignatures, the Ed25519 `cosignature/v1` of c2sp.org/tlog-cosignature@v1.0.0: a note
 * signature (type 0x04) on a checkpoint whose bytes are key id ‖ 8-byte big-endian time ‖ an
 * Ed25519 signature over `cosignature/v1\ntime <t>\n` followed by the checkpoint text. The time
 * is the witness's: it states that, as of then, this is the largest tree it has seen consistent.
 */

/** A witness's identity: the key name it signs under and its 32-byte Ed25519 public key. */
export interface Witness {
  name: string;
  publicKey: Uint8Array;
}

/** One verified cosignature. */
export interface Cosignature {
  name: string;
  /** 4 bytes, SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]. */
  keyId: Uint8Array;
  /** POSIX seconds, as the witness stated them. */
  time: number;
  /** The 64-byte Ed25519 signature (after key id and time). */
  signature: Uint8Array;
  /** The signature line, without its newline. */
  line: string;
}

/** Signature type byte of Ed25519 cosignature/v1. */
export const COSIGNATURE_V1_SIGNATURE_TYPE = 0x04;

const TIMESTAMPED_SIGNATURE_BYTES = 8 + 64;
const MAX_SPEC_TIME = 2n ** 63n - 1n;

/** The cosignature/v1 key id: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  checkPublicKey(name, publicKey);
  return noteKeyId(name, COSIGNATURE_V1_SIGNATURE_TYPE, publicKey);
}

/** The witness's vkey with signature type 0x04, as witnesses publish theirs. */
export function witnessVerifierKey(name: string, publicKey: Uint8Array): string {
  checkPublicKey(name, publicKey);
  return formatVerifierKey(name, COSIGNATURE_V1_SIGNATURE_TYPE, publicKey);
}

/** The witness of a type 0x04 vkey; NoteError when malformed or its key id does not match. */
export function parseWitnessVerifierKey(vkey: string): Witness & { keyId: Uint8Array } {
  return parseTypedVerifierKey(vkey, COSIGNATURE_V1_SIGNATURE_TYPE);
}

/**
 * The bytes a witness signs: `cosignature/v1\ntime <t>\n` + the checkpoint text. NoteError when
 * the text is not a checkpoint or the time is not whole seconds in 0 … 2^53 − 1.
 */
export function cosignatureMessage(checkpointText: string, time: number): Uint8Array {
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new NoteError(`cosignature time ${time} is not whole seconds from 0 to 2^53 − 1`);
  }
  parseCheckpoint(checkpointText);
  return utf8(`cosignature/v1\ntime ${time}\n${checkpointText}`);
}

/**
 * A witness's cosignature line for the checkpoint text, signed with `sign` (raw Ed25519 over
 * cosignatureMessage). The line has no trailing newline (`addSignatures` takes it as it is); the
 * signature is checked against `publicKey` before the line is returned.
 */
export async function cosign(
  checkpointText: string,
  time: number,
  witness: Witness & { sign(message: Uint8Array): Promise<Uint8Array> },
): Promise<string> {
  const keyId = cosignatureKeyId(witness.name, witness.publicKey);
  const message = cosignatureMessage(checkpointText, time);
  const signature = await witness.sign(message.slice());
  if (signature.length !== 64) {
    throw new NoteError(
      `witness ${keyLabel(witness.name, keyId)} returned ${signature.length} bytes, not a 64-byte Ed25519 signature`,
    );
  }
  if (!ed25519Verify(witness.publicKey, message, signature)) {
    throw new NoteError(
      `witness ${keyLabel(witness.name, keyId)}: the signature does not verify with its public key`,
    );
  }
  return signatureLine(witness.name, keyId, concat(bigEndian64(time), signature));
}

/**
 * Parses and verifies one cosignature line against the checkpoint text and the witness key;
 * NoteError when it does not verify (or is by another name or key, or is not a cosignature/v1).
 */
export function verifyCosignature(
  checkpointText: string,
  line: string,
  witness: Witness,
): Cosignature {
  const keyId = cosignatureKeyId(witness.name, witness.publicKey);
  const label = keyLabel(witness.name, keyId);
  const parsed = parseSignatureLine(line);
  if (parsed.name !== witness.name) {
    throw new NoteError(
      `cosignature line is by ${parsed.name}, not by the witness ${witness.name}`,
    );
  }
  if (!equalBytes(parsed.keyId, keyId)) {
    throw new NoteError(
      `cosignature line of ${witness.name} has key id ${hex(parsed.keyId)}, not ${hex(keyId)} (another key, or not a cosignature/v1)`,
    );
  }
  if (parsed.signature.length !== TIMESTAMPED_SIGNATURE_BYTES) {
    throw new NoteError(
      `cosignature by ${label} is ${parsed.signature.length} bytes after the key id, not ${TIMESTAMPED_SIGNATURE_BYTES} (8-byte time, 64-byte signature)`,
    );
  }
  const stated = new DataView(parsed.signature.buffer, parsed.signature.byteOffset).getBigUint64(0);
  if (stated > MAX_SPEC_TIME)
    throw new NoteError(`cosignature by ${label}: time ${stated} exceeds 2^63 − 1`);
  if (stated > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new NoteError(`cosignature by ${label}: time ${stated} exceeds 2^53 − 1`);
  }
  const time = Number(stated);
  const signature = parsed.signature.slice(8);
  if (!ed25519Verify(witness.publicKey, cosignatureMessage(checkpointText, time), signature)) {
    throw new NoteError(
      `cosignature by ${label} at time ${time} does not verify for this checkpoint`,
    );
  }
  return { name: witness.name, keyId, time, signature, line: parsed.line };
}

/**
 * The cosignatures among a note's signature lines that are from the given witnesses (by name +
 * cosignature key id), verified. A witness with no line is in neither list; one with a line that
 * does not verify, or with more than one line, is in `invalid` (so `valid` counts each witness at
 * most once). NoteError when the note is malformed or its text is not a checkpoint.
 */
export function cosignaturesOf(
  note: string,
  witnesses: readonly Witness[],
): { valid: Cosignature[]; invalid: { name: string; reason: string }[] } {
  const { text, signatures } = parseNote(note);
  parseCheckpoint(text);
  const valid: Cosignature[] = [];
  const invalid: { name: string; reason: string }[] = [];
  const done = new Set<string>();
  for (const witness of witnesses) {
    const keyId = cosignatureKeyId(witness.name, witness.publicKey);
    const label = keyLabel(witness.name, keyId);
    // The same witness listed twice must not count twice.
    if (done.has(label)) continue;
    done.add(label);
    const lines = signatures.filter((s) => s.name === witness.name && equalBytes(s.keyId, keyId));
    const [first] = lines;
    if (first === undefined) continue;
    if (lines.length > 1) {
      invalid.push({ name: witness.name, reason: `${lines.length} cosignatures by ${label}` });
      continue;
    }
    try {
      valid.push(verifyCosignature(text, first.line, witness));
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      invalid.push({ name: witness.name, reason: error.message });
    }
  }
  return { valid, invalid };
}

function checkPublicKey(name: string, publicKey: Uint8Array): void {
  if (publicKey.length !== 32) {
    throw new NoteError(
      `public key of witness ${name} is ${publicKey.length} bytes, not the 32 of an Ed25519 key`,
    );
  }
}

function bigEndian64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value));
  return bytes;
}
