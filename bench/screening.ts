/**
 * Screening benchmark: how many goods items per second GreenLane's risk engine screens against
 * 10,000 indicators, compared with json-rules-engine and with cel-js evaluating rule by rule.
 *
 *   npm run bench:screening -- [--indicators 10000] [--declarations 100000] [--jre-items 100]
 *                              [--cel-items 1000] [--runs 3] [--seed 1]
 *
 * 1. Indicators: a seeded generator writes realistic risk indicators (HS prefixes of 2–6 digits
 *    from the shared priority-area HS list, origin and dispatch countries from the shared country
 *    codes, the offices, transport modes and declaration kinds that generateDeclarations produces,
 *    value-per-kg and mass thresholds, missing documents, joined with &&, || and in-lists). Each
 *    one is kept as a small tree and written three ways: a GreenLane CEL condition, an equivalent
 *    json-rules-engine rule, and the same CEL text for cel-js.
 * 2. Declarations: generateDeclarations(count, seed), each validated and normalised with
 *    validateDeclaration (not timed), with a screening trader per declarant (not timed).
 * 3. GreenLane: screeningContexts + RiskEngine.matches over every item of every declaration
 *    (context building included), after a warm-up pass; the median of --runs passes. The same
 *    figure at 100 and 1,000 indicators (the first N of the same generator).
 * 4. json-rules-engine (one Engine, all rules, `await engine.run(facts)` per item) and cel-js
 *    (every rule parsed and checked once, then evaluated one by one per item) on the first items.
 *    Their facts / activation objects are built beforehand and not timed.
 * 5. On each sample, all three must find exactly the same (item, indicator) hits, else exit 1.
 *
 * See bench/README.md for what this measures and what it does not.
 */
import { Environment } from '@marcbachmann/cel-js';
import { parse as parseCsv } from 'csv-parse/sync';
import { Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DeclarationContent } from '../src/core/declaration/declaration.js';
import { validateDeclaration } from '../src/core/declaration/validate-declaration.js';
import { compileIndicators, RiskEngine, type CompiledIndicator } from '../src/core/risk/engine.js';
import type { Indicator, PriorityArea, ReferenceList } from '../src/core/risk/indicator.js';
import {
  CONTEXT_SCHEMA,
  HELPERS,
  screeningContexts,
  type ScreeningContext,
  type ScreeningTrader,
} from '../src/core/risk/screening-context.js';
import { generateDeclarations, OFFICES } from '../src/app/generate-declarations.js';
import { SeededRandom as Random } from '../src/core/random.js';

/** Resident set size after each stage, to see which one holds the memory. */
const rssAfter: Array<[string, number]> = [];
const checkpoint = (stage: string) => rssAfter.push([stage, process.memoryUsage().rss]);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'data');

/** Targets from the issue (printed as PASS/MISS, never fail the run). */
const TARGET = {
  vsJsonRulesEngine: 10_000,
  vsCelJs: 200,
  itemsPerSecond: 500_000,
  /** Our reading of "nearly the same" per-item cost at 100 and at 10,000 indicators. */
  costRatio100To10k: 1.5,
};

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const USAGE = `usage: tsx bench/screening.ts [options]

  --indicators N     indicators screened with (default 10000); the scaling table also uses 100 and 1000
  --declarations N   generated declarations screened by GreenLane (default 100000)
  --jre-items N      goods items screened by json-rules-engine, the first ones (default 100)
  --cel-items N      goods items screened by per-rule cel-js, the first ones (default 1000)
  --runs N           timed GreenLane passes over all declarations; the median is reported (default 3)
  --seed N           seed of the indicators and of the declarations (default 1)
  -h, --help         this text
`;

