import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRulePack } from '../core/rules/rule-pack.js';
import { validateMessage } from './validate-message.js';
import { parseXmlSafely } from './xml.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CASES = path.join(ROOT, 'test/fixtures/ens/rule-test-cases-315');
const PACK = path.join(ROOT, 'library/rules/ens-ie315.json');

/**
 * Golden cases the pack is known to get wrong, each with why. The test fails if one of them
 * starts passing (remove it then), so the list cannot go stale. None at present.
 */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

interface Expected {
  code: string;
  location: string;
  text: string;
}

/** The errors a control file expects, read with the general XML reader (not the rule engine's). */
function expectedErrors(ctl: string): Expected[] {
  const parsed = parseXmlSafely(ctl);
  if (!parsed.ok) throw new Error(`unreadable control file: ${parsed.issues[0]?.reason}`);
  return parsed.root
    .children()
    .filter((e) => e.name === 'Error')
    .map((e) => {
      const field = (name: string) => e.children().find((c) => c.name === name)?.text ?? '';
      return { code: field('Number'), location: field('Location'), text: field('Text') };
    });
}

const key = (e: { code: string; location: string }) => `${e.code} ${e.location}`;

describe('ENS IE315 rule pack against HMRC golden cases', () => {
  const pack = loadRulePack(readFileSync(PACK, 'utf8'));
  const cases = readdirSync(CASES)
    .filter((f) => f.endsWith('.xml'))
    .sort();

  it('finds exactly the errors, locations and texts of every control file', () => {
    expect(cases.length).toBe(1245);
    const failing = new Map<string, string>();
    let withErrors = 0;
    for (const file of cases) {
      const name = file.replace(/\.xml$/, '');
      const expected = expectedErrors(readFileSync(path.join(CASES, `${name}.ctl`), 'utf8'));
      if (expected.length > 0) withErrors++;
      const found = validateMessage(pack, readFileSync(path.join(CASES, file), 'utf8')).violations;
      // Lists, not sets: an error reported twice at one place is a failure too.
      const want = expected.map(key).sort();
      const got = found.map(key).sort();
      const missing = want.filter((k) => !got.includes(k));
      const extra = got.filter((k) => !want.includes(k));
      const texts = expected.filter(
        (e) => !found.some((v) => key(v) === key(e) && v.message === e.text),
      );
      if (want.join('\n') !== got.join('\n') || texts.length > 0) {
        failing.set(
          name,
          `missing [${missing.join(', ')}], extra [${extra.join(', ')}], other text at [${texts.map(key).join(', ')}]`,
        );
      }
    }
    const passed = cases.length - failing.size;
    console.log(`ENS conformance: ${passed}/${cases.length} cases pass`);
    // The suite is only meaningful if it holds both valid and invalid messages.
    expect(withErrors).toBeGreaterThan(800);
    expect(cases.length - withErrors).toBeGreaterThan(300);
    const unexpected = [...failing].filter(([name]) => !(name in KNOWN_FAILURES));
    expect(unexpected.map(([name, why]) => `${name}: ${why}`)).toEqual([]);
    const nowPassing = Object.keys(KNOWN_FAILURES).filter((name) => !failing.has(name));
    expect(nowPassing, 'known failures that pass now: remove them from KNOWN_FAILURES').toEqual([]);
  });

  it("applies to HMRC's published IE315 and IE313 (amendment) examples", () => {
    const examples = path.join(ROOT, 'test/fixtures/ens/examples');
    const read = (file: string) => readFileSync(path.join(examples, file), 'utf8');
    // The reduced examples' only fault is a message sender that is not 'CC…/nnnnnnnnnn'.
    const sender = /<MesSenMES3>[^<]*<\/MesSenMES3>/;
    for (const [file, root] of [
      ['CC315A_reduced.xml', 'ie:CC315A'],
      ['CC313A_reduced.xml', 'ie:CC313A'],
    ] as const) {
      const xml = read(file);
      expect(validateMessage(pack, xml).violations.map(key)).toEqual([
        `4065 /${root}[1]/MesSenMES3[1]`,
      ]);
      const fixed = xml.replace(sender, '<MesSenMES3>GBCD1234/1234567890</MesSenMES3>');
      expect(validateMessage(pack, fixed)).toEqual({ root, violations: [] });
    }
    // The full example fills every field, so some that exclude each other: consignor on the
    // header and on the item (8119), and a representative's name and address (8656…).
    const full = validateMessage(pack, read('CC315A_full.xml')).violations.map(key);
    expect(full).toEqual(
      expect.arrayContaining([
        '8119 /ie:CC315A[1]/TRACONCO1[1]',
        '8119 /ie:CC315A[1]/GOOITEGDS[1]/TRACONCO2[1]',
        '8656 /ie:CC315A[1]/TRAREP[1]/NamTRE1[1]',
      ]),
    );
  });

  it('checks a hostile sender field in linear time (p2_p71: a backtracking engine took minutes)', () => {
    const xml = readFileSync(
      path.join(ROOT, 'test/fixtures/ens/examples/CC315A_reduced.xml'),
      'utf8',
    );
    const hostile = xml.replace(
      /<MesSenMES3>[^<]*<\/MesSenMES3>/,
      `<MesSenMES3>AB${' '.repeat(40)}</MesSenMES3>`,
    );
    const started = performance.now();
    const { violations } = validateMessage(pack, hostile);
    expect(performance.now() - started).toBeLessThan(500);
    expect(violations.map(key)).toEqual(['4065 /ie:CC315A[1]/MesSenMES3[1]']);
  });
});
