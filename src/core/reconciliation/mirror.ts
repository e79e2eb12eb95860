/**
 * Mirror reconciliation of goods: a partner administration's export records against our own
 * import records for the same flows (UN Comtrade's "bilateral asymmetries"). The same goods
 * leave the partner and enter here, so the two records should agree once the freight and
 * insurance between the two borders are allowed for. Where they do not, and the gap grows with
 * the tariff (Fisman & Wei, 2004), the likely explanation is evasion: the value declared on
 * import was lowered, or the goods were moved to a cheaper code.
 *
 * What it computes:
 *
 * - gap rows, per HS6 × partner × month: both sides' values and quantities over a window of
 *   months, the export value raised from FOB to CIF, and the log ratios of value, quantity and
 *   unit value, with the kinds of gap found ({@link GapFlagKind});
 * - misclassification findings: under one HS4, our imports fall short of the partner's exports on
 *   a high-tariff HS6 and exceed them on a low-tariff HS6 in the same month;
 * - per-declaration matching, where an agreement lets the partner send export declarations: by
 *   transport document, else by the export reference our declaration cites, with the differences
 *   in HS code, quantity, value and consignee, and what found no counterpart on either side;
 * - {@link unitValueGap}, the look-up screening uses: the latest unit-value gap of an HS6 from a
 *   partner.
 *
 * Why log ratios: ln(import CIF / (export FOB × factor)) is 0 when the records agree, symmetric
 * (half and double are equally far from 0) and additive, so one threshold serves both directions.
 * The default factor 1.06 is the IMF's conventional CIF/FOB ratio (Direction of Trade
 * Statistics); a pair of countries with other freight costs overrides it.
 *
 * Why the lag is chosen per flow: goods exported at the end of March may be imported in April,
 * and a shipment may be split across months. A route's shipping time is a property of the route,
 * so each HS6 × partner flow is aligned once, over its whole series: imports compared with the
 * exports of the same month, or of a month up to `lag` earlier or later, or both sides summed
 * over lag + 1 months (split shipments), whichever gives the smallest median disagreement (a few
 * bad months do not move a median; ties go to the smaller offset). Each export month is then
 * judged under that alignment. Rolling windows judged month by month would not do: a window of
 * the same months on both sides mixes a lagged flow's months (with volumes that vary from month
 * to month, honest flows would be flagged), and choosing the best window per month lets every
 * month explain itself away. With lag 0 both sides are compared month by month.
 *
 * Hostile input: records with a missing, non-finite, zero or negative value, a bad month, HS code
 * or country are set aside in `rejected` with the reason, never summed; a quantity that is
 * missing, not a positive finite number or has no unit makes its side's quantity unknown for the
 * window, and quantities in different units are never compared (the row says why). Work is
 * linear in the records (plus sorting) and in the lag squared; no loop pairs every record with
 * every other.
 *
 * Pure and deterministic: no I/O, no clock, no randomness; the same input gives the same output
 * in the same order.
 */

import { DomainError, type FieldIssue } from '../errors.js';

/** The partner's export, aggregated by HS6 × month × partner. */
export interface PartnerExportAggregate {
  /** The exporting administration's country (ISO 3166-1 alpha-2): the partner. */
  partner: string;
  /** HS subheading, six digits (longer national codes are cut to six). */
  hs6: string;
  /** YYYY-MM. */
  month: string;
  /** FOB value, already converted to the currency of the comparison. */
  fobValue: number;
  quantity?: number | null;
  /** The quantity's unit as the partner reports it (e.g. KGM, U); compared as written. */
  unit?: string | null;
}

/** Our import, aggregated by HS6 × month × partner (country of consignment). */
export interface OwnImportAggregate {
  partner: string;
  hs6: string;
  month: string;
  /** CIF value, in the currency of the comparison. */
  cifValue: number;
  quantity?: number | null;
  unit?: string | null;
}

/** One export declaration of the partner, where the agreement allows sending them. */
export interface PartnerExportDeclaration {
  /** The partner's export declaration number (MRN or national reference). */
  reference: string;
  /** Bill of lading, CMR, air waybill…: what both declarations usually cite. */
  transportDocument?: string | null;
  partner: string;
  month: string;
  /** The partner's commodity code, 6 to 10 digits; only the first six are comparable. */
  hsCode: string;
  fobValue: number;
  quantity?: number | null;
  unit?: string | null;
  consignee?: string | null;
}

/** One of our import declarations. */
export interface OwnImportDeclaration {
  declarationId: string;
  /** The partner's export declaration ours cites as previous document, if any. */
  exportReference?: string | null;
  transportDocument?: string | null;
  partner: string;
  month: string;
  hsCode: string;
  cifValue: number;
  quantity?: number | null;
  unit?: string | null;
  consignee?: string | null;
}

/**
 * Both sides. Declarations are also summed into the gap rows (by their HS6, partner and month),
 * so a side must not send the same goods both as aggregates and as declarations.
 */
