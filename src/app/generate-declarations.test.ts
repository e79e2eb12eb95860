import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import { generateDeclarations, writeNdjson } from './generate-declarations.js';

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
