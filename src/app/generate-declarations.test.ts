import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { hs2022Codes } from '../core/reference/lookup.js';
import { AIRPORTS, SEA_PORTS, sameCustomsUnion } from '../core/reference/trade-geography.js';
import {
  BY_OFFICES,
  generateDeclarations,
  routeProblems,
  writeNdjson,
} from './generate-declarations.js';

const RECEIVED_AT = '2026-01-01T00:00:00.000Z';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'greenlane-generate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

describe('generateDeclarations', () => {
  it('gives the same declarations for the same seed and others for another', () => {
    const first = [...generateDeclarations(200, 7)];
    expect([...generateDeclarations(200, 7)]).toEqual(first);
    expect([...generateDeclarations(200, 8)]).not.toEqual(first);
  });

  it('generates declarations that all pass validation', () => {
    const declarations = [...generateDeclarations(2_000)];
    const invalid = declarations
      .map((d) => ({ reference: d.reference, checked: validateDeclaration(d, RECEIVED_AT) }))
      .filter(({ checked }) => !checked.ok);
    expect(invalid).toEqual([]);
    expect(new Set(declarations.map((d) => d.reference)).size).toBe(2_000);
  });

  it('keeps HS codes as 6 to 10 digit strings and varies what it generates', () => {
    const items = [...generateDeclarations(2_000)].flatMap((d) => d.goodsItems);
    expect(items.every((item) => /^[0-9]{6,10}$/.test(item.hsCode))).toBe(true);
    expect(items.some((item) => item.hsCode.startsWith('0'))).toBe(true);
    expect(items.some((item) => item.species !== undefined)).toBe(true);
    expect(items.some((item) => item.brand !== undefined)).toBe(true);
    expect(new Set(items.map((item) => item.unit))).toEqual(new Set(['KGM', 'NAR', 'LTR']));
  });
});

describe('generated declarations a customs officer would believe', () => {
  const all = [
    ...generateDeclarations(5_000, 1),
    ...generateDeclarations(2_000, 7, { offices: BY_OFFICES }),
  ];
  const items = all.flatMap((d) => d.goodsItems);
  const subheadings = new Set(hs2022Codes().filter((c) => c.length === 6));

  it('declares HS 2022 subheadings, padded with zeros to 8 or 10 digits', () => {
    const wrong = items
      .map((g) => g.hsCode)
      .filter(
        (code) =>
          ![6, 8, 10].includes(code.length) ||
          !subheadings.has(code.slice(0, 6)) ||
          !/^0*$/.test(code.slice(6)),
      );
    expect(wrong).toEqual([]);
    expect(new Set(items.map((g) => g.hsCode.length))).toEqual(new Set([6, 8, 10]));
  });

  it('routes goods along land borders, between sea ports and between airports', () => {
    const problems = all.flatMap((d) => routeProblems(d).map((p) => `${d.reference}: ${p}`));
    expect(problems).toEqual([]);
    // Nothing reaches a landlocked country by sea …
    const landlocked = all.filter((d) => ['BY', 'KZ'].includes(d.office!.slice(0, 2)));
    expect(landlocked.some((d) => d.route!.transportMode === 'sea')).toBe(false);
    // … and goods between neighbours go by road.
    expect(all.some((d) => d.route!.transportMode === 'road')).toBe(true);
    // No customs declaration between members of one customs union.
    const inside = all.filter(
      (d) =>
        d.kind !== 'transit' &&
        sameCustomsUnion(d.route!.dispatchCountry!, d.route!.destinationCountry!),
    );
    expect(inside.map((d) => d.reference)).toEqual([]);
  });

  it('finds the implausible routes the old generator made', () => {
    const base = [...generateDeclarations(1, 1)][0]!;
    const bad = (route: DeclarationInput['route'], office: string, documents = base.documents) =>
      routeProblems({ ...base, office, route, documents });
    // IM → MR → MO → BQ by sea, with no ports named.
    expect(
      bad(
        {
          dispatchCountry: 'IM',
          transitCountries: ['MR', 'MO'],
          destinationCountry: 'BQ',
          transportMode: 'sea',
        },
        'BY112000',
        [],
      ),
    ).not.toEqual([]);
    // By road from Germany straight into Belarus.
    expect(
      bad({ dispatchCountry: 'DE', destinationCountry: 'BY', transportMode: 'road' }, 'BY207000'),
    ).toEqual(['road leg DE>BY between non-neighbours']);
    // By sea to Minsk, even with real ports named.
    expect(
      bad({ dispatchCountry: 'CN', destinationCountry: 'BY', transportMode: 'sea' }, 'BY112000', [
        { type: 'N705', reference: 'MEDU123456789 CNSGH-LTKLJ' },
      ]),
    ).toContain('sea at the border of BY, which has no port');
  });

  it('gives masses and values that fit the goods, in the currencies traders use', () => {
    const perKg = (prefix: string) => {
      const v = items
        .filter((g) => g.hsCode.startsWith(prefix) && g.currency === 'EUR')
        .map((g) => g.value! / g.netMass!)
        .sort((a, b) => a - b);
      return v[Math.floor(v.length / 2)]!;
    };
    // Live plants by the consignment, not by the pot.
    const plants = items.filter((g) => g.hsCode.startsWith('06'));
    expect(plants.length).toBeGreaterThan(10);
    expect(plants.every((g) => g.netMass! >= 20)).toBe(true);
    // Electronics are worth far more per kilo than iron and steel scrap.
    expect(perKg('85')).toBeGreaterThan(20 * perKg('7204'));
    const currencies = new Set(items.map((g) => g.currency));
    expect([...currencies].sort()).toEqual(['BYN', 'CNY', 'EUR', 'GBP', 'PLN', 'RUB', 'USD']);
    // Posted parcels stay small.
    const posted = all.filter((d) => d.route!.transportMode === 'post');
    expect(posted.flatMap((d) => d.goodsItems).every((g) => g.netMass! <= 30)).toBe(true);
  });

  it('uses no origin that nothing in the library flags, and a recurring cast of traders', () => {
    const origins = new Set(items.map((g) => g.originCountry));
    for (const sanctioned of ['KP', 'IR', 'SY', 'CU', 'VE', 'MM', 'AF']) {
      expect(origins).not.toContain(sanctioned);
    }
    const names = new Map<string, string>();
    for (const d of all) {
      for (const p of [d.declarant, d.consignor, d.consignee]) {
        if (!p?.id) continue;
        expect(names.get(p.id) ?? p.name).toBe(p.name);
        names.set(p.id, p.name!);
      }
    }
    // Few enough parties that the same ones recur.
    expect(names.size).toBeLessThan(all.length / 3);
  });
});