export interface MirrorInput {
  partnerExports: {
    aggregates?: readonly PartnerExportAggregate[];
    declarations?: readonly PartnerExportDeclaration[];
  };
  ownImports: {
    aggregates?: readonly OwnImportAggregate[];
    declarations?: readonly OwnImportDeclaration[];
  };
}

/** Ad valorem import duty rate of an HS6 (0.12 for 12 %); unknown when null or undefined. */
export type TariffLookup = (hs6: string) => number | null | undefined;

export interface MirrorOptions {
  /** FOB → CIF factor applied to the partner's exports; default {@link DEFAULT_CIF_FACTOR}. */
  cifFactor?: number;
  /** Factor for one partner country (its freight and insurance differ), overriding `cifFactor`. */
  cifFactorByPartner?: Readonly<Record<string, number>>;
  /** Months a shipment may take between the two records, 0 to {@link MAX_LAG_MONTHS}; default 1. */
  lagMonths?: number;
  /** Flag a value gap when |value log ratio| exceeds this; default ln 1.5. */
  valueThreshold?: number;
  /** Flag a quantity gap when |quantity log ratio| exceeds this; default `valueThreshold`. */
  quantityThreshold?: number;
  /** Nothing is flagged when both sides' values (export raised to CIF) are below this. */
  minimumValue?: number;
  /** Import duty rates, for the misclassification check and the rows' `tariffRate`. */
  tariffRate?: TariffLookup;
  /** Per declaration: report a value difference beyond this |log ratio|; default ln 1.15. */
  declarationValueTolerance?: number;
  /** Per declaration: report a quantity difference beyond this |log ratio|; default ln 1.02. */
  declarationQuantityTolerance?: number;
}

/** The options in force, as the result reports them. */
export interface MirrorSettings {
  cifFactor: number;
  cifFactorByPartner: Readonly<Record<string, number>>;
  lagMonths: number;
  valueThreshold: number;
  quantityThreshold: number;
  minimumValue: number;
  declarationValueTolerance: number;
  declarationQuantityTolerance: number;
}

export type GapFlagKind =
  /** Our imports' CIF value is below the partner's exports raised to CIF. */
  | 'under-declared-value'
  /** Our imports' CIF value is above the partner's exports raised to CIF. */
  | 'over-declared-value'
  /** The quantities (same unit) differ beyond the quantity threshold. */
  | 'quantity-gap'
  /** The partner exported, we recorded no import in any window of the lag. */
  | 'missing-import'
  /** We recorded an import the partner has no export for in any window of the lag. */
  | 'missing-export'
  /** Part of a misclassification finding (see `MirrorResult.misclassifications`). */
  | 'possible-misclassification';

/** Why a row's quantities were not compared. */
export type QuantityNote =
  /** Each side used one unit, not the same one: no conversion is attempted. */
  | 'units-differ'
  /** A side used several units within the window. */
  | 'mixed-units'
  /** A record of the window had no usable quantity or unit, so a side's total is unknown. */
  | 'quantity-missing';

/** One side's quantity over a window. */
export interface SideQuantity {
  /** Sum of the known quantities; null when the side has no records in the window. */
  total: number | null;
  /** The units seen, sorted (at most three kept). */
  units: string[];
  /** Whether some record of the window had no usable quantity. */
  incomplete: boolean;
}

/** The gap of one HS6 × partner × month. */
export interface MirrorGapRow {
  hs6: string;
  partner: string;
  /** The month the row is about (it has records on at least one side). */
  month: string;
  /** The month's own records, before any window. */
  monthExportFob: number;
  monthImportCif: number;
  /** The export months judged (one, or lag + 1 for a flow split across months). */
  window: { from: string; to: string };
  /** The import months judged are the export months this many months later (the flow's lag). */
  importOffset: number;
  exportFob: number;
  cifFactor: number;
  /** `exportFob × cifFactor`: the partner's exports as they should arrive here. */
  adjustedExport: number;
  importCif: number;
  exportQuantity: SideQuantity;
  importQuantity: SideQuantity;
  /** ln(importCif / adjustedExport); null when a side is missing. */
  valueLogRatio: number | null;
  /** ln(import quantity / export quantity); null when not comparable (see `quantityNote`). */
  quantityLogRatio: number | null;
  /** valueLogRatio − quantityLogRatio: the gap in value per unit. */
  unitValueLogRatio: number | null;
  quantityNote: QuantityNote | null;
  /** Both sides below `minimumValue`: shown, never flagged. */
  belowMinimum: boolean;
  tariffRate: number | null;
  flags: GapFlagKind[];
}

/**
 * Goods apparently moved from a high-tariff HS6 to a low-tariff HS6 under one HS4: our imports
 * fall short of the partner's exports on `fromHs6` and exceed them on `toHs6` in one month.
 */
