// Converts HMRC's ENS (ICS IE315) business rules into GreenLane's rule pack
// library/rules/ens-ie315.json (run: npx tsx scripts/convert-ens-rules.ts [rules-dir], then
// npx prettier --write library/rules/ens-ie315.json).
//
// Input: the 78 JSON rule files of hmrc/import-control-entry-declaration-store (conf/rules/),
// copied unchanged to test/fixtures/ens/rules (a test checks that the shipped pack is what this
// script makes of them). Their tests are Groovy
// over HMRC's ContextHelper; this script rewrites them as CEL over GreenLane's rule functions
// (src/core/rules/rule-functions.ts) by text rewriting, with the two Groovy closures (8686, 8153),
// one mixed-type sum (8117) and one lookahead, which RE2 does not run (8685), written out by hand
// below. The output is data: it is loaded
// (and every assertion parsed and type-checked) before it is written, and it is what ships.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadRulePack, type RulePackDocument } from '../src/core/rules/rule-pack.js';

const SOURCE_DIR = process.argv[2] ?? '../shared/data/sample-messages/hmrc-ens-ics-ie315/rules';
const OUT = 'library/rules/ens-ie315.json';

const SOURCE = {
  repository: 'https://github.com/hmrc/import-control-entry-declaration-store',
  commit: '359226381b018d5977fd7a7097b107fd44a57bb5',
  path: 'conf/rules/*.json',
  licence: 'Apache-2.0 (Crown copyright; library/rules/LICENSE-hmrc-Apache-2.0)',
  convertedBy: 'scripts/convert-ens-rules.ts',
};

/**
 * The IE315 rule set. HMRC's list (businessRules315New in its application.conf) was not copied;
 * this is what the 1245 golden cases of ruleTestCases315New agree with (see NOTES).
 */
const EXCLUDED: Record<string, string> = {
  p3_p72:
    'superseded by p3_p72_New: it also raises 8108, 8109, 8116 and 8117, which no golden case expects',
};

const NOTES = [
  'Converted from HMRC business rules (Groovy over ContextHelper) to CEL over GreenLane rule functions; ' +
    'each assertion keeps its HMRC error code and English error message.',
  'IE315 set: every rule file of conf/rules except those listed here, as the golden cases ' +
    '(test/resources/xmls/ruleTestCases315New) require: ' +
    Object.entries(EXCLUDED)
      .map(([file, why]) => `${file}.json left out (${why})`)
      .join('; ') +
    '.',
  'Contexts are paths from the root element, so the pack also applies to IE313 (CC313A) messages, whose ' +
    'layout is the same; HMRC applies the same files to IE313 except p121, whose CUSOFFLON element ' +
    'the IE313 schema does not have (so the rule finds nothing to check there).',
  "Regular expressions are HMRC's Java ones rewritten for RE2 (linear-time matching): whole-text match, \\s as " +
    'Java reads it (ASCII blanks only), . as Java reads it (anything but a line terminator); the one lookahead ' +
    '(8685, conveyance references beginning with XFER) is written out as three matches().',
  'number() of an absent or non-numeric element is NaN, as in HMRC; where HMRC compared numbers with ' +
    "Groovy's compareTo (NaN above everything), the CEL says so with isNaN().",
];

interface HmrcRule {
  element: string;
  name: string;
  asserts: Array<{ test: string; errorMessage: string; errorCode: string }>;
}

/** Hand-written CEL for tests that text rewriting cannot carry, keyed by file and code. */
const BY_HAND: Record<string, { hmrc: string; cel: string }> = {
  'p3_p72_New:8686': {
    hmrc: "exists('../GOOITEGDS/GroMasGDS46', {ContextHelper current, ContextHelper local ->",
    // Groovy compares a NaN total with compareTo: NaN is above everything, so no error.
    cel:
      "absent(node, 'TotGroMasHEA307') || value(node, 'TotGroMasHEA307').contains('+')" +
      " || nodes(node, '../GOOITEGDS/GroMasGDS46').exists(n, value(n, '.').contains('+'))" +
      " || isNaN(number(node, 'TotGroMasHEA307'))" +
      " || number(node, 'TotGroMasHEA307') * (1.0 + 0.0000000000000001 * double(count(node, '../GOOITEGDS/GroMasGDS46')))" +
      " + 0.0001 >= sum(node, '../GOOITEGDS/GroMasGDS46')",
  },
  'p43_p112:8153': {
    hmrc: "exists('../../GOOITEGDS/PACGS2', {ContextHelper current, ContextHelper local ->",
    cel:
      "number(node, 'NumOfPacGS24') != 0.0 || nodes(node, '../../GOOITEGDS/PACGS2').exists(n," +
      " intOrElse(n, 'NumOfPacGS24', 0) > 0 && exists(n, 'MarNumOfPacGSL21') && exists(node, 'MarNumOfPacGSL21')" +
      " && trim(node, 'MarNumOfPacGSL21') == trim(n, 'MarNumOfPacGSL21'))",
  },
};
BY_HAND['p3_p72:8686'] = BY_HAND['p3_p72_New:8686']!;
BY_HAND['p3_p72:8117'] = {
  hmrc: "countEquals('../GOOITEGDS/PACGS2/KinOfPacGS23', 'VQ')",
  cel:
    "absent(node, 'TotNumOfPacHEA306') || number(node, 'TotNumOfPacHEA306') == sum(node, '../GOOITEGDS/PACGS2/NumOfPacGS24')" +
    " + sum(node, '../GOOITEGDS/PACGS2/NumOfPieGS25') + double(" +
    ['VQ', 'VG', 'VL', 'VY', 'VR', 'VS', 'VO']
      .map((k) => `countEquals(node, '../GOOITEGDS/PACGS2/KinOfPacGS23', '${k}')`)
      .join(' + ') +
    ')',
};

