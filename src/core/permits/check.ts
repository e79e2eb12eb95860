import type { ReferenceList } from '../risk/indicator.js';
import type { ScreeningDeclaration, ScreeningItem } from '../risk/screening-context.js';
import { fromMilli, toMilli, type Permit, type PermitUnit } from './permit.js';

/**
 * Which goods need which permit: items whose HS code is in a reference list, and goods that name
 * a species (CITES: an import permit on import, an export permit on export or re-export).
 */
export interface PermitRequirement {
  /** An 'hs-prefixes' reference list; absent for the species rule. */
  list?: string;
  /** Required when the item names a species. */
  species?: true;
  /** The permit type or family ('cites' matches cites-import, cites-export…). */
  permitType: string;
  /**
   * Document codes that satisfy the requirement on import when no permit in the register does:
   * a foreign authority's permit quoted on the declaration (C400: the exporting country's CITES
   * permit), which the officer checks on the paper.
   */
  importDocuments?: string[];
  why: string;
}

export const DEFAULT_PERMIT_REQUIREMENTS: PermitRequirement[] = [
  { list: 'e-waste', permitType: 'waste-consent', why: 'e-waste needs prior informed consent' },
  {
    list: 'slag-ash-residues',
    permitType: 'waste-consent',
    why: 'slag, ash and residues need prior informed consent',
  },
  {
    list: 'waste-oils',
    permitType: 'waste-consent',
    why: 'waste oils need prior informed consent',
  },
  {
    list: 'ods-hfc',
    permitType: 'ods-licence',
    why: 'ozone-depleting substances and HFCs are licensed',
  },
  { list: 'pesticides', permitType: 'pesticide-licence', why: 'pesticide imports are licensed' },
  {
    species: true,
    permitType: 'cites',
    importDocuments: ['C400'],
    why: 'specimens of listed species need a CITES permit',
  },
];

/** A permit as screening sees it (from the register): enough to check and to draw down. */
export type PermitOnFile = Pick<
  Permit,
  | 'id'
  | 'number'
  | 'type'
  | 'holderId'
  | 'hsScope'
  | 'species'
  | 'unit'
  | 'remainingMilli'
  | 'route'
  | 'maxShipments'
  | 'shipments'
  | 'validFrom'
  | 'validTo'
  | 'status'
>;

export const PERMIT_OUTCOMES = [
  'matched',
  'document-declared',
  'missing',
  'wrong-holder',
  'not-issued',
  'suspended',
  'revoked',
  'exhausted',
  'not-yet-valid',
  'expired',
  'out-of-scope',
  'route-mismatch',
  'quantity-not-declared',
  'insufficient-balance',
] as const;
export type PermitOutcome = (typeof PERMIT_OUTCOMES)[number];

/** The check of one goods item against one requirement, explained. */
export interface PermitCheck {
  itemSequence: number;
  hsCode: string;
  /** The permit type or family required. */
  required: string;
  outcome: PermitOutcome;
  /** The permit matched, or the closest one that failed; null when none was found. */
  permitId: string | null;
  permitNumber: string | null;
  /** What release will draw, in thousandths of the permit's unit (matched only). */
  quantityMilli: number | null;
  unit: PermitUnit | null;
  reason: string;
}

/** Requirements compiled against the lists in force: which permits an item needs. */
export class PermitRules {
  private readonly compiled: Array<{ prefixes: string[] | null; rule: PermitRequirement }>;

  constructor(
    requirements: readonly PermitRequirement[],
    lists: ReadonlyMap<string, ReferenceList>,
  ) {
    // A requirement naming a list that is not in force (not loaded, retired) asks for nothing.
    this.compiled = requirements.flatMap(
      (rule): Array<{ prefixes: string[] | null; rule: PermitRequirement }> => {
        if (rule.species) return [{ prefixes: null, rule }];
        const list = rule.list === undefined ? undefined : lists.get(rule.list);
        return list && list.kind === 'hs-prefixes' ? [{ prefixes: list.entries, rule }] : [];
      },
    );
  }

  /** True when any of these goods items needs a permit (a quick test before looking permits up). */
  anyRequired(
    items: ReadonlyArray<{ hsCode?: string | undefined; species?: string | undefined }>,
  ): boolean {
    return items.some((g) =>
      this.compiled.some(({ prefixes }) =>
        prefixes === null
          ? (g.species ?? '') !== ''
          : g.hsCode !== undefined && prefixes.some((p) => g.hsCode!.startsWith(p)),
      ),
    );
  }