export interface MisclassificationFinding {
  hs4: string;
  partner: string;
  month: string;
  fromHs6: string;
  toHs6: string;
  fromTariff: number;
  toTariff: number;
  /** fromTariff − toTariff: the duty saved per unit of value. */
  tariffDifference: number;
  /** adjustedExport − importCif on `fromHs6`. */
  shortfall: number;
  /** importCif − adjustedExport on `toHs6`. */
  surplus: number;
}

export type DeclarationDifference =
  | { kind: 'hs-code'; exportHs6: string; importHs6: string }
  | { kind: 'quantity'; exportQuantity: number; importQuantity: number; logRatio: number }
  /** The quantities are in different units, so they were not compared. */
  | { kind: 'unit'; exportUnit: string; importUnit: string }
  | {
      kind: 'value';
      exportFob: number;
      adjustedExport: number;
      importCif: number;
      logRatio: number;
    }
  | { kind: 'consignee'; exportConsignee: string; importConsignee: string };

export interface DeclarationMatch {
  matchedBy: 'transport-document' | 'reference';
  exportReference: string;
  importDeclarationId: string;
  transportDocument: string | null;
  differences: DeclarationDifference[];
}

export interface DeclarationMatching {
  matches: DeclarationMatch[];
  /** The partner's export declarations no import declaration matched (references, sorted). */
  unmatchedExports: string[];
  /** Our import declarations no export declaration matched (ids, sorted). */
  unmatchedImports: string[];
}

export type RecordSource =
  | 'partner-export-aggregate'
  | 'partner-export-declaration'
  | 'own-import-aggregate'
  | 'own-import-declaration';

/** A record set aside: `index` is its position in the input array of `source`. */
export interface RejectedRecord {
  source: RecordSource;
  index: number;
  reason: string;
}

export interface MirrorResult {
  settings: MirrorSettings;
  /** Sorted by hs6, partner, month. */
  rows: MirrorGapRow[];
  /** Sorted by hs4, partner, month, fromHs6. */
  misclassifications: MisclassificationFinding[];
  declarations: DeclarationMatching;
  rejected: RejectedRecord[];
}

export const DEFAULT_CIF_FACTOR = 1.06;
export const DEFAULT_LAG_MONTHS = 1;
export const DEFAULT_VALUE_THRESHOLD = Math.log(1.5);
export const DEFAULT_DECLARATION_VALUE_TOLERANCE = Math.log(1.15);
export const DEFAULT_DECLARATION_QUANTITY_TOLERANCE = Math.log(1.02);
/** A longer lag would let a whole season hide in one window. */
export const MAX_LAG_MONTHS = 12;
/** Values and quantities above this are refused: their sums would lose precision. */
export const MAX_AMOUNT = 1e15;
/** Longest reference, transport document, unit or consignee read. */
const MAX_TEXT = 200;
const MAX_UNITS_KEPT = 3;

// ---------------------------------------------------------------------------------------------
// Normalisation

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const COUNTRY = /^[A-Z]{2}$/;
const HS = /^\d{6,10}$/;

const monthIndex = (s: unknown): number | null => {
  if (typeof s !== 'string') return null;
  const m = MONTH.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 1900 || year > 2999) return null;
  return year * 12 + Number(m[2]) - 1;
};

