/**
 * What the ingest bench sends: generated declarations shaped into the mix an administration with
 * the reference library in force meets (a share of goods in the library's priority areas, some
 * quoting a permit from the Single Window), and the refused mix (the same, with a share of
 * requests the server must refuse: duplicate references and second releases).
 */
import { readFileSync } from 'node:fs';
import type { DocumentRef } from '../../src/core/declaration/declaration.js';
import { SeededRandom } from '../../src/core/random.js';
import { hs2022Codes } from '../../src/core/reference/lookup.js';
import {
  generateDeclarations,
  type GeneratedDeclaration,
  type GeneratedGoodsItem,
} from '../../src/app/generate-declarations.js';

/** The demo trader that holds the waste-shipment consent `serve --demo` issues. */
export const DEMO_PERMIT_HOLDER = {
  id: 'BY190000001',
  name: 'EcoMet Recycling LLC (demo)',
  country: 'BY',
  address: '12 Partizansky Avenue, Minsk',
};

/**
 * Goods from the library's priority areas, as they arrive without the documents the indicators
 * ask for: each names an `hs-prefixes` list of `library/lists.json`, a description, and what the
 * item must look like for the indicator to have something to find (a unit value, a brand).
 */
interface RiskCase {
  list: string;
  description: string;
  weight: number;
  /** Value per kg to declare, when the indicator looks at it. */
  valuePerKg?: number;
  brand?: string;
}

const RISK_CASES: readonly RiskCase[] = [
  { list: 'plastic-waste', description: 'Plastic scrap, mixed', weight: 10 },
  { list: 'plastic-misdeclaration', description: 'PET flakes', weight: 6, valuePerKg: 0.2 },
  { list: 'e-waste', description: 'Electronic waste and scrap', weight: 8 },
  { list: 'used-electronics', description: 'Used computers', weight: 8, valuePerKg: 1.2 },
  { list: 'metal-scrap', description: 'Ferrous waste and scrap', weight: 14 },
  { list: 'slag-ash-residues', description: 'Slag and ash', weight: 5 },
  { list: 'waste-oils', description: 'Waste oils', weight: 5 },
  { list: 'green-technology', description: 'Photovoltaic modules', weight: 8 },
  { list: 'pesticides', description: 'Insecticides and herbicides', weight: 8 },
  { list: 'pops-pesticides', description: 'Halogenated pesticides', weight: 2 },
  { list: 'fertilizers', description: 'Fertilisers', weight: 5, valuePerKg: 0.05 },
  { list: 'ods-hfc', description: 'Refrigerant gases (HFC)', weight: 5 },
  { list: 'cites-risk', description: 'Live reptiles', weight: 6 },
  { list: 'ipr-counterfeit-prone', description: 'Sports footwear', weight: 6, valuePerKg: 2 },
  { list: 'energy', description: 'Coal', weight: 4, valuePerKg: 0.1 },
];

/** Shares of the mix, by declaration (calibrated so that about a third hit an indicator). */
export const MIX = {
  /** One goods item replaced by goods of a priority area (see RISK_CASES). */
  priorityGoods: 0.26,
  /** The demo trader's e-waste import quoting its consent: the permit check runs and matches. */
  permitQuoted: 0.04,
  /** Of those, the share sent from a country the consent does not allow (route mismatch). */
  permitRouteMismatch: 0.25,
} as const;

export interface LodgingBody {
  reference: string;
  json: string;
}

/**
 * `count` declarations (same seed, same bodies), shaped into the realistic mix. `permitNumber`
 * is the demo consent's number (read from the server); without it no permit is quoted.
 */
export function realisticMix(
  count: number,
  seed: number,
  permitNumber: string | undefined,
  now: Date,
): LodgingBody[] {
  const lists = hsListsOfLibrary();
  const random = new SeededRandom(seed * 7919 + 17);
  const bodies: LodgingBody[] = [];
  for (const d of generateDeclarations(count, seed)) {
    // Never the references of the 300 the demo lodges (GEN-7-…), whatever the seed.
    d.reference = `BENCH-${d.reference}`;
    const roll = random.next();
    if (permitNumber !== undefined && roll < MIX.permitQuoted) {
      quotePermit(d, random, permitNumber, now);
    } else if (roll < MIX.permitQuoted + MIX.priorityGoods) {
      priorityGoods(d, random, lists);
    }
    bodies.push({ reference: d.reference, json: JSON.stringify(d) });
  }
  return bodies;
}

/** A goods item of the declaration becomes goods of a priority area, without documents. */
function priorityGoods(
  d: GeneratedDeclaration,
  random: SeededRandom,
  lists: ReadonlyMap<string, string[]>,
): void {
  const c = random.weighted(RISK_CASES.map((x) => [x, x.weight] as const));
  const codes = lists.get(c.list);
  if (!codes || codes.length === 0) throw new Error(`library/lists.json has no list '${c.list}'`);
  const index = random.int(0, d.goodsItems.length - 1);
  const old = d.goodsItems[index]!;
  const netMass = old.netMass ?? 1000;
  const item: GeneratedGoodsItem = {
    sequence: old.sequence,
    hsCode: random.pick(codes),
    description: c.description,
    quantity: netMass,
    unit: 'KGM',
    netMass,
    grossMass: old.grossMass ?? netMass,
    value: Math.round(netMass * (c.valuePerKg ?? random.logUniform(0.5, 50)) * 100) / 100,
    currency: old.currency === 'EUR' || old.currency === 'USD' ? old.currency : 'EUR',
    originCountry: old.originCountry,
    ...(c.list === 'ipr-counterfeit-prone' ? { brand: 'Nike' } : {}),
  };
  d.goodsItems[index] = item;
}

