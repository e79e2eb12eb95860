import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  concat,
  decodeBase64,
  decodeBase64Url,
  encodeBase64,
  encodeBase64Url,
  equalBytes,
  hex,
  utf8,
} from './bytes.js';

/**
 * C2SP signed notes (c2sp.org/signed-note@v1.0.0): UTF-8 text ending in a newline, a blank line,
 * then one line per signature, `— <key name> <base64(4-byte key id ‖ signature)>`. Keys are
 * Ed25519 (signature type 0x01); signing goes through `NoteSigner` so that the private key stays
 * in an adapter, verification happens here.
 */

/** A malformed or unverifiable note, key, checkpoint or cosignature; the message says what. */
export class NoteError extends Error {
  override readonly name = 'NoteError';
}

/** Signs with one Ed25519 key held elsewhere (an adapter); `sign` returns the raw 64 bytes. */
export interface NoteSigner {
  readonly name: string;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Checks signatures by one key; `signature` is what follows the key id in a signature line. */
export interface NoteVerifier {
  readonly name: string;
  /** 4 bytes. */
  readonly keyId: Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** One signature line of a note, not necessarily verified. */
export interface NoteSignature {
  name: string;
  /** 4 bytes. */
  keyId: Uint8Array;
  /** The bytes after the key id. */
  signature: Uint8Array;
  /** The whole line, `— <name> <base64>`, without its newline. */
  line: string;
}

/** Signature type byte of plain Ed25519 note signatures. */
export const ED25519_SIGNATURE_TYPE = 0x01;

/**
 * Most signature lines a note may carry. The spec asks verifiers for a limit of at least 16; 100
 * is the limit of golang.org/x/mod/sumdb/note, so notes it accepts are accepted here too.
 */
export const MAX_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 ';
const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/** True when `name` may name a key: non-empty, no Unicode white space, no '+', no control code. */
export function isKeyName(name: string): boolean {
  return name !== '' && !/[\p{White_Space}+]/u.test(name) && badCharacter(name) === null;
}

/** The key id the spec recommends: SHA-256(name ‖ 0x0A ‖ signature type ‖ public key)[:4]. */
export function noteKeyId(name: string, signatureType: number, publicKey: Uint8Array): Uint8Array {
  checkKeyName(name);
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a, signatureType))
    .update(publicKey)
    .digest();
  return new Uint8Array(digest.subarray(0, 4));
}

/** The key id of an Ed25519 note key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): Uint8Array {
  checkEd25519PublicKey(publicKey, name);
  return noteKeyId(name, ED25519_SIGNATURE_TYPE, publicKey);
}

/** A verifier key (vkey) `<name>+<8 hex key id>+<base64(type ‖ public key)>`. */
export function formatVerifierKey(
  name: string,
  signatureType: number,
  publicKey: Uint8Array,
): string {
  const keyId = noteKeyId(name, signatureType, publicKey);
  return `${name}+${hex(keyId)}+${encodeBase64(concat(Uint8Array.of(signatureType), publicKey))}`;
}

/** The vkey of an Ed25519 note key, as golang.org/x/mod/sumdb/note writes it. */
export function verifierKey(name: string, publicKey: Uint8Array): string {
  checkEd25519PublicKey(publicKey, name);
  return formatVerifierKey(name, ED25519_SIGNATURE_TYPE, publicKey);
}

/**
 * Reads a vkey of the given signature type with a 32-byte (Ed25519) key; NoteError when it is
 * malformed, of another type, or its key id is not the one of its name and key.
 */