const monthLabel = (i: number): string =>
  `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

const country = (s: unknown): string | null => {
  if (typeof s !== 'string') return null;
  const c = s.trim().toUpperCase();
  return COUNTRY.test(c) ? c : null;
};

/** The HS6 of a code written with or without dots and spaces. */
const hs6Of = (s: unknown): string | null => {
  if (typeof s !== 'string' || s.length > 32) return null;
  const digits = s.replace(/[.\s]/g, '');
  return HS.test(digits) ? digits.slice(0, 6) : null;
};

const amount = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_AMOUNT ? v : null;

const unitOf = (s: unknown): string | null => {
  if (typeof s !== 'string') return null;
  const u = s.trim().toUpperCase();
  return u.length > 0 && u.length <= 16 ? u : null;
};

/** Document numbers are written with and without spaces, dashes and slashes. */
const documentKey = (s: unknown): string | null => {
  if (typeof s !== 'string' || s.length > MAX_TEXT) return null;
  const k = s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return k.length > 0 ? k : null;
};

/** Names compared without case, accents, spacing and punctuation ("ACME G.m.b.H." = "Acme GmbH"). */
const consigneeKey = (s: string): string =>
  s
    .slice(0, MAX_TEXT)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// Options

function resolveOptions(o: MirrorOptions): MirrorSettings {
  const issues: FieldIssue[] = [];
  const positive = (v: number | undefined, fallback: number, path: string): number => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v <= 0) issues.push({ path, reason: 'a positive number' });
    return v;
  };
  const cifFactor = positive(o.cifFactor, DEFAULT_CIF_FACTOR, '/cifFactor');
  const byPartner: Record<string, number> = {};
  for (const [k, v] of Object.entries(o.cifFactorByPartner ?? {})) {
    const c = country(k);
    if (c === null || !Number.isFinite(v) || v <= 0)
      issues.push({ path: `/cifFactorByPartner/${k}`, reason: 'a country code with a factor > 0' });
    else byPartner[c] = v;
  }
  const lagMonths = o.lagMonths ?? DEFAULT_LAG_MONTHS;
  if (!Number.isInteger(lagMonths) || lagMonths < 0 || lagMonths > MAX_LAG_MONTHS)
    issues.push({ path: '/lagMonths', reason: `an integer from 0 to ${MAX_LAG_MONTHS}` });
  const valueThreshold = positive(o.valueThreshold, DEFAULT_VALUE_THRESHOLD, '/valueThreshold');
  const quantityThreshold = positive(o.quantityThreshold, valueThreshold, '/quantityThreshold');
  const minimumValue = o.minimumValue ?? 0;
  if (!Number.isFinite(minimumValue) || minimumValue < 0)
    issues.push({ path: '/minimumValue', reason: 'a number ≥ 0' });
  const declarationValueTolerance = positive(
    o.declarationValueTolerance,
    DEFAULT_DECLARATION_VALUE_TOLERANCE,
    '/declarationValueTolerance',
  );
  const declarationQuantityTolerance = positive(
    o.declarationQuantityTolerance,
    DEFAULT_DECLARATION_QUANTITY_TOLERANCE,
    '/declarationQuantityTolerance',
  );
  if (issues.length > 0) throw new DomainError('invalid_input', 'invalid mirror options', issues);
  return {
    cifFactor,
    cifFactorByPartner: byPartner,
    lagMonths,
    valueThreshold,
    quantityThreshold,
    minimumValue,
    declarationValueTolerance,
    declarationQuantityTolerance,
  };
}

const factorFor = (s: MirrorSettings, partner: string): number =>
  Object.hasOwn(s.cifFactorByPartner, partner) ? s.cifFactorByPartner[partner]! : s.cifFactor;

// ---------------------------------------------------------------------------------------------
// Accumulation by HS6 × partner × month

interface SideTotals {
  value: number;
  /** Records on this side (0: the side is absent). */
  records: number;
  quantity: number;
  units: string[];
  incomplete: boolean;
}

interface MonthTotals {
  export: SideTotals;
  import: SideTotals;
}

const emptySide = (): SideTotals => ({
  value: 0,
  records: 0,
  quantity: 0,
  units: [],
  incomplete: false,
});

/** Adds `b` into `a`; commutative, so the order of records does not matter but for rounding. */
function addSide(a: SideTotals, b: SideTotals): void {
  a.value += b.value;
  a.records += b.records;
  a.quantity += b.quantity;
  a.incomplete ||= b.incomplete;
  for (const u of b.units) if (!a.units.includes(u)) a.units.push(u);
  if (a.units.length > MAX_UNITS_KEPT) {
    a.units.sort(cmp);
    a.units.length = MAX_UNITS_KEPT;
  }
}

interface Normalised {
  hs6: string;
  partner: string;
  month: number;
  value: number;
  quantity: number | null;
  unit: string | null;
}

/** The checks every record passes; the reason of the first failure otherwise. */
function normalise(
  r: {
    partner?: unknown;
    month?: unknown;
    quantity?: unknown;
    unit?: unknown;
  },
  hs: unknown,
  value: unknown,
): Normalised | string {
  if (typeof r !== 'object' || r === null) return 'not a record';
  const partner = country(r.partner);
  if (partner === null) return 'partner: an ISO 3166-1 alpha-2 country code';
  const month = monthIndex(r.month);
  if (month === null) return 'month: YYYY-MM';
  const hs6 = hs6Of(hs);
  if (hs6 === null) return 'HS code: 6 to 10 digits';
  const v = amount(value);
  if (v === null) return `value: a positive finite number up to ${MAX_AMOUNT}`;
  const q = amount(r.quantity);
  const unit = unitOf(r.unit);
  return { hs6, partner, month, value: v, quantity: q !== null && unit !== null ? q : null, unit };
}

class Cells {
  /** `hs6|partner` → month index → totals. */
  readonly byCell = new Map<string, Map<number, MonthTotals>>();

  add(side: 'export' | 'import', n: Normalised): void {
    const key = `${n.hs6}|${n.partner}`;
    let months = this.byCell.get(key);
    if (!months) this.byCell.set(key, (months = new Map<number, MonthTotals>()));
    let t = months.get(n.month);
    if (!t) months.set(n.month, (t = { export: emptySide(), import: emptySide() }));
    addSide(t[side], {
      value: n.value,
      records: 1,
      quantity: n.quantity ?? 0,
      units: n.quantity !== null && n.unit !== null ? [n.unit] : [],
      incomplete: n.quantity === null,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Gap rows

interface Window {
  /** The first export month, the months summed on each side, the import side's offset. */
  start: number;
  width: number;
  offset: number;
  export: SideTotals;
  import: SideTotals;
}

/** Exports of months `start … start + width − 1` and imports of the same months `offset` later. */
function windowAt(
  months: Map<number, MonthTotals>,
  start: number,
  width: number,
  offset: number,
): Window {
  const w: Window = { start, width, offset, export: emptySide(), import: emptySide() };
  for (let m = start; m < start + width; m++) {
    const e = months.get(m);
    if (e) addSide(w.export, e.export);
    const i = months.get(m + offset);
    if (i) addSide(w.import, i.import);
  }
  return w;
}

/** How far a window is from agreement; Infinity when a side is missing. */
const disagreement = (w: Window, factor: number): number =>
  w.export.value > 0 && w.import.value > 0
    ? Math.abs(Math.log(w.import.value / (w.export.value * factor)))
    : Number.POSITIVE_INFINITY;

const sideQuantity = (s: SideTotals): SideQuantity => ({
  total: s.records === 0 ? null : s.quantity,
  units: [...s.units].sort(cmp),
  incomplete: s.incomplete,
});

function gapRow(
  hs6: string,
  partner: string,
  month: number,
  own: MonthTotals,
  w: Window,
  s: MirrorSettings,
  tariffRate: number | null,
): MirrorGapRow {
  const factor = factorFor(s, partner);
  const exportFob = w.export.value;
  const importCif = w.import.value;
  const adjustedExport = exportFob * factor;
  const valueLogRatio =
    exportFob > 0 && importCif > 0 ? Math.log(importCif / adjustedExport) : null;

  let quantityNote: QuantityNote | null = null;
  let quantityLogRatio: number | null = null;
  if (w.export.records > 0 && w.import.records > 0) {
    const e = w.export;
    const i = w.import;
    if (e.units.length > 1 || i.units.length > 1) quantityNote = 'mixed-units';
    else if (e.incomplete || i.incomplete) quantityNote = 'quantity-missing';
    else if (e.units[0] !== i.units[0]) quantityNote = 'units-differ';
    else if (e.quantity > 0 && i.quantity > 0) quantityLogRatio = Math.log(i.quantity / e.quantity);
  }
  const unitValueLogRatio =
    valueLogRatio !== null && quantityLogRatio !== null ? valueLogRatio - quantityLogRatio : null;

  const belowMinimum = Math.max(importCif, adjustedExport) < s.minimumValue;
  const flags: GapFlagKind[] = [];
  if (!belowMinimum) {
    if (exportFob === 0) flags.push('missing-export');
    else if (importCif === 0) flags.push('missing-import');
    else if (valueLogRatio! < -s.valueThreshold) flags.push('under-declared-value');
    else if (valueLogRatio! > s.valueThreshold) flags.push('over-declared-value');
    if (quantityLogRatio !== null && Math.abs(quantityLogRatio) > s.quantityThreshold)
      flags.push('quantity-gap');
  }
  return {
    hs6,
    partner,
    month: monthLabel(month),
    monthExportFob: own.export.value,
    monthImportCif: own.import.value,
    window: { from: monthLabel(w.start), to: monthLabel(w.start + w.width - 1) },
    importOffset: w.offset,
    exportFob,
    cifFactor: factor,
    adjustedExport,
    importCif,
    exportQuantity: sideQuantity(w.export),
    importQuantity: sideQuantity(w.import),
    valueLogRatio,
    quantityLogRatio,
    unitValueLogRatio,
    quantityNote,
    belowMinimum,
    tariffRate,
    flags,
  };
}

function tariffOf(lookup: TariffLookup | undefined, hs6: string): number | null {
  if (!lookup) return null;
  const r = lookup(hs6);
  return typeof r === 'number' && Number.isFinite(r) && r >= 0 ? r : null;
}

/**
 * How one flow is best aligned: the import side `offset` months after the export side (−lag …
 * lag: the shipping time, or a recording difference), comparing single months (width 1) or
 * rolling sums of lag + 1 months (shipments split across months). Chosen once per HS6 × partner
 * over the whole series, by the median disagreement of its months (a few bad months do not move
 * a median), preferring the smaller offset and width on ties; a route's shipping time is a
 * property of the route, not of one month. No two months compared lie more than `lag` apart.
 */
function alignmentOf(
  months: Map<number, MonthTotals>,
  lag: number,
): { width: number; offset: number } {
  const exportMonths = [...months.keys()].filter((m) => months.get(m)!.export.records > 0);
  if (exportMonths.length === 0 || lag === 0) return { width: 1, offset: 0 };
  const candidates: Array<{ width: number; offset: number }> = [];
  // No two months compared lie more than `lag` apart: single months up to `lag` apart, or the
  // same lag + 1 months on both sides.
  for (let d = 0; d <= lag; d++)
    for (const offset of d === 0 ? [0] : [d, -d]) candidates.push({ width: 1, offset });
  candidates.push({ width: lag + 1, offset: 0 });
  let best = candidates[0]!;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const scores = exportMonths
      .map((m) => Math.min(disagreement(windowAt(months, m, c.width, c.offset), 1), 5))
      .sort((a, b) => a - b);
    // Judged with factor 1: the CIF factor shifts every log ratio alike, so it cannot change
    // which alignment wins.
    const median = scores[Math.floor((scores.length - 1) / 2)]!;
    // Candidates come simplest first (no offset, then one month, …, then sums): a later one must
    // be clearly better, not better by chance (a sum of two months smooths noise as well).
    if (median < bestScore / 1.5 - 0.005) [best, bestScore] = [c, median];
  }
  return best;
}

function buildRows(cells: Cells, s: MirrorSettings, tariff: TariffLookup | undefined) {
  const rows: MirrorGapRow[] = [];
  const lag = s.lagMonths;
  for (const [key, months] of cells.byCell) {
    const [hs6, partner] = key.split('|') as [string, string];
    const rate = tariffOf(tariff, hs6);
    const { width, offset } = alignmentOf(months, lag);
    // One row per export month, and per import month that no export month's window reaches
    // (an import the partner has no export for).
    const exported = new Set<number>();
    for (const [m, t] of months) if (t.export.records > 0) exported.add(m);
    const reached = (m: number) => {
      for (let e = m - offset - width + 1; e <= m - offset; e++) if (exported.has(e)) return true;
      return false;
    };
    const starts = new Set(exported);
    for (const [m, t] of months) if (t.import.records > 0 && !reached(m)) starts.add(m - offset);
    for (const start of [...starts].sort((a, b) => a - b)) {
      const own = months.get(start) ?? { export: emptySide(), import: emptySide() };
      rows.push(gapRow(hs6, partner, start, own, windowAt(months, start, width, offset), s, rate));
    }
  }
  rows.sort((a, b) => cmp(a.hs6, b.hs6) || cmp(a.partner, b.partner) || cmp(a.month, b.month));
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Misclassification

const SHORT: readonly GapFlagKind[] = ['under-declared-value', 'missing-import'];
const SURPLUS: readonly GapFlagKind[] = ['over-declared-value', 'missing-export'];

/**
 * Pairs each HS6 whose imports fall short with the lowest-tariff HS6 of the same HS4, partner and
 * month whose imports exceed the exports, when that tariff is lower. Only flagged rows with a
 * known tariff take part; the work per group is linear in its rows (an HS4 has at most 100 HS6).
 */
function findMisclassifications(
  rows: MirrorGapRow[],
  threshold: number,
): MisclassificationFinding[] {
  const groups = new Map<string, { short: MirrorGapRow[]; surplus: MirrorGapRow[] }>();
  for (const r of rows) {
    if (r.tariffRate === null || r.belowMinimum) continue;
    const isShort = r.flags.some((f) => SHORT.includes(f));
    // A surplus takes part when flagged, or when it is any excess of imports: goods moved into a
    // code with a large flow of its own raise it by less than the threshold, yet the amount moved
    // still matches the other code's shortfall.
    const isSurplus = r.flags.some((f) => SURPLUS.includes(f)) || r.importCif > r.adjustedExport;
    if (!isShort && !isSurplus) continue;
    const key = `${r.hs6.slice(0, 4)}|${r.partner}|${r.month}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { short: [], surplus: [] }));
    (isShort ? g.short : g.surplus).push(r);
  }
  const findings: MisclassificationFinding[] = [];
  for (const g of groups.values()) {
    if (g.short.length === 0 || g.surplus.length === 0) continue;
    for (const high of g.short) {
      const shortfall = high.adjustedExport - high.importCif;
      // A flagged surplus always explains; an unflagged one only when its amount is of the order
      // of the shortfall (half to twice: the goods that left one code arrived in the other) and
      // its gap stands out of the noise (a third of the threshold).
      const explains = (r: MirrorGapRow) => {
        const surplus = r.importCif - r.adjustedExport;
        return (
          r.flags.some((f) => SURPLUS.includes(f)) ||
          (surplus >= 0.5 * shortfall &&
            surplus <= 2 * shortfall &&
            r.valueLogRatio !== null &&
            r.valueLogRatio > threshold / 3)
        );
      };
      // Rows arrive sorted by hs6, so the first of equal tariffs is the lowest code.
      let cheapest: MirrorGapRow | null = null;
      for (const r of g.surplus)
        if (explains(r) && (cheapest === null || r.tariffRate! < cheapest.tariffRate!))
          cheapest = r;
      if (cheapest === null || !(high.tariffRate! > cheapest.tariffRate!)) continue;
      findings.push({
        hs4: high.hs6.slice(0, 4),
        partner: high.partner,
        month: high.month,
        fromHs6: high.hs6,
        toHs6: cheapest.hs6,
        fromTariff: high.tariffRate!,
        toTariff: cheapest.tariffRate!,
        tariffDifference: high.tariffRate! - cheapest.tariffRate!,
        shortfall,
        surplus: cheapest.importCif - cheapest.adjustedExport,
      });
      for (const r of [high, cheapest])
        if (!r.flags.includes('possible-misclassification'))
          r.flags.push('possible-misclassification');
    }
  }
  findings.sort(
    (a, b) =>
      cmp(a.hs4, b.hs4) ||
      cmp(a.partner, b.partner) ||
      cmp(a.month, b.month) ||
      cmp(a.fromHs6, b.fromHs6),
  );
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Declarations

