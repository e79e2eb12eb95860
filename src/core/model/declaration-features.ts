/**
 * The learned model's features of a GreenLane declaration: one function, `declarationFeatures`,
 * computes them from what screening knows (the declaration, what the rules found, the trader's
 * record at that moment) and the statistics of the training rows, both when a model is trained
 * (from stored declarations and their stored assessments) and when a declaration is screened, so
 * the two can never drift apart. Pure: no clock, no I/O.
 */
import type { DeclarationContent } from '../declaration/declaration.js';
import { featureTable, type FeatureKind, type FeatureTable } from './feature-table.js';

/** Names the feature list and its meaning; bumped whenever either changes. */
export const DECLARATION_FEATURE_SET = 'greenlane-declaration/1';

/** What the rules found before the model: the parts of an Assessment the features read. */
export interface RulesFacts {
  hitScore: number;
  hits: ReadonlyArray<{
    indicatorId: string;
    weight: number;
    directChannel: string | null;
    priorityArea: string;
  }>;
  effects: ReadonlyArray<{ kind: string; subject: string; points: number }>;
  permits: ReadonlyArray<{ outcome: string }>;
  override: { channel: string } | null;
  /** The trader's compliance record when the declaration was screened; null if not recorded. */
  trader: { controls: number; findings: number } | null;
}

/** Statistics of the training rows the features compare with (fitted on training rows only). */
export interface DeclarationStatistics {
  /** Median of ln(value per kg) of the main goods item, by `HS6|currency` and `HS4|currency`. */
  readonly logUnitValueMedian: Readonly<Record<string, number>>;
}

export const NO_STATISTICS: DeclarationStatistics = { logUnitValueMedian: {} };

/** A row of features: a number or a category; null is missing (NaN for the trainer). */
export type FeatureRow = Record<string, number | string | null>;

export interface FeatureSpec {
  readonly name: string;
  readonly kind: FeatureKind;
  readonly description: string;
}

/** The features, in the order the model sees them. */
export const DECLARATION_FEATURES: readonly FeatureSpec[] = [
  { name: 'kind', kind: 'categorical', description: 'declaration kind (import, export, …)' },
  { name: 'office', kind: 'categorical', description: 'customs office where declared' },
  { name: 'transportMode', kind: 'categorical', description: 'mode of transport at the border' },
  { name: 'dispatchCountry', kind: 'categorical', description: 'country of dispatch' },
  { name: 'origin', kind: 'categorical', description: 'origin of the main goods item' },
  { name: 'traderCountry', kind: 'categorical', description: "the trader's country" },
  { name: 'currency', kind: 'categorical', description: 'currency of the main item' },
  { name: 'hsSection', kind: 'categorical', description: 'HS section of the main item (I–XXI)' },
  { name: 'hs2', kind: 'categorical', description: 'HS chapter of the main item' },
  { name: 'hs4', kind: 'categorical', description: 'HS heading of the main item' },
  { name: 'hs6', kind: 'categorical', description: 'HS subheading of the main item' },
  { name: 'items', kind: 'numeric', description: 'goods items' },
  { name: 'chapters', kind: 'numeric', description: 'distinct HS chapters among the items' },
  { name: 'origins', kind: 'numeric', description: 'distinct countries of origin' },
  { name: 'transitCountries', kind: 'numeric', description: 'countries of transit' },
  { name: 'containers', kind: 'numeric', description: 'containers' },
  { name: 'documents', kind: 'numeric', description: 'documents quoted (declaration and items)' },
  { name: 'simplified', kind: 'numeric', description: '1 for a simplified declaration' },
  { name: 'logValue', kind: 'numeric', description: 'ln(1 + declared value of all items)' },
  { name: 'logNetMass', kind: 'numeric', description: 'ln(1 + net mass of all items, kg)' },
  {
    name: 'logUnitValue',
    kind: 'numeric',
    description: 'ln(value per kg) of the main item',
  },
  {
    name: 'unitValueVsMedian',
    kind: 'numeric',
    description:
      "ln(value per kg) of the main item minus the training rows' median for its HS6 (else HS4) and currency",
  },
  {
    name: 'arrivalLeadHours',
    kind: 'numeric',
    description: 'hours from the declaration date to the expected arrival',
  },
  { name: 'hitScore', kind: 'numeric', description: "sum of the weights of the rules' hits" },
  { name: 'hitIndicators', kind: 'numeric', description: 'distinct indicators that hit' },
  {
    name: 'topPriorityArea',
    kind: 'categorical',
    description: 'priority area of the heaviest hit',
  },
  { name: 'override', kind: 'categorical', description: "a direct channel's colour, or none" },
  {
    name: 'permitMismatches',
    kind: 'numeric',
    description: 'goods items whose required permit did not match',
  },
  { name: 'permitsChecked', kind: 'numeric', description: 'goods items that need a permit' },
  {
    name: 'certificateReduction',
    kind: 'numeric',
    description: "points taken off for the trader's valid certificates",
  },
  {
    name: 'traderControls',
    kind: 'numeric',
    description: "controls in the trader's record at screening",
  },
  {
    name: 'traderFindings',
    kind: 'numeric',
    description: "findings in the trader's record at screening",
  },
  {
    name: 'traderFindingRate',
    kind: 'numeric',
    description: "the trader's findings per control at screening (missing without controls)",
  },
];

