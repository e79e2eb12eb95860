/**
 * IPR screening benchmark: what screening against a register of intellectual-property rights
 * costs. bench/screening.ts never puts a register in force (every context carries NO_RIGHTS), so
 * the brand matching behind `bearsRegisteredRight()` and `authorisedForRight()` costs nothing
 * there; this bench measures the reference library with and without a realistic register, in
 * one process.
 *
 *   npm run bench:ipr-screening -- [--declarations 50000] [--applications 1000] [--runs 3]
 *                                  [--brand-share 0.3] [--seed 1]
 *
 * 1. Declarations: generateDeclarations(count, seed), each validated and normalised with
 *    validateDeclaration (not timed), a screening trader per declarant (not timed). Then, seeded,
 *    `--brand-share` of the goods items get a brand and the others none: 8 % of the branded
 *    items an exact registered mark, 12 % a look-alike of one (case, accents, spacing, digits or
 *    Cyrillic letters for Latin ones, a one-letter typo), 80 % a brand the register does not hold.
 * 2. Register: `--applications` accepted applications for action (validated with
 *    validateApplication), 1–5 trademark rights each with goods scopes that are HS chapters or
 *    headings of the generated items, 1–4 authorised traders drawn from the traffic (and, for a
 *    quarter of the items given an exact mark, that item's declarant). 90 % are in force over the
 *    whole traffic period (accepted and extended), 10 % for one year inside it. `new
 *    RightsRegister(applications)` (the mark index) is timed once.
 * 3. The reference library (readLibrary, library/), compiled with its lists. For each variant,
 *    NO_RIGHTS and the register: screeningContexts + RiskEngine.matches over every item of every
 *    declaration, one warm-up pass over a tenth of them, then --runs passes (variants
 *    interleaved); the median is reported.
 * 4. Check, on an untimed pass with the register: GL-IP-02 hits every item given an exact
 *    registered mark whose right is in force on the declaration date, covers the item's HS code
 *    and authorises none of the declarant, consignor and consignee; and no item without a brand.
 *    Otherwise exit 1.
 * 5. Where the time goes: RightsRegister.matches alone, on items with and without a brand.
 *
 * See bench/README.md for what this measures and what it does not.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { DeclarationContent } from '../src/core/declaration/declaration.js';
import { validateDeclaration } from '../src/core/declaration/validate-declaration.js';
import {
  validateApplication,
  type ApplicationForAction,
  type ApplicationInput,
} from '../src/core/ipr/application.js';
import { NO_RIGHTS, RightsRegister } from '../src/core/ipr/register.js';
import { compileIndicators, RiskEngine } from '../src/core/risk/engine.js';
import type { Indicator, ReferenceList } from '../src/core/risk/indicator.js';
import {
  screeningContexts,
  type ScreeningContext,
  type ScreeningTrader,
} from '../src/core/risk/screening-context.js';
import { generateDeclarations } from '../src/app/generate-declarations.js';
import { readLibrary } from '../src/app/library.js';
import { SeededRandom as Random } from '../src/core/random.js';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const USAGE = `usage: tsx bench/ipr-screening.ts [options]

  --declarations N   generated declarations screened (default 50000, about 100,000 goods items)
  --applications N   accepted applications for action in the register (default 1000)
  --brand-share X    share of goods items given a brand, 0 to 1 (default 0.3)
  --runs N           timed passes per variant; the median is reported (default 3)
  --seed N           seed of the declarations, brands and register (default 1)
  -h, --help         this text
`;

const { values: opts } = parseArgs({
  options: {
    declarations: { type: 'string', default: '50000' },
    applications: { type: 'string', default: '1000' },
    'brand-share': { type: 'string', default: '0.3' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const usageError = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
};
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) usageError(`--${name} must be a positive integer`);
  return n;
};
const DECLARATIONS = positive('declarations', opts.declarations);
const APPLICATIONS = positive('applications', opts.applications);
const RUNS = positive('runs', opts.runs);
const SEED = positive('seed', opts.seed);
const BRAND_SHARE = Number(opts['brand-share']);
if (!(BRAND_SHARE >= 0 && BRAND_SHARE <= 1)) usageError('--brand-share must be between 0 and 1');

/** Of the branded items: exact registered marks, look-alikes of one; the rest unrelated brands. */
const EXACT_SHARE = 0.08;
const LOOK_ALIKE_SHARE = 0.12;
/** Of the items given an exact mark: their declarant is made an authorised trader of the right. */
const AUTHORISED_SHARE = 0.25;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (s = '') => process.stdout.write(`${s}\n`);
const pct = (a: number, b: number) => (b === 0 ? '–' : `${fmt((100 * a) / b, 1)} %`);

