// WCO Data Model 3.x declarations as HMRC CDS (DMS, `urn:wco:datamodel:WCO:DEC-DMS:2`) receives
// them. The UCC data element numbers (DE 2/5 ...) are those HMRC's samples annotate elements with.
import type {
  DeclarationInput,
  DeclarationKind,
  DocumentRef,
  GoodsItem,
  Party,
  Route,
  TransportMode,
} from '../core/declaration/declaration.js';
import type {
  AmendmentCandidate,
  AmendmentChange,
  AmendmentNote,
  CancellationCandidate,
  DeclarationRef,
} from '../core/declaration/amendment.js';
import type { FieldIssue } from '../core/errors.js';
import type { ReadDeclaration, ReadResult } from './types.js';
import { parseXmlSafely, type XmlElement } from './xml.js';

// What the message says, before validateDeclaration decides whether it is enough.
type DraftDocument = Partial<DocumentRef>;
type DraftItem = Partial<Omit<GoodsItem, 'documents'>> & { documents?: DraftDocument[] };
type Draft = Partial<Omit<DeclarationInput, 'goodsItems' | 'documents'>> & {
  goodsItems: DraftItem[];
  documents?: DraftDocument[];
};

/** UCC DE 7/4 mode of transport at the border. */
const TRANSPORT_MODE_CODES: Readonly<Record<string, TransportMode>> = {
  '1': 'sea',
  '2': 'rail',
  '3': 'road',
  '4': 'air',
  '5': 'post',
  // HMRC's own code for roll-on roll-off: a vehicle on a ferry, and the UCC takes the mode of
  // the means that carries the others across the border.
  '6': 'sea',
  '7': 'fixed-installation',
  '8': 'inland-waterway',
  '9': 'own-propulsion',
};

/**
 * Reads a WCO DMS declaration (bare `MetaData`, or wrapped, e.g. in `submitDeclarationRequest`)
 * into a candidate DeclarationInput with the XML path of every mapped field; refuses messages
 * that declare no goods (notifications, goods presentation, movement responses, delta amendments).
 */
export function readWcoDeclaration(xml: string): ReadResult {
  const parsed = parseXmlSafely(xml);
  if (!parsed.ok) return parsed;
  const found = findDeclaration(parsed.root);
  if (!('declaration' in found)) return { ok: false, issues: [found] };
  const refusal = declaresNoGoods(found.declaration);
  if (refusal) return { ok: false, issues: [refusal] };

  const mapping = new Mapping();
  const input = mapDeclaration(mapping, found.declaration, found.responsibleCountry);
  if (mapping.issues.length > 0) return { ok: false, issues: mapping.issues };
  return { ok: true, value: { input, sourcePaths: mapping.sourcePaths } };
}

/** Collects the XML path each JSON pointer came from, and the values that could not be read. */
class Mapping {
  readonly sourcePaths = new Map<string, string>();
  readonly issues: FieldIssue[] = [];

  /** Records `xmlPath` as where the value at `pointer` came from. */
  source(pointer: string, xmlPath: string): void {
    this.sourcePaths.set(pointer, xmlPath);
  }

  /** Records `xmlPath` as the source of `pointer` and passes `value` through. */
  from<T>(pointer: string, xmlPath: string, value: T): T {
    this.source(pointer, xmlPath);
    return value;
  }

  /** Text of the first element that has some, recorded as the source of `pointer`. */
  text(pointer: string, ...candidates: Array<XmlElement | undefined>): string | undefined {
    const element = candidates.find((c) => c !== undefined && c.text !== '');
    return element ? this.from(pointer, element.path, element.text) : undefined;
  }

  /** Number in `element`, recorded as the source of `pointer`. */
  number(pointer: string, element: XmlElement | undefined): number | undefined {
    if (!element || element.text === '') return undefined;
    const n = this.decimal(element);
    return n === undefined ? undefined : this.from(pointer, element.path, n);
  }

  /** Decimal number in `element`; anything else is an issue at the element's path. */
  decimal(element: XmlElement): number | undefined {
    // xs:decimal only: Number() alone would also take '0x1F', '1e3', 'Infinity' or ''.
    if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(element.text)) {
      return this.issue(element.path, `'${element.text}' is not a decimal number`);
    }
    return Number(element.text);
  }

  /** Records a value that could not be read. */
  issue(path: string, reason: string): undefined {
    this.issues.push({ path, reason });
    return undefined;
  }
}

