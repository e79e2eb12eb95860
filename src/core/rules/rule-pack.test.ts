import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { buildMessage, type MessageContent } from './message-node.js';
import { loadRulePack, type RulePackDocument } from './rule-pack.js';
import { javaDouble, javaInt, javaTrim } from './rule-functions.js';
import { validateMessageTree } from './validate-message-tree.js';

function pack(
  rules: Array<{ name?: string; context: string; asserts: Array<[string, string]> }>,
): RulePackDocument {
  return {
    name: 'test',
    version: 'test/1',
    source: { repository: 'here', licence: 'Apache-2.0' },
    rules: rules.map((r, k) => ({
      name: r.name ?? `r${k}`,
      context: r.context,
      asserts: r.asserts.map(([test, code]) => ({ test, code, message: `message ${code}` })),
    })),
  };
}

const message = (content: MessageContent) => buildMessage('ie:CC315A', content);

/** The codes and locations a one-assertion pack reports on a message. */
function run(context: string, test: string, content: MessageContent): string[] {
  const p = loadRulePack(pack([{ context, asserts: [[test, 'E1']] }]));
  return validateMessageTree(p, message(content)).map((v) => `${v.code} ${v.location}`);
}

describe('loadRulePack', () => {
  it('refuses a bad assertion, naming the rule, the assertion index and the CEL error', () => {
    const bad = pack([
      { name: 'good', context: '/A', asserts: [["exists(node, 'B')", '1']] },
      {
        name: 'p3',
        context: '/A',
        asserts: [
          ["exists(node, 'B')", '2'],
          ["number(node, 'B') == 1", '3'],
        ],
      },
    ]);
    let error: unknown;
    try {
      loadRulePack(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    const e = error as DomainError;
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(/rule 'p3', assertion 1: .*double == int/);
    expect(e.issues.map((i) => i.path)).toEqual(['/rules/1/asserts/1/test']);
    expect(e.issues[0]!.reason).toMatch(/^rule 'p3', assertion 1: no such overload: double == int/);
  });

  it.each([
    ["exists(node, 'B') ||", /assertion 0:/],
    ["value(node, 'B')", /must be bool, this one is string/],
    ["exists(node, 'B[1]')", /'B\[1\]' is not an element name/],
    ["exists(node, value(node, 'P'))", /argument 2 must be a path in quotes/],
    ["matches(node, 'B', '(')", /matches\(\): .*missing closing \)/],
    ["matches(node, 'B', '(a)\\\\1')", /no backreferences, lookahead or lookbehind.*\\1/],
    ["matches(node, 'B', '(?!x).+')", /RE2 syntax.*\(\?!/],
    ["value(node, 'B').matches('(a|a)*b')", /text\.matches\(regex\) is not available/],
    ["nodes(node, 'B').exists(n, n.text.matches(value(node, 'C')))", /text\.matches/],
    ["matches(node, 'B', '(?<=a)b')", /RE2 syntax/],
    ["matches(node, 'B', '[a-z]{1000}[0-9]{1000}')", /instructions, more than 2000/],
    ['size(node.children) == 0', /No such key: children/],
    ['unknownFunction(node)', /unknownFunction/],
    ["exists('B')", /exists/],
  ])('refuses %s', (test, reason) => {
    expect(() => loadRulePack(pack([{ context: '/A', asserts: [[test, 'X']] }]))).toThrow(reason);
  });

  it('refuses a pack whose regular expression RE2 cannot run, naming the assertion', () => {
    try {
      loadRulePack(pack([{ context: '/A', asserts: [["matches(node, 'B', '(a)b\\\\1')", 'X']] }]));
      expect.unreachable('a backreference was accepted');
    } catch (e) {
      expect((e as DomainError).code).toBe('invalid_input');
      expect((e as DomainError).issues).toEqual([
        {
          path: '/rules/0/asserts/0/test',
          reason: expect.stringMatching(
            /^rule 'r0', assertion 0: matches\(\): '\(a\)b\\1' is not/,
          ) as unknown,
        },
      ]);
    }
  });

  it('refuses a pack that is not one, with the field at fault', () => {
    expect(() => loadRulePack({ name: 'x' })).toThrow(DomainError);
    expect(() => loadRulePack('{')).toThrow(/not JSON/);
    try {
      loadRulePack({ ...pack([{ context: 'A', asserts: [["exists(node, 'B')", '1']] }]) });
    } catch (e) {
      expect((e as DomainError).issues.map((i) => i.path)).toContain('/rules/0/context');
    }
  });

  it('accepts JSON text', () => {
    const p = loadRulePack(JSON.stringify(pack([{ context: '/', asserts: [['true', '1']] }])));
    expect(p.rules[0]!.context).toEqual([]);
  });
});

describe('validateMessageTree', () => {
  it('evaluates at every element the context reaches and locates each by indexed steps', () => {
    const found = run('/G/P', "exists(node, 'K')", [
      [
        'G',
        [
          ['P', [['K', 'x']]],
          ['P', [['N', '1']]],
        ],
      ],
      ['H', '1'],
      ['G', [['P', [['N', '1']]]]],
    ]);
    expect(found).toEqual(['E1 /ie:CC315A[1]/G[1]/P[2]', 'E1 /ie:CC315A[1]/G[2]/P[1]']);
  });

  it("context '/' is the root element", () => {
    expect(run('/', "count(node, 'I') >= 2", [['I', 'a']])).toEqual(['E1 /ie:CC315A[1]']);
    expect(
      run('/', "count(node, 'I') >= 2", [
        ['I', 'a'],
        ['I', 'b'],
      ]),
    ).toEqual([]);
  });

  it('reports a (code, location) once when two rules assert the same thing', () => {
    const p = loadRulePack(
      pack([
        { name: 'a', context: '/H', asserts: [["exists(node, 'X')", '8']] },
        { name: 'b', context: '/H', asserts: [["exists(node, 'X')", '8']] },
        { name: 'c', context: '/H', asserts: [["exists(node, 'Y')", '8']] },
      ]),
    );
    const found = validateMessageTree(p, message([['H', [['Z', '']]]]));
    expect(found).toEqual([
      { code: '8', message: 'message 8', location: '/ie:CC315A[1]/H[1]', rule: 'a' },
    ]);
  });

  it('refuses a message whose root the pack does not apply to', () => {
    const p = loadRulePack({
      ...pack([{ context: '/', asserts: [['true', '1']] }]),
      roots: ['CC315A'],
    });
    expect(() => validateMessageTree(p, buildMessage('ie:CC999A', []))).toThrow(
      /applies to CC315A messages, not CC999A/,
    );
    expect(validateMessageTree(p, message([]))).toEqual([]);
  });
});

describe('rule functions', () => {
  const H = (content: MessageContent): MessageContent => [['H', content]];
  it.each<[string, MessageContent, boolean]>([
    [
      "exists(node, '../I')",
      [
        ['H', ''],
        ['I', ''],
      ],
      true,
    ],
    ["absent(node, '../I')", H(''), true],
    ["absent(node, '.')", H(''), false],
    ["value(node, 'V') == ' GB1 '", H([['V', ' GB1 ']]), true],
    ["value(node, 'V') == ''", H([]), true],
    ["trim(node, 'V') == 'GB1'", H([['V', '\t GB1 \n']]), true],
    ["number(node, 'V') == 12.5", H([['V', ' 12.5 ']]), true],
    ["number(node, 'V') == 3.0", H([['V', '3d']]), true],
    ["isNaN(number(node, 'V'))", H([['V', '1,5']]), true],
    ["isNaN(number(node, 'V'))", H([]), true],
    ["number(node, 'V') != 0.0", H([]), true],
    ["number(node, 'V') == 1.0", H([]), false],
    ["intOrElse(node, 'V', 7) == 7", H([['V', '1.0']]), true],
    ["intOrElse(node, 'V', 7) == -4", H([['V', ' -4 ']]), true],
    [
      "count(node, '../H/V') == 2",
      H([
        ['V', ''],
        ['V', ''],
      ]),
      true,
    ],
    [
      "countEquals(node, 'V', 'VQ') == 2",
      H([
        ['V', ' VQ'],
        ['V', 'VQ'],
        ['V', 'VR'],
      ]),
      true,
    ],
    [
      "countDistinct(node, 'V', true) == 1",
      H([
        ['V', ' A'],
        ['V', 'A'],
      ]),
      true,
    ],
    [
      "countDistinct(node, 'V', false) == 2",
      H([
        ['V', ' A'],
        ['V', 'A'],
      ]),
      true,
    ],
    [
      "countDistinctChildCount(node, 'V') == 2",
      H([
        ['V', [['A', '']]],
        ['V', []],
      ]),
      true,
    ],
    ["allHave(node, 'G', 'S/C', '10600')", H([['G', [['S', [['C', '10600 ']]]]]]), true],
    [
      "allHave(node, 'G', 'S/C', '10600')",
      H([
        ['G', [['S', [['C', '10600']]]]],
        ['G', []],
      ]),
      false,
    ],
    ["allHave(node, 'G', 'S/C', '10600')", H([]), true],
    [
      "areIndices(node, 'I')",
      H([
        ['I', '1'],
        ['I', ' 2'],
        ['I', '3'],
      ]),
      true,
    ],
    [
      "areIndices(node, 'I')",
      H([
        ['I', '1'],
        ['I', '3'],
      ]),
      false,
    ],
    ["areIndices(node, 'I')", H([]), true],
    [
      "sum(node, 'M') == 3.5",
      H([
        ['M', '1.5'],
        ['M', '2'],
      ]),
      true,
    ],
    [
      "isNaN(sum(node, 'M'))",
      H([
        ['M', '1.5'],
        ['M', 'x'],
      ]),
      true,
    ],
    ["sum(node, 'M') == 0.0", H([]), true],
    ["matches(node, 'V', '[0-9]{7,8}')", H([['V', '1234567']]), true],
    ["matches(node, 'V', '[0-9]{7,8}')", H([['V', '1234567x']]), false],
    ["matches(node, 'V', '.*')", H([]), false],
    ["matches(node, 'V', '([a-z]+[0-9]?){1,3}')", H([['V', 'ab1cd']]), true],
    ["matches(node, 'V', '[0-9]*')", H([['V', '1'.repeat(4096)]]), true],
    ["matches(node, 'V', '[0-9]*')", H([['V', '1'.repeat(4097)]]), false],
    ["matches(node, 'V', '[0-9]{3}')", H([['V', '1234']]), false],
    ["matches(node, 'V', 'a|ab')", H([['V', 'ab']]), true],
    ["matches(node, 'V', '^a$|^b$')", H([['V', 'b']]), true],
    // Once exponential on a backtracking engine; RE2 runs it in linear time.
    ["matches(node, 'V', '(a|a)*b')", H([['V', 'a'.repeat(40)]]), false],
    ["matches(node, 'V', '(a+)*b')", H([['V', 'a'.repeat(4000)]]), false],
    ["matches(node, 'V', '(a|a)*b')", H([['V', 'a'.repeat(40) + 'b']]), true],
    [
      "node.name == 'H' && node.local == 'H' && node.text == 'ab'",
      H([
        ['A', 'a'],
        ['B', 'b'],
      ]),
      true,
    ],
    ["substringAfter('12.345', '.') == '345'", H([]), true],
    ["substringAfter('12', '.') == ''", H([]), true],
    [
      "nodes(node, 'P').exists(n, trim(n, 'M') == trim(node, 'K'))",
      H([
        ['K', 'a'],
        ['P', [['M', 'b']]],
        ['P', [['M', 'a ']]],
      ]),
      true,
    ],
    [
      "nodes(node, 'P').exists(n, trim(n, 'M') == trim(node, 'K'))",
      H([
        ['K', 'a'],
        ['P', [['M', 'b']]],
      ]),
      false,
    ],
  ])('%s', (test, content, expected) => {
    const p = loadRulePack(pack([{ context: '/H', asserts: [[test, 'E']] }]));
    expect(validateMessageTree(p, message(content)).length === 0).toBe(expected);
  });

  it('read numbers and text as Java does', () => {
    expect(javaTrim('\u0001 a \u0000')).toBe('a');
    expect(javaTrim('\u00a0a')).toBe('\u00a0a');
    expect(javaDouble('+1.5e2')).toBe(150);
    expect(javaDouble('.5')).toBe(0.5);
    expect(javaDouble('5.')).toBe(5);
    expect(javaDouble('1.5F')).toBe(1.5);
    expect(javaDouble('-Infinity')).toBe(-Infinity);
    expect(javaDouble('')).toBeNaN();
    expect(javaDouble('0x10')).toBeNaN();
    expect(javaDouble('1 000')).toBeNaN();
    expect(javaInt('+12')).toBe(12);
    expect(javaInt('2147483648')).toBeUndefined();
    expect(javaInt('1.0')).toBeUndefined();
  });
});