function traderOf(d: DeclarationContent, cache: Map<string, ScreeningTrader>): ScreeningTrader {
  const id = d.declarant.id ?? d.declarant.name ?? 'unknown';
  let t = cache.get(id);
  if (!t) {
    t = {
      id,
      country: d.declarant.country ?? id.slice(0, 2),
      controls: 0,
      findings: 0,
      certificates: [],
      permitsOnFile: [],
    };
    cache.set(id, t);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Marks and brands
// ---------------------------------------------------------------------------------------------

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'tr'];
const ONSETS_MORE = ['br', 'cl', 'dr', 'fl', 'gr', 'pl', 'st', 'sk', 'x', 'h', 'j', 'qu'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'o', 'e'];
const CODAS = ['', '', '', 'n', 'r', 'x', 's', 'l', 'm', 'k'];

/** A made-up brand word (not an English word, so no goods description contains it). */
function pseudoWord(r: Random, syllables: number, onsets: readonly string[]): string {
  let w = '';
  for (let i = 0; i < syllables; i++) w += r.pick(onsets) + r.pick(VOWELS);
  w += r.pick(CODAS);
  return w[0]!.toUpperCase() + w.slice(1);
}

type Variant =
  | 'case'
  | 'accents'
  | 'spacing'
  | 'digits'
  | 'cyrillic'
  | 'typo-substitute'
  | 'typo-drop'
  | 'typo-swap';
const VARIANTS: readonly Variant[] = [
  'case',
  'accents',
  'spacing',
  'digits',
  'cyrillic',
  'typo-substitute',
  'typo-drop',
  'typo-swap',
];
const ACCENTED: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü', c: 'ç', n: 'ñ' };
const DIGITS: Record<string, string> = { o: '0', l: '1', i: '1', e: '3', a: '4', s: '5', t: '7' };
const CYRILLIC: Record<string, string> = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  x: 'х',
  y: 'у',
  A: 'А',
  B: 'В',
  E: 'Е',
  K: 'К',
  M: 'М',
  O: 'О',
  P: 'Р',
  C: 'С',
  T: 'Т',
  X: 'Х',
};

/** Replaces one (or, for look-alike characters, every) letter of `s` found in `map`. */
function swapChars(r: Random, s: string, map: Record<string, string>, all: boolean): string {
  const at = [...s].flatMap((ch, i) => (map[ch] !== undefined ? [i] : []));
  if (at.length === 0) return s;
  const chosen = new Set(all ? at : [r.pick(at)]);
  return [...s].map((ch, i) => (chosen.has(i) ? map[ch]! : ch)).join('');
}