export function parseTypedVerifierKey(
  vkey: string,
  signatureType: number,
): { name: string; keyId: Uint8Array; publicKey: Uint8Array } {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) {
    throw new NoteError(`verifier key ${JSON.stringify(vkey)} is not <name>+<key id>+<key>`);
  }
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const keyText = vkey.slice(second + 1);
  if (!isKeyName(name)) {
    throw new NoteError(`verifier key: ${JSON.stringify(name)} is not a key name`);
  }
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) {
    throw new NoteError(
      `verifier key ${name}: key id ${JSON.stringify(idHex)} is not 8 hex digits`,
    );
  }
  const key = decodeBase64(keyText);
  if (key === null || key.length === 0) {
    throw new NoteError(`verifier key ${name}: the key is not base64`);
  }
  if (key[0] !== signatureType) {
    throw new NoteError(
      `verifier key ${name}: signature type 0x${hex(key.subarray(0, 1))}, expected 0x${hex(Uint8Array.of(signatureType))}`,
    );
  }
  const publicKey = key.slice(1);
  if (publicKey.length !== ED25519_KEY_BYTES) {
    throw new NoteError(
      `verifier key ${name}: the public key is ${publicKey.length} bytes, not ${ED25519_KEY_BYTES}`,
    );
  }
  const keyId = noteKeyId(name, signatureType, publicKey);
  if (hex(keyId) !== idHex.toLowerCase()) {
    throw new NoteError(
      `verifier key ${name}: key id ${idHex} does not match the name and key (${hex(keyId)})`,
    );
  }
  return { name, keyId, publicKey };
}

/** Reads an Ed25519 vkey (type 0x01); NoteError if malformed or the key id does not match. */
export function parseVerifierKey(vkey: string): {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
} {
  return parseTypedVerifierKey(vkey, ED25519_SIGNATURE_TYPE);
}

/** A verifier for plain Ed25519 note signatures by this name and key. */
export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  const keyId = ed25519KeyId(name, publicKey);
  const key = ed25519KeyObject(publicKey, name);
  return Object.freeze({
    name,
    keyId,
    verify: (message: Uint8Array, signature: Uint8Array) => verifyEd25519(key, message, signature),
  });
}

/** The verifier of an Ed25519 vkey. */
export function verifierFromKey(vkey: string): NoteVerifier {
  const { name, publicKey } = parseVerifierKey(vkey);
  return ed25519Verifier(name, publicKey);
}

/** Raw Ed25519 verification of `signature` (64 bytes) over `message` with a 32-byte key. */
export function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  checkEd25519PublicKey(publicKey, 'Ed25519');
  return verifyEd25519(ed25519KeyObject(publicKey, 'Ed25519'), message, signature);
}

/** The 32-byte Ed25519 public key of a JWK's `x` (unpadded base64url), as GreenLane stores keys. */
export function ed25519PublicKeyFromJwkX(x: string): Uint8Array {
  const key = decodeBase64Url(x);
  if (key === null) throw new NoteError(`JWK x ${JSON.stringify(x)} is not unpadded base64url`);
  if (key.length !== ED25519_KEY_BYTES) {
    throw new NoteError(
      `JWK x is ${key.length} bytes, not the ${ED25519_KEY_BYTES} of an Ed25519 key`,
    );
  }
  return key;
}

/** A signature line `— <name> <base64(key id ‖ signature)>`, without a newline. */
export function signatureLine(name: string, keyId: Uint8Array, signature: Uint8Array): string {
  checkKeyName(name);
  if (keyId.length !== 4) throw new NoteError(`key id of ${name} is ${keyId.length} bytes, not 4`);
  if (signature.length === 0) throw new NoteError(`signature by ${name} is empty`);
  return `${SIGNATURE_PREFIX}${name} ${encodeBase64(concat(keyId, signature))}`;
}

