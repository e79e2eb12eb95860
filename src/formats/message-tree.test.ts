import { describe, expect, it } from 'vitest';
import { parseMessageTree } from './message-tree.js';

function tree(xml: string) {
  const parsed = parseMessageTree(xml);
  if (!parsed.ok) throw new Error(parsed.issues[0]!.reason);
  return parsed.root;
}

describe('parseMessageTree', () => {
  it('keeps names as written, document order, and indexes same-named siblings', () => {
    const root = tree(
      '<?xml version="1.0"?><ie:CC315A xmlns:ie="urn:x"><A>1</A><B/><A>2</A><ie:C/></ie:CC315A>',
    );
    expect(root.name).toBe('ie:CC315A');
    expect(root.local).toBe('CC315A');
    expect(root.children.map((c) => `${c.name}[${c.index}]`)).toEqual([
      'A[1]',
      'B[1]',
      'A[2]',
      'ie:C[1]',
    ]);
    expect(root.named('A').map((a) => a.location)).toEqual([
      '/ie:CC315A[1]/A[1]',
      '/ie:CC315A[1]/A[2]',
    ]);
    expect(root.named('C')[0]!.location).toBe('/ie:CC315A[1]/C[1]');
  });

  it('keeps text as written: blanks, entities and references decoded, CDATA, comments dropped', () => {
    const root = tree(
      '<R><T> GB 1 </T><U>a &amp; b&#13;\tc</U><V>x<!-- note -->y</V><W><![CDATA[<&>]]></W><X>1<Y>2</Y>3</X></R>',
    );
    const text = (name: string) => root.named(name)[0]!.text;
    expect(text('T')).toBe(' GB 1 ');
    expect(text('U')).toBe('a & b\r\tc');
    expect(text('V')).toBe('xy');
    expect(text('W')).toBe('<&>');
    expect(text('X')).toBe('123');
  });

  it('skips attributes (a quoted > included), processing instructions and comments around the root', () => {
    const root = tree(
      '<?xml version="1.0"?>\n<!-- before -->\n<R a="1 > 0" b=\'x\'><?pi data?><E c="/>"/><F>t</F ></R>\n<!-- after -->\n',
    );
    expect(root.children.map((c) => c.name)).toEqual(['E', 'F']);
    expect(root.named('E')[0]!.text).toBe('');
    expect(root.named('F')[0]!.text).toBe('t');
    expect(tree('<R/>').children).toEqual([]);
  });

  it('reads CR LF line ends as LF, as XML processors must', () => {
    expect(tree('<R><T>a\r\nb\rc</T></R>').named('T')[0]!.text).toBe('a\nb\nc');
  });

  it.each([
    ['<R><A></R>', /malformed XML/],
    ['<!DOCTYPE R [<!ENTITY x "y">]><R>&x;</R>', /DOCTYPE and ENTITY/],
    ['<R/><S/>', /root|malformed/],
    ['', /root|malformed/],
  ])('refuses %j', (xml, reason) => {
    const parsed = parseMessageTree(xml);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0]!.reason).toMatch(reason);
  });

  it('refuses nesting deeper than the limit and input larger than the limit', () => {
    const deep = '<a>'.repeat(6) + '</a>'.repeat(6);
    expect(parseMessageTree(deep, { maxDepth: 6 }).ok).toBe(true);
    const refused = parseMessageTree(deep, { maxDepth: 5 });
    expect(refused.ok).toBe(false);
    expect(parseMessageTree('<a>xxxx</a>', { maxBytes: 5 }).ok).toBe(false);
  });
});
