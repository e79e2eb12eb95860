// Entry summary declarations in the EU ICS (phase 1) format, GB variant, as HMRC's import control
// entry declaration store receives them: IE315 (CC315A, a new declaration) and IE313 (CC313A, an
// amendment of one filed before, named by its MRN). Element names are the ICS data dictionary's
// (HEAHEA header, GOOITEGDS goods item, TRACONCO1 consignor...). The business rules these
// messages must meet are data (library/rules/); this module maps a valid message to GreenLane's
// declaration model.
import type {
  DeclarationInput,
  DocumentRef,
  GoodsItem,
  Party,
  Route,
  TransportMode,
} from '../core/declaration/declaration.js';
import type { FieldIssue } from '../core/errors.js';
import { isCountryCode, isKnownHsHeading } from '../core/reference/lookup.js';
import type { MessageNode } from '../core/rules/message-node.js';
import { parseMessageTree } from './message-tree.js';
import { elementPath, type XmlLimits } from './xml.js';

export const ENS_MESSAGE_TYPES = ['CC315A', 'CC313A'] as const;
export type EnsMessageType = (typeof ENS_MESSAGE_TYPES)[number];

export const ENS_NAMESPACES: Readonly<Record<EnsMessageType, string>> = {
  CC315A: 'http://ics.dgtaxud.ec/CC315A',
  CC313A: 'http://ics.dgtaxud.ec/CC313A',
};

/** ICS transport mode at the border. */
const TRANSPORT_MODE_CODES: Readonly<Record<string, TransportMode>> = {
  '1': 'sea',
  '2': 'rail',
  '3': 'road',
  '4': 'air',
  '5': 'post',
  '7': 'fixed-installation',
  '8': 'inland-waterway',
  '9': 'own-propulsion',
  // ICS codes for road vehicles carried across by sea and by inland waterway (ro-ro): the mode is
  // that of the means that crosses the border.
  '10': 'sea',
  '11': 'inland-waterway',
};

/** A cargo report read from an ENS message: what it says, mapped, and what could not be mapped. */
export interface EnsReport {
  messageType: EnsMessageType;
  messageId: string | null;
  /** MesSenMES3: the sender's identification (EORI/branch). */
  sender: string | null;
  /** RefNumHEA4: the declarant's local reference number. */
  lrn: string | null;
  /** DocNumHEA5 of an IE313: the movement reference number of the report it amends. */
  amendsMrn: string | null;
  /** DecDatTimHEA114 / DatTimAmeHEA113 as ISO 8601 (read as UTC), when given. */
  declaredAt: string | null;
  /** A candidate DeclarationInput (kind cargo-report) for validateDeclaration. */
  input: Omit<DeclarationInput, 'reference'> & { reference?: string };
  /** JSON pointer of the mapped declaration → the XML path it came from. */
  sourcePaths: Map<string, string>;
  /** Values the message carries that GreenLane could not use, in plain words. */
  notes: string[];
}

export type EnsReadResult = { ok: true; report: EnsReport } | { ok: false; issues: FieldIssue[] };

/** Parses an ENS message safely (size, depth, no DTD) and maps it; see mapEnsReport. */
export function readEnsMessage(xml: string, limits?: XmlLimits): EnsReadResult {
  const parsed = parseMessageTree(xml, limits);
  if (!parsed.ok) return parsed;
  return mapEnsReport(parsed.root);
}

/**
 * An element of the parsed message as the mapping reads it: local name, trimmed text, and its
 * path for notes and field issues (`/CC315A/ITI[2]`, indexed only among repeated siblings).
 */
class EnsElement {
  readonly name: string;
  constructor(
    private readonly node: MessageNode,
    readonly path: string,
  ) {
    this.name = node.local;
  }

  get text(): string {
    return this.node.text.trim();
  }

  children(): EnsElement[] {
    return this.node.children.map(
      (c) =>
        new EnsElement(
          c,
          elementPath(this.path, c.local, c.index - 1, this.node.named(c.local).length),
        ),
    );
  }
}