  required(item: ScreeningItem, declaration: ScreeningDeclaration): PermitRequirement[] {
    const out: PermitRequirement[] = [];
    for (const { prefixes, rule } of this.compiled) {
      if (prefixes === null) {
        if (item.species === '') continue;
        const cites = declaration.kind === 'export' ? 'cites-export' : 'cites-import';
        if (!out.some((r) => r.permitType === cites)) out.push({ ...rule, permitType: cites });
      } else if (
        item.hs !== '' &&
        prefixes.some((p) => item.hs.startsWith(p)) &&
        !out.some((r) => r.permitType === rule.permitType)
      ) {
        out.push(rule);
      }
    }
    return out;
  }
}

/** True when the permit's type is the required one or of its family ('cites' → 'cites-import'). */
export function ofType(type: string, required: string): boolean {
  return type === required || type.startsWith(`${required}-`);
}

/** The item's quantity in a permit's unit, when the declaration gives it. */
export function quantityIn(item: ScreeningItem, unit: PermitUnit): number | undefined {
  switch (unit) {
    case 'NAR':
      return item.unit === 'NAR' ? item.quantity : undefined;
    case 'LTR':
      return item.unit === 'LTR' ? item.quantity : undefined;
    case 'KGM':
      return item.netMass ?? (item.unit === 'KGM' ? item.quantity : undefined);
    case 'TNE':
      return item.netMass !== undefined
        ? item.netMass / 1000
        : item.unit === 'TNE'
          ? item.quantity
          : undefined;
  }
}

const STAGE: Record<PermitOutcome, number> = {
  missing: 0,
  'document-declared': 0,
  'wrong-holder': 1,
  'not-issued': 2,
  suspended: 2,
  revoked: 2,
  exhausted: 2,
  'not-yet-valid': 3,
  expired: 3,
  'out-of-scope': 4,
  'route-mismatch': 5,
  'quantity-not-declared': 6,
  'insufficient-balance': 7,
  matched: 8,
};

/**
 * Checks every goods item that needs a permit against the permits referenced on the declaration
 * (document references equal to a permit number) and those the trader holds: same holder, issued,
 * valid on the declaration date, HS code or species in scope, route allowed, enough left (counting
 * what earlier items of the same declaration take from the same permit). Same inputs, same checks.
 */
export function checkPermits(
  declaration: ScreeningDeclaration,
  items: readonly ScreeningItem[],
  traderId: string,
  onFile: readonly PermitOnFile[],
  rules: PermitRules,
  referencedNumbers: (item: ScreeningItem) => readonly string[],
): PermitCheck[] {
  const checks: PermitCheck[] = [];
  const drawn = new Map<string, number>();
  const shipped = new Set<string>();
  for (const item of items) {
    for (const rule of rules.required(item, declaration)) {
      const refs = referencedNumbers(item);
      const candidates = onFile
        .filter((p) => ofType(p.type, rule.permitType))
        .filter((p) => (p.number !== null && refs.includes(p.number)) || p.holderId === traderId)
        // Referenced permits first, then the trader's own, each in number order.
        .sort(
          (a, b) =>
            Number(!refs.includes(b.number ?? '')) - Number(!refs.includes(a.number ?? '')) ||
            (a.number ?? '').localeCompare(b.number ?? '', 'en'),
        );
      let best: {
        outcome: PermitOutcome;
        permit: PermitOnFile;
        detail: string;
        q: number | null;
      } | null = null;
      for (const p of candidates) {
        const r = judge(p, item, declaration, traderId, drawn, shipped);
        if (!best || STAGE[r.outcome] > STAGE[best.outcome]) best = { ...r, permit: p };
        if (r.outcome === 'matched') break;
      }
      const declared =
        best?.outcome === 'matched' || declaration.kind === 'export'
          ? undefined
          : (rule.importDocuments ?? []).find((code) => item.documents.includes(code));
      if (declared !== undefined) {
        checks.push({
          itemSequence: item.sequence,
          hsCode: item.hs,
          required: rule.permitType,
          outcome: 'document-declared',
          permitId: null,
          permitNumber: null,
          quantityMilli: null,
          unit: null,
          reason:
            `document ${declared} declared: a foreign ${rule.permitType} permit, not in the register, for the officer to check` +
            (best
              ? ` (register: ${best.permit.type} permit ${best.permit.number ?? best.permit.id}: ${best.detail})`
              : ''),
        });
        continue;
      }
      if (!best) {
        checks.push({
          itemSequence: item.sequence,
          hsCode: item.hs,
          required: rule.permitType,
          outcome: 'missing',
          permitId: null,
          permitNumber: null,
          quantityMilli: null,
          unit: null,
          reason: `no ${rule.permitType} permit referenced or held by ${traderId || 'the trader'} (${rule.why})`,
        });
        continue;
      }
      const p = best.permit;
      if (best.outcome === 'matched') {
        drawn.set(p.id, (drawn.get(p.id) ?? 0) + best.q!);
        shipped.add(p.id);
      }
      checks.push({
        itemSequence: item.sequence,
        hsCode: item.hs,
        required: rule.permitType,
        outcome: best.outcome,
        permitId: p.id,
        permitNumber: p.number,
        quantityMilli: best.outcome === 'matched' ? best.q : null,
        unit: p.unit,
        reason: `${p.type} permit ${p.number ?? p.id}: ${best.detail}`,
      });
    }
  }
  return checks;
}

