import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { convertEnsRules, javaRegexToRe2, toCel } from '../../scripts/convert-ens-rules.js';
import { compileRegex } from '../core/rules/rule-functions.js';
import { loadRulePack } from '../core/rules/rule-pack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('library/rules/ens-ie315.json', () => {
  it('is what scripts/convert-ens-rules.ts makes of the HMRC rule files (not edited by hand)', () => {
    const shipped = JSON.parse(
      readFileSync(path.join(ROOT, 'library/rules/ens-ie315.json'), 'utf8'),
    ) as unknown;
    expect(shipped).toEqual(convertEnsRules(path.join(ROOT, 'test/fixtures/ens/rules')));
  });

  it('loads, names its source and licence, and keeps one of p3_p72 and p3_p72_New', () => {
    const pack = loadRulePack(
      readFileSync(path.join(ROOT, 'library/rules/ens-ie315.json'), 'utf8'),
    );
    expect(pack.version).toBe('hmrc-ens-ie315/1');
    expect(pack.document.source).toMatchObject({
      repository: 'https://github.com/hmrc/import-control-entry-declaration-store',
      commit: '359226381b018d5977fd7a7097b107fd44a57bb5',
      licence: expect.stringContaining('Apache-2.0') as unknown,
      convertedBy: 'scripts/convert-ens-rules.ts',
    });
    const names = pack.rules.map((r) => r.name);
    expect(names).toContain('p3_p72_New');
    expect(names).not.toContain('p3_p72');
    expect(names).toHaveLength(77);
    expect(pack.document.notes?.join(' ')).toMatch(/p3_p72\.json left out/);
  });
});

describe('convert-ens-rules', () => {
  it.each([
    [
      "not('../TINCO159') || !(getValue('../TINCO159').startsWith('GB'))",
      "absent(node, '../TINCO159') || !(value(node, '../TINCO159').startsWith('GB'))",
    ],
    ['not((".")) || exists(\'X\')', "absent(node, '.') || exists(node, 'X')"],
    [
      "trim('.').take(1) != '0' || trim('.').length() <= 1",
      "!trim(node, '.').startsWith('0') || trim(node, '.').size() <= 1",
    ],
    [
      "number('TotNumOfIteHEA305') == count('../GOOITEGDS') || number('T') != 0",
      "number(node, 'TotNumOfIteHEA305') == double(count(node, '../GOOITEGDS')) || number(node, 'T') != 0.0",
    ],
    [
      "existsForAll('../G', 'S/A', '10600') && areIndices('G/I')",
      "allHave(node, '../G', 'S/A', '10600') && areIndices(node, 'G/I')",
    ],
    [
      "applyRegex('.', '\\\\s*[0-9]{7}')",
      "matches(node, '.', '[\\\\t\\\\n\\\\x0B\\\\f\\\\r ]*[0-9]{7}')",
    ],
  ])('rewrites %s', (groovy, cel) => {
    expect(toCel(groovy)).toBe(cel);
  });

  it('refuses what it cannot carry over', () => {
    expect(() => toCel("exists('X', {ContextHelper c, ContextHelper l -> true})")).toThrow(
      /closure/,
    );
    expect(() => toCel("getText('X')")).toThrow(/unknown function getText/);
    expect(() => javaRegexToRe2('\\p{Alpha}')).toThrow(/needs converting/);
    expect(() => javaRegexToRe2('(?!XFER).+')).toThrow(/lookaround/);
    expect(() => javaRegexToRe2('a(?<=a)')).toThrow(/lookaround/);
    expect(() => javaRegexToRe2('(a)\\1')).toThrow(/needs converting/);
  });

  it('reads \\s as Java does: ASCII blanks only, in and out of classes', () => {
    const re = compileRegex(javaRegexToRe2('\\s*[A-Z\\s]+'));
    expect(re.test(' \tAB C\r\n\x0B')).toBe(true);
    expect(re.test('\u00a0AB')).toBe(false);
  });

  it('reads . as Java does: anything but a line terminator', () => {
    const re = compileRegex(javaRegexToRe2('A.C'));
    expect(re.test('A\u00a0C')).toBe(true);
    for (const terminator of ['\n', '\r', '\u0085', '\u2028', '\u2029']) {
      expect(re.test(`A${terminator}C`)).toBe(false);
    }
  });
});