/**
 * Maps a parsed IE315 or IE313 (root element CC315A / CC313A, any namespace prefix): the same
 * tree the rule pack was checked on, so an accepted message is parsed once.
 */
export function mapEnsReport(message: MessageNode): EnsReadResult {
  const root = new EnsElement(message, `/${message.local}`);
  const type = ENS_MESSAGE_TYPES.find((t) => t === root.name);
  if (!type) {
    return {
      ok: false,
      issues: [
        {
          path: `/${root.name}`,
          reason: `not an entry summary declaration: the root element is ${root.name}, CC315A (IE315) or CC313A (IE313) expected`,
        },
      ],
    };
  }
  const m = new Mapper(root.name);
  const header = one(root, 'HEAHEA');
  const lrn = text(header, 'RefNumHEA4');
  const amendsMrn = type === 'CC313A' ? text(header, 'DocNumHEA5') : null;
  if (type === 'CC313A' && !amendsMrn) {
    return {
      ok: false,
      issues: [
        {
          path: `/${root.name}/HEAHEA/DocNumHEA5`,
          reason: 'an amendment (IE313) must name the MRN of the report it amends',
        },
      ],
    };
  }
  const declaredAt = m.time(
    header,
    type === 'CC313A' ? 'DatTimAmeHEA113' : 'DecDatTimHEA114',
    'declaration date',
  );

  const sender = text(root, 'MesSenMES3');
  const declarant =
    m.party(one(root, 'PERLODSUMDEC'), '/declarant', {
      id: 'TINPLD1',
      name: 'NamPLD1',
      street: 'StrAndNumPLD1',
      postcode: 'PosCodPLD1',
      city: 'CitPLD1',
      country: 'CouCodPLD1',
    }) ?? senderParty(m, root, sender);
  const consignor = m.party(one(root, 'TRACONCO1'), '/consignor', CONSIGNOR);
  const consignee = m.party(one(root, 'TRACONCE1'), '/consignee', CONSIGNEE);
  const carrier = m.party(one(root, 'TRACARENT601'), '/carrier', {
    id: 'TINTRACARENT602',
    name: 'NamTRACARENT604',
    street: 'StrNumTRACARENT607',
    postcode: 'PstCodTRACARENT606',
    city: 'CtyTRACARENT603',
    country: 'CouCodTRACARENT605',
  });

  const items = root.children().filter((c) => c.name === 'GOOITEGDS');
  const goodsItems = items.map((item, i) => m.item(item, i));
  // Goods-item consignors and consignees stand in for the header's when every item names the same.
  const itemParty = (name: string, fields: PartyFields, pointer: string): Party | undefined => {
    const found = items.map((item) => one(item, name));
    if (found.every((f) => f === undefined)) return undefined;
    const parties = found.map((f) => (f ? m.party(f, pointer, fields, false) : undefined));
    const first = JSON.stringify(parties[0]);
    if (parties.some((p) => JSON.stringify(p) !== first)) {
      m.note(`goods items name different ${name} parties; GreenLane keeps none of them`);
      return undefined;
    }
    m.source(pointer, found[0]!.path);
    return parties[0];
  };

  const route = m.route(root, header, items);
  const office = text(one(root, 'CUSOFFLON'), 'RefNumCOL1') ?? route.officeOfEntry;
  const documents: DocumentRef[] = [];
  const input: EnsReport['input'] = {
    kind: 'cargo-report',
    ...(lrn ? { reference: lrn } : {}),
    ...(office ? { office } : {}),
    declarant,
    ...optional('consignor', consignor ?? itemParty('TRACONCO2', CONSIGNOR_ITEM, '/consignor')),
    ...optional('consignee', consignee ?? itemParty('TRACONCE2', CONSIGNEE_ITEM, '/consignee')),
    ...optional('carrier', carrier),
    route,
    goodsItems,
    documents,
  };
  if (lrn) m.source('/reference', header!.path + '/RefNumHEA4');
  return {
    ok: true,
    report: {
      messageType: type,
      messageId: text(root, 'MesIdeMES19'),
      sender,
      lrn,
      amendsMrn,
      declaredAt,
      input,
      sourcePaths: m.sourcePaths,
      notes: m.notes,
    },
  };
}