function findDeclaration(
  root: XmlElement,
): { declaration: XmlElement; responsibleCountry: string | undefined } | FieldIssue {
  // A notification's Response also holds a Declaration (identifiers only): never look inside.
  const declaration = findElement(root, 'Declaration', 'Response');
  if (declaration) {
    const responsibleCountry = descendant(findElement(root, 'MetaData'), 'ResponsibleCountryCode');
    return { declaration, responsibleCountry: nonBlank(responsibleCountry?.text) };
  }
  const response = findElement(root, 'Response');
  if (response) {
    return {
      path: response.path,
      reason: 'a DMS notification (Response to a declaration), not a declaration',
    };
  }
  return {
    path: root.path,
    reason: `no WCO Declaration element: ${root.name} is not a declaration message`,
  };
}

/** Why a Declaration element declares no goods of its own, if it does not. */
function declaresNoGoods(declaration: XmlElement): FieldIssue | undefined {
  const typeCode = child(declaration, 'TypeCode');
  if (!typeCode) return undefined;
  const type = typeCode.text;
  const mrn = nonBlank(child(declaration, 'ID')?.text) ?? 'an unknown MRN';
  if (type === 'GPR') {
    return {
      path: typeCode.path,
      reason: `a goods presentation notification (TypeCode GPR) for ${mrn}, not a declaration: it presents goods declared elsewhere`,
    };
  }
  // DE 1/2 additional declaration type Q: a final supplementary declaration, which reports the
  // supplementary declarations made in a period.
  if (type.charAt(2) === 'Q') {
    return {
      path: typeCode.path,
      reason: `a final supplementary declaration (TypeCode ${type}) reports declarations made, it declares no goods`,
    };
  }
  if (isAmendment(declaration) && !restatesDeclaration(declaration)) {
    return {
      path: typeCode.path,
      reason: `an amendment (FunctionCode 13, TypeCode COR) of ${mrn} that carries only the amended data elements; it must be applied to the declaration it amends`,
    };
  }
  return undefined;
}

function isAmendment(declaration: XmlElement): boolean {
  return (
    child(declaration, 'FunctionCode')?.text === '13' &&
    child(declaration, 'TypeCode')?.text === 'COR'
  );
}

/** DMS amendments normally hold only the changed elements; read one only when it is complete. */
function restatesDeclaration(declaration: XmlElement): boolean {
  const items = children(child(declaration, 'GoodsShipment'), 'GovernmentAgencyGoodsItem');
  return (
    child(declaration, 'Declarant') !== undefined &&
    items.length > 0 &&
    items.every((item) => child(item, 'Commodity') !== undefined)
  );
}

function mapDeclaration(
  m: Mapping,
  declaration: XmlElement,
  responsibleCountry: string | undefined,
): Draft {
  const shipment = child(declaration, 'GoodsShipment');
  const consignment = child(shipment, 'Consignment');
  const goodsLocation = child(consignment, 'GoodsLocation');
  const items = children(shipment, 'GovernmentAgencyGoodsItem');
  if (shipment) m.source('/goodsItems', shipment.path);

  const route = mapRoute(m, declaration, shipment, items[0]);
  const typeCode = child(declaration, 'TypeCode');
  const amends = isAmendment(declaration)
    ? m.text('/amends', child(declaration, 'ID')) // the MRN of the declaration amended
    : undefined;
  return compact<Draft>({
    kind: typeCode
      ? m.from('/kind', typeCode.path, kindOf(typeCode.text, route, responsibleCountry))
      : 'import',
    reference: m.text('/reference', child(declaration, 'FunctionalReferenceID')),
    amends,
    simplified:
      typeCode && isSimplified(typeCode.text)
        ? m.from('/simplified', typeCode.path, true)
        : undefined,
    submittedAt: acceptanceDate(m, descendant(declaration, 'AcceptanceDateTime', 'DateTimeString')),
    office: m.text(
      '/office',
      descendant(declaration, 'SupervisingOffice', 'ID'),
      child(goodsLocation, 'Name'),
    ),
    declarant: party(m, '/declarant', child(declaration, 'Declarant')),
    consignor: party(m, '/consignor', child(declaration, 'Exporter')),
    consignee: party(
      m,
      '/consignee',
      child(shipment, 'Importer') ?? child(declaration, 'Importer') ?? child(shipment, 'Consignee'),
    ),
    carrier: party(
      m,
      '/carrier',
      descendant(declaration, 'Consignment', 'Carrier') ?? child(consignment, 'Carrier'),
    ),
    route,
    goodsItems: items.map((item, i) => goodsItem(m, `/goodsItems/${i}`, item)),
    documents: nonEmpty(
      documents(m, '/documents', false, [
        ...children(declaration, 'AdditionalDocument'),
        ...children(shipment, 'PreviousDocument'),
      ]),
    ),
  });
}

