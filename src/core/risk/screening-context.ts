import { Environment } from '@marcbachmann/cel-js';
import type { Declaration, DeclarationContent } from '../declaration/declaration.js';
import type { PermitOnFile } from '../permits/check.js';
import { NO_RIGHTS, type RightMatch, type RightsRegister } from '../ipr/register.js';
import { NO_MIRROR, type MirrorGaps } from '../reconciliation/mirror-gaps.js';
import { checkLodging } from '../cargo/lodging.js';

/**
 * What a condition sees, evaluated once per goods item: the declaration, the item, the trader.
 * Numbers are plain JS numbers; an absent optional number is `undefined` and every comparison
 * with it is false (a condition on a value that was not declared never hits).
 */
export interface ScreeningItem {
  sequence: number;
  hs: string;
  description: string;
  quantity: number | undefined;
  unit: string;
  netMass: number | undefined;
  grossMass: number | undefined;
  value: number | undefined;
  currency: string;
  origin: string;
  species: string;
  brand: string;
  /** Document type codes referenced on the item and on the declaration. */
  documents: string[];
  /** value / netMass, when both are declared and the mass is positive. */
  valuePerKg: number | undefined;
}

export interface ScreeningDeclaration {
  kind: string;
  office: string;
  transportMode: string;
  dispatchCountry: string;
  destinationCountry: string;
  transitCountries: string[];
  declarantId: string;
  consignorId: string;
  consignorCountry: string;
  consigneeId: string;
  itemCount: number;
  /** When GreenLane received the declaration (ISO 8601): what permits and certificates must be valid on. */
  date: string;
  /** A cargo report lodged after its time limit (see core/cargo/lodging.ts); false otherwise. */
  lateFiling: boolean;
  /** Minutes after the lodging time limit (0 when on time, not checkable or not a cargo report). */
  minutesLate: number;
}

/** A permit, licence or certificate as screening sees it. */
export interface HeldDocument {
  type: string;
  reference: string;
  validFrom: string | null;
  validTo: string | null;
  status: 'valid' | 'suspended' | 'revoked' | 'expired' | 'exhausted';
  /** HS prefixes the document covers; empty means any. */
  hsScope: string[];
}

/** True when a held permit or certificate is in force on the date: status valid and inside its window. */
export function isValidOn(
  d: Pick<HeldDocument, 'status' | 'validFrom' | 'validTo'>,
  at: string,
): boolean {
  return (
    d.status === 'valid' &&
    (d.validFrom === null || d.validFrom <= at) &&
    (d.validTo === null || at < d.validTo)
  );
}

export interface ScreeningTrader {
  id: string;
  country: string;
  controls: number;
  findings: number;
  certificates: HeldDocument[];
  /**
   * The trader's permits and those the declaration references: for the permit checks and for
   * `hasValidPermit` (the trader's own only; a type also matches its family: 'cites').
   */
  permitsOnFile: PermitOnFile[];
}

export interface ScreeningContext {
  declaration: ScreeningDeclaration;
  item: ScreeningItem;
  trader: ScreeningTrader;
  /** The register of intellectual-property rights in force (shared by every context). */
  rights: RightsRegister;
  /** The rights this item bears, found on first ask (null until then). */
  rightMatches: RightMatch[] | null;
  /** The mirror reconciliation's latest gaps by HS6 and partner (shared by every context). */
  mirror: MirrorGaps;
}

/** The rights a context's goods item bears (matched once per item). */
export function rightMatchesOf(c: ScreeningContext): RightMatch[] {
  return (c.rightMatches ??= c.rights.matches(c.item, c.declaration.date));
}

/** CEL types of the context fields, as the type checker sees them. */
const DECLARATION_FIELDS = {
  kind: 'string',
  office: 'string',
  transportMode: 'string',
  dispatchCountry: 'string',
  destinationCountry: 'string',
  transitCountries: 'list<string>',
  declarantId: 'string',
  consignorId: 'string',
  consignorCountry: 'string',
  consigneeId: 'string',
  itemCount: 'int',
  date: 'string',
  lateFiling: 'bool',
  minutesLate: 'int',
} as const satisfies Record<keyof ScreeningDeclaration, string>;

