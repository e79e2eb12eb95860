import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeclarationContent, TransportMode } from '../declaration/declaration.js';
import {
  generateDeclarations,
  type GeneratedDeclaration,
} from '../../test-support/generate-declarations.js';
import { compileIndicators, RiskEngine } from './engine.js';
import type { Indicator, ReferenceList } from './indicator.js';
import { screeningContexts, type ScreeningTrader } from './screening-context.js';

// Small pools, shared by the conditions and the declaration overrides, so that hits happen.
const HS_CODES = [
  '8549210000',
  '8548100000',
  '854911',
  '3915100000',
  '391590',
  '0106390000',
  '4403990000',
  '2710194300',
  '8471300000',
];
const HS_PREFIXES = [
  ...new Set(HS_CODES.flatMap((c) => [2, 3, 4, 5, 6].map((n) => c.slice(0, n)))),
];
const COUNTRIES = ['CN', 'HK', 'VN', 'DE', 'GB', 'BY', 'CM', 'NL'];
const OFFICES = ['GBFXT001', 'NL000396', 'BY112000', 'DE004852', 'KZ551010'];
const MODES: TransportMode[] = ['sea', 'road', 'air', 'rail', 'post'];
const DOCUMENTS = ['C400', 'N935', 'N705', 'N730', 'N740', 'N720'];

const quoted = (s: string) => JSON.stringify(s);
const literalList = <T extends string>(pool: readonly T[]) =>
  fc
    .uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 })
    .map((xs) => `[${xs.map(quoted).join(', ')}]`);
const comparison = fc.constantFrom('<', '<=', '>', '>=', '==', '!=');

/** One realistic piece of a condition. */
const piece: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HS_PREFIXES).map((p) => `item.hs.startsWith(${quoted(p)})`),
  fc.constantFrom(...HS_CODES).map((c) => `item.hs == ${quoted(c)}`),
  literalList(HS_PREFIXES).map((l) => `item.hs in ${l}`),
  fc.constantFrom(...COUNTRIES).map((c) => `item.origin == ${quoted(c)}`),
  fc.constantFrom(...COUNTRIES).map((c) => `${quoted(c)} == item.origin`),
  fc.constantFrom(...COUNTRIES).map((c) => `item.origin != ${quoted(c)}`),
  literalList(COUNTRIES).map((l) => `item.origin in ${l}`),
  fc.constantFrom(...OFFICES).map((o) => `declaration.office == ${quoted(o)}`),
  fc.constantFrom(...MODES).map((m) => `declaration.transportMode == ${quoted(m)}`),
  literalList(MODES).map((l) => `declaration.transportMode in ${l}`),
  fc.constantFrom(...COUNTRIES).map((c) => `declaration.dispatchCountry == ${quoted(c)}`),
  literalList(COUNTRIES).map((l) => `declaration.dispatchCountry in ${l}`),
  fc
    .tuple(fc.constantFrom('item.value', 'item.netMass'), comparison, fc.nat(20_000))
    .map(([field, op, n]) => `${field} ${op} ${n}.0`),
  fc
    .tuple(comparison, fc.nat(2_000))
    .map(([op, n]) => `item.valuePerKg ${op} ${(n / 10).toFixed(1)}`),
  fc.constantFrom(...DOCUMENTS).map((d) => `hasDocument(${quoted(d)})`),
  fc.constantFrom('hs-a', 'hs-b').map((l) => `hsIn(item.hs, ${quoted(l)})`),
  fc
    .constantFrom('item.origin', 'declaration.dispatchCountry')
    .map((f) => `inList(${f}, "countries-a")`),
  fc.constant('inList(declaration.office, "offices-a")'),
  fc.constant('inList(declaration.transportMode, "modes-a")'),
);

const operand = (a: fc.Arbitrary<string>) =>
  fc.tuple(a, fc.boolean()).map(([s, parenthesised]) => (parenthesised ? `(${s})` : s));

/** Pieces combined with &&, || and !, nested at most `depth` deep. */
function condition(depth: number): fc.Arbitrary<string> {
  if (depth === 0) return piece;
  const sub = condition(depth - 1);
  return fc.oneof(
    { arbitrary: piece, weight: 2 },
    { arbitrary: fc.tuple(operand(sub), operand(sub)).map(([a, b]) => `${a} && ${b}`), weight: 2 },
    { arbitrary: fc.tuple(operand(sub), operand(sub)).map(([a, b]) => `${a} || ${b}`), weight: 2 },
    { arbitrary: sub.map((a) => `!(${a})`), weight: 1 },
  );
}

const referenceList = (
  name: string,
  kind: ReferenceList['kind'],
  pool: readonly string[],
): fc.Arbitrary<ReferenceList> =>
  fc
    .uniqueArray(fc.constantFrom(...pool), { maxLength: 4 })
    .map((entries) => ({ name, version: 1, kind, title: name, entries }));

