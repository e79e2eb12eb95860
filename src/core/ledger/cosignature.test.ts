import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concat, hex } from './bytes.js';
import { formatCheckpoint } from './checkpoint.js';
import {
  cosign,
  cosignatureKeyId,
  cosignatureMessage,
  cosignaturesOf,
  parseWitnessVerifierKey,
  verifyCosignature,
  witnessVerifierKey,
} from './cosignature.js';
import {
  addSignatures,
  ed25519PublicKeyFromJwkX,
  NoteError,
  openNote,
  parseSignatureLine,
  signatureLine,
  signNote,
  verifierFromKey,
} from './note.js';

// A real checkpoint of Google's staging CT log arche2025h1, signed by the log (an Ed25519 note
// signature and an RFC 6962 one, type 0x05) and cosigned by four public witnesses. The vkeys are
// the ones the log and the witnesses publish.
const ARCHE_TEXT =
  'arche2025h1.staging.ct.transparency.dev\n1432088532\nU7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n';
const ARCHE_NOTE = `${ARCHE_TEXT}
— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
`;
const ARCHE_LOG_VKEY =
  'arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f';
const WITNESS_VKEYS = [
  'transparency.dev/DEV:witness-little-garden+d8042a87+BCtusOxINQNUTN5Oj8HObRkh2yHf/MwYaGX4CPdiVEPM',
  'witness1.smartit.nu/witness1+a48c820f+BPSFWg9G6KPiO7QPryYO5Xq4oYJJ+kAvLKLSimDhoxMO',
  'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
  'witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv',
];
const witnesses = WITNESS_VKEYS.map(parseWitnessVerifierKey);
const remora = witnesses[2] ?? { name: '', publicKey: new Uint8Array() };
const remoraLine = ARCHE_NOTE.split('\n').find((l) => l.includes('remora')) ?? '';
/** 0x6a122120: the time all four witnesses stated. */
const ARCHE_TIME = 1779573024;

// The example of c2sp.org/tlog-cosignature@v1.0.0 (the spec gives no key for the witness).
const SPEC_CHECKPOINT =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_WITNESS_LINE =
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';

function generatedWitness(name: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    name,
    publicKey: rawPublicKey(publicKey),
    privateKey,
    sign: async (message: Uint8Array) => new Uint8Array(sign(null, message, privateKey)),
  };
}

function rawPublicKey(key: KeyObject): Uint8Array {
  return ed25519PublicKeyFromJwkX(key.export({ format: 'jwk' }).x ?? '');
}

/** The bytes after the key id of a signature line. */
function signatureBytes(line: string): Uint8Array {
  return parseSignatureLine(line).signature;
}

const time64 = (t: bigint) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, t);
  return bytes;
};

describe('a real cosigned checkpoint', () => {
  it('has the cosignatures of the four witnesses, all at the same time', () => {
    const { valid, invalid } = cosignaturesOf(ARCHE_NOTE, witnesses);
    expect(invalid).toEqual([]);
    expect(valid.map((c) => [c.name, hex(c.keyId), c.time])).toEqual([
      ['transparency.dev/DEV:witness-little-garden', 'd8042a87', ARCHE_TIME],
      ['witness1.smartit.nu/witness1', 'a48c820f', ARCHE_TIME],
      ['remora.n621.de', 'da77ade7', ARCHE_TIME],
      ['witness.stagemole.eu', '67f7aea0', ARCHE_TIME],
    ]);
    expect(valid.every((c) => c.signature.length === 64)).toBe(true);
  });

  it('verifies the log signature as a plain note signature, the cosignatures are unknown to it', () => {
    const opened = openNote(ARCHE_NOTE, [verifierFromKey(ARCHE_LOG_VKEY)]);
    expect(opened.text).toBe(ARCHE_TEXT);
    expect(opened.verified.map((s) => hex(s.keyId))).toEqual(['ba2f06c0']);
    expect(opened.unverified).toHaveLength(5);
  });

  it('verifies one line on its own', () => {
    const c = verifyCosignature(ARCHE_TEXT, remoraLine, remora);
    expect(c).toMatchObject({ name: 'remora.n621.de', time: ARCHE_TIME, line: remoraLine });
  });

  it('fails every cosignature for another tree size', () => {
    const changed = ARCHE_NOTE.replace('1432088532', '1432088533');
    const { valid, invalid } = cosignaturesOf(changed, witnesses);
    expect(valid).toEqual([]);
    expect(invalid.map((i) => i.name)).toEqual(witnesses.map((w) => w.name));
    expect(invalid[2]?.reason).toMatch(
      /cosignature by remora\.n621\.de\+da77ade7 at time 1779573024 does not verify/,
    );
  });

  it('computes the witnesses key ids and vkeys as they publish them', () => {
    for (const [i, w] of witnesses.entries()) {
      expect(witnessVerifierKey(w.name, w.publicKey)).toBe(WITNESS_VKEYS[i]);
      expect(cosignatureKeyId(w.name, w.publicKey)).toEqual(w.keyId);
    }
    expect(hex(cosignatureKeyId(remora.name, remora.publicKey))).toBe('da77ade7');
  });
});

