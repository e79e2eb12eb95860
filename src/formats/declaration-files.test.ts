import { mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import { DomainError } from '../core/errors.js';
import {
  detectFormat,
  MAX_WHOLE_FILE_BYTES,
  readDeclarationFile,
  type FileFormat,
  type FileRecord,
} from './declaration-files.js';
import { toSourcePaths } from './types.js';
import { readWcoDeclaration } from './wco-dms.js';

// The WCO mapping is tested beside wco-dms.ts; here only the hand-over matters.
vi.mock('./wco-dms.js', () => ({
  readWcoDeclaration: vi.fn(() => ({ ok: true, value: { input: { reference: 'FROM-XML' } } })),
}));

const RECEIVED_AT = '2025-03-01T10:00:00.000Z';

const declaration = (reference: string) => ({
  kind: 'import',
  reference,
  declarant: { id: 'GB123456789000' },
  goodsItems: [{ sequence: 1, hsCode: '0101210000', description: 'Pure-bred breeding horses' }],
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'greenlane-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function readAll(
  path: string,
  format: FileFormat,
  onBytes?: (n: number) => void,
): Promise<FileRecord[]> {
  const records: FileRecord[] = [];
  for await (const record of readDeclarationFile(path, format, onBytes)) records.push(record);
  return records;
}

function inputOf(record: FileRecord | undefined): Record<string, unknown> {
  if (!record?.result.ok) throw new Error(`not read: ${JSON.stringify(record)}`);
  return record.result.value.input as Record<string, unknown>;
}

/** Validates a read CSV declaration and names each issue as the reader's sourcePaths do. */
function csvIssues(record: FileRecord | undefined) {
  if (!record?.result.ok) throw new Error(`not read: ${JSON.stringify(record)}`);
  const checked = validateDeclaration(record.result.value.input, RECEIVED_AT);
  return checked.ok ? [] : toSourcePaths(checked.issues, record.result.value.sourcePaths);
}

describe('readDeclarationFile: NDJSON', () => {
  it('reads one declaration a line, skipping blank lines and going on past a bad one', async () => {
    const path = await fileWith(
      'batch.ndjson',
      [
        JSON.stringify(declaration('A-1')),
        '',
        '{"kind": "import", "reference": ',
        '   ',
        JSON.stringify(declaration('A-2')),
      ].join('\r\n') + '\r\n',
    );
    const records = await readAll(path, 'ndjson');
    expect(records.map((r) => r.location)).toEqual(['line 1', 'line 3', 'line 5']);
    expect(inputOf(records[0])).toEqual(declaration('A-1'));
    expect(records[1]?.result).toEqual({
      ok: false,
      issues: [{ path: '/', reason: expect.stringMatching(/^invalid JSON: /) as unknown }],
    });
    expect(inputOf(records[2]).reference).toBe('A-2');
  });

  it('tolerates a byte order mark', async () => {
    const path = await fileWith('bom.ndjson', `\ufeff${JSON.stringify(declaration('B-1'))}\n`);
    const [record] = await readAll(path, 'ndjson');
    expect(inputOf(record).reference).toBe('B-1');
  });
});

describe('readDeclarationFile: JSON', () => {
  it('reads a single declaration object', async () => {
    const path = await fileWith('one.json', JSON.stringify(declaration('J-1'), null, 2));
    const records = await readAll(path, 'json');
    expect(records).toHaveLength(1);
    expect(records[0]?.location).toBe('document');
    expect(inputOf(records[0])).toEqual(declaration('J-1'));
  });

  it('reads an array of declarations item by item', async () => {
    const path = await fileWith(
      'many.json',
      JSON.stringify([declaration('J-2'), declaration('J-3')]),
    );
    const records = await readAll(path, 'json');
    expect(records.map((r) => [r.location, inputOf(r).reference])).toEqual([
      ['item 1', 'J-2'],
      ['item 2', 'J-3'],
    ]);
  });

  it('reports a file that is not JSON as one bad document', async () => {
    const path = await fileWith('broken.json', '[{"kind": "import"},');
    const records = await readAll(path, 'json');
    expect(records).toHaveLength(1);
    expect(records[0]?.location).toBe('document');
    expect(records[0]?.result.ok).toBe(false);
  });

  it(`refuses a file over ${MAX_WHOLE_FILE_BYTES / 2 ** 20} MiB before reading it`, async () => {
    const path = await fileWith('huge.json', '');
    await truncate(path, MAX_WHOLE_FILE_BYTES + 1); // sparse: costs no disk
    await expect(readAll(path, 'json')).rejects.toThrow(/limited to 256 MiB.*NDJSON or CSV/);
  });
});

describe('readDeclarationFile: WCO XML', () => {
  it('hands the whole document, without BOM, to the WCO reader', async () => {
    const xml =
      '<?xml version="1.0"?>\n<Declaration><FunctionCode>9</FunctionCode></Declaration>\n';
    const path = await fileWith('decl.xml', `\ufeff${xml}`);
    const records = await readAll(path, 'wco-xml');
    expect(vi.mocked(readWcoDeclaration)).toHaveBeenCalledWith(xml);
    expect(records).toEqual([
      { location: 'document', result: { ok: true, value: { input: { reference: 'FROM-XML' } } } },
    ]);
  });
});

describe('readDeclarationFile: CSV', () => {
  const header =
    'reference,kind,declarantId,declarantName,dispatchCountry,transitCountries,hsCode,description,quantity,unit,value,currency,documents';

  it('groups consecutive rows with the same reference into one declaration', async () => {
    const path = await fileWith(
      'grouped.csv',
      [
        `\ufeff${header}`,
        'C-1,import,GB123456789000,Acme Ltd,CN,KZ; RU,0101210000,Horses,2,NAR,15000,GBP,C400:CITES-77;N935:INV-1',
        'C-1,,,,,,8471300000,"Laptops, 14 inch",10,NAR,9000.50,GBP,',
        'C-2,export,GB123456789000,,,,0106320000,Parrots,3,NAR,,,',
        '',
        'C-1,import,GB123456789000,,,,610910,T-shirts,,,,,',
      ].join('\n') + '\n',
    );
    const records = await readAll(path, 'csv');
    expect(records.map((r) => r.location)).toEqual(['rows 2–3', 'row 4', 'row 6']);
    expect(inputOf(records[0])).toEqual({
      reference: 'C-1',
      kind: 'import',
      declarant: { id: 'GB123456789000', name: 'Acme Ltd' },
      route: { dispatchCountry: 'CN', transitCountries: ['KZ', 'RU'] },
      goodsItems: [
        {
          sequence: 1,
          hsCode: '0101210000',
          description: 'Horses',
          quantity: 2,
          unit: 'NAR',
          value: 15000,
          currency: 'GBP',
          documents: [
            { type: 'C400', reference: 'CITES-77' },
            { type: 'N935', reference: 'INV-1' },
          ],
        },
        {
          sequence: 2,
          hsCode: '8471300000',
          description: 'Laptops, 14 inch',
          quantity: 10,
          unit: 'NAR',
          value: 9000.5,
          currency: 'GBP',
        },
      ],
    });
    expect(inputOf(records[1]).goodsItems).toEqual([
      { sequence: 1, hsCode: '0106320000', description: 'Parrots', quantity: 3, unit: 'NAR' },
    ]);
    for (const record of records) expect(csvIssues(record)).toEqual([]);
  });

  it('names row and column of a cell that is not a number', async () => {
    const path = await fileWith(
      'bad-number.csv',
      `${header}\nN-1,import,GB1,,,,0101210000,Horses,2,NAR,,,\nN-1,import,GB1,,,,0101290000,Mules,abc,NAR,,,\n`,
    );
    const [record] = await readAll(path, 'csv');
    expect(record).toEqual({
      location: 'rows 2–3',
      result: {
        ok: false,
        issues: [{ path: 'row 3, column quantity', reason: 'not a number: "abc"' }],
      },
    });
  });

  it('lets validation issues name the row and column the sender wrote', async () => {
    const path = await fileWith(
      'invalid.csv',
      `${header}\nV-1,import,GB1,,,,0101210000,Horses,,,,,\nV-1,,,,,,12AB,Mules,,,,,\n`,
    );
    const [record] = await readAll(path, 'csv');
    expect(csvIssues(record)).toEqual([
      { path: 'row 3, column hsCode', reason: expect.any(String) as unknown },
    ]);

    const another = await fileWith(
      'invalid-2.csv',
      `${header}\nV-2,import,,,XX,,0101210000,Horses,,,100,,\n`,
    );
    expect(csvIssues((await readAll(another, 'csv'))[0])).toEqual([
      {
        path: 'row 2, column declarantId or declarantName',
        reason: 'a party needs an id or a name',
      },
      {
        path: 'row 2, column dispatchCountry',
        reason: expect.stringMatching(/unknown country/) as unknown,
      },
      { path: 'row 2, column currency', reason: 'required when a value is given' },
    ]);
  });

  it('flags a later row that contradicts a declaration-level column of the first', async () => {
    const path = await fileWith(
      'conflict.csv',
      `${header}\nK-1,import,GB1,,,,0101210000,Horses,,,,,\nK-1,export,GB1,,,,0101290000,Mules,,,,,\n`,
    );
    const [record] = await readAll(path, 'csv');
    expect(record?.result).toEqual({
      ok: false,
      issues: [
        {
          path: 'row 3, column kind',
          reason: "'export' differs from row 2, the first row of this declaration ('import')",
        },
      ],
    });
  });

  it('numbers rows by the file line they start on, past multi-line cells and empty rows', async () => {
    const path = await fileWith(
      'multiline.csv',
      `reference,kind,declarantName,hsCode,description\nM-1,import,Acme,0101210000,"Horses\nfor breeding"\n\n,,,,\nM-2,import,Acme,0101290000,Mules\n`,
    );
    const records = await readAll(path, 'csv');
    expect(records.map((r) => r.location)).toEqual(['rows 2–3', 'row 6']);
    expect(
      records[1]?.result.ok && records[1].result.value.sourcePaths?.get('/goodsItems/0/hsCode'),
    ).toBe('row 6, column hsCode');
  });

  it('refuses a file whose header has an unknown column, naming it', async () => {
    const path = await fileWith(
      'unknown.csv',
      `${header},colour\nU-1,import,GB1,,,,0101210000,Horses,,,,,,red\n`,
    );
    const error = await readAll(path, 'csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toMatch(/column colour: unknown column/);
    expect((error as DomainError).issues).toEqual([
      { path: 'row 1, column colour', reason: 'unknown column' },
    ]);
  });

  it('refuses a header without the required columns', async () => {
    const path = await fileWith('missing.csv', 'reference,kind,hsCode\nX,import,0101210000\n');
    await expect(readAll(path, 'csv')).rejects.toThrow(/description: required column missing/);
  });
});

describe('detectFormat', () => {
  const none = Buffer.alloc(0);
  it.each([
    ['batch.ndjson', 'ndjson'],
    ['batch.JSONL', 'ndjson'],
    ['items.Csv', 'csv'],
    ['one.json', 'json'],
    ['dms.XML', 'wco-xml'],
  ] as const)('knows %s by its extension', (name, format) => {
    expect(detectFormat(name, none)).toBe(format);
  });

  it.each([
    ['\ufeff  <?xml version="1.0"?><Declaration/>', 'wco-xml'],
    ['{"kind":"import"}\n{"kind":"export"}\n', 'ndjson'],
    ['{\n  "kind": "import",\n  "goodsItems": [\n    {\n', 'json'],
    ['\n[{"kind":"import"}]', 'json'],
    ['reference,kind,hsCode\r\nA,import,0101\r\n', 'csv'],
    ['hello world', undefined],
  ] as const)('sniffs %j', (head, format) => {
    expect(detectFormat('upload', Buffer.from(head))).toBe(format);
  });
});

describe('onBytes', () => {
  it.each(['ndjson', 'csv', 'json'] as const)(
    'climbs to the file size when reading %s',
    async (format) => {
      const rows = Array.from({ length: 3000 }, (_, i) => declaration(`P-${i}`));
      const content =
        format === 'ndjson'
          ? rows.map((d) => JSON.stringify(d)).join('\n')
          : format === 'json'
            ? JSON.stringify(rows)
            : 'reference,kind,declarantId,hsCode,description\n' +
              rows.map((d) => `${d.reference},import,GB1,0101210000,Horses`).join('\n');
      const path = await fileWith(`progress.${format}`, content);
      const seen: number[] = [];
      const records = await readAll(path, format, (n) => seen.push(n));
      expect(records).toHaveLength(3000);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.at(-1)).toBe((await stat(path)).size);
    },
  );
});