function lookAlike(r: Random, mark: string, variant: Variant): string {
  const letters = [...mark];
  const inner = () => r.int(1, Math.max(1, letters.length - 2));
  let out: string;
  switch (variant) {
    case 'case':
      out = r.chance(0.5) ? mark.toUpperCase() : mark.toLowerCase();
      break;
    case 'accents':
      out = swapChars(r, mark, ACCENTED, false);
      break;
    case 'spacing': {
      const i = inner();
      out = mark.includes(' ')
        ? mark.replace(' ', r.pick(['', '-']))
        : `${letters.slice(0, i).join('')}${r.pick([' ', '-', '.'])}${letters.slice(i).join('')}`;
      break;
    }
    case 'digits':
      out = swapChars(r, mark, DIGITS, r.chance(0.5));
      break;
    case 'cyrillic':
      out = swapChars(r, mark, CYRILLIC, r.chance(0.5));
      break;
    case 'typo-substitute': {
      const i = inner();
      const replacement = letters[i] === 'q' ? 'k' : 'q';
      letters[i] = /[a-z]/.test(letters[i]!) ? replacement : letters[i]!;
      out = letters.join('');
      break;
    }
    case 'typo-drop': {
      const i = inner();
      out = letters[i] === ' ' ? mark : [...letters.slice(0, i), ...letters.slice(i + 1)].join('');
      break;
    }
    case 'typo-swap': {
      const i = inner();
      if (i + 1 < letters.length) [letters[i], letters[i + 1]] = [letters[i + 1]!, letters[i]!];
      out = letters.join('');
      break;
    }
  }
  return out === mark ? mark.toUpperCase() : out; // never the exact mark
}

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------

log(
  `ipr-screening bench: ${fmt(DECLARATIONS)} declarations, ${fmt(APPLICATIONS)} applications, ` +
    `brand share ${BRAND_SHARE}, seed ${SEED}, node ${process.version}, ${RUNS} timed run(s) per ` +
    `variant, load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores`,
);

// 1. Declarations (validated once branded, below).
let t = performance.now();
const inputs = [...generateDeclarations(DECLARATIONS, SEED)];
interface ItemRef {
  d: number;
  k: number;
}
const allItems: ItemRef[] = inputs.flatMap((d, i) => d.goodsItems.map((_, k) => ({ d: i, k })));
const goodsOf = (x: ItemRef) => inputs[x.d]!.goodsItems[x.k]!;
const hsOf = (x: ItemRef) => goodsOf(x).hsCode;
const generatedBrands = allItems.filter((x) => goodsOf(x).brand !== undefined).length;

// 2a. The register's marks and goods scopes (the applications are completed after the brands).
const r = new Random(SEED * 104_729 + 7);
const marks = new Set<string>();
const newMark = (): string => {
  for (;;) {
    const m = r.chance(0.2)
      ? `${pseudoWord(r, r.int(1, 2), ONSETS)} ${pseudoWord(r, r.int(1, 2), ONSETS)}`
      : pseudoWord(
          r,
          r.weighted([
            [1, 1],
            [2, 4],
            [3, 4],
            [4, 1],
          ] as const),
          ONSETS,
        );
    if (m.replace(/ /g, '').length >= 3 && !marks.has(m)) {
      marks.add(m);
      return m;
    }
  }
};
interface DraftRight {
  app: number;
  index: number;
  mark: string;
  goods: string[];
  registrationNumber: string;
}
interface DraftApplication {
  rights: DraftRight[];
  authorised: Set<string>;
  validFrom: string;
  validTo: string;
}
const periodStart = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const drafts: DraftApplication[] = [];
for (let a = 0; a < APPLICATIONS; a++) {
  const rights: DraftRight[] = [];
  const n = r.int(1, 5);
  for (let i = 0; i < n; i++) {
    const goods = new Set<string>();
    const scopes = r.int(1, 3);
    while (goods.size < scopes) {
      const hs = hsOf(r.pick(allItems));
      goods.add(r.chance(0.6) ? hs.slice(0, 2) : hs.slice(0, 4));
    }
    rights.push({
      app: a,
      index: i,
      mark: newMark(),
      goods: [...goods],
      registrationNumber: `EUTM${String(10_000_000 + a * 10 + i)}`,
    });
  }
  // 90 %: in force over the whole traffic period (accepted in 2023, extended); 10 %: a year in it.
  const from = r.chance(0.9)
    ? periodStart - r.int(1, 180) * DAY
    : periodStart + r.int(0, 365) * DAY;
  const to = from + (from < periodStart ? 3 * 365 : 365) * DAY;
  drafts.push({
    rights,
    authorised: new Set(),
    validFrom: new Date(from).toISOString(),
    validTo: new Date(to).toISOString(),
  });
}
const allRights = drafts.flatMap((a) => a.rights);
/** Rights by the HS chapter of their goods, to give items a mark that covers them. */
const rightsByChapter = new Map<string, DraftRight[]>();
for (const right of allRights)
  for (const chapter of new Set(right.goods.map((g) => g.slice(0, 2)))) {
    let list = rightsByChapter.get(chapter);
    if (!list) rightsByChapter.set(chapter, (list = []));
    list.push(right);
  }