describe('the spec example', () => {
  it('builds the signed message of the spec', () => {
    expect(new TextDecoder().decode(cosignatureMessage(SPEC_CHECKPOINT, 1679315147))).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it('carries the time of the message example after the key id', () => {
    const bytes = signatureBytes(SPEC_WITNESS_LINE);
    expect(hex(parseSignatureLine(SPEC_WITNESS_LINE).keyId)).toBe('8d66cf3f');
    expect(bytes).toHaveLength(72);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0)).toBe(1679315147n);
  });

  it('is not a cosignature by a witness of that name with another key', () => {
    const other = generatedWitness('witness.example.com/w1');
    expect(() => verifyCosignature(SPEC_CHECKPOINT, SPEC_WITNESS_LINE, other)).toThrow(
      /has key id 8d66cf3f, not/,
    );
  });
});

describe('cosign', () => {
  const text = formatCheckpoint({
    origin: 'greenlane.example/ledger',
    size: 1234,
    root: new Uint8Array(32).fill(9),
    extensions: ['extension'],
  });

  it('makes a line that verifies, and that a note takes', async () => {
    const witness = generatedWitness('witness.greenlane.example');
    const line = await cosign(text, 1_700_000_000, witness);
    expect(line.startsWith('— witness.greenlane.example ')).toBe(true);
    expect(line.endsWith('\n')).toBe(false);
    const c = verifyCosignature(text, line, witness);
    expect(c.time).toBe(1_700_000_000);
    expect(c.line).toBe(line);
    expect(c.keyId).toEqual(cosignatureKeyId(witness.name, witness.publicKey));
    expect(verifyCosignature(text, `${line}\n`, witness).time).toBe(1_700_000_000);

    const log = generatedWitness('greenlane.example/ledger');
    const note = addSignatures(await signNote(text, [log]), [line]);
    expect(cosignaturesOf(note, [witness]).valid.map((v) => v.time)).toEqual([1_700_000_000]);
    // The witness signs with the same kind of key as the log, under another key id: its line is not
    // a plain note signature, and the log's is not a cosignature.
    expect(cosignaturesOf(note, [log])).toEqual({ valid: [], invalid: [] });
  });

  it('is deterministic for the same checkpoint, time and key', async () => {
    const witness = generatedWitness('w.example');
    expect(await cosign(text, 5, witness)).toBe(await cosign(text, 5, witness));
    expect(await cosign(text, 5, witness)).not.toBe(await cosign(text, 6, witness));
  });

  it('fails for another time', async () => {
    const witness = generatedWitness('w.example');
    const line = await cosign(text, 100, witness);
    const bytes = signatureBytes(line);
    const retimed = signatureLine(
      witness.name,
      parseSignatureLine(line).keyId,
      concat(time64(101n), bytes.slice(8)),
    );
    expect(() => verifyCosignature(text, retimed, witness)).toThrow(
      /at time 101 does not verify for this checkpoint/,
    );
  });

  it('fails for a changed checkpoint, extension lines included', async () => {
    const witness = generatedWitness('w.example');
    const line = await cosign(text, 100, witness);
    expect(() => verifyCosignature(text.replace('1234', '1235'), line, witness)).toThrow(
      /does not verify/,
    );
    expect(() => verifyCosignature(text.replace('extension', 'extensioN'), line, witness)).toThrow(
      /does not verify/,
    );
  });

  it('fails for another witness key or name', async () => {
    const witness = generatedWitness('w.example');
    const line = await cosign(text, 100, witness);
    const sameName = generatedWitness('w.example');
    expect(() => verifyCosignature(text, line, sameName)).toThrow(/has key id .* not/);
    expect(() =>
      verifyCosignature(text, line, { name: 'v.example', publicKey: witness.publicKey }),
    ).toThrow(/is by w\.example, not by the witness v\.example/);
  });

  it('refuses a text that is not a checkpoint, or a time that is not whole seconds', async () => {
    const witness = generatedWitness('w.example');
    await expect(cosign('just a note\n', 1, witness)).rejects.toThrow(/line 2 \(tree size\)/);
    await expect(cosign(text, -1, witness)).rejects.toThrow(/time -1/);
    await expect(cosign(text, 1.5, witness)).rejects.toThrow(/time 1.5/);
    await expect(cosign(text, 2 ** 53, witness)).rejects.toThrow(/time 9007199254740992/);
  });

  it('refuses a signature that is not by the witness key', async () => {
    const witness = generatedWitness('w.example');
    const other = generatedWitness('w.example');
    await expect(cosign(text, 1, { ...witness, sign: other.sign })).rejects.toThrow(
      /does not verify with its public key/,
    );
    await expect(
      cosign(text, 1, { ...witness, sign: async () => new Uint8Array(72) }),
    ).rejects.toThrow(/72 bytes/);
  });

  it('refuses times the line cannot carry', async () => {
    const witness = generatedWitness('w.example');
    const keyId = cosignatureKeyId(witness.name, witness.publicKey);
    const line = (t: bigint) =>
      signatureLine(witness.name, keyId, concat(time64(t), new Uint8Array(64)));
    expect(() => verifyCosignature(text, line(2n ** 53n), witness)).toThrow(/exceeds 2\^53 − 1/);
    expect(() => verifyCosignature(text, line(2n ** 63n), witness)).toThrow(/exceeds 2\^63 − 1/);
    const short = signatureLine(witness.name, keyId, new Uint8Array(64));
    expect(() => verifyCosignature(text, short, witness)).toThrow(
      /64 bytes after the key id, not 72/,
    );
  });
});