/** Reads one signature line (a trailing newline is allowed); NoteError when it is malformed. */
export function parseSignatureLine(line: string): NoteSignature {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (text.includes('\n')) throw new NoteError('signature line holds more than one line');
  const bad = badCharacter(text);
  if (bad !== null) throw new NoteError(`signature line contains ${bad}`);
  if (!text.startsWith(SIGNATURE_PREFIX)) {
    throw new NoteError(
      `signature line ${JSON.stringify(text)} does not start with an em dash (U+2014) and a space`,
    );
  }
  const rest = text.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw new NoteError(`signature line ${JSON.stringify(text)} has no signature`);
  const name = rest.slice(0, space);
  if (!isKeyName(name)) {
    throw new NoteError(`signature line: ${JSON.stringify(name)} is not a key name`);
  }
  const bytes = decodeBase64(rest.slice(space + 1));
  if (bytes === null) throw new NoteError(`signature line of ${name}: the signature is not base64`);
  if (bytes.length < 5) {
    throw new NoteError(
      `signature line of ${name}: ${bytes.length} bytes, too short for key id and signature`,
    );
  }
  return { name, keyId: bytes.slice(0, 4), signature: bytes.slice(4), line: text };
}

/** Splits a note into text and signature lines without verifying (NoteError when malformed). */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  const bad = badCharacter(note);
  if (bad !== null) throw new NoteError(`note contains ${bad}`);
  // The text may hold empty lines itself: the last blank line is the one before the signatures.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no blank line between text and signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '') throw new NoteError('note has no signature line after the blank line');
  if (!block.endsWith('\n')) throw new NoteError('note does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) {
    throw new NoteError(`note has ${lines.length} signature lines, more than ${MAX_SIGNATURES}`);
  }
  const signatures: NoteSignature[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    let signature: NoteSignature;
    try {
      signature = parseSignatureLine(line);
    } catch (error) {
      if (error instanceof NoteError)
        throw new NoteError(`note line ${i + 1} after the blank line: ${error.message}`);
      throw error;
    }
    // A line repeated word for word adds nothing (x/mod drops repeats too).
    if (seen.has(signature.line)) return;
    seen.add(signature.line);
    signatures.push(signature);
  });
  return { text, signatures };
}

/**
 * Verifies: the text and the signatures made by the given verifiers (at least one must verify,
 * else NoteError 'no known signature'); a signature by a known verifier that does not verify is
 * a NoteError. Others are returned as `unverified`.
 *
 * A signature is by a known verifier when both name and key id match: a line with a known name
 * and another key id is unknown (the spec: ignore signatures that share only name or only id).
 * Two different lines by the same known key are a NoteError: Ed25519 is deterministic, so one of
 * them is forged or the note was assembled wrongly.
 */
export function openNote(
  note: string,
  verifiers: readonly NoteVerifier[],
): { text: string; verified: NoteSignature[]; unverified: NoteSignature[] } {
  const { text, signatures } = parseNote(note);
  const message = utf8(text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  for (const signature of signatures) {
    const matches = new Set(
      verifiers.filter((v) => v.name === signature.name && equalBytes(v.keyId, signature.keyId)),
    );
    const label = keyLabel(signature.name, signature.keyId);
    if (matches.size === 0) {
      unverified.push(signature);
      continue;
    }
    if (matches.size > 1) throw new NoteError(`${matches.size} verifiers are given for ${label}`);
    if (verified.some((s) => s.name === signature.name && equalBytes(s.keyId, signature.keyId))) {
      throw new NoteError(`note has more than one signature by ${label}`);
    }
    const [verifier] = matches;
    if (!verifier?.verify(message, signature.signature)) {
      throw new NoteError(`signature by ${label} does not verify`);
    }
    verified.push(signature);
  }
  if (verified.length === 0) {
    const by = signatures.map((s) => keyLabel(s.name, s.keyId)).join(', ');
    throw new NoteError(`no known signature: the note is signed by ${by}, none of them given`);
  }
  return { text, verified, unverified };
}

/**
 * The note of `text` signed by each signer in order (the lines come in the signers' order, and
 * Ed25519 is deterministic: the same text and keys give the same note). The signed message is
 * exactly the UTF-8 bytes of the text; each signature is checked against the signer's public key
 * before it is written, so a misconfigured adapter cannot publish a note nobody can verify.
 */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  checkNoteText(text);
  if (signers.length === 0) throw new NoteError('signNote needs at least one signer');
  if (signers.length > MAX_SIGNATURES) {
    throw new NoteError(
      `${signers.length} signers, more than the ${MAX_SIGNATURES} a note may carry`,
    );
  }
  const message = utf8(text);
  const lines: string[] = [];
  const labels = new Set<string>();
  for (const signer of signers) {
    const keyId = ed25519KeyId(signer.name, signer.publicKey);
    const label = keyLabel(signer.name, keyId);
    if (labels.has(label)) throw new NoteError(`signer ${label} is given twice`);
    labels.add(label);
    // A copy: an adapter that scribbles on its input cannot change what is checked below.
    const signature = await signer.sign(message.slice());
    if (signature.length !== ED25519_SIGNATURE_BYTES) {
      throw new NoteError(
        `signer ${label} returned ${signature.length} bytes, not a ${ED25519_SIGNATURE_BYTES}-byte Ed25519 signature`,
      );
    }
    if (!ed25519Verify(signer.publicKey, message, signature)) {
      throw new NoteError(`signer ${label}: the signature does not verify with its public key`);
    }
    lines.push(signatureLine(signer.name, keyId, signature));
  }
  return joinNote(text, lines);
}