/**
 * The demo trader imports e-waste from Lithuania on its waste-shipment consent (8549, LT → BY,
 * 120 t, 12 shipments), quoting the consent's number on the movement document. Lodging checks the
 * permit without drawing from it, so every one of them matches (or, sent from elsewhere, fails
 * on the route).
 */
function quotePermit(
  d: GeneratedDeclaration,
  random: SeededRandom,
  permitNumber: string,
  now: Date,
): void {
  const mismatch = random.chance(MIX.permitRouteMismatch);
  const office = 'BY112000';
  const netMass = Math.round(random.logUniform(500, 9_000));
  const documents: DocumentRef[] = [{ type: 'C670', reference: permitNumber }];
  d.kind = 'import';
  d.office = office;
  d.declarant = DEMO_PERMIT_HOLDER;
  d.consignee = DEMO_PERMIT_HOLDER;
  d.consignor = { ...d.consignor!, country: mismatch ? 'CN' : 'LT' };
  // Within the consent's validity (issued from last year to two years ahead): the last two weeks.
  d.submittedAt = new Date(now.getTime() - random.int(1, 14 * 24) * 3_600_000).toISOString();
  d.route = {
    dispatchCountry: mismatch ? 'CN' : 'LT',
    destinationCountry: 'BY',
    officeOfEntry: office,
    transportMode: 'road',
    conveyance: `LT${random.digits(3)} ${random.letters(3)}`,
  };
  d.goodsItems = [
    {
      sequence: 1,
      hsCode: `854911${random.digits(2)}`,
      description: 'Waste lead-acid batteries',
      quantity: netMass,
      unit: 'KGM',
      netMass,
      grossMass: Math.round(netMass * 1.05),
      value: Math.round(netMass * 0.7 * 100) / 100,
      currency: 'EUR',
      originCountry: mismatch ? 'CN' : 'LT',
      documents,
    },
  ];
}

/** Every 6-digit HS 2022 code under each `hs-prefixes` list of the reference library. */
function hsListsOfLibrary(): Map<string, string[]> {
  const file = new URL('../../library/lists.json', import.meta.url);
  const { lists } = JSON.parse(readFileSync(file, 'utf8')) as {
    lists: Array<{ name: string; kind: string; entries: string[] }>;
  };
  const subheadings = hs2022Codes().filter((c) => c.length === 6);
  const out = new Map<string, string[]>();
  for (const list of lists) {
    if (list.kind !== 'hs-prefixes') continue;
    out.set(
      list.name,
      subheadings.filter((c) => list.entries.some((p) => c.startsWith(p) || p.startsWith(c))),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The refused mix
// ---------------------------------------------------------------------------------------------

export type PlannedRequest =
  | { kind: 'lodge'; body: LodgingBody }
  /**
   * The same body lodged again. `racing`: right behind its first lodging in the queue, so that
   * two clients send both at nearly the same time; otherwise long after the first was accepted.
   */
  | { kind: 'duplicate'; body: LodgingBody; racing: boolean }
  /** A second release of a declaration released before the measured phase (slot in that pool). */
  | { kind: 'release-again'; slot: number };

export type RequestKind = PlannedRequest['kind'];

/** The clean mix: every measured body lodged once. */
export function cleanPlan(measured: readonly LodgingBody[]): PlannedRequest[] {
  return measured.map((body) => ({ kind: 'lodge', body }));
}

/**
 * `measured.length` requests of which `share` must be refused: half duplicates (half of them
 * racing their first lodging, half re-sending a warm-up body), half second releases. The rest
 * lodge the first bodies of `measured`. Positions are drawn with `seed`.
 */
export function refusedPlan(
  measured: readonly LodgingBody[],
  warmup: readonly LodgingBody[],
  share: number,
  seed: number,
): PlannedRequest[] {
  const total = measured.length;
  const refusals = Math.round(total * share);
  const duplicates = Math.ceil(refusals / 2);
  const releases = refusals - duplicates;
  const random = new SeededRandom(seed * 104_729 + 3);
  const plan: PlannedRequest[] = measured
    .slice(0, total - refusals)
    .map((body) => ({ kind: 'lodge', body }));
  // Late duplicates and second releases go anywhere; racing duplicates right after their first.
  const inserts: Array<{ at: number; request: PlannedRequest }> = [];
  for (let i = 0; i < duplicates; i++) {
    const racing = warmup.length === 0 || i % 2 === 0;
    if (racing) {
      const at = random.int(0, plan.length - 1);
      const first = plan[at]!;
      if (first.kind !== 'lodge') throw new Error('unreachable: the plan holds lodgings only');
      inserts.push({ at: at + 1, request: { kind: 'duplicate', body: first.body, racing } });
    } else {
      inserts.push({
        at: random.int(0, plan.length),
        request: { kind: 'duplicate', body: random.pick(warmup), racing },
      });
    }
  }
  for (let slot = 0; slot < releases; slot++) {
    inserts.push({ at: random.int(0, plan.length), request: { kind: 'release-again', slot } });
  }
  // From the back, so that earlier positions stay where they were drawn.
  inserts.sort((a, b) => b.at - a.at);
  for (const { at, request } of inserts) plan.splice(at, 0, request);
  return plan;
}