/**
 * DE 1/2 additional declaration types (the TypeCode's third letter) with a reduced data set, whose
 * commodity code and description may follow in the supplementary declaration: B and C, simplified
 * declaration for occasional or regular use (UCC Art. 166), E and F, the same pre-lodged
 * (Art. 171); and HMRC's J and K, a customs clearance request (C21) for goods arrived or
 * pre-lodged, which CDS also takes for entry in the declarant's records (Art. 182, "C21iEIDR" in
 * the samples). Standard (A, D) and supplementary (X, Y, Z) declarations carry the full data set.
 */
const SIMPLIFIED_DECLARATION_TYPES: ReadonlySet<string> = new Set(['B', 'C', 'E', 'F', 'J', 'K']);

function isSimplified(typeCode: string): boolean {
  return SIMPLIFIED_DECLARATION_TYPES.has(typeCode.charAt(2));
}

/**
 * DE 1/1 IM or EX says the direction; CO (special fiscal territories) and COR amendments do not,
 * so goods dispatched from the declaring country are an export and anything else an import.
 */
function kindOf(
  typeCode: string,
  route: Route | undefined,
  responsibleCountry: string | undefined,
): DeclarationKind {
  if (typeCode.startsWith('IM')) return 'import';
  if (typeCode.startsWith('EX')) return 'export';
  const dispatch = route?.dispatchCountry;
  return dispatch !== undefined && dispatch === responsibleCountry ? 'export' : 'import';
}

function mapRoute(
  m: Mapping,
  declaration: XmlElement,
  shipment: XmlElement | undefined,
  firstItem: XmlElement | undefined,
): Route | undefined {
  const consignment = child(shipment, 'Consignment');
  const border = child(declaration, 'BorderTransportMeans');
  const modeCode = child(border, 'ModeCode');
  const route = compact<Route>({
    // DE 5/14 may be declared once for the shipment or on the items.
    dispatchCountry: m.text(
      '/route/dispatchCountry',
      descendant(shipment, 'ExportCountry', 'ID'),
      descendant(firstItem, 'ExportCountry', 'ID'),
    ),
    destinationCountry: m.text(
      '/route/destinationCountry',
      descendant(shipment, 'Destination', 'CountryCode'),
    ),
    // DE 5/26 office of presentation if declared, else DE 5/23 where the goods are.
    officeOfEntry: m.text(
      '/route/officeOfEntry',
      descendant(declaration, 'PresentationOffice', 'ID'),
      descendant(consignment, 'GoodsLocation', 'Name'),
    ),
    transportMode:
      modeCode && modeCode.text !== ''
        ? m.from(
            '/route/transportMode',
            modeCode.path,
            TRANSPORT_MODE_CODES[modeCode.text] ?? 'unknown',
          )
        : undefined,
    // DE 7/9 identity on arrival, else DE 7/14 identity crossing the border.
    conveyance: m.text(
      '/route/conveyance',
      descendant(consignment, 'ArrivalTransportMeans', 'ID'),
      child(border, 'ID'),
    ),
  });
  return Object.keys(route).length > 0 ? route : undefined;
}

function goodsItem(m: Mapping, at: string, item: XmlElement): DraftItem {
  m.source(at, item.path);
  const commodity = child(item, 'Commodity');
  const measure = child(commodity, 'GoodsMeasure');
  return compact<DraftItem>({
    sequence: m.number(`${at}/sequence`, child(item, 'SequenceNumeric')), // DE 1/6
    hsCode: hsCode(m, `${at}/hsCode`, children(commodity, 'Classification')),
    description: m.text(`${at}/description`, child(commodity, 'Description')), // DE 6/8
    ...quantity(m, at, item, measure),
    netMass: mass(m, `${at}/netMass`, child(measure, 'NetNetWeightMeasure')), // DE 6/1
    grossMass: mass(m, `${at}/grossMass`, child(measure, 'GrossMassMeasure')), // DE 6/5
    ...value(m, at, item, commodity),
    originCountry: m.text(`${at}/originCountry`, child(origin(item), 'CountryCode')),
    documents: nonEmpty(
      documents(m, `${at}/documents`, true, children(item, 'AdditionalDocument')),
    ),
  });
}

/**
 * DE 6/14 commodity code (CN, 8 digits, identification type TSP) followed by DE 6/15 TARIC code
 * (2 digits, TRC) makes the 10-digit code; the CN code stands alone when there is no TARIC code.
 * Without a TSP classification, the first classification that is an HS code (6 to 10 digits) is
 * used: CDS sends national additional codes such as VATZ under GN, which this skips.
 */
