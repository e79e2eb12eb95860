import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  brandSkeleton,
  buildMarkIndex,
  matchMarks,
  normaliseMark,
  type MarkMatchKind,
} from './brand-match.js';

const MARKS = [
  { id: 'adidas', mark: 'Adidas' },
  { id: 'apple', mark: 'Apple' },
  { id: 'nike', mark: 'Nike' },
  { id: 'nordstride', mark: 'Nordstride' },
  { id: 'arc-sole', mark: 'Nordstride Arc sole' },
  { id: 'swooshex', mark: 'Swooshex' },
];
const index = buildMarkIndex(MARKS);

/** The kind a mark matched with, or null when it did not match. */
function kindOf(id: string, brand: string, description = ''): MarkMatchKind | null {
  return matchMarks(index, brand, description).find((m) => m.id === id)?.kind ?? null;
}

interface Case {
  id: string;
  brand: string;
  description?: string;
  kind: MarkMatchKind | null;
  why: string;
}

const CASES: Case[] = [
  // Exact, normalised, confusable, near on one mark.
  { id: 'adidas', brand: 'Adidas', kind: 'exact', why: 'the mark as registered' },
  { id: 'adidas', brand: '  Adidas ', kind: 'exact', why: 'surrounding spaces are trimmed' },
  { id: 'adidas', brand: 'ADIDAS', kind: 'normalised', why: 'case only' },
  { id: 'adidas', brand: 'Ad1das', kind: 'confusable', why: 'digit 1 for i' },
  { id: 'adidas', brand: 'Adida$', kind: 'confusable', why: 'dollar for s' },
  { id: 'adidas', brand: '@didas', kind: 'confusable', why: 'at sign for a' },
  { id: 'adidas', brand: 'Adiddas', kind: 'near', why: 'six-letter skeleton, one insertion' },
  { id: 'adidas', brand: 'Aiddas', kind: 'near', why: 'adjacent transposition' },
  { id: 'adidas', brand: 'Adidasy', kind: 'near', why: 'one letter appended to a 6+ mark' },
  { id: 'adidas', brand: 'Addidass', kind: null, why: 'two edits away' },
  // Whole marks only, and short marks never near.
  { id: 'nike', brand: 'Nikon', kind: null, why: 'not a prefix match, too short for near' },
  { id: 'nike', brand: 'Nikee', kind: null, why: 'a four-letter mark is never near' },
  { id: 'nike', brand: 'NIKE Air Max', kind: 'normalised', why: 'one word of the brand' },
  { id: 'nike', brand: 'ΝΙΚΕ', kind: 'confusable', why: 'Greek capitals Nu Iota Kappa Epsilon' },
  { id: 'nike', brand: 'Ｎｉｋｅ', kind: 'normalised', why: 'full-width letters' },
  { id: 'nike', brand: 'N!ke', kind: 'confusable', why: 'exclamation mark for i' },
  { id: 'nike', brand: 'Nike!', kind: 'normalised', why: 'a trailing ! is punctuation' },
  { id: 'apple', brand: 'Applebee', kind: null, why: 'a longer word is another name' },
  { id: 'apple', brand: 'Pineapple', kind: null, why: 'a suffix of a word is not the mark' },
  { id: 'apple', brand: 'Apple Watch', kind: 'normalised', why: 'the run "Apple"' },
  { id: 'apple', brand: 'Аррlе', kind: 'confusable', why: 'Cyrillic а, р, р and е' },
  // Diacritics, spacing, hyphens.
  { id: 'nordstride', brand: 'Nordstridé', kind: 'normalised', why: 'diacritics' },
  { id: 'nordstride', brand: 'Nord Stride', kind: 'normalised', why: 'space inside the mark' },
  { id: 'nordstride', brand: 'Nord-Stride', kind: 'normalised', why: 'hyphen inside the mark' },
  { id: 'nordstride', brand: 'N.O.R.D.S.T.R.I.D.E', kind: null, why: 'too many words for a run' },
  { id: 'nordstride', brand: 'N0RDSTRIDE', kind: 'confusable', why: 'zero for O' },
  { id: 'nordstride', brand: 'Nordstrіde', kind: 'confusable', why: 'Cyrillic і' },
  { id: 'nordstride', brand: 'Nordstrde', kind: 'near', why: 'one deletion' },
  { id: 'nordstride', brand: 'Nordstrider', kind: 'near', why: 'one insertion' },
  // Multi-word mark.
  { id: 'arc-sole', brand: 'Nordstride Arc Sole', kind: 'normalised', why: 'all its words' },
  { id: 'arc-sole', brand: 'NORDSTRIDE ARCSOLE running', kind: 'normalised', why: 'words joined' },
  { id: 'arc-sole', brand: 'Nordstride Arc', kind: null, why: 'part of a multi-word mark' },
  { id: 'arc-sole', brand: 'Nordstride Arc so1e', kind: 'confusable', why: 'digit 1 for l' },
  // Swooshex and its look-alikes.
  { id: 'swooshex', brand: 'Swooshex', kind: 'exact', why: 'as registered' },
  { id: 'swooshex', brand: 'SWOOSHEX Air', kind: 'normalised', why: 'brand with a model name' },
  { id: 'swooshex', brand: 'Swoosh Ex', kind: 'normalised', why: 'split in two words' },
  { id: 'swooshex', brand: 'Swooshex™', kind: 'normalised', why: 'a trade mark sign' },
  { id: 'swooshex', brand: 'Sw00shex', kind: 'confusable', why: 'zeros for o' },
  { id: 'swooshex', brand: 'Swооshex', kind: 'confusable', why: 'Cyrillic о' },
  { id: 'swooshex', brand: 'Swοοshex', kind: 'confusable', why: 'Greek omicron' },
  { id: 'swooshex', brand: 'Svvooshex', kind: 'confusable', why: 'vv for w' },
  { id: 'swooshex', brand: 'Swooshx', kind: 'near', why: 'one letter dropped' },
  // Descriptions: normalised and confusable only.
  {
    id: 'swooshex',
    brand: 'no brand',
    description: 'trainers with Swooshex logo',
    kind: 'normalised',
    why: 'mark in the description',
  },
  {
    id: 'swooshex',
    brand: '',
    description: 'trainers with Sw00shex logo',
    kind: 'confusable',
    why: 'look-alike in the description',
  },
  {
    id: 'swooshex',
    brand: '',
    description: 'trainers with Swooshx logo',
    kind: null,
    why: 'never near in the description',
  },
  {
    id: 'swooshex',
    brand: 'Swooshx',
    description: 'Swooshex trainers',
    kind: 'normalised',
    why: 'the best kind wins across brand and description',
  },
  { id: 'nike', brand: '', description: '', kind: null, why: 'empty inputs' },
  { id: 'nike', brand: '   ', description: ' \n\t ', kind: null, why: 'blank inputs' },
];