interface PartyFields {
  id: string;
  name: string;
  street: string;
  postcode: string;
  city: string;
  country: string;
}
const CONSIGNOR: PartyFields = {
  id: 'TINCO159',
  name: 'NamCO17',
  street: 'StrAndNumCO122',
  postcode: 'PosCodCO123',
  city: 'CitCO124',
  country: 'CouCO125',
};
const CONSIGNEE: PartyFields = {
  id: 'TINCE159',
  name: 'NamCE17',
  street: 'StrAndNumCE122',
  postcode: 'PosCodCE123',
  city: 'CitCE124',
  country: 'CouCE125',
};
const CONSIGNOR_ITEM: PartyFields = {
  id: 'TINCO259',
  name: 'NamCO27',
  street: 'StrAndNumCO222',
  postcode: 'PosCodCO223',
  city: 'CitCO224',
  country: 'CouCO225',
};
const CONSIGNEE_ITEM: PartyFields = {
  id: 'TINCE259',
  name: 'NamCE27',
  street: 'StrAndNumCE222',
  postcode: 'PosCodCE223',
  city: 'CitCE224',
  country: 'CouCE225',
};

/** The person lodging the summary declaration, when the message names none: its sender. */
function senderParty(m: Mapper, root: EnsElement, sender: string | null): Party {
  const id = sender?.split('/')[0]?.trim();
  if (id) {
    m.source('/declarant', `${root.path}/MesSenMES3`);
    m.note('no person lodging the summary declaration (PERLODSUMDEC): the sender is the declarant');
    return { id: id.slice(0, 35) };
  }
  return {};
}

class Mapper {
  readonly sourcePaths = new Map<string, string>();
  readonly notes: string[] = [];

  constructor(readonly rootName: string) {}