const HOUR = 3_600_000;

/** The HS sections by chapter (HS 2022: 21 sections; chapter 77 is reserved). */
const SECTION_ENDS: ReadonlyArray<[lastChapter: number, section: string]> = [
  [5, 'I'],
  [14, 'II'],
  [15, 'III'],
  [24, 'IV'],
  [27, 'V'],
  [38, 'VI'],
  [40, 'VII'],
  [43, 'VIII'],
  [46, 'IX'],
  [49, 'X'],
  [63, 'XI'],
  [67, 'XII'],
  [70, 'XIII'],
  [71, 'XIV'],
  [83, 'XV'],
  [85, 'XVI'],
  [89, 'XVII'],
  [92, 'XVIII'],
  [93, 'XIX'],
  [96, 'XX'],
  [97, 'XXI'],
];

/** The HS section (roman numeral) of an HS code, or '' when it has no valid chapter. */
export function hsSection(hs: string): string {
  if (!/^[0-9]{2}/.test(hs)) return '';
  const chapter = Number(hs.slice(0, 2));
  if (chapter < 1) return '';
  for (const [last, section] of SECTION_ENDS) if (chapter <= last) return section;
  return '';
}

type Item = DeclarationContent['goodsItems'][number];

/** The item that carries the most value (the first by sequence among equals). */
export function mainItem(d: DeclarationContent): Item {
  let main = d.goodsItems[0]!;
  for (const g of d.goodsItems)
    if (
      (g.value ?? 0) > (main.value ?? 0) ||
      ((g.value ?? 0) === (main.value ?? 0) && g.sequence < main.sequence)
    )
      main = g;
  return main;
}

/** ln(value per kg) of an item, or null without both a value and a positive net mass. */
function logUnitValue(g: Item): number | null {
  if (g.value === undefined || g.netMass === undefined || g.netMass <= 0 || g.value <= 0)
    return null;
  return Math.log(g.value / g.netMass);
}

function unitValueKeys(g: Item): [string, string] | null {
  const hs = g.hsCode ?? '';
  if (hs.length < 4) return null;
  const currency = g.currency ?? '';
  return [`${hs.slice(0, 6)}|${currency}`, `${hs.slice(0, 4)}|${currency}`];
}

function traderOf(d: DeclarationContent): { country: string } {
  const party = d.kind === 'export' ? (d.consignor ?? d.declarant) : (d.consignee ?? d.declarant);
  return { country: party.country ?? d.declarant.country ?? '' };
}

const category = (v: string | undefined | null): string | null => (v ? v : null);