const ITEM_FIELDS = {
  sequence: 'int',
  hs: 'string',
  description: 'string',
  quantity: 'double',
  unit: 'string',
  netMass: 'double',
  grossMass: 'double',
  value: 'double',
  currency: 'string',
  origin: 'string',
  species: 'string',
  brand: 'string',
  documents: 'list<string>',
  valuePerKg: 'double',
} as const satisfies Record<keyof ScreeningItem, string>;

const TRADER_FIELDS = {
  id: 'string',
  country: 'string',
  controls: 'int',
  findings: 'int',
  findingRate: 'double',
} as const;

export const CONTEXT_SCHEMA = {
  declaration: DECLARATION_FIELDS,
  item: ITEM_FIELDS,
  trader: TRADER_FIELDS,
};

/**
 * What each context field holds, in words, for the condition reference (GET /api/indicators/context):
 * one line per field, kept beside the types so that a field cannot be added without its meaning.
 */
export const CONTEXT_FIELD_DOCS = {
  declaration: {
    kind: "what was lodged: 'import', 'export', 'transit' or 'cargo-report'",
    office: 'customs office of lodging (its code)',
    transportMode: 'mode of transport at the border (sea, air, road, rail…)',
    dispatchCountry: 'country of dispatch (ISO 3166-1 alpha-2)',
    destinationCountry: 'country of destination (ISO 3166-1 alpha-2)',
    transitCountries: 'countries the goods pass through on the way, in order',
    declarantId: 'EORI or trader id of the declarant',
    consignorId: 'EORI or trader id of the consignor',
    consignorCountry: "the consignor's country",
    consigneeId: 'EORI or trader id of the consignee',
    itemCount: 'number of goods items',
    date: 'when GreenLane received the declaration (ISO 8601)',
    lateFiling: 'a cargo report lodged after its time limit',
    minutesLate: 'minutes after the lodging time limit (0 when on time)',
  },
  item: {
    sequence: 'number of the goods item on the declaration (from 1)',
    hs: 'HS code of the goods item (6 to 10 digits)',
    description: 'description of the goods as declared',
    quantity: 'quantity in the supplementary unit, when declared',
    unit: 'the supplementary unit (e.g. p/st, l, kg)',
    netMass: 'net mass in kg, when declared',
    grossMass: 'gross mass in kg, when declared',
    value: 'declared value, when declared',
    currency: 'currency of the value (ISO 4217)',
    origin: 'country of origin (ISO 3166-1 alpha-2)',
    species: 'scientific name of the species, for animals and plants',
    brand: 'brand or trade mark as declared',
    documents: 'document type codes referenced on the item and on the declaration',
    valuePerKg: 'value ÷ net mass, when both are declared and the mass is positive',
  },
  trader: {
    id: "the declarant's trader id",
    country: "the trader's country",
    controls: 'controls of earlier declarations of this trader',
    findings: 'controls of this trader that found something',
    findingRate: 'findings ÷ controls (0 without controls)',
  },
} as const satisfies {
  [K in keyof typeof CONTEXT_SCHEMA]: Record<keyof (typeof CONTEXT_SCHEMA)[K], string>;
};

/** GreenLane's helper functions, with CEL signatures and what they do. */
export const HELPERS = {
  hsIn: {
    signature: 'hsIn(string, string): bool',
    doc: "HS code starts with a prefix in the named 'hs-prefixes' list",
  },
  inList: {
    signature: 'inList(string, string): bool',
    doc: 'value is an entry of the named reference list',
  },
  hasDocument: {
    signature: 'hasDocument(string): bool',
    doc: 'the goods item or the declaration references a document of this type code',
  },
  hasValidPermit: {
    signature: 'hasValidPermit(string): bool',
    doc: "the trader holds a permit of this type (or family: 'cites' for cites-import…) that covers the item as the permit check judges it: issued, in force on the declaration date, HS scope, species, route and enough balance",
  },
  hasValidCertificate: {
    signature: 'hasValidCertificate(string): bool',
    doc: 'the trader holds a certificate of this type valid on the declaration date',
  },
  bearsRegisteredRight: {
    signature: 'bearsRegisteredRight(): bool',
    doc: "the item's brand (or a mark in its description) matches a right registered in an accepted application for action in force on the declaration date, after ignoring case, accents, spacing and look-alike characters, and the right's goods cover the item's HS code",
  },
  brandLike: {
    signature: 'brandLike(string): bool',
    doc: "the item's brand (or a run of words of its description) is this mark after ignoring case, accents, spacing and look-alike characters (0 for o, Cyrillic а for a…), or one letter off for marks of six letters or more; no registered right needed (marks reported by partners)",
  },
  mirrorValueGap: {
    signature: 'mirrorValueGap(): double',
    doc: "ln(our imports' CIF value / the partner's exports raised to CIF) for the item's HS6 from the country of dispatch (else of origin), in the latest month with figures on both sides: below 0 the imports are declared lower than the partner exported (−0.69: half); 0 when there are no figures",
  },
  mirrorUnitValueGap: {
    signature: 'mirrorUnitValueGap(): double',
    doc: 'the same gap for the value per unit of quantity (where both sides give quantities in one unit): below 0 the goods are declared cheaper per unit than the partner exported them; 0 when unknown',
  },
  authorisedForRight: {
    signature: 'authorisedForRight(): bool',
    doc: 'the item bears registered rights and the declarant, consignor or consignee is the right holder or one of its authorised traders for every one of them',
  },
} as const;
export type HelperName = keyof typeof HELPERS;