const { values: opts } = parseArgs({
  options: {
    indicators: { type: 'string', default: '10000' },
    declarations: { type: 'string', default: '100000' },
    'jre-items': { type: 'string', default: '100' },
    'cel-items': { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const INDICATORS = positive('indicators', opts.indicators);
const DECLARATIONS = positive('declarations', opts.declarations);
const JRE_ITEMS = positive('jre-items', opts['jre-items']);
const CEL_ITEMS = positive('cel-items', opts['cel-items']);
const RUNS = positive('runs', opts.runs);
const SEED = positive('seed', opts.seed);

// ---------------------------------------------------------------------------------------------
// Shared reference data
// ---------------------------------------------------------------------------------------------

interface PriorityCode {
  area: string;
  hs: string;
}
const readCsv = (file: string) =>
  parseCsv<Record<string, string>>(readFileSync(path.join(SHARED, file)), {
    columns: true,
    skip_empty_lines: true,
  });
const PRIORITY_CODES: PriorityCode[] = readCsv('priority-hs-codes/priority-hs-codes.csv').map(
  (r) => ({ area: r.priority_area!, hs: r.hscode! }),
);
const CODES_BY_AREA = new Map<string, string[]>();
for (const { area, hs } of PRIORITY_CODES) {
  let list = CODES_BY_AREA.get(area);
  if (!list) CODES_BY_AREA.set(area, (list = []));
  list.push(hs);
}
const COUNTRY_CODES: string[] = readCsv('country-codes/country-codes.csv')
  .map((r) => (r['ISO3166-1-Alpha-2'] ?? '').trim())
  .filter((c) => /^[A-Z]{2}$/.test(c));

/** The priority areas of the shared list, mapped onto GreenLane's (a label only: it does not affect screening). */
const AREA_LABEL: Record<string, PriorityArea> = {
  plastic_waste: 'plastic-waste',
  e_waste: 'e-waste',
  e_waste_related: 'e-waste',
  scrap_metal: 'waste-and-scrap-metal',
  ods_montreal: 'general-smuggling',
  hfc_kigali: 'general-smuggling',
  pesticides: 'agricultural-chemicals',
  pesticides_pops_active_ingredients: 'agricultural-chemicals',
  fertilizers: 'agricultural-chemicals',
  green_technology: 'green-technology',
  cites_wildlife: 'endangered-species',
  ipr_counterfeit_prone: 'intellectual-property',
  energy: 'energy',
};

const MODES = ['sea', 'road', 'air', 'rail', 'post'];
/** Document type codes: the first ones appear in generated traffic (C400 CITES permit, N935 invoice); the rest are illustrative permit codes that never do. */
const PERMIT_BY_AREA: Record<string, string[]> = {
  cites_wildlife: ['C400'],
  plastic_waste: ['C669', 'C670'],
  e_waste: ['C669', 'C670'],
  e_waste_related: ['C669'],
  scrap_metal: ['C669', 'Y072'],
  ods_montreal: ['C056', 'Y054'],
  hfc_kigali: ['C056', 'C057'],
  pesticides: ['C045', 'Y927'],
  pesticides_pops_active_ingredients: ['C045', 'Y927'],
  fertilizers: ['Y926'],
  green_technology: ['Y900'],
  ipr_counterfeit_prone: ['C084'],
  energy: ['Y824'],
};

// ---------------------------------------------------------------------------------------------
// Indicator generator: a small condition tree, written as CEL and as json-rules-engine conditions
// ---------------------------------------------------------------------------------------------

type StringField =
  | 'item.origin'
  | 'declaration.dispatchCountry'
  | 'declaration.office'
  | 'declaration.transportMode'
  | 'declaration.kind';
type NumberField = 'item.valuePerKg' | 'item.netMass' | 'item.value';
type Cond =
  | { k: 'hs'; prefix: string }
  | { k: 'in'; field: StringField; values: string[] }
  | { k: 'num'; field: NumberField; op: '<' | '>'; value: number }
  | { k: 'doc'; type: string; present: boolean }
  | { k: 'and' | 'or'; of: Cond[] };

/** How an indicator is anchored: the index dimension it is meant to be found under. */
type Anchor = 'hs' | 'origin' | 'dispatch' | 'office' | 'mode' | 'none';

interface GeneratedIndicator {
  indicator: Indicator;
  anchor: Anchor;
  tree: Cond;
}

const and = (...of: Cond[]): Cond => ({ k: 'and', of });
const or = (...of: Cond[]): Cond => ({ k: 'or', of });
const isIn = (field: StringField, values: string[]): Cond => ({ k: 'in', field, values });
const num = (field: NumberField, op: '<' | '>', value: number): Cond => ({
  k: 'num',
  field,
  op,
  value,
});
const missing = (type: string): Cond => ({ k: 'doc', type, present: false });

function generateIndicators(count: number, seed: number): GeneratedIndicator[] {
  const r = new Random(seed * 7919 + 17);
  const areas = [...CODES_BY_AREA.keys()];
  const origins = (n: number) => isIn('item.origin', r.distinct(COUNTRY_CODES, n));
  const dispatch = (n: number) => isIn('declaration.dispatchCountry', r.distinct(COUNTRY_CODES, n));
  const valueLow = () => num('item.valuePerKg', '<', r.pick([0.5, 0.55, 0.6, 0.75, 0.8, 1.0]));
  const valueHigh = () => num('item.valuePerKg', '>', r.pick([150.0, 170.0, 190.0]));
  const massHigh = () => num('item.netMass', '>', r.pick([8000.0, 10000.0, 12000.0, 15000.0]));
  const modes = () => isIn('declaration.transportMode', r.distinct(MODES, r.int(1, 2)));
  const office = () => isIn('declaration.office', [r.pick(OFFICES)]);
  const kind = () =>
    isIn('declaration.kind', r.pick([['import'], ['export'], ['transit'], ['import', 'transit']]));
  const noInvoiceHighValue = () => and(missing('N935'), num('item.value', '>', 50000.0));

  const hsPrefix = (code: string): string => {
    if (code.length <= 2) return code;
    if (code.length === 4) return r.chance(0.03) ? code.slice(0, 2) : code;
    return r.weighted([
      [code, 55],
      [code.slice(0, 5), 15],
      [code.slice(0, 4), 28],
      [code.slice(0, 2), 2],
    ] as const);
  };
  /** What a profile on goods of this area typically adds to the HS code. */
  const areaCondition = (area: string): Cond => {
    const permit = () => missing(r.pick(PERMIT_BY_AREA[area] ?? ['Y900']));
    switch (area) {
      case 'cites_wildlife':
        return r.weighted<() => Cond>([
          [() => and(permit(), origins(r.int(2, 6))), 3],
          [() => and(origins(r.int(1, 4)), modes()), 2],
          [() => and(permit(), modes(), valueHigh()), 1],
        ])();
      case 'plastic_waste':
      case 'e_waste':
      case 'e_waste_related':
      case 'scrap_metal':
        return r.weighted<() => Cond>([
          [() => dispatch(r.int(1, 4)), 3],
          [() => and(valueLow(), origins(r.int(2, 8))), 2],
          [() => and(massHigh(), permit()), 2],
          [() => and(or(origins(r.int(1, 3)), dispatch(r.int(1, 3))), permit()), 1],
          [() => and(kind(), valueLow()), 1],
        ])();
      case 'ipr_counterfeit_prone':
        return r.weighted<() => Cond>([
          [() => origins(r.int(1, 3)), 3],
          [() => and(modes(), valueLow()), 1],
          [() => and(origins(r.int(2, 6)), valueLow()), 2],
          [() => or(origins(r.int(1, 2)), dispatch(r.int(1, 2))), 1],
        ])();
      case 'energy':
        return r.weighted<() => Cond>([
          [() => dispatch(r.int(1, 3)), 3],
          [() => and(kind(), massHigh()), 1],
          [() => and(valueLow(), origins(r.int(1, 5))), 1],
        ])();
      case 'green_technology':
        return r.weighted<() => Cond>([
          [() => origins(r.int(1, 3)), 3],
          [() => and(valueLow(), modes()), 2],
        ])();
      default: // ODS, HFCs, pesticides, POPs, fertilisers
        return r.weighted<() => Cond>([
          [() => and(permit(), origins(r.int(1, 5))), 3],
          [() => and(origins(r.int(1, 3)), kind()), 2],
          [() => and(valueLow(), permit()), 1],
        ])();
    }
  };
  /** A further narrowing some profiles add. */
  const extra = (): Cond =>
    r.weighted<() => Cond>([
      [valueLow, 2],
      [massHigh, 2],
      [modes, 2],
      [office, 1],
      [kind, 1],
      [noInvoiceHighValue, 1],
    ])();

  const out: GeneratedIndicator[] = [];
  for (let i = 0; i < count; i++) {
    const anchor = r.weighted<Anchor>([
      ['hs', 85.4],
      ['origin', 7],
      ['dispatch', 5],
      ['office', 2],
      ['mode', 0.3],
      ['none', 0.3],
    ]);
    let area = r.pick(areas);
    let tree: Cond;
    switch (anchor) {
      case 'hs': {
        const codes = CODES_BY_AREA.get(area)!;
        const hs: Cond = r.chance(0.8)
          ? { k: 'hs', prefix: hsPrefix(r.pick(codes)) }
          : or(
              ...r
                .distinct(codes, r.int(2, 3))
                .map((c): Cond => ({ k: 'hs', prefix: hsPrefix(c) })),
            );
        tree = and(hs, areaCondition(area));
        if (r.chance(0.35)) tree = and(tree, extra());
        break;
      }
      case 'origin':
        area = 'ipr_counterfeit_prone';
        tree = and(
          origins(r.int(1, 3)),
          r.weighted<() => Cond>([
            [() => and(valueLow(), massHigh()), 2],
            [() => and(modes(), valueHigh()), 1],
            [() => and(noInvoiceHighValue(), kind()), 1],
          ])(),
        );
        break;
      case 'dispatch':
        area = r.pick(['energy', 'scrap_metal']);
        tree = and(
          dispatch(r.int(1, 3)),
          r.weighted<() => Cond>([
            [() => and(kind(), massHigh()), 2],
            [() => and(valueLow(), massHigh()), 1],
            [() => and(modes(), valueHigh()), 1],
          ])(),
        );
        break;
      case 'office':
        tree = and(
          office(),
          r.weighted<() => Cond>([
            [() => and(origins(r.int(1, 4)), valueLow()), 2],
            [() => and(modes(), massHigh(), valueLow()), 1],
            [() => and(dispatch(r.int(1, 3)), kind()), 1],
          ])(),
        );
        break;
      case 'mode':
        tree = and(
          isIn('declaration.transportMode', ['post']),
          kind(),
          valueHigh(),
          num('item.value', '>', r.pick([30000.0, 50000.0, 75000.0, 100000.0])),
        );
        break;
      case 'none':
        // Not indexable: only thresholds, or an `||` across two dimensions.
        tree = r.chance(1 / 3)
          ? and(num('item.valuePerKg', '<', r.pick([0.505, 0.51, 0.52])), massHigh())
          : and(or(origins(1), dispatch(1)), valueLow(), massHigh());
        break;
    }
    const id = `BENCH-${String(i + 1).padStart(5, '0')}`;
    out.push({
      anchor,
      tree,
      indicator: {
        id,
        version: 1,
        title: `Generated ${anchor}-anchored profile ${i + 1}`,
        priorityArea: AREA_LABEL[area] ?? 'general-smuggling',
        condition: toCel(tree),
        weight: r.pick([10, 20, 30, 40, 50]),
        directChannel: r.chance(0.05) ? 'red' : null,
        controlForm: r.pick(['documentary-check', 'scanning', 'physical-inspection'] as const),
        rationale: 'generated for bench/screening.ts',
        validFrom: null,
        validTo: null,
        status: 'active',
        ownerAgencyId: 'bench',
      },
    });
  }
  return out;
}

const literal = (v: string): string => JSON.stringify(v);
/** CEL doubles need a decimal point (an int literal would not type-check against a double field). */
const double = (v: number): string => (Number.isInteger(v) ? v.toFixed(1) : String(v));

function toCel(c: Cond): string {
  switch (c.k) {
    case 'hs':
      return `item.hs.startsWith(${literal(c.prefix)})`;
    case 'in':
      return c.values.length === 1
        ? `${c.field} == ${literal(c.values[0]!)}`
        : `${c.field} in [${c.values.map(literal).join(', ')}]`;
    case 'num':
      return `${c.field} ${c.op} ${double(c.value)}`;
    case 'doc':
      return `${c.present ? '' : '!'}hasDocument(${literal(c.type)})`;
    case 'and':
    case 'or':
      return c.of
        .map((x) => (x.k === 'and' || x.k === 'or' ? `(${toCel(x)})` : toCel(x)))
        .join(c.k === 'and' ? ' && ' : ' || ');
  }
}

// json-rules-engine: one fact per field the conditions read.
type JreNode = TopLevelCondition | { fact: string; operator: string; value: unknown };
const FACT: Record<StringField | NumberField, string> = {
  'item.origin': 'origin',
  'declaration.dispatchCountry': 'dispatchCountry',
  'declaration.office': 'office',
  'declaration.transportMode': 'transportMode',
  'declaration.kind': 'kind',
  'item.valuePerKg': 'valuePerKg',
  'item.netMass': 'netMass',
  'item.value': 'value',
};

function toJre(c: Cond): JreNode {
  switch (c.k) {
    case 'hs':
      return { fact: 'hs', operator: 'startsWith', value: c.prefix };
    case 'in':
      return c.values.length === 1
        ? { fact: FACT[c.field], operator: 'equal', value: c.values[0] }
        : { fact: FACT[c.field], operator: 'in', value: c.values };
    case 'num':
      return {
        fact: FACT[c.field],
        operator: c.op === '<' ? 'lessThan' : 'greaterThan',
        value: c.value,
      };
    case 'doc':
      return { fact: 'documents', operator: c.present ? 'contains' : 'notContains', value: c.type };
    case 'and':
      return { all: c.of.map(toJre) };
    case 'or':
      return { any: c.of.map(toJre) };
  }
}

function jreRule(c: Cond, index: number): RuleProperties {
  const node = toJre(c);
  const conditions = 'fact' in node ? { all: [node] } : node;
  return { conditions, event: { type: 'hit', params: { index } } };
}

function jreFacts(c: ScreeningContext): Record<string, unknown> {
  return {
    hs: c.item.hs,
    origin: c.item.origin,
    dispatchCountry: c.declaration.dispatchCountry,
    office: c.declaration.office,
    transportMode: c.declaration.transportMode,
    kind: c.declaration.kind,
    valuePerKg: c.item.valuePerKg,
    netMass: c.item.netMass,
    value: c.item.value,
    documents: c.item.documents,
  };
}

function jsonRulesEngine(rules: Cond[]): Engine {
  const engine = new Engine(
    rules.map((c, i) => jreRule(c, i)),
    { allowUndefinedFacts: true },
  );
  engine.addOperator<string, string>(
    'startsWith',
    (fact, prefix) => typeof fact === 'string' && fact.startsWith(prefix),
  );
  engine.addOperator<unknown, string>(
    'notContains',
    (fact, value) => Array.isArray(fact) && !fact.includes(value),
  );
  return engine;
}

// cel-js: the same variables as celEnvironment(), with real handlers for the helpers used here.
let celDocuments: readonly string[] = [];

function celJsEnvironment(): Environment {
  let env = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 5000 } })
    .registerVariable({ name: 'declaration', schema: CONTEXT_SCHEMA.declaration })
    .registerVariable({ name: 'item', schema: CONTEXT_SCHEMA.item })
    .registerVariable({ name: 'trader', schema: CONTEXT_SCHEMA.trader });
  for (const [name, h] of Object.entries(HELPERS)) {
    env = env.registerFunction(
      h.signature,
      name === 'hasDocument'
        ? (type: string) => celDocuments.includes(type)
        : () => {
            throw new Error(`${name} is not used by this benchmark`);
          },
    );
  }
  return env;
}

/** The activation cel-js wants: ints as BigInt, doubles as numbers, absent optionals left out. */
function celActivation(c: ScreeningContext): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    declaration: { ...c.declaration, itemCount: BigInt(c.declaration.itemCount) },
    item: defined({ ...c.item, sequence: BigInt(c.item.sequence) }),
    trader: {
      id: c.trader.id,
      country: c.trader.country,
      controls: BigInt(c.trader.controls),
      findings: BigInt(c.trader.findings),
      findingRate: c.trader.controls > 0 ? c.trader.findings / c.trader.controls : 0,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const log = (s = '') => process.stdout.write(`${s}\n`);
const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function traderOf(d: DeclarationContent, cache: Map<string, ScreeningTrader>): ScreeningTrader {
  const id = d.declarant.id ?? d.declarant.name ?? 'unknown';
  let t = cache.get(id);
  if (!t) {
    let h = 0;
    for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
    const controls = h % 12;
    t = {
      id,
      country: d.declarant.country ?? id.slice(0, 2),
      controls,
      findings: controls > 0 ? (h >>> 8) % (controls + 1) : 0,
      certificates: [],
      permitsOnFile: [],
    };
    cache.set(id, t);
  }
  return t;
}

interface Pass {
  items: number;
  seconds: number;
  /** CPU time of this process during the pass (user + system), for spotting a busy machine. */
  cpuSeconds: number;
  hitItems: number;
  hits: number;
}

const cpuSince = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};

/** The real path: build each declaration's contexts, then match every item. */
function screenAll(
  engine: RiskEngine,
  declarations: readonly DeclarationContent[],
  traders: readonly ScreeningTrader[],
): Pass {
  let items = 0;
  let hitItems = 0;
  let hits = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let d = 0; d < declarations.length; d++) {
    for (const context of screeningContexts(declarations[d]!, traders[d]!)) {
      const m = engine.matches(context);
      items++;
      if (m.length > 0) {
        hitItems++;
        hits += m.length;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { items, seconds, cpuSeconds: cpuSince(cpu), hitItems, hits };
}

/** Only RiskEngine.matches, on contexts built beforehand. */
function matchAll(engine: RiskEngine, contexts: readonly ScreeningContext[]): Pass {
  let hitItems = 0;
  let hits = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const context of contexts) {
    const m = engine.matches(context);
    if (m.length > 0) {
      hitItems++;
      hits += m.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { items: contexts.length, seconds, cpuSeconds: cpuSince(cpu), hitItems, hits };
}

function timedRuns(run: () => Pass, runs: number): Pass {
  const passes: Pass[] = [];
  for (let i = 0; i < runs; i++) passes.push(run());
  const m = median(passes.map((p) => p.seconds));
  return passes.find((p) => p.seconds === m)!;
}

/** Copies of the compiled indicators whose evaluate counts its calls, per anchor. */
function countingEngine(
  compiled: readonly CompiledIndicator[],
  anchors: readonly Anchor[],
  counts: Map<Anchor, number>,
): RiskEngine {
  return new RiskEngine(
    compiled.map((ci, i) => {
      const evaluate = ci.condition.evaluate;
      const anchor = anchors[i]!;
      return {
        indicator: ci.indicator,
        condition: {
          ...ci.condition,
          evaluate: (c: ScreeningContext) => {
            counts.set(anchor, (counts.get(anchor) ?? 0) + 1);
            return evaluate(c);
          },
        },
      };
    }),
  );
}

const key = (hits: readonly number[]) => hits.join(',');

function compareHits(
  name: string,
  reference: readonly number[][],
  other: readonly number[][],
  generated: readonly GeneratedIndicator[],
  contexts: readonly ScreeningContext[],
): boolean {
  let differences = 0;
  for (let i = 0; i < reference.length; i++) {
    if (key(reference[i]!) === key(other[i]!)) continue;
    if (differences++ < 5) {
      const a = new Set(reference[i]);
      const b = new Set(other[i]);
      const onlyGreenLane = [...a].filter((x) => !b.has(x));
      const onlyOther = [...b].filter((x) => !a.has(x));
      const c = contexts[i]!;
      log(
        `  MISMATCH item ${i} (hs ${c.item.hs}, origin ${c.item.origin}, office ${c.declaration.office}):` +
          ` only GreenLane [${onlyGreenLane.join(',')}], only ${name} [${onlyOther.join(',')}]`,
      );
      for (const x of [...onlyGreenLane, ...onlyOther].slice(0, 3)) {
        log(`    ${generated[x]!.indicator.id}: ${generated[x]!.indicator.condition}`);
      }
    }
  }
  return differences === 0;
}

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------

log(
  `screening bench: ${fmt(INDICATORS)} indicators, ${fmt(DECLARATIONS)} declarations, seed ${SEED}, ` +
    `node ${process.version}, ${RUNS} timed run(s), load average ${loadavg()[0]!.toFixed(2)} on ` +
    `${availableParallelism()} cores`,
);

// Indicators, compiled the GreenLane way.
checkpoint('start');
let t = performance.now();
const generated = generateIndicators(INDICATORS, SEED);
const lists = new Map<string, ReferenceList>();
t = performance.now();
const compiled = compileIndicators(
  generated.map((g) => g.indicator),
  lists,
);
const compileSeconds = (performance.now() - t) / 1000;
t = performance.now();
const engine = new RiskEngine(compiled);
checkpoint('GreenLane compiled');
const indexSeconds = (performance.now() - t) / 1000;
const anchors = generated.map((g) => g.anchor);
const anchorCounts = new Map<Anchor, number>();
for (const a of anchors) anchorCounts.set(a, (anchorCounts.get(a) ?? 0) + 1);
log(
  `indicators: compiled in ${fmt(compileSeconds, 2)} s, indexed in ${fmt(indexSeconds, 3)} s; anchors ` +
    [...anchorCounts].map(([a, n]) => `${a} ${fmt(n)}`).join(', '),
);
log(`  e.g. ${generated[0]!.indicator.condition}`);
log(`       ${generated[1]!.indicator.condition}`);

// Declarations, validated and normalised as on receipt; traders as screening would load them.
t = performance.now();
const declarations: DeclarationContent[] = [];
for (const input of generateDeclarations(DECLARATIONS, SEED)) {
  const checked = validateDeclaration(input, input.submittedAt ?? '2024-01-01T00:00:00.000Z');
  if (!checked.ok) {
    log(`generated declaration ${input.reference} is invalid: ${JSON.stringify(checked.issues)}`);
    process.exit(1);
  }
  declarations.push(checked.value);
}
const traderCache = new Map<string, ScreeningTrader>();
const traders = declarations.map((d) => traderOf(d, traderCache));
const goodsItemCount = declarations.reduce((n, d) => n + d.goodsItems.length, 0);
log(
  `declarations: ${fmt(declarations.length)} with ${fmt(goodsItemCount)} goods items, generated and ` +
    `validated in ${fmt((performance.now() - t) / 1000, 1)} s (not timed)`,
);

// GreenLane at 100, 1,000 and the full count (same generator: the first N indicators).
const sizes = [...new Set([100, 1_000, INDICATORS].filter((n) => n <= INDICATORS))];
interface Scale {
  indicators: number;
  full: Pass;
  matchOnly: Pass;
  candidates: number;
  byAnchor: Map<Anchor, number>;
  stats: ReturnType<RiskEngine['stats']>;
}
// The real path first, while no contexts are kept: contexts that outlive a pass teach V8 to
// allocate them straight into the old generation (pretenuring), which slows every later pass
// (measured: 0.3 → 0.7–2.3 µs per item to build them). Screening never keeps them.
const engines = sizes.map((n) =>
  n === INDICATORS ? engine : new RiskEngine(compiled.slice(0, n)),
);
const fullPasses = engines.map((e) => {
  // Warm-up (not counted): one pass over a tenth of the declarations.
  screenAll(e, declarations.slice(0, Math.ceil(declarations.length / 10)), traders);
  return timedRuns(() => screenAll(e, declarations, traders), RUNS);
});
const contexts: ScreeningContext[] = [];
for (let d = 0; d < declarations.length; d++)
  contexts.push(...screeningContexts(declarations[d]!, traders[d]!));
const scales: Scale[] = [];
for (const [s, n] of sizes.entries()) {
  const e = engines[s]!;
  const full = fullPasses[s]!;
  const matchOnly = timedRuns(() => matchAll(e, contexts), 1);
  const byAnchor = new Map<Anchor, number>();
  const counting = countingEngine(compiled.slice(0, n), anchors.slice(0, n), byAnchor);
  for (const c of contexts) counting.matches(c);
  const evaluated = [...byAnchor.values()].reduce((a, b) => a + b, 0);
  scales.push({
    indicators: n,
    full,
    matchOnly,
    candidates: evaluated / contexts.length,
    byAnchor,
    stats: e.stats(),
  });
}
checkpoint('declarations + GreenLane passes');
const top = scales[scales.length - 1]!;
const glRate = top.full.items / top.full.seconds;
log(
  `GreenLane hits at ${fmt(INDICATORS)} indicators: ${fmt(top.full.hitItems)} of ${fmt(top.full.items)} items ` +
    `(${fmt((100 * top.full.hitItems) / top.full.items, 2)} %) hit at least one indicator; ` +
    `${fmt(top.full.hits)} (item, indicator) hits, ${fmt(top.full.hits / top.full.items, 3)} per item`,
);

// Samples for the peers: the first goods items.
const jreSample = contexts.slice(0, JRE_ITEMS);
const celSample = contexts.slice(0, CEL_ITEMS);
const greenLaneHits = (sample: readonly ScreeningContext[]) => sample.map((c) => engine.matches(c));

// GreenLane without its index (every indicator per item), on the cel-js sample: also checks the index.
const withoutIndexStarted = performance.now();
const withoutIndexHits = celSample.map((c) => engine.matchesWithoutIndex(c));
const withoutIndexSeconds = (performance.now() - withoutIndexStarted) / 1000;

// json-rules-engine.
t = performance.now();
const jre = jsonRulesEngine(generated.map((g) => g.tree));
const jreBuildSeconds = (performance.now() - t) / 1000;
checkpoint('json-rules-engine rules');
const jreFactsSample = jreSample.map(jreFacts);
const jreHits: number[][] = [];
const jreWarmup = Math.min(10, Math.floor(JRE_ITEMS / 10));
let jreStarted = performance.now();
for (let i = 0; i < jreFactsSample.length; i++) {
  if (i === jreWarmup) jreStarted = performance.now();
  const { events } = await jre.run(jreFactsSample[i]);
  jreHits.push(events.map((e) => Number(e.params?.index)).sort((a, b) => a - b));
}
const jreItems = jreFactsSample.length - jreWarmup;
const jreSeconds = (performance.now() - jreStarted) / 1000;

// cel-js, rule by rule.
t = performance.now();
const celEnv = celJsEnvironment();
const celPrograms = generated.map((g) => {
  const program = celEnv.parse(g.indicator.condition);
  const checked = program.check();
  if (!checked.valid) throw new Error(`cel-js refuses ${g.indicator.id}: ${String(checked.error)}`);
  return program;
});
const celBuildSeconds = (performance.now() - t) / 1000;
checkpoint('cel-js programs');
const celActivations = celSample.map(celActivation);
let celErrors = 0;
const celScreen = (from: number, to: number, into: number[][]) => {
  for (let i = from; i < to; i++) {
    const activation = celActivations[i]!;
    celDocuments = celSample[i]!.item.documents;
    const hits: number[] = [];
    for (let r = 0; r < celPrograms.length; r++) {
      try {
        if (celPrograms[r]!(activation) === true) hits.push(r);
      } catch {
        celErrors++; // a field that was not declared: no hit, as in GreenLane
      }
    }
    into.push(hits);
  }
};
const celHits: number[][] = [];
const celWarmup = Math.min(20, Math.floor(CEL_ITEMS / 10));
celScreen(0, celWarmup, celHits);
const celStarted = performance.now();
celScreen(celWarmup, celSample.length, celHits);
const celSeconds = (performance.now() - celStarted) / 1000;
const celItems = celSample.length - celWarmup;

// Same hits, everywhere.
log();
log('equivalence (same (item, indicator) hits as GreenLane RiskEngine.matches):');
const glJre = greenLaneHits(jreSample);
const glCel = greenLaneHits(celSample);
const countHits = (h: readonly number[][]) => h.reduce((a, x) => a + x.length, 0);
const checks = [
  ['json-rules-engine', glJre, jreHits, jreSample] as const,
  ['cel-js per rule', glCel, celHits, celSample] as const,
  ['GreenLane without index', glCel, withoutIndexHits, celSample] as const,
].map(([name, reference, other, sample]) => {
  const ok = compareHits(name, reference, other, generated, sample);
  log(
    `  ${pad(name, 24)} ${lpad(fmt(sample.length), 7)} items, ${lpad(fmt(countHits(reference)), 6)} hits ` +
      `(${fmt(reference.filter((h) => h.length > 0).length)} items hit): ${ok ? 'identical' : 'DIFFERENT'}`,
  );
  return ok;
});
if (celErrors > 0) log(`  (cel-js raised ${fmt(celErrors)} evaluation errors, counted as no hit)`);

// Tables.
const jreRate = jreItems / jreSeconds;
const celRate = celItems / celSeconds;
const vsJre = glRate / jreRate;
const vsCel = glRate / celRate;
log();
log(`throughput at ${fmt(INDICATORS)} indicators (one thread):`);
const rows: Array<[string, number, number]> = [
  ['GreenLane (contexts + index)', top.full.items, top.full.seconds],
  ['GreenLane (index only)', top.matchOnly.items, top.matchOnly.seconds],
  ['GreenLane (no index)', celSample.length, withoutIndexSeconds],
  ['cel-js per rule', celItems, celSeconds],
  ['json-rules-engine', jreItems, jreSeconds],
];
log(
  `  ${pad('engine', 30)} ${lpad('items', 9)} ${lpad('seconds', 9)} ${lpad('items/s', 12)} ${lpad('GreenLane is', 14)}`,
);
for (const [name, items, seconds] of rows) {
  const rate = items / seconds;
  log(
    `  ${pad(name, 30)} ${lpad(fmt(items), 9)} ${lpad(fmt(seconds, 3), 9)} ${lpad(fmt(rate), 12)} ` +
      `${lpad(`${fmt(glRate / rate, glRate / rate < 10 ? 2 : 0)}×`, 14)}`,
  );
}
log(
  '  GreenLane (contexts + index) times screeningContexts() + RiskEngine.matches() per declaration, median of ' +
    `${RUNS} passes; the peers' facts / activations are built beforehand (not timed), which favours them.`,
);
log(
  `  set-up: GreenLane compile ${fmt(compileSeconds, 2)} s + index ${fmt(indexSeconds, 3)} s; ` +
    `json-rules-engine ${fmt(jreBuildSeconds, 2)} s; cel-js parse + check ${fmt(celBuildSeconds, 2)} s`,
);

log();
log('GreenLane cost as indicators grow (the first N indicators of the same generator):');
log(
  `  ${lpad('indicators', 10)} ${lpad('items/s', 10)} ${lpad('µs/item', 8)} ${lpad('cpu/wall', 8)}  ` +
    `${lpad('index only:', 11)} ${lpad('items/s', 10)} ${lpad('µs/item', 8)}  ${lpad('candidates/item', 15)}`,
);
for (const s of scales) {
  const rate = s.full.items / s.full.seconds;
  const matchRate = s.matchOnly.items / s.matchOnly.seconds;
  log(
    `  ${lpad(fmt(s.indicators), 10)} ${lpad(fmt(rate), 10)} ${lpad(fmt(1e6 / rate, 2), 8)} ` +
      `${lpad(fmt(s.full.cpuSeconds / s.full.seconds, 2), 8)}  ${lpad('', 11)} ${lpad(fmt(matchRate), 10)} ` +
      `${lpad(fmt(1e6 / matchRate, 2), 8)}  ${lpad(fmt(s.candidates, 2), 15)}`,
  );
}
log(
  '  candidates/item: conditions evaluated per item (counted in wrapped copies), by how the indicator is anchored:',
);
for (const s of scales) {
  log(
    `  ${lpad(fmt(s.indicators), 10)}: ` +
      [...s.byAnchor]
        .sort((a, b) => b[1] - a[1])
        .map(([a, n]) => `${a} ${fmt(n / contexts.length, 2)}`)
        .join(', '),
  );
}
log('  index stats (RiskEngine.stats(), indicators filed per dimension):');
for (const s of scales) log(`  ${lpad(fmt(s.indicators), 10)}: ${JSON.stringify(s.stats)}`);
const first = scales[0]!;
const costRatio = first.full.items / first.full.seconds / (top.full.items / top.full.seconds);
log(
  `peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024)} MiB, all engines and the declarations in one ` +
    `process; RSS after ` +
    rssAfter.map(([stage, bytes]) => `${stage} ${fmt(bytes / 2 ** 20)} MiB`).join(', '),
);
log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} on ${availableParallelism()} cores (other work on the machine slows every figure)`,
);

log();
log('targets:');
log(
  `  ${mark(vsJre >= TARGET.vsJsonRulesEngine)}  ≥ ${fmt(TARGET.vsJsonRulesEngine)}× json-rules-engine: ${fmt(vsJre)}×`,
);
log(
  `  ${mark(vsCel >= TARGET.vsCelJs)}  ≥ ${fmt(TARGET.vsCelJs)}× per-rule cel-js: ${fmt(vsCel)}×`,
);
log(
  `  ${mark(glRate >= TARGET.itemsPerSecond)}  ≥ ${fmt(TARGET.itemsPerSecond)} items/s on one core: ${fmt(glRate)} items/s`,
);
log(
  `  ${mark(costRatio <= TARGET.costRatio100To10k)}  per-item cost at ${fmt(top.indicators)} vs ${fmt(first.indicators)} ` +
    `indicators nearly the same (≤ ${TARGET.costRatio100To10k}×): ${fmt(costRatio, 2)}×`,
);

if (!checks.every(Boolean)) {
  log('FAIL: the engines do not find the same hits');
  process.exit(1);
}
const number = (x: number) => (x >= 100 ? String(Math.round(x)) : x.toFixed(1));
log(
  `screening ${INDICATORS} indicators: ${Math.round(glRate)} items/s; ${number(vsJre)} x json-rules-engine; ${number(vsCel)} x cel-js`,
);