/** The UN/LOCODE snapshot the ports and airports were taken from, when it is next to the repository. */
const UN_LOCODE = new URL('../../../shared/data/un-locode/by-country/', import.meta.url);

function locodeRows(country: string): Map<string, { name: string; fn: string }> {
  const rows = new Map<string, { name: string; fn: string }>();
  const text = readFileSync(new URL(`${country}.csv`, UN_LOCODE), 'utf8');
  for (const line of text.split('\n').slice(1)) {
    // country,location,name,… with no quoted commas in the rows used here
    const cells = line.split(',');
    if (cells.length < 7) continue;
    rows.set(`${cells[0]}${cells[1]}`, { name: cells[2]!, fn: cells[6]! });
  }
  return rows;
}

/** A name without diacritics (the snapshot's encoding of them varies). */
const plain = (name: string) => name.normalize('NFD').replace(/[^\x20-\x7e]/g, '');

describe('the shipped ports and airports', () => {
  it.skipIf(!existsSync(UN_LOCODE))(
    'ships only UN/LOCODE ports (function 1) and airports (function 4), as named there',
    () => {
      const wrong: string[] = [];
      for (const [country, ports] of Object.entries(SEA_PORTS)) {
        const rows = locodeRows(country);
        for (const [code, name] of ports) {
          const row = rows.get(code);
          if (!row || row.fn[0] !== '1' || plain(row.name) !== plain(name)) {
            wrong.push(`${code} ${name}: ${JSON.stringify(row)}`);
          }
        }
      }
      for (const [country, airports] of Object.entries(AIRPORTS)) {
        const rows = locodeRows(country);
        for (const [code] of airports) {
          const row = rows.get(code);
          if (!row || row.fn[3] !== '4') wrong.push(`${code}: ${JSON.stringify(row)}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );
});

describe('writeNdjson', () => {
  it('streams 100,000 declarations to a file, one a line', async () => {
    const path = join(dir, 'declarations.ndjson');
    const started = performance.now();
    await writeNdjson(path, 100_000, 3);
    const elapsed = performance.now() - started;
    expect(await countLines(path)).toBe(100_000);
    expect(elapsed).toBeLessThan(20_000);
  });
});