/**
 * True when the permit alone covers the goods item: held by the trader, issued, in force on the
 * declaration date, its HS scope, species and route, and enough balance for this item. What
 * `hasValidPermit` in conditions asks, so that an indicator and the permit check agree.
 */
export function permitCoversItem(
  p: PermitOnFile,
  item: ScreeningItem,
  d: ScreeningDeclaration,
  traderId: string,
): boolean {
  return judge(p, item, d, traderId, NOTHING_DRAWN, NOTHING_SHIPPED).outcome === 'matched';
}
const NOTHING_DRAWN: ReadonlyMap<string, number> = new Map();
const NOTHING_SHIPPED: ReadonlySet<string> = new Set();

function judge(
  p: PermitOnFile,
  item: ScreeningItem,
  d: ScreeningDeclaration,
  traderId: string,
  drawn: ReadonlyMap<string, number>,
  shipped: ReadonlySet<string>,
): { outcome: PermitOutcome; detail: string; q: number | null } {
  const fail = (outcome: PermitOutcome, detail: string) => ({ outcome, detail, q: null });
  if (p.holderId !== traderId) {
    return fail('wrong-holder', `held by ${p.holderId}, not by ${traderId || 'the trader'}`);
  }
  if (p.status === 'suspended' || p.status === 'revoked' || p.status === 'exhausted') {
    return fail(p.status, `the permit is ${p.status}`);
  }
  if (p.status !== 'issued') return fail('not-issued', `not issued (${p.status})`);
  if (d.date < p.validFrom) return fail('not-yet-valid', `valid only from ${p.validFrom}`);
  if (d.date >= p.validTo) return fail('expired', `expired on ${p.validTo}`);
  if (p.hsScope.length > 0 && !p.hsScope.some((h) => item.hs !== '' && item.hs.startsWith(h))) {
    return fail(
      'out-of-scope',
      `HS ${item.hs || '(none)'} is outside its scope ${p.hsScope.join(', ')}`,
    );
  }
  if (p.species.length > 0) {
    const s = item.species.toLowerCase();
    if (!p.species.some((x) => x.toLowerCase() === s)) {
      return fail(
        'out-of-scope',
        `species ${item.species || '(none)'} is not among ${p.species.join(', ')}`,
      );
    }
  }
  const route = p.route;
  if (route.dispatch.length > 0 && !route.dispatch.includes(d.dispatchCountry)) {
    return fail(
      'route-mismatch',
      `dispatch from ${d.dispatchCountry || '(none)'}, the permit allows ${route.dispatch.join(', ')}`,
    );
  }
  if (route.destination.length > 0 && !route.destination.includes(d.destinationCountry)) {
    return fail(
      'route-mismatch',
      `destination ${d.destinationCountry || '(none)'}, the permit allows ${route.destination.join(', ')}`,
    );
  }
  if (route.transit.length > 0) {
    const off = d.transitCountries.filter((c) => !route.transit.includes(c));
    if (off.length > 0) {
      return fail(
        'route-mismatch',
        `transit through ${off.join(', ')}, the permit allows ${route.transit.join(', ')}`,
      );
    }
  }
  const quantity = quantityIn(item, p.unit);
  if (quantity === undefined) {
    return fail('quantity-not-declared', `the item gives no quantity in ${p.unit}`);
  }
  const q = toMilli(quantity);
  const left = p.remainingMilli - (drawn.get(p.id) ?? 0);
  if (q > left) {
    return fail(
      'insufficient-balance',
      `${fromMilli(q)} ${p.unit} declared, ${fromMilli(left)} ${p.unit} left`,
    );
  }
  if (p.maxShipments !== null && !shipped.has(p.id) && p.shipments >= p.maxShipments) {
    return fail('insufficient-balance', `all ${p.maxShipments} shipments used`);
  }
  return { outcome: 'matched', detail: `covers ${fromMilli(q)} ${p.unit}`, q };
}