interface ExportDecl {
  n: Normalised;
  reference: string;
  referenceKey: string;
  document: string | null;
  consignee: string | null;
  index: number;
}

interface ImportDecl {
  n: Normalised;
  declarationId: string;
  exportReference: string | null;
  document: string | null;
  consignee: string | null;
  index: number;
}

const text = (s: unknown): string | null =>
  typeof s === 'string' && s.trim().length > 0 ? s.trim().slice(0, MAX_TEXT) : null;

/** Order within a transport document, so that its declarations pair the same way every time. */
const byGoods = (
  a: { n: Normalised; key: string; index: number },
  b: { n: Normalised; key: string; index: number },
) => cmp(a.n.hs6, b.n.hs6) || a.n.value - b.n.value || cmp(a.key, b.key) || a.index - b.index;

function compareDeclarations(
  e: ExportDecl,
  i: ImportDecl,
  s: MirrorSettings,
): DeclarationDifference[] {
  const differences: DeclarationDifference[] = [];
  if (e.n.hs6 !== i.n.hs6)
    differences.push({ kind: 'hs-code', exportHs6: e.n.hs6, importHs6: i.n.hs6 });
  if (e.n.quantity !== null && i.n.quantity !== null) {
    if (e.n.unit !== i.n.unit)
      differences.push({ kind: 'unit', exportUnit: e.n.unit!, importUnit: i.n.unit! });
    else {
      const logRatio = Math.log(i.n.quantity / e.n.quantity);
      if (Math.abs(logRatio) > s.declarationQuantityTolerance)
        differences.push({
          kind: 'quantity',
          exportQuantity: e.n.quantity,
          importQuantity: i.n.quantity,
          logRatio,
        });
    }
  }
  const adjustedExport = e.n.value * factorFor(s, e.n.partner);
  const logRatio = Math.log(i.n.value / adjustedExport);
  if (
    Math.max(adjustedExport, i.n.value) >= s.minimumValue &&
    Math.abs(logRatio) > s.declarationValueTolerance
  )
    differences.push({
      kind: 'value',
      exportFob: e.n.value,
      adjustedExport,
      importCif: i.n.value,
      logRatio,
    });
  if (
    e.consignee !== null &&
    i.consignee !== null &&
    consigneeKey(e.consignee) !== consigneeKey(i.consignee)
  )
    differences.push({
      kind: 'consignee',
      exportConsignee: e.consignee,
      importConsignee: i.consignee,
    });
  return differences;
}

