import type { FieldIssue } from '../core/errors.js';
import { MessageNode } from '../core/rules/message-node.js';
import { decodeEntities, DEFAULT_MAX_XML_DEPTH, xmlSafetyIssue, type XmlLimits } from './xml.js';

/** A message parsed for the rule engine, or why it was refused (issues at path '/'). */
export type MessageTreeResult =
  { ok: true; root: MessageNode } | { ok: false; issues: FieldIssue[] };

/**
 * Parses untrusted XML into the element tree rule packs are evaluated on: document order kept,
 * names as written (prefix included), text untouched (no trimming; the predefined entities and
 * character references decoded, CDATA kept as is, comments and processing instructions dropped,
 * attributes ignored). Same refusals and limits as `parseXmlSafely` (size, DTD, malformed XML,
 * depth): fast-xml-parser's validator checks the document first, then a small scanner builds the
 * tree (fast-xml-parser's own tree in document order costs about three times as much).
 */
export function parseMessageTree(xml: string, opts: XmlLimits = {}): MessageTreeResult {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  const refused = xmlSafetyIssue(xml, opts);
  if (refused !== undefined) return refuse(refused);
  // XML processors read CR LF and a lone CR as LF (XML 1.0 §2.11); &#13; stays a CR.
  const text = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
  try {
    return scan(text, maxDepth);
  } catch (error) {
    return refuse(`XML could not be parsed: ${(error as Error).message}`);
  }
}

/** Builds the tree of a document the validator has accepted; throws on anything unexpected. */
function scan(xml: string, maxDepth: number): MessageTreeResult {
  let root: MessageNode | undefined;
  let current: MessageNode | null = null;
  let depth = 0;
  let at = 0;
  const n = xml.length;
  while (at < n) {
    const lt = xml.indexOf('<', at);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > at) {
      if (current) current.appendText(decodeEntities(xml.slice(at, textEnd)));
      else if (xml.slice(at, textEnd).trim() !== '')
        throw new Error('text outside the root element');
    }
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x3f /* ? */) {
      at = after(xml, '?>', lt + 2);
    } else if (next === 0x21 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        at = after(xml, '-->', lt + 4);
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const end = xml.indexOf(']]>', lt + 9);
        if (end < 0 || !current) throw new Error('CDATA section outside an element or unclosed');
        current.appendText(xml.slice(lt + 9, end));
        at = end + 3;
      } else {
        throw new Error(`unexpected markup at offset ${lt}`);
      }
    } else if (next === 0x2f /* / */) {
      const end = xml.indexOf('>', lt);
      if (end < 0 || !current) throw new Error('unexpected end tag');
      const name = xml.slice(lt + 2, end).trim();
      if (name !== current.name) throw new Error(`end tag ${name} does not close ${current.name}`);
      current = current.parent;
      depth--;
      at = end + 1;
    } else {
      const end = tagEnd(xml, lt);
      const selfClosing = xml.charCodeAt(end - 1) === 0x2f;
      const body = xml.slice(lt + 1, selfClosing ? end - 1 : end);
      const name = /^[^\s/>]+/.exec(body)?.[0];
      if (!name) throw new Error(`start tag without a name at offset ${lt}`);
      if (!current && root) throw new Error('more than one root element');
      if (++depth > maxDepth) return refuse(`XML nests elements deeper than ${maxDepth} levels`);
      const element: MessageNode = new MessageNode(name, current);
      root ??= element;
      if (selfClosing) depth--;
      else current = element;
      at = end + 1;
    }
  }
  if (!root || current) throw new Error(root ? 'unclosed element' : 'no root element');
  return { ok: true, root };
}

/** Offset just after the next `marker` from `from`. */
function after(xml: string, marker: string, from: number): number {
  const end = xml.indexOf(marker, from);
  if (end < 0) throw new Error(`'${marker}' expected after offset ${from}`);
  return end + marker.length;
}

/** Offset of the '>' closing the start tag at `lt` ('>' inside quoted attribute values skipped). */
function tagEnd(xml: string, lt: number): number {
  let quote = 0;
  for (let k = lt + 1; k < xml.length; k++) {
    const c = xml.charCodeAt(k);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return k;
    }
  }
  throw new Error(`unclosed start tag at offset ${lt}`);
}

function refuse(reason: string): MessageTreeResult {
  return { ok: false, issues: [{ path: '/', reason }] };
}
