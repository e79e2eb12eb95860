// eslint-disable-next-line no-restricted-imports -- the test reads fixture files; the module stays pure
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CanonicalJsonError,
  canonicalBytes,
  canonicalJson,
  isCanonical,
} from './canonical-json.js';

const JCS = new URL('../../../test/fixtures/jcs/', import.meta.url);
const cases = readdirSync(new URL('input/', JCS)).map((f) => f.replace(/\.json$/, ''));

describe('canonicalJson: RFC 8785 test data', () => {
  it('has every case of the upstream data', () => {
    expect(cases.sort()).toEqual(['arrays', 'french', 'structures', 'unicode', 'values', 'weird']);
  });

  it.each(cases)('%s: input canonicalises to output byte for byte, and to outhex', (name) => {
    const input: unknown = JSON.parse(readFileSync(new URL(`input/${name}.json`, JCS), 'utf8'));
    const output = readFileSync(new URL(`output/${name}.json`, JCS));
    const hex = readFileSync(new URL(`outhex/${name}.txt`, JCS), 'utf8').replace(/\s+/g, '');

    const bytes = canonicalBytes(input);
    expect(Buffer.from(bytes).equals(output)).toBe(true);
    expect(Buffer.from(bytes).toString('hex')).toBe(hex);
    expect(canonicalJson(input)).toBe(output.toString('utf8'));
    expect(isCanonical(output)).toBe(true);
    expect(isCanonical(readFileSync(new URL(`input/${name}.json`, JCS)))).toBe(false);
  });
});

describe('canonicalJson: what JCS cannot represent is refused, naming the path', () => {
  const refusals: Array<[string, () => unknown, string, RegExp]> = [
    ['undefined member', () => ({ a: { b: undefined } }), '/a/b', /undefined/],
    ['undefined array item', () => ({ a: [1, undefined] }), '/a/1', /undefined/],
    ['hole in a sparse array', () => [1, , 3], '/1', /undefined/],
    ['undefined at the root', () => undefined, '', /\(root\).*undefined/],
    ['NaN', () => ({ n: NaN }), '/n', /NaN/],
    ['Infinity', () => ({ n: [Infinity] }), '/n/0', /Infinity/],
    ['-Infinity', () => ({ n: -Infinity }), '/n', /Infinity/],
    ['Date', () => ({ at: new Date(0) }), '/at', /Date is not a plain object/],
    ['Map', () => ({ m: new Map() }), '/m', /Map/],
    ['class instance', () => ({ x: new (class Point {})() }), '/x', /Point/],
    ['Uint8Array', () => ({ b: new Uint8Array(2) }), '/b', /not a plain/],
    ['function', () => ({ f: () => 1 }), '/f', /function/],
    ['toJSON on a plain object', () => ({ o: { toJSON: () => 1 } }), '/o/toJSON', /function/],
    ['symbol value', () => ({ s: Symbol('s') }), '/s', /symbol/],
    ['bigint', () => ({ big: 1n }), '/big', /bigint/],
    ['lone high surrogate', () => ({ s: 'a\ud800b' }), '/s', /lone surrogate/],
    ['lone low surrogate at the end', () => ['ok', 'x\udc00'], '/1', /lone surrogate/],
    ['lone surrogate in a key', () => ({ ['k\ud800']: 1 }), '/k\ud800', /lone surrogate in key/],
    ['key with / and ~ (JSON pointer escaping)', () => ({ 'a/b~c': NaN }), '/a~1b~0c', /NaN/],
  ];

  it.each(refusals)('%s', (_name, make, path, message) => {
    const value = make();
    let error: unknown;
    try {
      canonicalJson(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CanonicalJsonError);
    expect((error as CanonicalJsonError).path).toBe(path);
    expect((error as Error).message).toMatch(message);
    expect(() => canonicalBytes(value)).toThrow(CanonicalJsonError);
  });

  it('refuses a circular reference', () => {
    const a: Record<string, unknown> = {};
    a.self = { back: a };
    expect(() => canonicalJson(a)).toThrow(/"\/self\/back": circular reference/);
  });

  it('accepts the same object twice when it is not its own ancestor', () => {
    const shared = { z: 1, a: 2 };
    expect(canonicalJson({ x: shared, y: [shared] })).toBe(
      '{"x":{"a":2,"z":1},"y":[{"a":2,"z":1}]}',
    );
  });

  it('accepts null-prototype objects, paired surrogates, -0 and keys named __proto__', () => {
    const bare = Object.assign(Object.create(null) as object, { b: 1, a: '\ud83d\ude02' });
    expect(canonicalJson(bare)).toBe('{"a":"😂","b":1}');
    expect(canonicalJson([-0])).toBe('[0]');
    expect(canonicalJson(JSON.parse('{"__proto__":1}'))).toBe('{"__proto__":1}');
  });
});

describe('isCanonical', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('is true only for the canonical form itself', () => {
    expect(isCanonical(bytes('{"a":1,"b":[true,null]}'))).toBe(true);
    expect(isCanonical(bytes('{"b":1,"a":1}'))).toBe(false);
    expect(isCanonical(bytes('{"a": 1}'))).toBe(false);
    expect(isCanonical(bytes('{"a":1}\n'))).toBe(false);
    expect(isCanonical(bytes('{"a":1.0}'))).toBe(false);
    expect(isCanonical(bytes('"\\u0041"'))).toBe(false);
  });

  it('is false for what is not JSON, or JSON that JCS refuses', () => {
    expect(isCanonical(bytes(''))).toBe(false);
    expect(isCanonical(bytes('{"a":1'))).toBe(false);
    expect(isCanonical(bytes('{"a":1,"a":1}'))).toBe(false);
    expect(isCanonical(bytes('1e400'))).toBe(false);
    expect(isCanonical(bytes('"\\ud800"'))).toBe(false);
    expect(isCanonical(Uint8Array.of(0xef, 0xbb, 0xbf, 0x31))).toBe(false);
    expect(isCanonical(Uint8Array.of(0x22, 0xff, 0x22))).toBe(false);
  });
});