const rightFor = (hs: string): DraftRight => {
  const covering = (rightsByChapter.get(hs.slice(0, 2)) ?? []).filter((x) =>
    x.goods.some((g) => hs.startsWith(g)),
  );
  return covering.length > 0 && r.chance(0.95) ? r.pick(covering) : r.pick(allRights);
};

// 1b. Brands: a share of the items, exact marks, look-alikes and unrelated brands.
const unrelated: string[] = ['Nike', 'Adidas', 'Apple', 'Samsung', 'Rolex', 'Chanel', 'Gucci'];
while (unrelated.length < 2_000) {
  const b = pseudoWord(r, r.int(1, 3), ONSETS_MORE);
  if (!marks.has(b)) unrelated.push(b);
}
type Kind = 'none' | 'exact' | 'unrelated' | Variant;
interface Branded {
  kind: Kind;
  right: DraftRight | null;
}
const branding: Branded[] = [];
const counts = new Map<Kind, number>();
for (const x of allItems) {
  const g = goodsOf(x);
  let b: Branded = { kind: 'none', right: null };
  if (r.chance(BRAND_SHARE)) {
    const roll = r.next();
    if (roll < EXACT_SHARE) {
      const right = rightFor(g.hsCode);
      b = { kind: 'exact', right };
      g.brand = right.mark;
      const declarant = inputs[x.d]!.declarant.id;
      if (declarant !== undefined && r.chance(AUTHORISED_SHARE))
        drafts[right.app]!.authorised.add(declarant);
    } else if (roll < EXACT_SHARE + LOOK_ALIKE_SHARE) {
      const right = rightFor(g.hsCode);
      const variant = r.pick(VARIANTS);
      b = { kind: variant, right };
      g.brand = lookAlike(r, right.mark, variant);
    } else {
      b = { kind: 'unrelated', right: null };
      g.brand = r.pick(unrelated);
    }
  } else {
    delete g.brand;
  }
  branding.push(b);
  counts.set(b.kind, (counts.get(b.kind) ?? 0) + 1);
}
const brandedCount = allItems.length - (counts.get('none') ?? 0);
const lookAlikeCount = VARIANTS.reduce((n, v) => n + (counts.get(v) ?? 0), 0);
log(
  `brands: ${fmt(brandedCount)} items (${pct(brandedCount, allItems.length)}): ` +
    `${fmt(counts.get('exact') ?? 0)} exact registered marks, ${fmt(lookAlikeCount)} look-alikes, ` +
    `${fmt(counts.get('unrelated') ?? 0)} unrelated brands; e.g. ` +
    VARIANTS.slice(0, 8)
      .map((v) => {
        const i = branding.findIndex((b) => b.kind === v);
        if (i < 0) return v;
        const x = allItems[i]!;
        return `${JSON.stringify(branding[i]!.right!.mark)}→${JSON.stringify(goodsOf(x).brand)}`;
      })
      .join(', '),
);