/**
 * Pairs declarations one to one: first by transport document (what both sides' declarations
 * cite for the same goods), then, for those left, by the export reference our declaration cites.
 * Several declarations under one document pair in order of HS6 and value, which matches the
 * items of a split consignment in the usual case and stays n log n when a hostile document
 * number is shared by thousands.
 */
function matchDeclarations(
  exports: ExportDecl[],
  imports: ImportDecl[],
  s: MirrorSettings,
): DeclarationMatching {
  const matches: DeclarationMatch[] = [];
  const usedExports = new Set<ExportDecl>();
  const usedImports = new Set<ImportDecl>();
  const pair = (e: ExportDecl, i: ImportDecl, by: DeclarationMatch['matchedBy']) => {
    usedExports.add(e);
    usedImports.add(i);
    matches.push({
      matchedBy: by,
      exportReference: e.reference,
      importDeclarationId: i.declarationId,
      transportDocument: by === 'transport-document' ? e.document : null,
      differences: compareDeclarations(e, i, s),
    });
  };

  const group = <T extends { document: string | null }>(list: T[]) => {
    const m = new Map<string, T[]>();
    for (const d of list) {
      if (d.document === null) continue;
      const g = m.get(d.document);
      if (g) g.push(d);
      else m.set(d.document, [d]);
    }
    return m;
  };
  const exportsByDocument = group(exports);
  const importsByDocument = group(imports);
  for (const doc of [...exportsByDocument.keys()].sort(cmp)) {
    const ins = importsByDocument.get(doc);
    if (!ins) continue;
    const outs = exportsByDocument
      .get(doc)!
      .map((d) => ({ ...d, key: d.referenceKey, d }))
      .sort(byGoods);
    const inns = ins.map((d) => ({ ...d, key: d.declarationId, d })).sort(byGoods);
    for (let k = 0; k < Math.min(outs.length, inns.length); k++)
      pair(outs[k]!.d, inns[k]!.d, 'transport-document');
  }

  const exportsByReference = new Map<string, ExportDecl[]>();
  for (const e of exports) {
    if (usedExports.has(e)) continue;
    const g = exportsByReference.get(e.referenceKey);
    if (g) g.push(e);
    else exportsByReference.set(e.referenceKey, [e]);
  }
  const remainingImports = imports
    .filter((i) => !usedImports.has(i) && i.exportReference !== null)
    .sort((a, b) => cmp(a.declarationId, b.declarationId) || a.index - b.index);
  for (const i of remainingImports) {
    const queue = exportsByReference.get(i.exportReference!);
    const e = queue?.shift();
    if (e) pair(e, i, 'reference');
  }

  matches.sort(
    (a, b) =>
      cmp(a.exportReference, b.exportReference) ||
      cmp(a.importDeclarationId, b.importDeclarationId),
  );
  return {
    matches,
    unmatchedExports: exports
      .filter((e) => !usedExports.has(e))
      .map((e) => e.reference)
      .sort(cmp),
    unmatchedImports: imports
      .filter((i) => !usedImports.has(i))
      .map((i) => i.declarationId)
      .sort(cmp),
  };
}

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * Reconciles the partner's exports with our imports. Throws a `DomainError` (`invalid_input`)
 * for invalid options only; bad records are set aside in `rejected`.
 */
