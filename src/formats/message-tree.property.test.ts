import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageNode } from '../core/rules/message-node.js';
import { parseMessageTree } from './message-tree.js';

/** An element as generated: name, and content parts (text, CDATA, comment or child element). */
interface Gen {
  name: string;
  parts: Part[];
}
type Part = { text: string } | { cdata: string } | { comment: string } | { element: Gen };

const name = fc.constantFrom('A', 'B', 'ie:C', 'GOOITEGDS', 'x-y.z', '_n');
const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    ' ',
    '\t',
    '\n',
    '\r',
    '&',
    '<',
    '>',
    '"',
    "'",
    'é',
    '€',
    '😀',
  ),
  maxLength: 12,
});
const element: fc.Memo<Gen> = fc.memo((depth) =>
  fc.record({
    name,
    parts: fc.array(
      fc.oneof(
        fc.record({ text }),
        fc.record({ cdata: text.filter((t) => !t.includes(']]>')) }),
        fc.record({ comment: text.map((t) => t.replace(/-/g, '')) }),
        ...(depth > 1 ? [fc.record({ element: element(depth - 1) })] : []),
      ),
      { maxLength: 5 },
    ),
  }),
);

function escapeText(t: string): string {
  return t
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function serialise(e: Gen): string {
  const body = e.parts
    .map((p) =>
      'text' in p
        ? escapeText(p.text)
        : 'cdata' in p
          ? `<![CDATA[${p.cdata}]]>`
          : 'comment' in p
            ? `<!--${p.comment}-->`
            : serialise(p.element),
    )
    .join('');
  return body === '' ? `<${e.name} a="1 > 0"/>` : `<${e.name} a='x'>${body}</${e.name}>`;
}

/** What the tree must say: text as written (CR in CDATA read as LF, as XML requires). */
function expectedText(e: Gen): string {
  return e.parts
    .map((p) =>
      'text' in p
        ? p.text
        : 'cdata' in p
          ? p.cdata.replace(/\r\n?/g, '\n')
          : 'comment' in p
            ? ''
            : expectedText(p.element),
    )
    .join('');
}

function shape(n: MessageNode): unknown {
  return { name: n.name, index: n.index, text: n.text, children: n.children.map(shape) };
}

function expectedShape(e: Gen, index = 1): unknown {
  const seen = new Map<string, number>();
  const children = e.parts.flatMap((p) => {
    if (!('element' in p)) return [];
    const local = p.element.name.replace(/^.*:/, '');
    const k = (seen.get(local) ?? 0) + 1;
    seen.set(local, k);
    return [expectedShape(p.element, k)];
  });
  return { name: e.name, index, text: expectedText(e), children };
}

describe('parseMessageTree (property)', () => {
  it('reads back any well-formed document: names, order, sibling indexes and text', () => {
    fc.assert(
      fc.property(element(4), (root) => {
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- head -->\n${serialise(root)}\n`;
        const parsed = parseMessageTree(xml);
        if (!parsed.ok) throw new Error(`${parsed.issues[0]!.reason}\n${xml}`);
        expect(shape(parsed.root)).toEqual(expectedShape(root));
      }),
      { numRuns: 500 },
    );
  });
});