let environment: Environment | undefined;

/** The CEL environment conditions are parsed and type-checked in (handlers are never called). */
export function celEnvironment(): Environment {
  if (environment) return environment;
  const notEvaluatedHere = () => {
    throw new Error('GreenLane compiles conditions; cel-js only parses and checks them');
  };
  let env = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 5000 } })
    .registerVariable({ name: 'declaration', schema: DECLARATION_FIELDS })
    .registerVariable({ name: 'item', schema: ITEM_FIELDS })
    .registerVariable({ name: 'trader', schema: TRADER_FIELDS });
  for (const h of Object.values(HELPERS)) env = env.registerFunction(h.signature, notEvaluatedHere);
  environment = env;
  return env;
}

/**
 * Builds the per-item contexts of a declaration (documents merged, derived values computed).
 * Every object gets all its keys, in one order, and plain arrays: normalised declarations carry
 * their optional keys in varying order, and conditions reading contexts of one hidden class stay
 * monomorphic.
 */
export function screeningContexts(
  d: DeclarationContent & Partial<Pick<Declaration, 'id'>>,
  trader: ScreeningTrader,
  at: string = d.submittedAt,
  rights: RightsRegister = NO_RIGHTS,
  mirror: MirrorGaps = NO_MIRROR,
): ScreeningContext[] {
  const declarationDocuments = typesOf(d.documents);
  const lodging = d.kind === 'cargo-report' ? checkLodging(d, at) : undefined;
  const route = d.route;
  const declaration: ScreeningDeclaration = {
    kind: d.kind,
    office: d.office ?? '',
    transportMode: route.transportMode ?? '',
    dispatchCountry: route.dispatchCountry ?? '',
    destinationCountry: route.destinationCountry ?? '',
    transitCountries: route.transitCountries,
    declarantId: d.declarant.id ?? '',
    consignorId: d.consignor?.id ?? '',
    consignorCountry: d.consignor?.country ?? '',
    consigneeId: d.consignee?.id ?? '',
    itemCount: d.goodsItems.length,
    date: at,
    lateFiling: lodging?.status === 'late',
    minutesLate: lodging?.minutesLate ?? 0,
  };
  const goods = d.goodsItems;
  const contexts: ScreeningContext[] = [];
  for (let k = 0; k < goods.length; k++) {
    const g = goods[k]!;
    const value = g.value;
    const netMass = g.netMass;
    const documents = typesOf(g.documents);
    for (let j = 0; j < declarationDocuments.length; j++) documents.push(declarationDocuments[j]!);
    const item: ScreeningItem = {
      sequence: g.sequence,
      hs: g.hsCode ?? '',
      description: g.description ?? '',
      quantity: g.quantity,
      unit: g.unit ?? '',
      netMass,
      grossMass: g.grossMass,
      value,
      currency: g.currency ?? '',
      origin: g.originCountry ?? '',
      species: g.species ?? '',
      brand: g.brand ?? '',
      documents,
      valuePerKg:
        value !== undefined && netMass !== undefined && netMass > 0 ? value / netMass : undefined,
    };
    contexts.push({ declaration, item, trader, rights, rightMatches: null, mirror });
  }
  return contexts;
}

function typesOf(documents: readonly { type: string }[]): string[] {
  const types: string[] = [];
  for (let k = 0; k < documents.length; k++) types.push(documents[k]!.type);
  return types;
}