// 2b. The applications: authorised traders from the traffic, validated, accepted.
const partyIds = [
  ...new Set(inputs.flatMap((d) => [d.declarant.id, d.consignee?.id].filter(Boolean))),
] as string[];
const applications: ApplicationForAction[] = drafts.map((draft, a) => {
  for (let n = r.int(1, 4); n > 0; n--) draft.authorised.add(r.pick(partyIds));
  const goods = [...new Set(draft.rights.flatMap((x) => x.goods))];
  const input: ApplicationInput = {
    applicant: {
      kind: r.pick(['right-holder', 'licensee', 'collective-body'] as const),
      name: `${draft.rights[0]!.mark} Holdings`,
      id: `DE${String(100_000_000_000 + a)}`,
      country: 'DE',
    },
    representatives: [],
    rights: draft.rights.map((x) => ({
      type: 'trademark',
      mark: x.mark,
      registrationNumber: x.registrationNumber,
      goods: x.goods,
    })),
    goods: goods.map((hs) => ({ hs, description: `goods of HS ${hs}` })),
    authenticFeatures: [],
    placesOfProduction: [],
    authorisedTraders: [...draft.authorised].map((id) => ({ name: `Trader ${id}`, id })),
    knownInfringers: [],
    knownRoutes: [],
    smallConsignmentsProcedure: r.chance(0.5),
    undertakings: { liability: true, costs: true },
  };
  const checked = validateApplication(input);
  if (!checked.ok) {
    log(`generated application ${a} is invalid: ${JSON.stringify(checked.issues)}`);
    process.exit(1);
  }
  return {
    ...checked.value,
    id: `AFA-BENCH-${String(a + 1).padStart(5, '0')}`,
    administrationId: 'bench',
    applicantAgencyId: `holder-${a + 1}`,
    status: 'accepted',
    validFrom: draft.validFrom,
    validTo: draft.validTo,
    submittedAt: new Date(Date.parse(draft.validFrom) - 30 * DAY).toISOString(),
    decidedAt: new Date(Date.parse(draft.validFrom) - DAY).toISOString(),
    decidedBy: 'bench',
    customsNote: null,
    version: 1,
  };
});

// 1c. The branded declarations, validated and normalised as on receipt.
const declarations: DeclarationContent[] = [];
for (const input of inputs) {
  const checked = validateDeclaration(input, input.submittedAt ?? '2024-01-01T00:00:00.000Z');
  if (!checked.ok) {
    log(`generated declaration ${input.reference} is invalid: ${JSON.stringify(checked.issues)}`);
    process.exit(1);
  }
  declarations.push(checked.value);
}
const traderCache = new Map<string, ScreeningTrader>();
const traders = declarations.map((d) => traderOf(d, traderCache));
log(
  `declarations: ${fmt(declarations.length)} with ${fmt(allItems.length)} goods items ` +
    `(${pct(generatedBrands, allItems.length)} branded by the generator, rebranded here), generated, ` +
    `branded and validated in ${fmt((performance.now() - t) / 1000, 1)} s (not timed)`,
);

t = performance.now();
const register = new RightsRegister(applications);
const registerMs = performance.now() - t;
const rebuilds: number[] = [];
for (let i = 0; i < 5; i++) {
  const s = performance.now();
  new RightsRegister(applications);
  rebuilds.push(performance.now() - s);
}
const authorisedTotal = drafts.reduce((n, a) => n + a.authorised.size, 0);
log(
  `register: ${fmt(applications.length)} accepted applications, ${fmt(register.rights.length)} ` +
    `trademark rights (${fmt(allRights.filter((x) => x.mark.includes(' ')).length)} of two words), ` +
    `${fmt(authorisedTotal / applications.length, 1)} authorised traders per application; built in ` +
    `${fmt(registerMs, 1)} ms (then ${fmt(median(rebuilds), 1)} ms, median of 5 rebuilds)`,
);

// 3. The reference library, compiled as the app does.
const library = await readLibrary();
const lists = new Map<string, ReferenceList>(
  library.lists.map((l) => [
    l.name,
    { name: l.name, version: 1, kind: l.kind, title: l.title, entries: l.entries },
  ]),
);
const indicators: Indicator[] = library.indicators.map(({ key, ...input }) => ({
  id: key,
  version: 1,
  title: input.title,
  priorityArea: input.priorityArea,
  condition: input.condition,
  weight: input.weight ?? 0,
  directChannel: input.directChannel ?? null,
  controlForm: input.controlForm,
  rationale: input.rationale,
  validFrom: input.validFrom ?? null,
  validTo: input.validTo ?? null,
  status: 'active',
  ownerAgencyId: 'library',
}));
const ipIndex = indicators.findIndex((i) => i.id === 'GL-IP-02');
if (ipIndex < 0) {
  log('FAIL: the reference library has no GL-IP-02');
  process.exit(1);
}
const compiled = compileIndicators(indicators, lists);
const withoutEngine = new RiskEngine(compiled, null, NO_RIGHTS);
const withEngine = new RiskEngine(compiled, null, register);
log(
  `library: ${indicators.length} indicators (${indicators
    .filter((i) => /bearsRegisteredRight|authorisedForRight|brandLike/.test(i.condition))
    .map((i) => `${i.id}: ${i.condition}`)
    .join('; ')}); index ${JSON.stringify(withEngine.stats())}`,
);