describe('brand matching', () => {
  it.each(CASES)('$brand / $description → $kind ($why)', (c) => {
    expect(kindOf(c.id, c.brand, c.description)).toBe(c.kind);
  });

  it('normalises and folds look-alikes to one skeleton', () => {
    expect(normaliseMark('Nord-Stridé Arc sole')).toBe('nordstridearcsole');
    expect(normaliseMark('Straße')).toBe('strasse');
    expect(normaliseMark("Levi's")).toBe('levis');
    expect(normaliseMark('Swooshex™')).toBe('swooshex');
    const skeleton = brandSkeleton('Swooshex');
    for (const s of ['Sw00shex', 'SWOOSHEX', 'Swооshex', 'Sw0oshex', 'Svvooshex'])
      expect(brandSkeleton(s)).toBe(skeleton);
    expect(brandSkeleton('Burnley')).toBe(brandSkeleton('Bumley'));
    expect(brandSkeleton('Ad1das')).toBe(brandSkeleton('Adidas'));
    expect(brandSkeleton('Adida$')).toBe(brandSkeleton('Adidas'));
  });

  it('reports the words as written, once per mark, sorted by kind then id', () => {
    expect(matchMarks(index, 'Nord-Stride Arc Sole')).toEqual([
      {
        id: 'arc-sole',
        mark: 'Nordstride Arc sole',
        kind: 'normalised',
        matchedText: 'Nord-Stride Arc Sole',
      },
      { id: 'nordstride', mark: 'Nordstride', kind: 'normalised', matchedText: 'Nord-Stride' },
    ]);
    expect(matchMarks(index, 'Sw00shex', 'Nike and ADIDAS style')).toEqual([
      { id: 'adidas', mark: 'Adidas', kind: 'normalised', matchedText: 'ADIDAS' },
      { id: 'nike', mark: 'Nike', kind: 'normalised', matchedText: 'Nike' },
      { id: 'swooshex', mark: 'Swooshex', kind: 'confusable', matchedText: 'Sw00shex' },
    ]);
  });

  it('returns every id of a mark registered more than once', () => {
    const twice = buildMarkIndex([
      { id: 'b', mark: 'Swooshex' },
      { id: 'a', mark: 'Swooshex' },
    ]);
    expect(matchMarks(twice, 'Swooshex').map((m) => [m.id, m.kind])).toEqual([
      ['a', 'exact'],
      ['b', 'exact'],
    ]);
  });

  it('ignores one-character marks except as exact brands, and an empty index', () => {
    const tiny = buildMarkIndex([{ id: 'x', mark: 'X' }]);
    expect(matchMarks(tiny, 'X')).toEqual([
      { id: 'x', mark: 'X', kind: 'exact', matchedText: 'X' },
    ]);
    expect(matchMarks(tiny, 'x', 'X-ray machine x')).toEqual([]);
    expect(matchMarks(buildMarkIndex([]), 'Swooshex', 'Swooshex')).toEqual([]);
  });

  it('counts edits in characters, not UTF-16 code units', () => {
    const astral = buildMarkIndex([{ id: 'yee', mark: 'Swoo\u{10437}shex' }]);
    expect(matchMarks(astral, 'Swo\u{10437}shex').map((m) => m.kind)).toEqual(['near']);
    expect(matchMarks(astral, 'Swooshex').map((m) => m.kind)).toEqual(['near']);
    expect(matchMarks(astral, 'Swooshe')).toEqual([]);
  });

  it('reads only the start of a hostile 1 MB description or brand', () => {
    const huge = 'Swooshex ' + 'rnrn vvvv 0O0O '.repeat(70_000) + ' Adidas';
    expect(huge.length).toBeGreaterThan(1_000_000);
    expect(matchMarks(index, huge, huge)).toEqual([
      { id: 'swooshex', mark: 'Swooshex', kind: 'normalised', matchedText: 'Swooshex' },
    ]);
    const blob = 'a'.repeat(1_000_000);
    expect(matchMarks(index, blob, blob)).toEqual([]);
    // A mark after the first 200 words is not read.
    expect(kindOf('nike', '', 'word '.repeat(200) + 'Nike')).toBeNull();
    expect(kindOf('nike', '', 'word '.repeat(199) + 'Nike')).toBe('normalised');
  });
});