export function reconcileMirror(input: MirrorInput, options: MirrorOptions = {}): MirrorResult {
  const settings = resolveOptions(options);
  const cells = new Cells();
  const rejected: RejectedRecord[] = [];
  const reject = (source: RecordSource, index: number, reason: string) =>
    rejected.push({ source, index, reason });
  const list = <T>(v: readonly T[] | undefined): readonly T[] =>
    Array.isArray(v) ? (v as readonly T[]) : [];

  list(input.partnerExports?.aggregates).forEach((r, index) => {
    const n = normalise(r ?? {}, r?.hs6, r?.fobValue);
    if (typeof n === 'string') reject('partner-export-aggregate', index, n);
    else cells.add('export', n);
  });
  list(input.ownImports?.aggregates).forEach((r, index) => {
    const n = normalise(r ?? {}, r?.hs6, r?.cifValue);
    if (typeof n === 'string') reject('own-import-aggregate', index, n);
    else cells.add('import', n);
  });

  const exportDecls: ExportDecl[] = [];
  list(input.partnerExports?.declarations).forEach((r, index) => {
    const n = normalise(r ?? {}, r?.hsCode, r?.fobValue);
    const reference = text(r?.reference);
    const referenceKey = documentKey(reference);
    if (typeof n === 'string') return reject('partner-export-declaration', index, n);
    if (reference === null || referenceKey === null)
      return reject('partner-export-declaration', index, 'reference: required');
    cells.add('export', n);
    exportDecls.push({
      n,
      reference,
      referenceKey,
      document: documentKey(r.transportDocument),
      consignee: text(r.consignee),
      index,
    });
  });
  const importDecls: ImportDecl[] = [];
  list(input.ownImports?.declarations).forEach((r, index) => {
    const n = normalise(r ?? {}, r?.hsCode, r?.cifValue);
    const declarationId = text(r?.declarationId);
    if (typeof n === 'string') return reject('own-import-declaration', index, n);
    if (declarationId === null)
      return reject('own-import-declaration', index, 'declarationId: required');
    cells.add('import', n);
    importDecls.push({
      n,
      declarationId,
      exportReference: documentKey(r.exportReference),
      document: documentKey(r.transportDocument),
      consignee: text(r.consignee),
      index,
    });
  });

  const rows = buildRows(cells, settings, options.tariffRate);
  const misclassifications = findMisclassifications(rows, settings.valueThreshold);
  return {
    settings,
    rows,
    misclassifications,
    declarations: matchDeclarations(exportDecls, importDecls, settings),
    rejected,
  };
}

/**
 * For screening: the unit-value log ratio of the latest month of `hs6` from `partner` that has
 * one (quantities comparable, both sides present, above the minimum value); null when none.
 * Negative means our imports declare less value per unit than the partner's exports. A binary
 * search over the sorted rows: O(log n) plus the months of that cell without a ratio.
 */
export function unitValueGap(result: MirrorResult, hs6: string, partner: string): number | null {
  const h = hs6Of(hs6);
  const p = country(partner);
  if (h === null || p === null) return null;
  const rows = result.rows;
  // First row after every row of (h, p).
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = rows[mid]!;
    if ((cmp(r.hs6, h) || cmp(r.partner, p)) <= 0) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo - 1; k >= 0; k--) {
    const r = rows[k]!;
    if (r.hs6 !== h || r.partner !== p) break;
    if (r.unitValueLogRatio !== null && !r.belowMinimum) return r.unitValueLogRatio;
  }
  return null;
}
