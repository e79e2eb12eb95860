import { createPrivateKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, hex } from './bytes.js';
import {
  addSignatures,
  ed25519KeyId,
  ed25519PublicKeyFromJwkX,
  ed25519Verifier,
  isKeyName,
  MAX_SIGNATURES,
  NoteError,
  openNote,
  parseNote,
  parseSignatureLine,
  parseVerifierKey,
  signatureLine,
  signNote,
  verifierFromKey,
  verifierKey,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';

// The vectors of golang.org/x/mod/sumdb/note (note_test.go), the reference implementation.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const PETER_NOTE = `${TEXT}\n${PETER_SIG}`;

// The opening example of c2sp.org/signed-note@v1.0.0 (the spec gives no key for it).
const QUASIMODO_NOTE =
  'Ognuno sta solo sul cuor della terra\n' +
  'trafitto da un raggio di sole:\n' +
  '\n' +
  'ed è subito sera.\n' +
  '\n' +
  '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';

// A vector quoted as c2sp.org/signed-note's by a public Python implementation (tlog_scales).
const FOO_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const FOO_NOTE =
  'This is an example message.\n\n' +
  '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const peter = verifierFromKey(PETER_VKEY);
const enoch = verifierFromKey(ENOCH_VKEY);

/** A signer over a node:crypto private key, standing in for the adapter that holds the key. */
function keySigner(name: string, privateKey: KeyObject, publicKey = rawPublicKey(privateKey)) {
  return {
    name,
    publicKey,
    sign: async (message: Uint8Array) => new Uint8Array(sign(null, message, privateKey)),
  } satisfies NoteSigner;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const { x } = key.export({ format: 'jwk' });
  return ed25519PublicKeyFromJwkX(x ?? '');
}

function generatedSigner(name: string) {
  return keySigner(name, generateKeyPairSync('ed25519').privateKey);
}

/** Go's PRIVATE+KEY is the signature type byte and the 32-byte seed. */
function signerFromGoKey(skey: string): NoteSigner {
  // PRIVATE+KEY+<name>+<key id>+<base64>; the base64 may hold '+' itself.
  const parts = skey.split('+');
  const name = parts[2] ?? '';
  const seed64 = parts.slice(4).join('+');
  const seed = (decodeBase64(seed64) ?? new Uint8Array()).slice(1);
  const { publicKey } = parseVerifierKey(PETER_VKEY);
  const privateKey = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: Buffer.from(seed).toString('base64url'),
      x: Buffer.from(publicKey).toString('base64url'),
    },
    format: 'jwk',
  });
  return keySigner(name, privateKey, publicKey);
}

/** The line with the character at `at` replaced by another base64 character. */
function mangle(line: string, at: number): string {
  const replacement = line[at] === 'A' ? 'B' : 'A';
  return line.slice(0, at) + replacement + line.slice(at + 1);
}

