import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FieldIssue } from '../core/errors.js';

/** Largest XML message accepted by default: 5 MiB. */
export const DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024;
/** Deepest element nesting accepted by default (the root element is at depth 1). */
export const DEFAULT_MAX_XML_DEPTH = 64;

/**
 * Most elements accepted by default, counted before any parsing: a full WCO declaration of 999
 * goods items needs about 40,000; 250,000 tiny elements fit in a 1 MiB body and took seconds to
 * parse on the event loop.
 */
export const DEFAULT_MAX_XML_ELEMENTS = 50_000;

export interface XmlLimits {
  maxBytes?: number;
  maxDepth?: number;
  maxElements?: number;
}

/** Start tags in `xml` (a `<` not followed by `/`, `?` or `!`), counting no further than `limit`. */
function countElements(xml: string, limit: number): number {
  let n = 0;
  for (let i = xml.indexOf('<'); i !== -1 && n <= limit; i = xml.indexOf('<', i + 1)) {
    const next = xml.charCodeAt(i + 1);
    if (next !== 47 && next !== 63 && next !== 33) n++; // '/', '?', '!'
  }
  return n;
}

/** A parsed document (`doc`, as fast-xml-parser builds it) and its root element, or why it was refused. */
export type XmlParseResult =
  { ok: true; doc: unknown; root: XmlElement } | { ok: false; issues: FieldIssue[] };

const TEXT = '#text';
const ATTRIBUTE_PREFIX = '@_';

/**
 * One element of a parsed document, named by its local name and addressed by its path from the
 * root (`/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]`) for error messages.
 */
export class XmlElement {
  constructor(
    readonly name: string,
    readonly path: string,
    private readonly content: unknown,
  ) {}

  /** Child elements; same-named siblings keep document order (the parser groups them by name). */
  children(): XmlElement[] {
    if (!isRecord(this.content)) return [];
    const children: XmlElement[] = [];
    for (const [name, value] of Object.entries(this.content)) {
      if (name === TEXT || name.startsWith(ATTRIBUTE_PREFIX) || !Array.isArray(value)) continue;
      value.forEach((content, i) => {
        children.push(new XmlElement(name, elementPath(this.path, name, i, value.length), content));
      });
    }
    return children;
  }

  /** Trimmed text content with entities decoded; '' when the element has none. */
  get text(): string {
    if (typeof this.content === 'string') return this.content;
    const text = isRecord(this.content) ? this.content[TEXT] : undefined;
    return typeof text === 'string' ? text : '';
  }

  /** Value of the attribute with this local name, if present. */
  attribute(name: string): string | undefined {
    const value = isRecord(this.content) ? this.content[ATTRIBUTE_PREFIX + name] : undefined;
    return typeof value === 'string' ? value : undefined;
  }

  /** XPath-style path of one of this element's attributes, e.g. `.../ItemChargeAmount/@currencyID`. */
  attributePath(name: string): string {
    return `${this.path}/@${name}`;
  }
}

/** Path of the `index`-th (0-based) of `count` same-named siblings: `/a/b`, or `/a/b[2]` when repeated. */
export function elementPath(
  parentPath: string,
  name: string,
  index: number,
  count: number,
): string {
  return `${parentPath}/${name}${count > 1 ? `[${index + 1}]` : ''}`;
}

/**
 * Parses untrusted XML into fast-xml-parser's object form, with namespace prefixes removed,
 * every element in an array, and text kept as strings. Refuses DTDs, input over `maxBytes`,
 * nesting deeper than `maxDepth`, and malformed XML, each as an issue at path '/'.
 */
export function parseXmlSafely(xml: string, opts: XmlLimits = {}): XmlParseResult {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  const refused = xmlSafetyIssue(xml, opts);
  if (refused !== undefined) return refuse(refused);

  let doc: unknown;
  try {
    doc = parser(maxDepth).parse(xml);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message === 'Maximum nested tags exceeded') return tooDeep(maxDepth);
    return refuse(`XML could not be parsed: ${message}`);
  }
  const roots = Object.entries(isRecord(doc) ? doc : {}).filter(([name]) => !name.startsWith('?'));
  const [rootName, rootContents] = roots.length === 1 && roots[0] ? roots[0] : [];
  if (rootName === undefined || !Array.isArray(rootContents) || rootContents.length !== 1) {
    return refuse('XML must have exactly one root element');
  }
  const root = new XmlElement(rootName, `/${rootName}`, rootContents[0]);
  if (depth(root) > maxDepth) return tooDeep(maxDepth);
  return { ok: true, doc, root };
}

/**
 * Why untrusted XML must not be parsed at all (over `maxBytes`, a DTD, malformed), or undefined.
 * Every XML reader runs this first; `parseXmlSafely` does.
 */
export function xmlSafetyIssue(xml: string, opts: XmlLimits = {}): string | undefined {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > maxBytes) return `XML is ${bytes} bytes, more than the ${maxBytes} accepted`;
  // A DTD can declare entities that expand without bound (billion laughs) or read external
  // resources (XXE); customs messages never need one, so it is refused before any parsing.
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) return 'DOCTYPE and ENTITY declarations are not accepted';
  const maxElements = opts.maxElements ?? DEFAULT_MAX_XML_ELEMENTS;
  if (countElements(xml, maxElements) > maxElements)
    return `XML holds more than ${maxElements} elements`;
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const at = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    return `malformed XML at ${at}: ${msg}`;
  }
  return undefined;
}

function parser(maxDepth: number): XMLParser {
  return new XMLParser({
    parseTagValue: false, // HS codes, EORIs and LRNs keep their leading zeros
    parseAttributeValue: false,
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    removeNSPrefix: true,
    processEntities: false, // no DTD entities ever; the five XML ones are decoded below
    trimValues: true,
    // Every element becomes an array, so one occurrence and many read the same way.
    isArray: (_name, _jPath, _isLeafNode, isAttribute) => !isAttribute,
    // Guards the parser itself, but loosely (it lets an element one level deeper through, and a
    // self-closing one deeper still), so the exact limit is checked again on the result.
    maxNestedTags: maxDepth,
    tagValueProcessor: (_name, value) => decodeEntities(value),
    attributeValueProcessor: (_name, value) => decodeEntities(value),
  });
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** Decodes the five predefined XML entities and character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g,
    (reference, decimal?: string, hex?: string, name?: string) => {
      if (name !== undefined) return PREDEFINED_ENTITIES[name] ?? reference;
      const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16);
      return isXmlChar(codePoint) ? String.fromCodePoint(codePoint) : reference;
    },
  );
}

/** The XML 1.0 `Char` production: a reference to anything else (NUL, a lone surrogate) is not decoded. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function depth(element: XmlElement): number {
  let deepest = 0;
  for (const child of element.children()) deepest = Math.max(deepest, depth(child));
  return deepest + 1;
}

function tooDeep(maxDepth: number): XmlParseResult {
  return refuse(`XML nests elements deeper than ${maxDepth} levels`);
}

function refuse(reason: string): XmlParseResult {
  return { ok: false, issues: [{ path: '/', reason }] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
