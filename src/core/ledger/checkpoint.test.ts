import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64, hex } from './bytes.js';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { NoteError, parseNote } from './note.js';

// The example of c2sp.org/tlog-checkpoint@v1.0.0.
const SPEC_TEXT =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_NOTE =
  `${SPEC_TEXT}\n` +
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
const ROOT = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';

const checkpoint = (over: Partial<Checkpoint> = {}): Checkpoint => ({
  origin: 'greenlane.example/ledger',
  size: 42,
  root: new Uint8Array(32).fill(7),
  extensions: [],
  ...over,
});

describe('parseCheckpoint', () => {
  it('reads the spec example', () => {
    const c = parseCheckpoint(SPEC_TEXT);
    expect(c.origin).toBe('example.com/behind-the-sofa');
    expect(c.size).toBe(20852163);
    expect(hex(c.root)).toBe('0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62');
    expect(c.extensions).toEqual([]);
  });

  it('reads the text of the spec example note, signed under the origin', () => {
    const { text, signatures } = parseNote(SPEC_NOTE);
    expect(parseCheckpoint(text).origin).toBe(signatures[0]?.name);
    expect(hex(signatures[0]?.keyId ?? new Uint8Array())).toBe('033de0ae');
  });

  it('reads extension lines and the empty tree', () => {
    const c = parseCheckpoint(`o\n0\n${ROOT}\next one\n+ext two\n`);
    expect(c.size).toBe(0);
    expect(c.extensions).toEqual(['ext one', '+ext two']);
  });

  it('takes the origin as it is: the spec forbids assuming it is a key name', () => {
    expect(parseCheckpoint(`a log+with spaces\n1\n${ROOT}\n`).origin).toBe('a log+with spaces');
  });

  it('reads the largest size GreenLane handles', () => {
    expect(parseCheckpoint(`o\n${Number.MAX_SAFE_INTEGER}\n${ROOT}\n`).size).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it.each([
    ['020852163', /line 2 \(tree size\) "020852163" has a leading zero/],
    ['00', /leading zero/],
    ['-1', /line 2 \(tree size\) "-1" is not a decimal number/],
    ['+1', /not a decimal number/],
    ['1.5', /not a decimal number/],
    ['1e3', /not a decimal number/],
    ['0x10', /not a decimal number/],
    [' 1', /not a decimal number/],
    ['١٢', /not a decimal number/],
    ['', /line 2 \(tree size\) is empty/],
    ['9007199254740992', /exceeds 2\^53 − 1, the largest tree size GreenLane handles/],
    ['9223372036854775807', /exceeds 2\^53 − 1/],
    ['9223372036854775808', /exceeds 2\^63 − 1/],
    ['99999999999999999999999', /exceeds 2\^63 − 1/],
  ])('refuses the tree size %j', (size, message) => {
    expect(() => parseCheckpoint(`o\n${size}\n${ROOT}\n`)).toThrow(NoteError);
    expect(() => parseCheckpoint(`o\n${size}\n${ROOT}\n`)).toThrow(message);
  });

  it.each([
    ['not base64!', /line 3 \(root hash\) "not base64!" is not base64/],
    [ROOT.replace('=', ''), /not base64/],
    [ROOT.replaceAll('/', '_'), /not base64/],
    [encodeBase64(new Uint8Array(31)), /line 3 \(root hash\) .* is 31 bytes, not 32/],
    [encodeBase64(new Uint8Array(33)), /33 bytes/],
    [encodeBase64(new Uint8Array(48)), /48 bytes/],
    ['', /is 0 bytes/],
  ])('refuses the root hash %j', (root, message) => {
    expect(() => parseCheckpoint(`o\n1\n${root}\n`)).toThrow(message);
  });

  it.each([
    ['', /checkpoint is empty/],
    ['o\n1\nroot', /does not end in a newline/],
    ['\n', /line 1 \(origin\) is empty/],
    [`\n1\n${ROOT}\n`, /line 1 \(origin\) is empty/],
    ['o\n', /line 2 \(tree size\) is missing/],
    ['o\n1\n', /line 3 \(root hash\) is missing/],
    [`o\n1\n${ROOT}\n\n`, /line 4 \(extension\) is empty/],
    [`o\n1\n${ROOT}\next\n\nmore\n`, /line 5 \(extension\) is empty/],
    [`o\n1\n${ROOT}\next\tension\n`, /line 4 contains the control character U\+0009/],
    [`o\r\n1\n${ROOT}\n`, /line 1 contains the control character U\+000D/],
  ])('refuses %j', (text, message) => {
    expect(() => parseCheckpoint(text)).toThrow(message);
  });

  it('says so when handed the whole signed note', () => {
    expect(() => parseCheckpoint(SPEC_NOTE)).toThrow(
      /line 4 \(extension\) is empty .*whole signed note/,
    );
  });
});

describe('formatCheckpoint', () => {
  it('writes the spec example', () => {
    expect(formatCheckpoint(parseCheckpoint(SPEC_TEXT))).toBe(SPEC_TEXT);
  });

  it('writes origin, size, root and extensions, one per line', () => {
    const text = formatCheckpoint(checkpoint({ size: 0, extensions: ['a', 'b c'] }));
    expect(text).toBe(
      `greenlane.example/ledger\n0\n${encodeBase64(new Uint8Array(32).fill(7))}\na\nb c\n`,
    );
  });

  it('round-trips through parseCheckpoint', () => {
    const line = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter((s) => !/[\u0000-\u001f]/.test(s));
    fc.assert(
      fc.property(
        fc.record({
          origin: line,
          size: fc.maxSafeNat(),
          root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          extensions: fc.array(line, { maxLength: 4 }),
        }),
        (c) => {
          const parsed = parseCheckpoint(formatCheckpoint(c));
          expect(parsed).toEqual({ ...c, root: new Uint8Array(c.root) });
        },
      ),
    );
  });

  it.each([
    [checkpoint({ origin: '' }), /line 1 \(origin\) is empty/],
    [checkpoint({ origin: 'a\nb' }), /line 1 \(origin\) holds a newline/],
    [checkpoint({ origin: 'a\u0000' }), /U\+0000/],
    [checkpoint({ size: -1 }), /tree size -1/],
    [checkpoint({ size: 1.5 }), /tree size 1.5/],
    [checkpoint({ size: Number.NaN }), /tree size NaN/],
    [checkpoint({ size: 2 ** 53 }), /tree size 9007199254740992/],
    [checkpoint({ root: new Uint8Array(31) }), /31 bytes, not 32/],
    [checkpoint({ extensions: ['ok', ''] }), /line 5 \(extension\) is empty/],
    [checkpoint({ extensions: ['a\nb'] }), /line 4 \(extension\) holds a newline/],
  ])('refuses %#', (c, message) => {
    expect(() => formatCheckpoint(c)).toThrow(NoteError);
    expect(() => formatCheckpoint(c)).toThrow(message);
  });
});