describe('key ids and verifier keys', () => {
  it('computes the key ids of the reference vectors', () => {
    const { publicKey } = parseVerifierKey(PETER_VKEY);
    expect(hex(ed25519KeyId('PeterNeumann', publicKey))).toBe('c74f20a3');
    expect(hex(enoch.keyId)).toBe('af0cfe78');
    expect(hex(ed25519KeyId('example.com/foo', parseVerifierKey(FOO_VKEY).publicKey))).toBe(
      '530d903a',
    );
  });

  it('writes the vkeys exactly as x/mod does', () => {
    for (const vkey of [PETER_VKEY, ENOCH_VKEY, FOO_VKEY]) {
      const { name, publicKey } = parseVerifierKey(vkey);
      expect(verifierKey(name, publicKey)).toBe(vkey);
    }
  });

  it('reads a vkey into name, key id and public key', () => {
    const parsed = parseVerifierKey(FOO_VKEY);
    expect(parsed.name).toBe('example.com/foo');
    expect(hex(parsed.keyId)).toBe('530d903a');
    expect(hex(parsed.publicKey)).toBe(
      'e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4',
    );
  });

  it('refuses every truncation and every one-character change of a vkey (as x/mod tests)', () => {
    let refused = 0;
    for (let i = 0; i <= PETER_VKEY.length; i++) {
      for (let j = i + 1; j <= PETER_VKEY.length; j++) {
        if (i === 0 && j === PETER_VKEY.length) continue;
        expect(() => parseVerifierKey(PETER_VKEY.slice(i, j))).toThrow(NoteError);
        refused++;
      }
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const changed =
        PETER_VKEY.slice(0, i) +
        String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) +
        PETER_VKEY.slice(i + 1);
      expect(() => parseVerifierKey(changed)).toThrow(NoteError);
      refused++;
    }
    expect(refused).toBeGreaterThan(2000);
  });

  it.each([
    // x/mod: wrong key length with a key id computed for it (its last base64 character has
    // unused bits set, too); unknown signature type likewise.
    ['PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==', /not base64/],
    [
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEQ==',
      /the public key is 36 bytes, not 32/,
    ],
    ['PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /signature type 0x65/],
    ['PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /does not match/],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW', /not base64/],
    ['Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /not a key name/],
    ['PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /8 hex digits/],
    ['PeterNeumann', /is not <name>\+<key id>\+<key>/],
  ])('refuses %s', (vkey, message) => {
    expect(() => parseVerifierKey(vkey)).toThrow(message);
  });

  it('accepts the key names the spec allows and only those', () => {
    expect(isKeyName('example.com/log42')).toBe(true);
    expect(isKeyName('café.example/ü')).toBe(true);
    for (const bad of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u2003b', 'a\u3000b', 'a\u0001b']) {
      expect(isKeyName(bad)).toBe(false);
    }
    expect(() => ed25519KeyId('a+b', new Uint8Array(32))).toThrow(NoteError);
    expect(() => ed25519KeyId('a', new Uint8Array(31))).toThrow(/31 bytes/);
  });

  it('reads the x of a JWK into the raw public key', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const { x = '' } = publicKey.export({ format: 'jwk' });
    const raw = ed25519PublicKeyFromJwkX(x);
    expect(raw).toHaveLength(32);
    expect(Buffer.from(raw).toString('base64url')).toBe(x);
    expect(() => ed25519PublicKeyFromJwkX(`${x}=`)).toThrow(NoteError);
    expect(() => ed25519PublicKeyFromJwkX(x.slice(1))).toThrow(NoteError);
    expect(() => ed25519PublicKeyFromJwkX(Buffer.from(raw).toString('base64'))).toThrow(NoteError);
    expect(() => ed25519PublicKeyFromJwkX('a+b/' + x.slice(4))).toThrow(NoteError);
    expect(() => ed25519PublicKeyFromJwkX(Buffer.alloc(33).toString('base64url'))).toThrow(
      /33 bytes/,
    );
  });
});

describe('openNote', () => {
  it('verifies the reference note', () => {
    const opened = openNote(PETER_NOTE, [peter]);
    expect(opened.text).toBe(TEXT);
    expect(opened.verified.map((s) => [s.name, hex(s.keyId)])).toEqual([
      ['PeterNeumann', 'c74f20a3'],
    ]);
    expect(opened.verified[0]?.line).toBe(PETER_SIG.slice(0, -1));
    expect(opened.verified[0]?.signature).toHaveLength(64);
    expect(opened.unverified).toEqual([]);
  });

  it('verifies the example.com/foo vector', () => {
    expect(openNote(FOO_NOTE, [verifierFromKey(FOO_VKEY)]).text).toBe(
      'This is an example message.\n',
    );
  });

  it('fails when one byte of the text changes', () => {
    const changed = PETER_NOTE.replace('cryptography', 'cryptographY');
    expect(() => openNote(changed, [peter])).toThrow(
      /signature by PeterNeumann\+c74f20a3 does not verify/,
    );
  });

  it('fails when one character of the signature changes', () => {
    // Position 40 is inside the Ed25519 signature, past the key id, and keeps valid base64.
    expect(() => openNote(`${TEXT}\n${mangle(PETER_SIG, 40)}`, [peter])).toThrow(/does not verify/);
  });

  it('returns signatures by keys it does not know as unverified', () => {
    const note = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const opened = openNote(note, [peter]);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['EnochRoot']);
    expect(openNote(note, [peter, enoch]).verified.map((s) => s.name)).toEqual([
      'PeterNeumann',
      'EnochRoot',
    ]);
  });

  it('ignores an unknown signature even when it would not verify', () => {
    const note = `${TEXT}\n${PETER_SIG}${mangle(ENOCH_SIG, 40)}`;
    expect(openNote(note, [peter]).unverified).toHaveLength(1);
  });

  it('needs one known signature', () => {
    expect(() => openNote(PETER_NOTE, [])).toThrow(/no known signature/);
    expect(() => openNote(PETER_NOTE, [enoch])).toThrow(
      /no known signature.*PeterNeumann\+c74f20a3/,
    );
  });

  it('treats a known name with another key id, or a known id with another name, as unknown', () => {
    const otherKey = ed25519Verifier('PeterNeumann', generatedSigner('x').publicKey);
    const sameIdOtherName: NoteVerifier = { ...peter, name: 'PaulNeumann' };
    const note = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const opened = openNote(note, [otherKey, sameIdOtherName, enoch]);
    expect(opened.verified.map((s) => s.name)).toEqual(['EnochRoot']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['PeterNeumann']);
  });

  it('collapses a line repeated word for word', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}`, [peter]);
    expect(opened.verified).toHaveLength(1);
    expect(opened.unverified).toHaveLength(1);
  });

  it('refuses two different signatures by the same known key', () => {
    const note = `${TEXT}\n${PETER_SIG}${mangle(PETER_SIG, 40)}`;
    expect(() => openNote(note, [peter])).toThrow(/more than one signature by PeterNeumann/);
  });

  it('refuses two verifiers for the same name and key id', () => {
    const twin = verifierFromKey(PETER_VKEY);
    expect(() => openNote(PETER_NOTE, [peter, twin])).toThrow(/2 verifiers/);
    // The same verifier given twice is not ambiguous.
    expect(openNote(PETER_NOTE, [peter, peter]).verified).toHaveLength(1);
  });

  it('parses the spec opening example, and does not trust it without its key', () => {
    const { text, signatures } = parseNote(QUASIMODO_NOTE);
    // The text keeps its own empty line: the last blank line separates the signatures.
    expect(text).toBe(
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n',
    );
    expect(signatures.map((s) => [s.name, hex(s.keyId), s.signature.length])).toEqual([
      ['quasimodo.example/salvatore', '367ba04b', 64],
    ]);
    expect(() => openNote(QUASIMODO_NOTE, [peter])).toThrow(/no known signature/);
  });
});

describe('malformed notes', () => {
  const line = PETER_SIG.slice(0, -1);
  const [, base64 = ''] = line.split(' ').slice(1);
  it.each([
    ['no blank line', TEXT, /no blank line/],
    ['no signature after the blank line', `${TEXT}\n`, /no signature line/],
    ['no final newline', `${TEXT}\n${line}`, /does not end in a newline/],
    ['a control character', `\u0001${PETER_NOTE}`, /control character U\+0001/],
    ['a carriage return', PETER_NOTE.replace('\n', '\r\n'), /control character U\+000D/],
    ['a lone surrogate', `\ud800${PETER_NOTE}`, /lone surrogate/],
    ['a name with a space', `${TEXT}\n— Bad Name ${base64}\n`, /not base64|not a key name/],
    ['a name with a plus', `${TEXT}\n— Bad+Name ${base64}\n`, /not a key name/],
    ['a hyphen for the em dash', `${TEXT}\n- PeterNeumann ${base64}\n`, /em dash/],
    [
      'a line after the signatures',
      `${PETER_NOTE}Unexpected line.\n`,
      /line 2 after the blank line/,
    ],
    ['bad base64', `${TEXT}\n— PeterNeumann ${base64.replace('/', '!')}\n`, /not base64/],
    [
      'base64 without padding',
      `${TEXT}\n— PeterNeumann ${base64.replace('=', '')}\n`,
      /not base64/,
    ],
    ['base64url', `${TEXT}\n— PeterNeumann ${base64.replaceAll('/', '_')}\n`, /not base64/],
    // 'AM=' → 'AN=': the unused low bits of the last character are not zero.
    [
      'non-canonical base64',
      `${TEXT}\n— PeterNeumann ${base64.replace('AM=', 'AN=')}\n`,
      /not base64/,
    ],
    ['a signature shorter than a key id', `${TEXT}\n— PeterNeumann AAAA\n`, /too short/],
    ['no signature on the line', `${TEXT}\n— PeterNeumann\n`, /has no signature/],
    [
      'too many signatures',
      `${TEXT}\n${PETER_SIG.repeat(MAX_SIGNATURES + 1)}`,
      /101 signature lines/,
    ],
  ])('refuses %s', (_what, note, message) => {
    expect(() => parseNote(note)).toThrow(NoteError);
    expect(() => parseNote(note)).toThrow(message);
    expect(() => openNote(note, [peter])).toThrow(NoteError);
  });

  it(`accepts ${MAX_SIGNATURES} signatures (the spec asks for at least 16)`, () => {
    const lines = Array.from({ length: MAX_SIGNATURES }, (_, i) =>
      signatureLine(`log${i}.example`, Uint8Array.of(0, 0, 0, i), new Uint8Array(64)),
    );
    const note = `${TEXT}\n${lines.map((l) => `${l}\n`).join('')}${PETER_SIG}`;
    expect(() => parseNote(note)).toThrow(/101/);
    const fits = `${TEXT}\n${lines.slice(1).join('\n')}\n${PETER_SIG}`;
    expect(parseNote(fits).signatures).toHaveLength(MAX_SIGNATURES);
    expect(openNote(fits, [peter]).unverified).toHaveLength(MAX_SIGNATURES - 1);
  });

  it('names the NoteError', () => {
    const error = (() => {
      try {
        parseNote(TEXT);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NoteError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('NoteError');
  });
});

describe('signNote', () => {
  it('reproduces the reference note byte for byte', async () => {
    const signer = signerFromGoKey(PETER_SKEY);
    expect(await signNote(TEXT, [signer])).toBe(PETER_NOTE);
    // Deterministic: the same text and keys give the same note again.
    expect(await signNote(TEXT, [signer])).toBe(PETER_NOTE);
  });

  it('signs the UTF-8 bytes of the text, and opens again', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const text = 'greenlane.example/ledger\nGrüße — 関税 🛃\n\nsecond paragraph\n';
    const signers = [
      keySigner('greenlane.example/ledger', privateKey),
      generatedSigner('b.example'),
    ];
    const note = await signNote(text, signers);
    const opened = openNote(
      note,
      signers.map((s) => ed25519Verifier(s.name, s.publicKey)),
    );
    expect(opened.text).toBe(text);
    expect(opened.verified.map((s) => s.name)).toEqual(['greenlane.example/ledger', 'b.example']);
    const [first] = opened.verified;
    expect(
      verify(null, Buffer.from(text, 'utf8'), publicKey, first?.signature ?? new Uint8Array()),
    ).toBe(true);
  });

  it('refuses what would not be a valid note', async () => {
    const signer = generatedSigner('a.example');
    await expect(signNote('no newline', [signer])).rejects.toThrow(/does not end in a newline/);
    await expect(signNote('tab\there\n', [signer])).rejects.toThrow(/U\+0009/);
    await expect(signNote(TEXT, [])).rejects.toThrow(/at least one signer/);
    await expect(signNote(TEXT, [signer, signer])).rejects.toThrow(/given twice/);
    await expect(signNote(TEXT, [{ ...signer, name: 'a b' }])).rejects.toThrow(/not a key name/);
  });

  it('refuses a signer whose signature is not an Ed25519 signature by its public key', async () => {
    const signer = generatedSigner('a.example');
    const other = generatedSigner('a.example');
    await expect(signNote(TEXT, [{ ...signer, publicKey: other.publicKey }])).rejects.toThrow(
      /does not verify with its public key/,
    );
    await expect(
      signNote(TEXT, [{ ...signer, sign: async () => new Uint8Array(63) }]),
    ).rejects.toThrow(/63 bytes/);
  });
});

describe('addSignatures', () => {
  it('appends a line, once', () => {
    const both = addSignatures(PETER_NOTE, [ENOCH_SIG]);
    expect(both).toBe(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
    expect(openNote(both, [peter, enoch]).verified).toHaveLength(2);
    expect(addSignatures(both, [ENOCH_SIG.slice(0, -1), PETER_SIG])).toBe(both);
  });

  it('refuses a second, different signature by a key that already signed', () => {
    expect(() => addSignatures(PETER_NOTE, [mangle(PETER_SIG, 40)])).toThrow(
      /another signature by PeterNeumann\+c74f20a3/,
    );
  });

  it('refuses a malformed line or note', () => {
    expect(() => addSignatures(PETER_NOTE, ['- EnochRoot AAAAAAAA'])).toThrow(NoteError);
    expect(() => addSignatures(PETER_NOTE, [`${ENOCH_SIG}${ENOCH_SIG}`])).toThrow(NoteError);
    expect(() => addSignatures(TEXT, [ENOCH_SIG])).toThrow(/no blank line/);
  });

  it(`keeps a note within ${MAX_SIGNATURES} signatures`, () => {
    const lines = Array.from({ length: MAX_SIGNATURES }, (_, i) =>
      signatureLine(`w${i}.example`, Uint8Array.of(1, 2, 3, 4), new Uint8Array(72)),
    );
    expect(() => addSignatures(PETER_NOTE, lines)).toThrow(/101 signature lines/);
  });
});

describe('parseSignatureLine', () => {
  it('splits a line into name, key id and signature', () => {
    const parsed = parseSignatureLine(ENOCH_SIG);
    expect(parsed.name).toBe('EnochRoot');
    expect(hex(parsed.keyId)).toBe('af0cfe78');
    expect(encodeBase64(parsed.signature)).toBe(
      encodeBase64((decodeBase64(ENOCH_SIG.slice(12, -1)) ?? new Uint8Array()).slice(4)),
    );
    expect(parsed.line).toBe(ENOCH_SIG.slice(0, -1));
  });
});