function hsCode(m: Mapping, pointer: string, classifications: XmlElement[]): string | undefined {
  const byType = (type: string) =>
    classifications.find((c) => child(c, 'IdentificationTypeCode')?.text === type);
  const cn = child(byType('TSP'), 'ID');
  if (cn && cn.text !== '') {
    const taric = child(byType('TRC'), 'ID')?.text ?? '';
    const code = /^\d{8}$/.test(cn.text) && /^\d{2}$/.test(taric) ? cn.text + taric : cn.text;
    return m.from(pointer, cn.path, code);
  }
  const hs = classifications
    .map((c) => child(c, 'ID'))
    .find((id) => /^\d{6,10}$/.test(id?.text ?? ''));
  return m.text(pointer, hs);
}

/**
 * DE 6/2 supplementary units when they name their unit; otherwise the DE 6/10 package count.
 * CDS omits the unitCode because the tariff fixes the supplementary unit per commodity code
 * (items, litres, pairs...), which GreenLane does not hold: labelling it KGM or NAR would be a
 * guess that unit-price rules would trust, whereas a package count is exact.
 */
function quantity(
  m: Mapping,
  at: string,
  item: XmlElement,
  measure: XmlElement | undefined,
): Pick<GoodsItem, 'quantity' | 'unit'> {
  const tariff = child(measure, 'TariffQuantity');
  const unit = tariff?.attribute('unitCode');
  if (tariff && unit) {
    return {
      quantity: m.number(`${at}/quantity`, tariff),
      unit: m.from(`${at}/unit`, tariff.attributePath('unitCode'), unit),
    };
  }
  const counts = children(item, 'Packaging')
    .map((packaging) => child(packaging, 'QuantityQuantity'))
    .filter((count): count is XmlElement => count !== undefined && count.text !== '');
  const [first] = counts;
  if (!first) return {};
  const numbers = counts.map((count) => m.decimal(count));
  if (numbers.some((n) => n === undefined)) return {};
  // Several packaging lines (DE 6/9-6/11) add up; the first names them all in messages.
  const total = numbers.reduce<number>((sum, n) => sum + (n ?? 0), 0);
  return {
    quantity: m.from(`${at}/quantity`, first.path, total),
    unit: m.from(`${at}/unit`, first.path, 'PK'),
  };
}

/** A mass in kilograms; the optional unitCode must say so. */
function mass(m: Mapping, pointer: string, element: XmlElement | undefined): number | undefined {
  const unit = element?.attribute('unitCode');
  if (element && unit !== undefined && unit !== 'KGM') {
    return m.issue(
      element.attributePath('unitCode'),
      `mass unit '${unit}' is not accepted, KGM expected`,
    );
  }
  return m.number(pointer, element);
}

/** DE 4/14 item price, else the statistical value, else DE 4/18 customs value, with its currency. */
function value(
  m: Mapping,
  at: string,
  item: XmlElement,
  commodity: XmlElement | undefined,
): Pick<GoodsItem, 'value' | 'currency'> {
  const amount = [
    descendant(commodity, 'InvoiceLine', 'ItemChargeAmount'),
    child(item, 'StatisticalValueAmount'),
    child(item, 'CustomsValueAmount'),
  ].find((a) => a !== undefined && a.text !== '');
  if (!amount) return {};
  const currency = amount.attribute('currencyID');
  return {
    value: m.number(`${at}/value`, amount),
    currency:
      currency === undefined
        ? undefined
        : m.from(`${at}/currency`, amount.attributePath('currencyID'), currency),
  };
}

/** DE 5/15 non-preferential origin (TypeCode 1) rather than DE 5/16 preferential origin. */
function origin(item: XmlElement): XmlElement | undefined {
  const origins = children(item, 'Origin');
  return origins.find((o) => child(o, 'TypeCode')?.text === '1') ?? origins[0];
}

/**
 * Documents that have an ID. Item documents (DE 2/3) are typed by category and type together, as
 * the UCC codes read (C506, N935); declaration-level deferment accounts (DE 2/6) and previous
 * documents (DE 2/1) by their type code alone (DAN, DCR, 355).
 */
function documents(
  m: Mapping,
  pointer: string,
  withCategory: boolean,
  elements: XmlElement[],
): DraftDocument[] {
  return elements.filter(hasId).map((element, i) => {
    const at = `${pointer}/${i}`;
    m.source(at, element.path);
    const typeCode = child(element, 'TypeCode');
    const category = withCategory ? (child(element, 'CategoryCode')?.text ?? '') : '';
    const type = category + (typeCode?.text ?? '');
    return compact<DraftDocument>({
      type: type === '' ? undefined : m.from(`${at}/type`, (typeCode ?? element).path, type),
      reference: m.text(`${at}/reference`, child(element, 'ID')),
    });
  });
}