/** The features of one declaration. Unseen categories are the model's business (code 0). */
export function declarationFeatures(
  d: DeclarationContent,
  rules: RulesFacts,
  statistics: DeclarationStatistics,
): FeatureRow {
  const main = mainItem(d);
  const hs = main.hsCode ?? '';
  const value = d.goodsItems.reduce((s, g) => s + (g.value ?? 0), 0);
  const mass = d.goodsItems.reduce((s, g) => s + (g.netMass ?? 0), 0);
  const unit = logUnitValue(main);
  const keys = unitValueKeys(main);
  const median =
    keys === null
      ? undefined
      : (statistics.logUnitValueMedian[keys[0]] ?? statistics.logUnitValueMedian[keys[1]]);
  const documents =
    d.documents.length + d.goodsItems.reduce((s, g) => s + (g.documents?.length ?? 0), 0);
  const arrival = d.route.arrivalAt ? Date.parse(d.route.arrivalAt) : NaN;
  const submitted = Date.parse(d.submittedAt);
  const weighed = rules.hits.filter((h) => h.weight > 0 || h.directChannel !== null);
  let top: (typeof weighed)[number] | undefined;
  for (const h of weighed) {
    // Direct channels first, then weight; ties by indicator id (independent of hit order).
    const rank = (x: typeof h) => (x.directChannel !== null ? 1e9 : 0) + x.weight;
    if (!top || rank(h) > rank(top) || (rank(h) === rank(top) && h.indicatorId < top.indicatorId))
      top = h;
  }
  const controls = rules.trader?.controls;
  const findings = rules.trader?.findings;
  return {
    kind: category(d.kind),
    office: category(d.office),
    transportMode: category(d.route.transportMode),
    dispatchCountry: category(d.route.dispatchCountry),
    origin: category(main.originCountry),
    traderCountry: category(traderOf(d).country),
    currency: category(main.currency),
    hsSection: category(hsSection(hs)),
    hs2: hs.length >= 2 ? hs.slice(0, 2) : null,
    hs4: hs.length >= 4 ? hs.slice(0, 4) : null,
    hs6: hs.length >= 6 ? hs.slice(0, 6) : null,
    items: d.goodsItems.length,
    chapters: new Set(d.goodsItems.flatMap((g) => (g.hsCode ? [g.hsCode.slice(0, 2)] : []))).size,
    origins: new Set(d.goodsItems.flatMap((g) => (g.originCountry ? [g.originCountry] : []))).size,
    transitCountries: d.route.transitCountries.length,
    containers: d.route.containers?.length ?? 0,
    documents,
    simplified: d.simplified ? 1 : 0,
    logValue: Math.log1p(value),
    logNetMass: Math.log1p(mass),
    logUnitValue: unit,
    unitValueVsMedian: unit === null || median === undefined ? null : unit - median,
    arrivalLeadHours:
      Number.isFinite(arrival) && Number.isFinite(submitted) ? (arrival - submitted) / HOUR : null,
    hitScore: rules.hitScore,
    hitIndicators: new Set(rules.hits.map((h) => h.indicatorId)).size,
    topPriorityArea: top ? top.priorityArea : 'none',
    override: rules.override ? rules.override.channel : 'none',
    permitMismatches: rules.permits.filter(
      (p) => p.outcome !== 'matched' && p.outcome !== 'document-declared',
    ).length,
    permitsChecked: rules.permits.length,
    // + 0: never -0, which JSON would store as 0.
    certificateReduction:
      0 -
      rules.effects.filter((e) => e.kind === 'certificate').reduce((s, e) => s + e.points, 0) +
      0,
    traderControls: controls ?? null,
    traderFindings: findings ?? null,
    traderFindingRate:
      controls === undefined || findings === undefined || controls === 0
        ? null
        : findings / controls,
  };
}

/**
 * Fits the statistics on training declarations: the median ln(value per kg) of the main item by
 * HS6 and by HS4 with currency, kept where at least `minRows` rows have it.
 */
export function fitDeclarationStatistics(
  declarations: readonly DeclarationContent[],
  minRows = 5,
): DeclarationStatistics {
  const values = new Map<string, number[]>();
  for (const d of declarations) {
    const main = mainItem(d);
    const unit = logUnitValue(main);
    const keys = unitValueKeys(main);
    if (unit === null || keys === null) continue;
    for (const key of new Set(keys)) {
      const list = values.get(key);
      if (list) list.push(unit);
      else values.set(key, [unit]);
    }
  }
  const logUnitValueMedian: Record<string, number> = {};
  for (const key of [...values.keys()].sort()) {
    const list = values.get(key)!;
    if (list.length < minRows) continue;
    list.sort((a, b) => a - b);
    const mid = list.length >> 1;
    logUnitValueMedian[key] =
      list.length % 2 === 1 ? list[mid]! : (list[mid - 1]! + list[mid]!) / 2;
  }
  return { logUnitValueMedian };
}

/** Rows of features as the column-major table the trainer and the scorer take. */
export function featureRowsTable(rows: readonly FeatureRow[]): FeatureTable {
  return featureTable(
    DECLARATION_FEATURES.map((spec) => {
      if (spec.kind === 'numeric') {
        const values = new Float64Array(rows.length);
        rows.forEach((r, i) => {
          const v = r[spec.name];
          values[i] = typeof v === 'number' ? v : NaN;
        });
        return { name: spec.name, kind: 'numeric' as const, values };
      }
      return {
        name: spec.name,
        kind: 'categorical' as const,
        values: rows.map((r) => {
          const v = r[spec.name];
          return typeof v === 'string' ? v : null;
        }),
      };
    }),
  );
}