const lists = fc
  .tuple(
    referenceList('hs-a', 'hs-prefixes', HS_PREFIXES),
    referenceList('hs-b', 'hs-prefixes', HS_PREFIXES),
    referenceList('countries-a', 'countries', COUNTRIES),
    referenceList('offices-a', 'values', OFFICES),
    referenceList('modes-a', 'values', MODES),
  )
  .map((ls) => new Map(ls.map((l) => [l.name, l])));

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const override = fc.record({
  office: maybe(fc.constantFrom(...OFFICES)),
  mode: maybe(fc.constantFrom(...MODES)),
  dispatch: maybe(fc.constantFrom(...COUNTRIES)),
  items: fc.array(
    fc.record({
      hs: maybe(fc.constantFrom(...HS_CODES)),
      origin: maybe(fc.constantFrom(...COUNTRIES)),
      document: maybe(fc.constantFrom(...DOCUMENTS)),
      // Now and then a value or mass that was not declared.
      dropValue: fc.nat(7).map((n) => n === 0),
      dropMass: fc.nat(7).map((n) => n === 0),
    }),
    { maxLength: 5 },
  ),
});
type Override = typeof override extends fc.Arbitrary<infer T> ? T : never;

/** A generated declaration with the override applied, normalised as screening expects it. */
function toContent(d: GeneratedDeclaration, o: Override): DeclarationContent {
  return {
    ...d,
    submittedAt: d.submittedAt ?? '2025-01-01T00:00:00.000Z',
    office: o.office ?? d.office,
    route: {
      ...d.route,
      dispatchCountry: o.dispatch ?? d.route?.dispatchCountry,
      transportMode: o.mode ?? d.route?.transportMode,
      transitCountries: d.route?.transitCountries ?? [],
    },
    documents: d.documents ?? [],
    goodsItems: d.goodsItems.map((g, j) => {
      const io = o.items[j];
      const item = {
        ...g,
        hsCode: io?.hs ?? g.hsCode,
        originCountry: io?.origin ?? g.originCountry,
        documents: [
          ...(g.documents ?? []),
          ...(io?.document ? [{ type: io.document, reference: `DOC-${j}` }] : []),
        ],
      };
      if (io?.dropValue) delete item.value;
      if (io?.dropMass) delete item.netMass;
      return item;
    }),
  };
}

const declarations = fc
  .tuple(
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    fc.array(override, { minLength: 1, maxLength: 4 }),
  )
  .map(([seed, overrides]) => {
    const generated = [...generateDeclarations(overrides.length, seed)];
    return generated.map((d, k) => toContent(d, overrides[k]!));
  });

const scenario = fc.record({
  lists,
  conditions: fc.array(condition(3), { minLength: 1, maxLength: 20 }),
  declarations,
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const TRADER: ScreeningTrader = {
  id: 'GB000000000001',
  country: 'GB',
  controls: 4,
  findings: 1,
  certificates: [],
  permitsOnFile: [],
};

function indicators(conditions: readonly string[]): Indicator[] {
  return conditions.map((condition, i) => ({
    id: `I${i}`,
    version: 1,
    title: `Generated ${i}`,
    priorityArea: 'general-smuggling',
    condition,
    weight: 10,
    directChannel: null,
    controlForm: 'documentary-check',
    rationale: 'generated',
    validFrom: null,
    validTo: null,
    status: 'active',
    ownerAgencyId: 'agency-1',
  }));
}

function screen({ lists, conditions, declarations }: Scenario) {
  const engine = new RiskEngine(compileIndicators(indicators(conditions), lists));
  const results = declarations.flatMap((d) =>
    screeningContexts(d, TRADER).map((context) => ({
      context,
      indexed: engine.matches(context),
      reference: engine.matchesWithoutIndex(context),
    })),
  );
  return { engine, results };
}

describe('RiskEngine candidate index', () => {
  it('finds exactly the indicators that evaluating every one finds', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const { context, indexed, reference } of screen(s).results) {
          if (indexed.join() !== reference.join()) {
            expect({ item: context.item, indexed }).toEqual({
              item: context.item,
              indexed: reference,
            });
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is not vacuous: the generated data hits, through every dimension of the index', () => {
    let contexts = 0;
    let hits = 0;
    let guardedHits = 0;
    let guardedMisses = 0;
    const filed: Record<string, number> = {};
    for (const s of fc.sample(scenario, { numRuns: 300, seed: 42 })) {
      const { engine, results } = screen(s);
      for (const [dimension, count] of Object.entries(engine.stats())) {
        filed[dimension] = (filed[dimension] ?? 0) + count;
      }
      const guarded = engine.indicators.map((ci) => Object.keys(ci.condition.guard).length > 0);
      for (const { reference } of results) {
        contexts++;
        hits += reference.length;
        const hit = new Set(reference);
        guarded.forEach((g, i) => {
          if (g && hit.has(i)) guardedHits++;
          if (g && !hit.has(i)) guardedMisses++;
        });
      }
    }
    expect(contexts).toBeGreaterThan(300);
    expect(hits).toBeGreaterThan(0);
    // Hits through indexed indicators, and indexed indicators the index may rightly skip.
    expect(guardedHits).toBeGreaterThan(100);
    expect(guardedMisses).toBeGreaterThan(100);
    // Every way the index files a guard is exercised.
    for (const kind of ['always', 'hs', 'hs+value', 'pair', 'value', 'bound'])
      expect(filed[kind], kind).toBeGreaterThan(0);
  });
});