interface Pass {
  items: number;
  seconds: number;
  hitItems: number;
  ipHits: number;
}
function screenAll(engine: RiskEngine, rights: RightsRegister, upTo = declarations.length): Pass {
  let items = 0;
  let hitItems = 0;
  let ipHits = 0;
  const started = performance.now();
  for (let d = 0; d < upTo; d++) {
    const decl = declarations[d]!;
    for (const context of screeningContexts(decl, traders[d]!, decl.submittedAt, rights)) {
      const m = engine.matches(context);
      items++;
      if (m.length > 0) {
        hitItems++;
        if (m.includes(ipIndex)) ipHits++;
      }
    }
  }
  return { items, seconds: (performance.now() - started) / 1000, hitItems, ipHits };
}

const warmUp = Math.ceil(declarations.length / 10);
screenAll(withoutEngine, NO_RIGHTS, warmUp);
screenAll(withEngine, register, warmUp);
const without: Pass[] = [];
const withRegister: Pass[] = [];
for (let i = 0; i < RUNS; i++) {
  without.push(screenAll(withoutEngine, NO_RIGHTS));
  withRegister.push(screenAll(withEngine, register));
}
const pick = (passes: Pass[]) => {
  const m = median(passes.map((p) => p.seconds));
  return passes.find((p) => p.seconds === m)!;
};
const a = pick(without);
const b = pick(withRegister);
const rateA = a.items / a.seconds;
const rateB = b.items / b.seconds;
log();
log('throughput (screeningContexts + RiskEngine.matches, one thread, median of the passes):');
for (const [name, p, passes] of [
  ['without a register (NO_RIGHTS)', a, without],
  ['with the register', b, withRegister],
] as const) {
  log(
    `  ${name.padEnd(31)} ${fmt(p.items / p.seconds).padStart(10)} items/s ` +
      `${fmt((1e6 * p.seconds) / p.items, 2).padStart(7)} µs/item; items hit ${pct(p.hitItems, p.items)}, ` +
      `GL-IP-02 ${fmt(p.ipHits)}; passes ${passes.map((x) => fmt(x.seconds, 3)).join(' / ')} s`,
  );
}
log(
  `  the register adds ${fmt((1e6 * b.seconds) / b.items - (1e6 * a.seconds) / a.items, 2)} µs per item ` +
    `(ratio ${fmt(rateB / rateA, 3)})`,
);