  source(pointer: string, path: string): void {
    this.sourcePaths.set(pointer, path);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  party(
    e: EnsElement | undefined,
    pointer: string,
    f: PartyFields,
    record = true,
  ): Party | undefined {
    if (!e) return undefined;
    if (record) this.source(pointer, e.path);
    const id = text(e, f.id);
    const name = text(e, f.name);
    const address = [text(e, f.street), text(e, f.postcode), text(e, f.city)]
      .filter((x): x is string => x !== null)
      .join(', ');
    const country = this.country(e, f.country);
    return {
      ...(id ? { id: id.slice(0, 35) } : {}),
      ...(name ? { name: name.slice(0, 200) } : {}),
      ...(country ? { country } : {}),
      ...(address ? { address: address.slice(0, 400) } : {}),
    };
  }

  /** An ISO country code, upper-cased; anything else is noted and left out. */
  country(e: EnsElement | undefined, name: string): string | undefined {
    const value = text(e, name);
    if (value === null) return undefined;
    const code = value.toUpperCase();
    if (isCountryCode(code)) return code;
    this.note(`${e!.path}/${name} '${value}' is not an ISO 3166 country code; left out`);
    return undefined;
  }

  /** yyyyMMddHHmm (read as UTC) → ISO 8601; noted and left out when it is not a date. */
  time(e: EnsElement | undefined, name: string, what: string): string | null {
    const value = text(e, name);
    if (value === null) return null;
    const t = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
    const date = t ? new Date(Date.UTC(+t[1]!, +t[2]! - 1, +t[3]!, +t[4]!, +t[5]!)) : null;
    if (!date || date.getUTCMonth() !== +t![2]! - 1 || date.getUTCDate() !== +t![3]!) {
      this.note(`${e!.path}/${name} '${value}' is not a ${what} (yyyyMMddHHmm); left out`);
      return null;
    }
    return date.toISOString();
  }

  route(root: EnsElement, header: EnsElement | undefined, items: EnsElement[]): Route {
    const itinerary = root
      .children()
      .filter((c) => c.name === 'ITI')
      .map((iti) => this.country(iti, 'CouOfRouCodITI1'))
      .filter((c): c is string => c !== undefined);
    const modeCode = text(header, 'TraModAtBorHEA76');
    const transportMode = modeCode === null ? undefined : TRANSPORT_MODE_CODES[String(+modeCode)];
    if (modeCode !== null && !transportMode) {
      this.note(`transport mode at border '${modeCode}' is not an ICS code; left out`);
    }
    if (transportMode) this.source('/route/transportMode', `${header!.path}/TraModAtBorHEA76`);
    const conveyance = text(header, 'IdeOfMeaOfTraCroHEA85') ?? text(header, 'ConRefNumHEA');
    const entry = one(root, 'CUSOFFFENT730');
    const officeOfEntry = text(entry, 'RefNumCUSOFFFENT731');
    const arrivalAt = this.time(entry, 'ExpDatOfArrFIRENT733', 'expected arrival');
    if (arrivalAt) this.source('/route/arrivalAt', `${entry!.path}/ExpDatOfArrFIRENT733`);
    const containers = [
      ...new Set(
        items.flatMap((item) =>
          item
            .children()
            .filter((c) => c.name === 'CONNR2')
            .map((c) => text(c, 'ConNumNR21'))
            .filter((c): c is string => c !== null)
            .map((c) => c.slice(0, 17)),
        ),
      ),
    ];
    // The itinerary runs from the country of dispatch to the country of entry.
    return {
      ...(itinerary.length > 0 ? { dispatchCountry: itinerary[0] } : {}),
      ...(itinerary.length > 1 ? { destinationCountry: itinerary[itinerary.length - 1] } : {}),
      transitCountries: itinerary.slice(1, -1),
      ...(officeOfEntry ? { officeOfEntry: officeOfEntry.slice(0, 35) } : {}),
      ...(transportMode ? { transportMode } : {}),
      ...(conveyance ? { conveyance: conveyance.slice(0, 70) } : {}),
      ...(containers.length > 0 ? { containers } : {}),
      ...(arrivalAt ? { arrivalAt } : {}),
    };
  }

  item(e: EnsElement, index: number): GoodsItem {
    const at = `/goodsItems/${index}`;
    this.source(at, e.path);
    const number = text(e, 'IteNumGDS7');
    let sequence = index + 1;
    if (number !== null && /^\d{1,4}$/.test(number) && +number > 0) sequence = +number;
    else
      this.note(`${e.path}/IteNumGDS7 '${number ?? ''}' is not an item number; item ${sequence}`);
    this.source(`${at}/sequence`, `${e.path}/IteNumGDS7`);

    const commodity = text(one(e, 'COMCODGODITM'), 'ComNomCMD1');
    let hsCode: string | undefined;
    if (commodity !== null) {
      if (/^\d{4,10}$/.test(commodity) && isKnownHsHeading(commodity)) {
        hsCode = commodity.length === 5 ? commodity.slice(0, 4) : commodity;
        this.source(`${at}/hsCode`, `${e.path}/COMCODGODITM/ComNomCMD1`);
      } else {
        this.note(
          `item ${sequence}: commodity code '${commodity}' is not an HS 2022 heading or subheading; screened on its description only`,
        );
      }
    }
    const description = text(e, 'GooDesGDS23');
    const gross = text(e, 'GroMasGDS46');
    const grossMass = gross !== null && /^\d+(\.\d+)?$/.test(gross) ? Number(gross) : undefined;
    if (gross !== null && grossMass === undefined) {
      this.note(`item ${sequence}: gross mass '${gross}' is not a number; left out`);
    }
    const documents = e
      .children()
      .filter((c) => c.name === 'PRODOCDC2')
      .flatMap((d): DocumentRef[] => {
        const type = text(d, 'DocTypDC21');
        const reference = text(d, 'DocRefDC23');
        return type && reference
          ? [{ type: type.slice(0, 35), reference: reference.slice(0, 70) }]
          : [];
      });
    const packages = e
      .children()
      .filter((c) => c.name === 'PACGS2')
      .flatMap((p) => {
        const kind = text(p, 'KinOfPacGS23');
        if (!kind) return [];
        const count = whole(text(p, 'NumOfPacGS24'));
        const pieces = whole(text(p, 'NumOfPieGS25'));
        const marks = text(p, 'MarNumOfPacGSL21');
        return [
          {
            kind: kind.toUpperCase().slice(0, 2),
            ...(count !== undefined ? { count } : {}),
            ...(pieces !== undefined ? { pieces } : {}),
            ...(marks ? { marks: marks.slice(0, 512) } : {}),
          },
        ];
      });
    return {
      sequence,
      ...(hsCode ? { hsCode } : {}),
      ...(description ? { description: description.slice(0, 512) } : {}),
      ...(grossMass !== undefined ? { grossMass } : {}),
      ...(documents.length > 0 ? { documents } : {}),
      ...(packages.length > 0 ? { packages } : {}),
    };
  }
}

function whole(value: string | null): number | undefined {
  return value !== null && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

function one(e: EnsElement | undefined, name: string): EnsElement | undefined {
  return e?.children().find((c) => c.name === name);
}

/** Trimmed text of the first child of that name; null when absent or empty. */
function text(e: EnsElement | undefined, name: string): string | null {
  const value = one(e, name)?.text.trim();
  return value ? value : null;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * The JSON form of an ENS message: the same elements as keys, `{"CC315A": {"MesSenMES3": "…",
 * "HEAHEA": {…}, "GOOITEGDS": [{…}, {…}]}}`; an array is a repeated element, a string or number a
 * text value. Written as the XML the rules and the mapping read, so both forms are held to the
 * same rules and report the same locations. Refuses anything else, naming the JSON pointer.
 */
export function ensJsonToXml(
  body: unknown,
): { ok: true; xml: string } | { ok: false; issues: FieldIssue[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      issues: [{ path: '/', reason: 'an object with one key, CC315A or CC313A, expected' }],
    };
  }
  const keys = Object.keys(body);
  const type = ENS_MESSAGE_TYPES.find((t) => keys.length === 1 && keys[0] === t);
  if (!type) {
    return {
      ok: false,
      issues: [{ path: '/', reason: 'an object with one key, CC315A or CC313A, expected' }],
    };
  }
  const issues: FieldIssue[] = [];
  const out: string[] = [`<ie:${type} xmlns:ie="${ENS_NAMESPACES[type]}">`];
  const write = (name: string, value: unknown, pointer: string, depth: number): void => {
    if (depth > 16) {
      issues.push({ path: pointer, reason: 'nested too deep' });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (Array.isArray(v))
          issues.push({ path: `${pointer}/${i}`, reason: 'arrays do not nest' });
        else write(name, v, `${pointer}/${i}`, depth + 1);
      });
      return;
    }
    if (!XML_NAME.test(name)) {
      issues.push({ path: pointer, reason: `'${name}' is not an element name` });
      return;
    }
    if (typeof value === 'string' || typeof value === 'number') {
      out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
    } else if (typeof value === 'object' && value !== null) {
      out.push(`<${name}>`);
      for (const [k, v] of Object.entries(value)) write(k, v, `${pointer}/${k}`, depth + 1);
      out.push(`</${name}>`);
    } else {
      issues.push({ path: pointer, reason: 'a string, a number, an object or an array expected' });
    }
  };
  const content = (body as Record<string, unknown>)[type];
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    return { ok: false, issues: [{ path: `/${type}`, reason: 'an object expected' }] };
  }
  for (const [k, v] of Object.entries(content)) write(k, v, `/${type}/${k}`, 1);
  out.push(`</ie:${type}>`);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, xml: out.join('') };
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}