describe('cosignaturesOf', () => {
  const text = formatCheckpoint({
    origin: 'greenlane.example/ledger',
    size: 7,
    root: new Uint8Array(32).fill(1),
    extensions: [],
  });

  it('counts each witness once, and reports the ones that do not verify', async () => {
    const log = generatedWitness('greenlane.example/ledger');
    const [a, b, c] = ['a.example', 'b.example', 'c.example'].map(generatedWitness);
    if (a === undefined || b === undefined || c === undefined) throw new Error('three witnesses');
    const forged = signatureLine(
      b.name,
      cosignatureKeyId(b.name, b.publicKey),
      concat(time64(10n), new Uint8Array(64).fill(3)),
    );
    const note = addSignatures(await signNote(text, [log]), [await cosign(text, 10, a), forged]);
    const result = cosignaturesOf(note, [a, a, b, c]);
    expect(result.valid.map((v) => v.name)).toEqual(['a.example']);
    expect(result.invalid).toEqual([
      { name: 'b.example', reason: expect.stringMatching(/does not verify/) as unknown },
    ]);
  });

  it('does not count a witness with two lines', async () => {
    const log = generatedWitness('greenlane.example/ledger');
    const a = generatedWitness('a.example');
    // addSignatures refuses a second line by one key, so assemble the note by hand.
    const note = `${await signNote(text, [log])}${await cosign(text, 10, a)}\n${await cosign(text, 11, a)}\n`;
    expect(cosignaturesOf(note, [a])).toEqual({
      valid: [],
      invalid: [
        {
          name: 'a.example',
          reason: expect.stringMatching(/2 cosignatures by a\.example/) as unknown,
        },
      ],
    });
  });

  it('refuses a note whose text is not a checkpoint', async () => {
    const log = generatedWitness('greenlane.example/ledger');
    const note = await signNote('hello\n', [log]);
    expect(() => cosignaturesOf(note, [log])).toThrow(NoteError);
  });

  it('reads a witness vkey of type 0x04 only', () => {
    const w = generatedWitness('w.example');
    const vkey = witnessVerifierKey(w.name, w.publicKey);
    expect(parseWitnessVerifierKey(vkey)).toEqual({
      name: 'w.example',
      keyId: cosignatureKeyId(w.name, w.publicKey),
      publicKey: w.publicKey,
    });
    expect(() => parseWitnessVerifierKey(ARCHE_LOG_VKEY)).toThrow(
      /signature type 0x01, expected 0x04/,
    );
    // base64 of 0x04 ‖ …: the type byte's six high bits are zero, then 01.
    expect(vkey).toMatch(/^w\.example\+[0-9a-f]{8}\+B/);
  });
});
