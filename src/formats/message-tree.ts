import { XMLParser } from 'fast-xml-parser';
import type { FieldIssue } from '../core/errors.js';
import { MessageNode } from '../core/rules/message-node.js';
import { decodeEntities, DEFAULT_MAX_XML_DEPTH, xmlSafetyIssue, type XmlLimits } from './xml.js';

/** A message parsed for the rule engine, or why it was refused (issues at path '/'). */
export type MessageTreeResult =
  { ok: true; root: MessageNode } | { ok: false; issues: FieldIssue[] };

type OrderedNode = Record<string, unknown>;

const COMMENT = '#comment';
const CDATA = '#cdata';
const TEXT = '#text';

const parsers = new Map<number, XMLParser>();

/**
 * Parses untrusted XML into the element tree rule packs are evaluated on: document order kept,
 * names as written (prefix included), text untouched (no trimming; entities and character
 * references decoded, CDATA kept as is, comments and processing instructions dropped). Same
 * refusals and limits as `parseXmlSafely` (size, DTD, malformed XML, depth).
 */
export function parseMessageTree(xml: string, opts: XmlLimits = {}): MessageTreeResult {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  const refused = xmlSafetyIssue(xml, opts);
  if (refused !== undefined) return refuse(refused);
  // XML processors read CR LF and a lone CR as LF (XML 1.0 §2.11); &#13; stays a CR.
  const text = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
  let doc: unknown;
  try {
    doc = parserFor(maxDepth).parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message === 'Maximum nested tags exceeded') return tooDeep(maxDepth);
    return refuse(`XML could not be parsed: ${message}`);
  }
  const top = (Array.isArray(doc) ? (doc as OrderedNode[]) : []).filter((n) => elementName(n));
  if (top.length !== 1) return refuse('XML must have exactly one root element');
  const root = build(top[0]!, null, 1, maxDepth);
  return root ? { ok: true, root } : tooDeep(maxDepth);
}

function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (!parser) {
    parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: true,
      removeNSPrefix: false,
      trimValues: false,
      parseTagValue: false,
      processEntities: false, // no DTD entities ever; the five XML ones are decoded below
      commentPropName: COMMENT, // kept apart so the text on either side stays as written
      cdataPropName: CDATA,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: maxDepth,
    });
    parsers.set(maxDepth, parser);
  }
  return parser;
}

/** The element name of a preserveOrder node, or undefined for text, comments and the like. */
function elementName(n: OrderedNode): string | undefined {
  for (const key in n) {
    if (key === ':@') continue;
    return key === TEXT || key === COMMENT || key === CDATA || key.startsWith('?')
      ? undefined
      : key;
  }
  return undefined;
}

/** Builds an element and its descendants; undefined when nesting goes past `maxDepth`. */
function build(
  n: OrderedNode,
  parent: MessageNode | null,
  depth: number,
  maxDepth: number,
): MessageNode | undefined {
  if (depth > maxDepth) return undefined;
  const name = elementName(n)!;
  const element = new MessageNode(name, parent);
  for (const child of n[name] as OrderedNode[]) {
    const text = child[TEXT];
    if (typeof text === 'string') {
      element.appendText(decodeEntities(text));
      continue;
    }
    const cdata = child[CDATA];
    if (Array.isArray(cdata)) {
      for (const part of cdata as OrderedNode[]) {
        const t = part[TEXT];
        if (typeof t === 'string') element.appendText(t);
      }
      continue;
    }
    if (elementName(child) && !build(child, element, depth + 1, maxDepth)) return undefined;
  }
  return element;
}

function tooDeep(maxDepth: number): MessageTreeResult {
  return refuse(`XML nests elements deeper than ${maxDepth} levels`);
}

function refuse(reason: string): MessageTreeResult {
  return { ok: false, issues: [{ path: '/', reason }] };
}