const RENAMED: Record<string, string> = {
  exists: 'exists',
  not: 'absent',
  getValue: 'value',
  trim: 'trim',
  number: 'number',
  intOrElse: 'intOrElse',
  count: 'count',
  countEquals: 'countEquals',
  countDistinct: 'countDistinct',
  countDistinctChildCount: 'countDistinctChildCount',
  existsForAll: 'allHave',
  areIndices: 'areIndices',
  sum: 'sum',
  applyRegex: 'matches',
};

/** Rewrites one HMRC Groovy test as CEL; throws on anything it does not know. */
export function toCel(test: string): string {
  let t = test;
  if (t.includes('->')) throw new Error(`a closure needs a hand-written conversion: ${test}`);
  // not(('.')) is not('.')
  t = t.replace(/\(\(\s*('[^']*'|"[^"]*")\s*\)\)/g, '($1)');
  t = t.replace(/"([^"']*)"/g, "'$1'");
  // Groovy's s.take(1) != '0' is "does not start with 0"
  t = t.replace(/(trim\('[^']*'\))\.take\(1\) != '0'/g, "!$1.startsWith('0')");
  if (t.includes('.take(')) throw new Error(`unexpected take(): ${test}`);
  t = t.replace(/\.length\(\)/g, '.size()');
  // number() is a double; CEL does not compare it with an int
  t = t.replace(/(number\('[^']*'\)\s*(?:==|!=|>=|<=|>|<)\s*)(\d+)(?![.\d])/g, '$1$2.0');
  // applyRegex(p, javaRegex): the regex rewritten for RE2
  t = t.replace(
    /applyRegex\(('[^']*'),\s*'((?:[^'\\]|\\.)*)'\)/g,
    (_m, p: string, re: string) =>
      `applyRegex(${p}, '${celString(javaRegexToRe2(groovyString(re)))}')`,
  );
  t = t.replace(/(?<![.\w])([A-Za-z]+)\(/g, (m, name: string) => {
    if (name === 'substringAfter') return m;
    const renamed = RENAMED[name];
    if (!renamed) throw new Error(`unknown function ${name}() in: ${test}`);
    return `${renamed}(node, `;
  });
  t = t.replace(/(number\(node, '[^']*'\) == )(count\(node, '[^']*'\))/g, '$1double($2)');
  return t;
}

/** The value of a Groovy single-quoted string body. */
function groovyString(body: string): string {
  return body.replace(/\\(.)/g, (_m, c: string) => {
    const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'" };
    const v = escapes[c];
    if (v === undefined) throw new Error(`unexpected escape \\${c} in '${body}'`);
    return v;
  });
}

/** A CEL single-quoted string body for a value. */
function celString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
/** Java's `.` (no DOTALL): anything but a line terminator. RE2's `.` only leaves out \n. */
const JAVA_DOT = '[^\\n\\r\\x{85}\\x{2028}\\x{2029}]';

/**
 * A Java regex as an RE2 one: Java's \s is ASCII-only (RE2's leaves out \x0B) and its `.` leaves
 * out every line terminator; the rest of what HMRC writes means the same in both. Anchoring is
 * the engine's. What RE2 cannot run (lookaround, backreferences) stops the conversion.
 */
export function javaRegexToRe2(re: string): string {
  let out = '';
  let inClass = false;
  for (let k = 0; k < re.length; k++) {
    const c = re[k]!;
    if (c === '\\') {
      const next = re[k + 1];
      if (next === undefined) throw new Error(`regex ends with a backslash: ${re}`);
      k++;
      if (next === 's') out += inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`;
      else if (/[pPQEAzZGhHvVRXS0-9k]/.test(next)) {
        throw new Error(`\\${next} needs converting: ${re}`);
      } else out += `\\${next}`;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    else if (!inClass && c === '(' && /^\(\?<?[=!]/.test(re.slice(k))) {
      throw new Error(`lookaround needs converting (RE2 has none): ${re}`);
    } else if (!inClass && c === '.') {
      out += JAVA_DOT;
      continue;
    }
    out += c;
  }
  return out;
}

{
  // HMRC: (?!\\s*XFER).+\\s*|\\s*XFER[a-zA-Z0-9]+([:-][a-zA-Z0-9]+)?\\s* (whole text). RE2 has no
  // lookahead: "does not begin with XFER" is the negation of a match that begins with it.
  const conRef = (re2: string) => `matches(node, 'ConRefNumHEA', '${celString(re2)}')`;
  const blanks = `[${JAVA_SPACE}]*`;
  BY_HAND['p3_p72_New:8685'] = {
    hmrc: "applyRegex('ConRefNumHEA', '^(?!\\\\s*XFER).+\\\\s*$|",
    cel:
      "!(number(node, 'TraModAtBorHEA76') == 1.0) || absent(node, 'ConRefNumHEA')" +
      ` || !${conRef(`${blanks}XFER(?s:.*)`)} && ${conRef(`${JAVA_DOT}+${blanks}`)}` +
      ` || ${conRef(javaRegexToRe2('\\s*XFER[a-zA-Z0-9]+([:-][a-zA-Z0-9]+)?\\s*'))}`,
  };
}

/** The rule pack made of the HMRC rule files in `dir`; throws on anything it cannot convert. */
export function convertEnsRules(dir: string): RulePackDocument {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort(byRuleNumber);
  const rules: RulePackDocument['rules'] = [];
  for (const file of files) {
    const hmrc = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as HmrcRule;
    if (EXCLUDED[hmrc.name]) continue;
    rules.push({
      name: hmrc.name,
      context: hmrc.element,
      asserts: hmrc.asserts.map((a) => {
        const hand = BY_HAND[`${hmrc.name}:${a.errorCode}`];
        if (hand && !a.test.includes(hand.hmrc)) {
          throw new Error(`${file} ${a.errorCode}: HMRC's test changed; review its conversion`);
        }
        return {
          test: hand ? hand.cel : toCel(a.test),
          code: a.errorCode,
          message: a.errorMessage,
        };
      }),
    });
  }
  const pack: RulePackDocument = {
    name: 'hmrc-ens-ie315',
    version: 'hmrc-ens-ie315/1',
    description:
      'Business rules of the Entry Summary Declaration (ENS, ICS IE315), as HMRC validates it, with its error codes and messages.',
    source: SOURCE,
    roots: ['CC315A', 'CC313A'],
    notes: NOTES,
    rules,
  };
  loadRulePack(pack); // every assertion parsed and type-checked, or this throws naming it
  return pack;
}

function main(): void {
  const pack = convertEnsRules(SOURCE_DIR);
  writeFileSync(OUT, JSON.stringify(pack, null, 2) + '\n');
  const rules = pack.rules;
  const asserts = rules.reduce((n, r) => n + r.asserts.length, 0);
  process.stdout.write(`${OUT}: ${rules.length} rules, ${asserts} assertions\n`);
}

/**
 * Rule order of HMRC's IE315 list (application.conf), so that errors come out in the order its
 * responses list them: p1_p70 … p51_p120, p121, p52_p122 … p69_p139, then the non-GB EORI variants.
 */
const HMRC_ORDER = [
  ...Array.from({ length: 51 }, (_, k) => `p${k + 1}_p${k + 70}`),
  'p121',
  ...Array.from({ length: 18 }, (_, k) => `p${k + 52}_p${k + 122}`),
  ...['p5_p74', 'p11_p80', 'p17_p86', 'p63_p133', 'p29_p98', 'p35_p104', 'p46_p115'].map(
    (p) => `${p}_non_GB_Eori_CR`,
  ),
];

/** Files in HMRC's order; a variant (p3_p72_New) takes its base's place. Unknown files stop the run. */
function byRuleNumber(a: string, b: string): number {
  const rank = (f: string) => {
    const name = f.replace(/\.json$/, '');
    const at = HMRC_ORDER.indexOf(name.replace(/_New$/, ''));
    if (at < 0) throw new Error(`${f} is not in HMRC's IE315 list; decide where it belongs`);
    return at;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

if (import.meta.url === `file://${path.resolve(process.argv[1] ?? '')}`) main();