const LETTERS = 'abcdefghijklmnopqrstuvwxyzéüøñ'.split('');
const letter = fc.constantFrom(...LETTERS);
const word = fc.array(letter, { minLength: 2, maxLength: 8 }).map((cs) => cs.join(''));
const markArb = fc
  .tuple(fc.array(word, { minLength: 1, maxLength: 3 }), fc.constantFrom(' ', '-'))
  .map(([ws, sep]) => ws.join(sep));
const capitalise = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

describe('brand matching properties', () => {
  it('is deterministic, whatever the order the marks were indexed in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(markArb, fc.string({ unit: 'binary', minLength: 1, maxLength: 12 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })),
        fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })),
        (marks, brand, description) => {
          const entries = marks.map((mark, i) => ({ id: `m${i}`, mark }));
          const forward = buildMarkIndex(entries);
          const backward = buildMarkIndex([...entries].reverse());
          const first = matchMarks(forward, brand, description);
          expect(matchMarks(forward, brand, description)).toEqual(first);
          expect(matchMarks(backward, brand, description)).toEqual(first);
          // Brands built from the marks themselves exercise the matching paths.
          const spoof = brandSkeleton(marks[0]!) + ' ' + marks[marks.length - 1]!.toUpperCase();
          expect(matchMarks(backward, spoof, brand)).toEqual(matchMarks(forward, spoof, brand));
        },
      ),
    );
  });

  it('matches a mark upper-cased, capitalised or stripped of diacritics at normalised or better', () => {
    fc.assert(
      fc.property(markArb, (mark) => {
        const idx = buildMarkIndex([{ id: 'm', mark }]);
        const plain = mark.normalize('NFKD').replace(/\p{M}/gu, '');
        for (const brand of [
          mark,
          mark.toUpperCase(),
          mark.split(' ').map(capitalise).join(' '),
          plain,
        ]) {
          const kind = matchMarks(idx, brand).find((m) => m.id === 'm')?.kind;
          expect(['exact', 'normalised']).toContain(kind);
        }
      }),
    );
  });

  it('never matches exactly or normalised a brand of letters that does not contain the mark', () => {
    fc.assert(
      fc.property(
        markArb,
        fc.array(word, { minLength: 1, maxLength: 6 }).map((ws) => ws.join(' ')),
        (mark, brand) => {
          fc.pre(!normaliseMark(brand).includes(normaliseMark(mark)));
          fc.pre(!brandSkeleton(brand).includes(brandSkeleton(mark)));
          const idx = buildMarkIndex([{ id: 'm', mark }]);
          for (const m of matchMarks(idx, brand, brand))
            expect(['confusable', 'near']).toContain(m.kind);
        },
      ),
    );
  });

  it('still matches a mark surrounded by unrelated words, in the brand or the description', () => {
    fc.assert(
      fc.property(
        markArb,
        fc.array(word, { maxLength: 5 }),
        fc.array(word, { maxLength: 5 }),
        (mark, before, after) => {
          const idx = buildMarkIndex([{ id: 'm', mark }]);
          const text = [...before, mark, ...after].join(' ');
          const inBrand = matchMarks(idx, text).find((m) => m.id === 'm');
          expect(['exact', 'normalised']).toContain(inBrand?.kind);
          const inDescription = matchMarks(idx, '', `goods: ${text}.`).find((m) => m.id === 'm');
          expect(inDescription?.kind).toBe('normalised');
        },
      ),
    );
  });
});