function party(m: Mapping, pointer: string, element: XmlElement | undefined): Party | undefined {
  if (!element) return undefined;
  m.source(pointer, element.path);
  const address = child(element, 'Address');
  const line = ['Line', 'CityName', 'PostcodeID']
    .map((name) => child(address, name)?.text ?? '')
    .filter((part) => part !== '')
    .join(', ');
  return compact<Party>({
    id: m.text(`${pointer}/id`, child(element, 'ID')),
    name: m.text(`${pointer}/name`, child(element, 'Name')),
    country: m.text(`${pointer}/country`, child(address, 'CountryCode')),
    address: address && line !== '' ? m.from(`${pointer}/address`, address.path, line) : undefined,
  });
}

function hasId(element: XmlElement): boolean {
  return (child(element, 'ID')?.text ?? '') !== '';
}

/**
 * Acceptance date and time: formatCode 304 is YYYYMMDDHHMMSS and a zone (Z, ±HH or ±HHMM),
 * 102 is YYYYMMDD (read as midnight UTC).
 */
function acceptanceDate(m: Mapping, element: XmlElement | undefined): string | undefined {
  if (!element || element.text === '') return undefined;
  const { text } = element;
  const format = element.attribute('formatCode');
  const long = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2})(?::?(\d{2}))?$/.exec(text);
  const short = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (format === '304' && long) {
    const [, y, mo, d, h, mi, s, zone, zoneMinutes = '00'] = long;
    const offset = zone === 'Z' ? 'Z' : `${zone}:${zoneMinutes}`;
    return m.from('/submittedAt', element.path, `${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  }
  if (format === '102' && short) {
    const [, y, mo, d] = short;
    return m.from('/submittedAt', element.path, `${y}-${mo}-${d}T00:00:00Z`);
  }
  return m.issue(
    element.path,
    `date '${text}' with formatCode '${format ?? ''}' is not readable (304 YYYYMMDDHHMMSS±ZZ or 102 YYYYMMDD expected)`,
  );
}

/**
 * True when `element` has this local name, also when a lost colon glued a short namespace prefix
 * on (`mdMetaData`, `pDateTimeString` in one HMRC sample): WCO names start upper-case, prefixes
 * do not, and wrapper names such as `submitDeclaration` are longer than a prefix.
 */
function isNamed(element: XmlElement, local: string): boolean {
  const { name } = element;
  return (
    name === local ||
    (name.endsWith(local) && /^[a-z]{1,3}[0-9]*$/.test(name.slice(0, -local.length)))
  );
}

function children(parent: XmlElement | undefined, local: string): XmlElement[] {
  return parent ? parent.children().filter((c) => isNamed(c, local)) : [];
}

function child(parent: XmlElement | undefined, local: string): XmlElement | undefined {
  return children(parent, local)[0];
}

function descendant(parent: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  return locals.reduce<XmlElement | undefined>((el, local) => child(el, local), parent);
}

/** `root` or its first descendant with this local name, depth first, not looking inside `skip`. */
function findElement(root: XmlElement, local: string, skip?: string): XmlElement | undefined {
  if (isNamed(root, local)) return root;
  if (skip !== undefined && isNamed(root, skip)) return undefined;
  for (const c of root.children()) {
    const found = findElement(c, local, skip);
    if (found) return found;
  }
  return undefined;
}

function nonBlank(text: string | undefined): string | undefined {
  return text === '' ? undefined : text;
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** The object without its undefined-valued keys, so absent optional fields are absent. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** A DMS message as GreenLane acts on it: a declaration to lodge, or a change to one lodged. */
export type WcoMessage =
  | { ok: true; kind: 'declaration'; value: ReadDeclaration }
  | { ok: true; kind: 'amendment'; value: AmendmentCandidate }
  | { ok: true; kind: 'cancellation'; value: CancellationCandidate }
  | { ok: false; issues: FieldIssue[] };

/**
 * Reads a WCO DMS message: a declaration (as `readWcoDeclaration`), an amendment carrying only
 * the amended data elements (FunctionCode 13, TypeCode COR), or a cancellation (TypeCode INV).
 */
export function readWcoMessage(xml: string): WcoMessage {
  const parsed = parseXmlSafely(xml);
  if (!parsed.ok) return parsed;
  const found = findDeclaration(parsed.root);
  if ('declaration' in found) {
    const { declaration } = found;
    if (child(declaration, 'TypeCode')?.text === 'INV') return readCancellation(declaration);
    if (isAmendment(declaration) && !restatesDeclaration(declaration)) {
      return readAmendment(declaration);
    }
  }
  const read = readWcoDeclaration(xml);
  return read.ok ? { ok: true, kind: 'declaration', value: read.value } : read;
}

function declarationRef(declaration: XmlElement): DeclarationRef | FieldIssue {
  const mrn = nonBlank(child(declaration, 'ID')?.text);
  const lrn = nonBlank(child(declaration, 'FunctionalReferenceID')?.text);
  if (mrn === undefined && lrn === undefined) {
    return {
      path: `${declaration.path}/ID`,
      reason: 'names no declaration: the MRN (ID) or the LRN (FunctionalReferenceID) is required',
    };
  }
  return compact<DeclarationRef>({ mrn, lrn });
}

/** The declarant's statements (AdditionalInformation of type AES, DE 2/2 'amendment reason'). */
function statements(declaration: XmlElement): string[] {
  return children(declaration, 'AdditionalInformation')
    .filter((info) => (child(info, 'StatementTypeCode')?.text ?? 'AES') === 'AES')
    .map((info) => child(info, 'StatementDescription')?.text.trim() ?? '')
    .filter((text) => text !== '');
}

function readCancellation(declaration: XmlElement): WcoMessage {
  const ref = declarationRef(declaration);
  if ('path' in ref) return { ok: false, issues: [ref] };
  const reasonCode = nonBlank(
    descendant(declaration, 'Amendment', 'ChangeReasonCode')?.text.trim(),
  );
  const reason = statements(declaration).join('; ');
  if (reason === '' && reasonCode === undefined) {
    return {
      ok: false,
      issues: [
        {
          path: `${declaration.path}/Amendment/ChangeReasonCode`,
          reason: 'a cancellation must give its reason (ChangeReasonCode or AdditionalInformation)',
        },
      ],
    };
  }
  return {
    ok: true,
    kind: 'cancellation',
    value: compact<CancellationCandidate>({
      kind: 'cancellation',
      declaration: ref,
      reasonCode,
      reason,
    }),
  };
}

/**
 * WCO DM class codes (Pointer/DocumentSectionCode) as the HMRC samples use them, with the element
 * each names. `keyed` classes are found by their SequenceNumeric, the others by position (and,
 * when the message restates only one, that one: HMRC numbers some pointers loosely).
 */
const SECTIONS: Readonly<Record<string, { element: string; keyed?: boolean }>> = {
  '42A': { element: 'Declaration' },
  '67A': { element: 'GoodsShipment' },
  '68A': { element: 'GovernmentAgencyGoodsItem', keyed: true },
  '23A': { element: 'Commodity' },
  '65A': { element: 'GoodsMeasure' },
  '79A': { element: 'InvoiceLine' },
  '93A': { element: 'Packaging', keyed: true },
  '02A': { element: 'AdditionalDocument' },
  '41A': { element: 'CustomsValuation' },
  '57A': { element: 'Exporter' },
  '04A': { element: 'Address' },
};

type Effect =
  | { kind: 'item'; field: string; read: (m: Mapping, e: XmlElement) => unknown; whenUnit?: string }
  | { kind: 'party'; part: 'name' | 'address' }
  | { kind: 'value' }
  | { kind: 'not-held'; note: string };

/** WCO tag numbers (Pointer/TagID) per element, and what an amendment of each does to GreenLane. */
const TAGS: Readonly<
  Record<string, Readonly<Record<string, { element: string; effect: Effect }>>>
> = {
  Declaration: {
    '146': {
      element: 'TotalPackageQuantity',
      effect: { kind: 'not-held', note: 'DE 6/18 total packages is not held by GreenLane' },
    },
    '228': {
      element: 'GoodsItemQuantity',
      effect: {
        kind: 'not-held',
        note: 'DE 1/9 total goods items is not held: GreenLane counts the goods items',
      },
    },
    '109': {
      element: 'InvoiceAmount',
      effect: { kind: 'not-held', note: 'DE 4/11 total amount invoiced is not held by GreenLane' },
    },
  },
  Exporter: { R031: { element: 'Name', effect: { kind: 'party', part: 'name' } } },
  Address: {
    '239': { element: 'Line', effect: { kind: 'party', part: 'address' } },
    '241': { element: 'CityName', effect: { kind: 'party', part: 'address' } },
    '245': { element: 'PostcodeID', effect: { kind: 'party', part: 'address' } },
  },
  CustomsValuation: {
    '117': {
      element: 'FreightChargeAmount',
      effect: { kind: 'not-held', note: 'DE 4/19 transport costs are not held by GreenLane' },
    },
  },
  GovernmentAgencyGoodsItem: {
    '108': { element: 'CustomsValueAmount', effect: { kind: 'value' } },
  },
  InvoiceLine: { '112': { element: 'ItemChargeAmount', effect: { kind: 'value' } } },
  GoodsMeasure: {
    '128': {
      element: 'NetNetWeightMeasure',
      effect: { kind: 'item', field: '/netMass', read: (m, e) => massValue(m, e) },
    },
  },
  Packaging: {
    '144': {
      element: 'QuantityQuantity',
      effect: {
        kind: 'item',
        field: '/quantity',
        read: (m, e) => m.decimal(e),
        // GreenLane holds a package count only as the quantity of an item without units.
        whenUnit: 'PK',
      },
    },
  },
  AdditionalDocument: {
    '360': {
      element: 'LPCOExemptionCode',
      effect: {
        kind: 'not-held',
        note: 'DE 2/3 document status is not held: GreenLane keeps a document by type and reference',
      },
    },
  },
};

const PARTY_ROLES: Readonly<Record<string, string>> = { Exporter: '/consignor' };

function massValue(m: Mapping, element: XmlElement): number | undefined {
  const unit = element.attribute('unitCode');
  if (unit !== undefined && unit !== 'KGM') {
    return m.issue(
      element.attributePath('unitCode'),
      `mass unit '${unit}' is not accepted, KGM expected`,
    );
  }
  return m.decimal(element);
}

/**
 * Reads an amendment: each Amendment element's Pointer chain names one amended data element (or,
 * ending at a goods item without a TagID and with no item restated, the item's removal); the value
 * is the element the message restates at that place. A pointer that cannot be followed, or names
 * an element the message does not restate, is an issue at the pointer.
 */
function readAmendment(declaration: XmlElement): WcoMessage {
  const ref = declarationRef(declaration);
  if ('path' in ref) return { ok: false, issues: [ref] };
  const m = new Mapping();
  const changes: AmendmentChange[] = [];
  const notHeld: AmendmentNote[] = [];
  const reasonCodes: string[] = [];
  const amendments = children(declaration, 'Amendment');
  if (amendments.length === 0) {
    m.issue(
      `${declaration.path}/Amendment`,
      'an amendment must name what it amends (Amendment/Pointer)',
    );
  }
  for (const amendment of amendments) {
    const code = nonBlank(child(amendment, 'ChangeReasonCode')?.text.trim());
    if (code !== undefined) reasonCodes.push(code);
    const pointers = children(amendment, 'Pointer');
    if (pointers.length === 0) {
      m.issue(amendment.path, 'an Amendment without a Pointer names no data element');
      continue;
    }
    followPointers(m, declaration, pointers, changes, notHeld);
  }
  if (m.issues.length > 0) return { ok: false, issues: m.issues };
  return {
    ok: true,
    kind: 'amendment',
    value: {
      kind: 'amendment',
      declaration: ref,
      reasonCodes,
      statements: statements(declaration),
      changes,
      notHeld,
    },
  };
}

function followPointers(
  m: Mapping,
  declaration: XmlElement,
  pointers: XmlElement[],
  changes: AmendmentChange[],
  notHeld: AmendmentNote[],
): void {
  const removal = itemRemoval(declaration, pointers);
  if (removal) {
    changes.push(removal);
    return;
  }
  let at: XmlElement = declaration;
  let item: number | undefined;
  let party: string | undefined;
  for (const [i, pointer] of pointers.entries()) {
    const code = child(pointer, 'DocumentSectionCode')?.text.trim() ?? '';
    const section = SECTIONS[code];
    if (!section) {
      m.issue(
        pointer.path,
        `DocumentSectionCode '${code}' is not a WCO class GreenLane can follow`,
      );
      return;
    }
    const seqText = child(pointer, 'SequenceNumeric')?.text.trim();
    const seq = seqText === undefined || seqText === '' ? 1 : Number(seqText);
    const last = i === pointers.length - 1;
    if (i === 0) {
      if (section.element !== 'Declaration') {
        m.issue(pointer.path, `a pointer starts at the declaration (42A), not at '${code}'`);
        return;
      }
    } else {
      const candidates = children(at, section.element);
      const next = section.keyed
        ? candidates.find((c) => Number(child(c, 'SequenceNumeric')?.text) === seq)
        : (candidates[seq - 1] ?? (candidates.length === 1 ? candidates[0] : undefined));
      if (section.element === 'GovernmentAgencyGoodsItem') item = seq;
      if (PARTY_ROLES[section.element]) party = PARTY_ROLES[section.element];
      if (!next) {
        m.issue(
          pointer.path,
          `the amended ${section.element} ${seq} (${code}) is not restated in the message`,
        );
        return;
      }
      at = next;
    }
    if (!last) continue;
    const tag = nonBlank(child(pointer, 'TagID')?.text.trim());
    if (tag === undefined) {
      m.issue(
        pointer.path,
        `an amendment of a whole ${section.element} is not supported: name the amended element by TagID`,
      );
      return;
    }
    const entry = TAGS[section.element]?.[tag];
    if (!entry) {
      m.issue(
        pointer.path,
        `TagID ${tag} of ${section.element} is not a data element GreenLane can amend`,
      );
      return;
    }
    const element = child(at, entry.element);
    if (!element || element.text === '') {
      m.issue(
        pointer.path,
        `the amended ${entry.element} (TagID ${tag}) is not restated in the message`,
      );
      return;
    }
    applyEffect(m, entry.effect, element, at, item, party, changes, notHeld);
  }
}

/**
 * A pointer chain ending at a goods item without a TagID, whose item the message does not restate,
 * removes that item (WCO DM: a pointed class instance that is absent is deleted).
 */
function itemRemoval(declaration: XmlElement, pointers: XmlElement[]): AmendmentChange | undefined {
  const last = pointers[pointers.length - 1]!;
  if (child(last, 'DocumentSectionCode')?.text.trim() !== '68A') return undefined;
  if (nonBlank(child(last, 'TagID')?.text.trim()) !== undefined) return undefined;
  const seq = Number(child(last, 'SequenceNumeric')?.text.trim() ?? '');
  if (!Number.isInteger(seq) || seq < 1) return undefined;
  const restated = children(child(declaration, 'GoodsShipment'), 'GovernmentAgencyGoodsItem').some(
    (item) => Number(child(item, 'SequenceNumeric')?.text) === seq,
  );
  return restated ? undefined : { op: 'remove-item', item: seq, source: last.path };
}

function applyEffect(
  m: Mapping,
  effect: Effect,
  element: XmlElement,
  parent: XmlElement,
  item: number | undefined,
  party: string | undefined,
  changes: AmendmentChange[],
  notHeld: AmendmentNote[],
): void {
  const source = element.path;
  switch (effect.kind) {
    case 'not-held':
      notHeld.push({
        source,
        note: `${element.name} '${element.text}' kept with the version, not applied: ${effect.note}`,
      });
      return;
    case 'item': {
      if (item === undefined) {
        m.issue(source, `${element.name} outside a goods item`);
        return;
      }
      const value = effect.read(m, element);
      if (value === undefined) return;
      changes.push(
        compact<AmendmentChange>({
          op: 'set',
          item,
          field: effect.field,
          value,
          source,
          whenUnit: effect.whenUnit,
        }),
      );
      return;
    }
    case 'value': {
      if (item === undefined) {
        m.issue(source, `${element.name} outside a goods item`);
        return;
      }
      const value = m.decimal(element);
      if (value === undefined) return;
      changes.push({ op: 'set', item, field: '/value', value, source });
      const currency = element.attribute('currencyID');
      if (currency !== undefined) {
        changes.push({
          op: 'set',
          item,
          field: '/currency',
          value: currency,
          source: element.attributePath('currencyID'),
        });
      }
      return;
    }
    case 'party': {
      if (party === undefined) {
        m.issue(source, `${element.name} outside a party GreenLane holds`);
        return;
      }
      if (effect.part === 'name') {
        changes.push({ op: 'set', field: `${party}/name`, value: element.text, source });
        return;
      }
      // GreenLane holds an address as one line: the restated Address must give all its parts.
      const parts = ['Line', 'CityName', 'PostcodeID'].map((name) => child(parent, name));
      const missing = ['Line', 'CityName', 'PostcodeID'].filter((_, k) => !parts[k]?.text);
      if (missing.length > 0) {
        m.issue(
          parent.path,
          `GreenLane holds an address as one line: restate ${missing.join(', ')} with it`,
        );
        return;
      }
      const line = parts.map((p) => p!.text).join(', ');
      const field = `${party}/address`;
      if (!changes.some((c) => c.op === 'set' && c.field === field)) {
        changes.push({ op: 'set', field, value: line, source: parent.path });
      }
      return;
    }
  }
}