/**
 * The note with `lines` appended (each with or without its newline). A line already in the note
 * is skipped; a different line by a key that already signed is a NoteError rather than a second
 * signature (openNote would refuse the note, and silently replacing could drop a good one).
 */
export function addSignatures(note: string, lines: readonly string[]): string {
  const { text, signatures } = parseNote(note);
  const all = [...signatures];
  for (const line of lines) {
    const added = parseSignatureLine(line);
    if (all.some((s) => s.line === added.line)) continue;
    if (all.some((s) => s.name === added.name && equalBytes(s.keyId, added.keyId))) {
      throw new NoteError(
        `note already carries another signature by ${keyLabel(added.name, added.keyId)}`,
      );
    }
    all.push(added);
  }
  if (all.length > MAX_SIGNATURES) {
    throw new NoteError(
      `note would have ${all.length} signature lines, more than ${MAX_SIGNATURES}`,
    );
  }
  return joinNote(
    text,
    all.map((s) => s.line),
  );
}

/** `name+<key id hex>`, the way notes and errors name a key. */
export function keyLabel(name: string, keyId: Uint8Array): string {
  return `${name}+${hex(keyId)}`;
}

/**
 * What a note may not contain, described for an error message, or null: an ASCII control code
 * other than newline, or a lone UTF-16 surrogate (which has no UTF-8 encoding).
 */
export function badCharacter(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) {
      return `the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
    }
  }
  return /\p{Surrogate}/u.test(text) ? 'a lone surrogate (not UTF-8)' : null;
}

function joinNote(text: string, lines: readonly string[]): string {
  return `${text}\n${lines.map((line) => `${line}\n`).join('')}`;
}

function checkNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('note text does not end in a newline');
  const bad = badCharacter(text);
  if (bad !== null) throw new NoteError(`note text contains ${bad}`);
}

function checkKeyName(name: string): void {
  if (!isKeyName(name)) {
    throw new NoteError(
      `${JSON.stringify(name)} is not a key name (non-empty, no spaces, no '+', no control codes)`,
    );
  }
}

function checkEd25519PublicKey(publicKey: Uint8Array, name: string): void {
  if (publicKey.length !== ED25519_KEY_BYTES) {
    throw new NoteError(
      `public key of ${name} is ${publicKey.length} bytes, not the ${ED25519_KEY_BYTES} of an Ed25519 key`,
    );
  }
}

function ed25519KeyObject(publicKey: Uint8Array, name: string): KeyObject {
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(publicKey) },
      format: 'jwk',
    });
  } catch {
    throw new NoteError(`public key of ${name} is not an Ed25519 key`);
  }
}

function verifyEd25519(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