// 4. The check: an untimed pass with the register, item by item.
const contexts: ScreeningContext[] = [];
for (let d = 0; d < declarations.length; d++) {
  const decl = declarations[d]!;
  contexts.push(...screeningContexts(decl, traders[d]!, decl.submittedAt, register));
}
let expected = 0;
let expectedMissed = 0;
let noBrandHits = 0;
const hitByKind = new Map<Kind, number>();
const failures: string[] = [];
for (let i = 0; i < contexts.length; i++) {
  const c = contexts[i]!;
  const hit = withEngine.matches(c).includes(ipIndex);
  const { kind, right } = branding[i]!;
  if (hit) hitByKind.set(kind, (hitByKind.get(kind) ?? 0) + 1);
  if (c.item.brand === '' && hit) {
    noBrandHits++;
    if (failures.length < 5)
      failures.push(
        `  item without a brand hit: hs ${c.item.hs}, ${JSON.stringify(c.item.description)}`,
      );
  }
  if (kind === 'exact' && right !== null) {
    const app = drafts[right.app]!;
    const d = c.declaration;
    const inForce = app.validFrom <= d.date && d.date < app.validTo;
    const covers = right.goods.some((g) => c.item.hs.startsWith(g));
    const authorised = [d.declarantId, d.consignorId, d.consigneeId].some(
      (id) => id !== '' && app.authorised.has(id),
    );
    if (inForce && covers && !authorised) {
      expected++;
      if (!hit) {
        expectedMissed++;
        if (failures.length < 10)
          failures.push(`  exact mark not hit: ${JSON.stringify(c.item.brand)} on hs ${c.item.hs}`);
      }
    }
  }
}
log();
log('GL-IP-02 with the register, by how the item was branded (items hit / items):');
for (const kind of ['exact', ...VARIANTS, 'unrelated', 'none'] as Kind[]) {
  const n = counts.get(kind) ?? 0;
  if (n === 0) continue;
  const h = hitByKind.get(kind) ?? 0;
  log(`  ${kind.padEnd(16)} ${fmt(h).padStart(7)} / ${fmt(n).padStart(7)}  ${pct(h, n)}`);
}
log(
  '  (exact and look-alike items also miss when the right is not in force on the date, its goods ' +
    'do not cover the HS code or a party is authorised; typos count only for marks of ≥ 6 letters)',
);
log(
  `check: ${fmt(expected - expectedMissed)} of ${fmt(expected)} items with an exact registered mark ` +
    `in force and in scope from unauthorised parties hit; ${fmt(noBrandHits)} items without a brand hit`,
);

// 5. Where the time goes: the rights match alone (the contexts are built; the engine calls it
// once per item, since GL-IP-02 has no guard the index can use).
const timeMatches = (filter: (c: ScreeningContext) => boolean) => {
  const sample = contexts.filter(filter);
  for (const c of sample.slice(0, 2000)) register.matches(c.item, c.declaration.date);
  const started = performance.now();
  let found = 0;
  for (const c of sample) found += register.matches(c.item, c.declaration.date).length;
  const seconds = (performance.now() - started) / 1000;
  return { items: sample.length, usPerItem: (1e6 * seconds) / Math.max(1, sample.length), found };
};
const branded = timeMatches((c) => c.item.brand !== '');
const unbranded = timeMatches((c) => c.item.brand === '');
log();
log('RightsRegister.matches alone (contexts built beforehand):');
log(
  `  items with a brand     ${fmt(branded.items).padStart(8)} items ${fmt(branded.usPerItem, 2).padStart(7)} µs/item`,
);
log(
  `  items without a brand  ${fmt(unbranded.items).padStart(8)} items ${fmt(unbranded.usPerItem, 2).padStart(7)} µs/item` +
    ' (the description is still scanned for marks)',
);
const descriptions = new Set(contexts.map((c) => c.item.description));
const words = contexts.reduce((n, c) => n + c.item.description.split(/\s+/).length, 0);
log(
  `  descriptions: ${fmt(descriptions.size)} distinct among ${fmt(contexts.length)} items, ` +
    `${fmt(words / contexts.length, 1)} words each on average; every one is split, normalised and ` +
    'folded again for each item (nothing is cached between items)',
);

if (failures.length > 0 || expectedMissed > 0 || noBrandHits > 0 || expected === 0) {
  for (const f of failures) log(f);
  log(
    expected === 0
      ? 'FAIL: no item with an exact registered mark from an unauthorised party to check'
      : 'FAIL: GL-IP-02 missed an exact registered mark or hit an item without a brand',
  );
  process.exit(1);
}
log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} on ${availableParallelism()} cores (other work on the machine slows every figure)`,
);
log(
  `ipr-screening: ${allItems.length} items, register of ${register.rights.length} rights; ` +
    `${Math.round(rateA)} items/s without, ${Math.round(rateB)} items/s with (ratio ${(rateB / rateA).toFixed(3)}); ` +
    `register built in ${registerMs.toFixed(1)} ms`,
);
