import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline, Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { DomainError, type FieldIssue } from '../core/errors.js';
import { toSourcePaths, type ReadResult } from './types.js';
import { readWcoDeclaration } from './wco-dms.js';

/** The file formats `greenlane import` reads; see docs/import-formats.md. */
export type FileFormat = 'ndjson' | 'csv' | 'json' | 'wco-xml';

/** One declaration read from a file, with where it sits in the file (`line 12`, `rows 5–7`, `item 3`, `document`). */
export interface FileRecord {
  location: string;
  result: ReadResult;
}

/** JSON and XML files are parsed whole; past this size a batch belongs in NDJSON or CSV, which stream. */
export const MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;

/** As `goodsItems.maxItems` in DeclarationInputSchema; a CSV group stops keeping rows past it. */
const MAX_GOODS_ITEMS = 999;

const EXTENSIONS: Record<string, FileFormat> = {
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.csv': 'csv',
  '.json': 'json',
  '.xml': 'wco-xml',
};

/** Picks a file's format from its extension, else from its first bytes; undefined when neither tells. */
export function detectFormat(fileName: string, head: Buffer): FileFormat | undefined {
  const byExtension = EXTENSIONS[extname(fileName).toLowerCase()];
  if (byExtension) return byExtension;
  const text = stripBom(head.toString('utf8')).trimStart();
  if (text.startsWith('<')) return 'wco-xml';
  // A pretty-printed object indents its inner lines, so `{` at the very start of a line means NDJSON.
  if (text.startsWith('{')) return /\n\{/.test(text) ? 'ndjson' : 'json';
  if (text.startsWith('[')) return 'json';
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  return firstLine.includes(',') ? 'csv' : undefined;
}

/**
 * Reads the declarations in a file one by one; NDJSON and CSV are streamed, never held whole.
 * A record that cannot be read yields `ok: false` and reading goes on; a file that cannot be read
 * at all (unknown CSV column, broken CSV quoting, JSON or XML over 256 MiB) throws a DomainError.
 * `onBytes` gets the cumulative bytes read, reaching the file size at the end.
 */
export async function* readDeclarationFile(
  path: string,
  format: FileFormat,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileRecord> {
  yield* READERS[format](path, onBytes);
}

/** The streamed formats a request body may carry whole (POST /api/declarations/batch). */
export type TextFormat = 'ndjson' | 'csv';

/**
 * Reads the declarations of a file sent in a request body, as `readDeclarationFile` reads a file
 * on disk: one record per NDJSON line or per CSV declaration (its rows). A body that cannot be
 * read at all (bad CSV header or quoting) throws a DomainError.
 */
export async function* readDeclarationText(
  text: string,
  format: TextFormat,
  name = 'the file',
): AsyncGenerator<FileRecord> {
  const body = stripBom(text);
  if (format === 'csv') {
    yield* readCsvFrom(Readable.from([body]), name, () => 0);
    return;
  }
  let lineNumber = 0;
  for (const line of body.split(/\r?\n/)) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    yield { location: `line ${lineNumber}`, result: parseJson(line) };
  }
}

type Reader = (path: string, onBytes?: (bytesRead: number) => void) => AsyncGenerator<FileRecord>;

const READERS: Record<FileFormat, Reader> = {
  ndjson: readNdjson,
  csv: readCsv,
  json: readJson,
  'wco-xml': readXml,
};

async function* readNdjson(
  path: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileRecord> {
  const file = await open(path);
  const input = file.createReadStream();
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let reported = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (onBytes && input.bytesRead !== reported) onBytes((reported = input.bytesRead));
      const text = lineNumber === 1 ? stripBom(line) : line;
      if (text.trim() === '') continue;
      yield { location: `line ${lineNumber}`, result: parseJson(text) };
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (onBytes && input.bytesRead !== reported) onBytes(input.bytesRead);
}

async function* readJson(
  path: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileRecord> {
  const result = parseJson(await readWholeFile(path, onBytes));
  if (!result.ok || !Array.isArray(result.value.input)) {
    yield { location: 'document', result };
    return;
  }
  for (const [i, input] of (result.value.input as unknown[]).entries()) {
    yield { location: `item ${i + 1}`, result: { ok: true, value: { input } } };
  }
}

async function* readXml(
  path: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileRecord> {
  yield { location: 'document', result: readWcoDeclaration(await readWholeFile(path, onBytes)) };
}

/** Parses one JSON record; invalid JSON is an issue at `/`, not an exception. */
export function parseJson(text: string): ReadResult {
  try {
    return { ok: true, value: { input: JSON.parse(text) as unknown } };
  } catch (err) {
    return {
      ok: false,
      issues: [{ path: '/', reason: `invalid JSON: ${(err as Error).message}` }],
    };
  }
}

async function readWholeFile(path: string, onBytes?: (bytesRead: number) => void): Promise<string> {
  const file = await open(path);
  try {
    const { size } = await file.stat();
    if (size > MAX_WHOLE_FILE_BYTES) {
      throw new DomainError(
        'invalid_input',
        `${path} is ${(size / 2 ** 20).toFixed(1)} MiB; JSON and XML files are limited to ` +
          `${MAX_WHOLE_FILE_BYTES / 2 ** 20} MiB because they are read whole — ` +
          'split the batch or send it as NDJSON or CSV, which stream',
      );
    }
    const text = await file.readFile('utf8');
    onBytes?.(size);
    return stripBom(text);
  } finally {
    await file.close();
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------------
// CSV: one row per goods item; consecutive rows with the same `reference` form one declaration,
// whose declaration-level columns come from its first row (later rows may repeat them or leave
// them empty, but not contradict them). Columns may come in any order; names match without
// regard to case. Empty cells are absent values. Cells are cast per column, never by guessing,
// so HS code 0101210000 keeps its leading zero. `transitCountries` is `;`-separated codes and
// `documents` is `;`-separated TYPE:REFERENCE pairs (`C400:CITES-123;N935:INV-9`).
// Issues name the file line and column: `row 7, column quantity` (the header is row 1).
// ---------------------------------------------------------------------------------------------

/** Declaration-level columns and the JSON pointer each fills. */
const DECLARATION_COLUMNS = {
  reference: '/reference',
  kind: '/kind',
  submittedAt: '/submittedAt',
  office: '/office',
  declarantId: '/declarant/id',
  declarantName: '/declarant/name',
  declarantCountry: '/declarant/country',
  consignorId: '/consignor/id',
  consignorName: '/consignor/name',
  consignorCountry: '/consignor/country',
  consigneeId: '/consignee/id',
  consigneeName: '/consignee/name',
  consigneeCountry: '/consignee/country',
  dispatchCountry: '/route/dispatchCountry',
  destinationCountry: '/route/destinationCountry',
  transitCountries: '/route/transitCountries',
  transportMode: '/route/transportMode',
  conveyance: '/route/conveyance',
} as const;

/** Goods-item columns and the goods item field each fills. */
const ITEM_COLUMNS = {
  itemSequence: 'sequence',
  hsCode: 'hsCode',
  description: 'description',
  quantity: 'quantity',
  unit: 'unit',
  netMass: 'netMass',
  grossMass: 'grossMass',
  value: 'value',
  currency: 'currency',
  originCountry: 'originCountry',
  species: 'species',
  brand: 'brand',
  documents: 'documents',
} as const;

type DeclarationColumn = keyof typeof DECLARATION_COLUMNS;
type ItemColumn = keyof typeof ITEM_COLUMNS;
type CsvColumn = DeclarationColumn | ItemColumn;

const NUMERIC_COLUMNS = new Set<CsvColumn>([
  'itemSequence',
  'quantity',
  'netMass',
  'grossMass',
  'value',
]);
const COLUMN_BY_LOWER_NAME = new Map<string, CsvColumn>(
  [...Object.keys(DECLARATION_COLUMNS), ...Object.keys(ITEM_COLUMNS)].map((name) => [
    name.toLowerCase(),
    name as CsvColumn,
  ]),
);
const PARTIES = ['declarant', 'consignor', 'consignee'] as const;

/** A data row: `line` is the file line it starts on, `endLine` differs when a quoted cell spans lines. */
interface CsvRow {
  line: number;
  endLine: number;
  cells: string[];
}

/** Consecutive rows sharing a reference; rows past MAX_GOODS_ITEMS are only counted. */
interface CsvGroup {
  reference: string;
  rows: CsvRow[];
  dropped: number;
  endLine: number;
}

/** What csv-parse emits with `info` on; `lines` is the file line the record ends on. */
interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

async function* readCsv(
  path: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileRecord> {
  const file = await open(path);
  const source = file.createReadStream();
  yield* readCsvFrom(source, path, () => source.bytesRead, onBytes);
}

/** Reads CSV declarations from a stream; `name` names the source in a whole-file refusal. */
async function* readCsvFrom(
  source: Readable,
  path: string,
  bytesRead: () => number,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileRecord> {
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true, // a short or long row is that declaration's issue, not the file's
    skip_empty_lines: true,
    skip_records_with_empty_values: true, // spreadsheets export trailing `,,,,` rows
  });
  // pipeline (not pipe) closes the file when the consumer stops early or the parser fails;
  // a failure reaches us through the parser's iterator, so the callback has nothing to add.
  pipeline(source, parser, () => {});

  let columns: CsvColumn[] | undefined;
  let group: CsvGroup | undefined;
  let reported = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
      if (onBytes && bytesRead() !== reported) onBytes((reported = bytesRead()));
      if (!columns) {
        columns = csvColumns(path, record);
        continue;
      }
      const row: CsvRow = {
        // Only a quoted cell can hold a line break, so the cells tell how many lines the row spans.
        line: info.lines - record.reduce((n, cell) => n + lineBreaks(cell), 0),
        endLine: info.lines,
        cells: record.map((cell) => cell.trim()),
      };
      const reference = row.cells[columns.indexOf('reference')] ?? '';
      if (group && reference !== '' && reference === group.reference) {
        // Past the limit the declaration is refused anyway; keep counting, stop holding rows.
        if (group.rows.length < MAX_GOODS_ITEMS) group.rows.push(row);
        else group.dropped += 1;
        group.endLine = row.endLine;
        continue;
      }
      if (group) yield csvDeclaration(columns, group);
      group = { reference, rows: [row], dropped: 0, endLine: row.endLine };
    }
  } catch (err) {
    if (err instanceof CsvError) throw new DomainError('invalid_input', `${path}: ${err.message}`);
    throw err;
  }
  if (!columns) throw new DomainError('invalid_input', `${path}: empty CSV file, no header row`);
  if (group) yield csvDeclaration(columns, group);
  if (onBytes && bytesRead() !== reported) onBytes(bytesRead());
}

/** Maps the header row to known columns, or throws naming what is wrong with it. */
function csvColumns(path: string, header: readonly string[]): CsvColumn[] {
  const columns: CsvColumn[] = [];
  const problems: FieldIssue[] = [];
  for (const cell of header) {
    const name = cell.trim();
    const column = COLUMN_BY_LOWER_NAME.get(name.toLowerCase());
    if (!column) problems.push({ path: `row 1, column ${name}`, reason: 'unknown column' });
    else if (columns.includes(column)) {
      problems.push({ path: `row 1, column ${name}`, reason: 'repeated column' });
    } else columns.push(column);
  }
  for (const required of ['reference', 'kind', 'hsCode', 'description'] as const) {
    if (!columns.includes(required)) {
      problems.push({ path: `row 1, column ${required}`, reason: 'required column missing' });
    }
  }
  if (!columns.includes('declarantId') && !columns.includes('declarantName')) {
    problems.push({
      path: 'row 1, column declarantId',
      reason: 'a declarantId or declarantName column is required',
    });
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path}: ${p.reason}`).join('; ');
    throw new DomainError('invalid_input', `${path}: bad CSV header (${summary})`, problems);
  }
  return columns;
}

/** Builds one declaration from its rows, with sourcePaths naming the row and column of each field. */
function csvDeclaration(columns: readonly CsvColumn[], group: CsvGroup): FileRecord {
  const { rows, dropped, endLine } = group;
  const first = rows[0]!;
  const location = endLine === first.line ? `row ${first.line}` : `rows ${first.line}–${endLine}`;
  const input: Record<string, unknown> = { declarant: {}, goodsItems: [] };
  const sourcePaths = new Map<string, string>();
  const castIssues: FieldIssue[] = [];
  const rowIssues: FieldIssue[] = [];
  const at = (row: CsvRow, column: string) => `row ${row.line}, column ${column}`;

  for (const party of PARTIES) {
    sourcePaths.set(`/${party}`, at(first, `${party}Id or ${party}Name`));
  }
  columns.forEach((column, c) => {
    if (!(column in DECLARATION_COLUMNS)) return;
    const pointer = DECLARATION_COLUMNS[column as DeclarationColumn];
    sourcePaths.set(pointer, at(first, column));
    const value = first.cells[c] ?? '';
    if (value !== '') setAt(input, pointer, castCell(column, value, pointer, castIssues));
    for (const row of rows.slice(1)) {
      const other = row.cells[c] ?? '';
      if (other !== '' && other !== value) {
        rowIssues.push({
          path: at(row, column),
          reason: `'${other}' differs from row ${first.line}, the first row of this declaration (${value === '' ? 'empty' : `'${value}'`})`,
        });
      }
    }
  });

  const goodsItems = rows.map((row, i) => {
    const item: Record<string, unknown> = { sequence: i + 1 };
    sourcePaths.set(`/goodsItems/${i}`, `row ${row.line}`);
    if (row.cells.length !== columns.length) {
      rowIssues.push({
        path: `row ${row.line}`,
        reason: `has ${row.cells.length} cells but the header has ${columns.length}`,
      });
    }
    columns.forEach((column, c) => {
      if (!(column in ITEM_COLUMNS)) return;
      const field = ITEM_COLUMNS[column as ItemColumn];
      const pointer = `/goodsItems/${i}/${field}`;
      sourcePaths.set(pointer, at(row, column));
      const value = row.cells[c] ?? '';
      if (value !== '') item[field] = castCell(column, value, pointer, castIssues);
    });
    return item;
  });
  input.goodsItems = goodsItems;

  if (dropped > 0) {
    rowIssues.push({
      path: location,
      reason: `a declaration has at most ${MAX_GOODS_ITEMS} goods items; this one has ${rows.length + dropped}`,
    });
  }
  const issues = [...toSourcePaths(castIssues, sourcePaths), ...rowIssues];
  const result: ReadResult =
    issues.length > 0 ? { ok: false, issues } : { ok: true, value: { input, sourcePaths } };
  return { location, result };
}

/** Turns a cell's text into the value its column holds; a cell that does not fit adds an issue. */
function castCell(column: CsvColumn, text: string, pointer: string, issues: FieldIssue[]): unknown {
  if (NUMERIC_COLUMNS.has(column)) {
    const n = Number(text);
    if (!Number.isFinite(n)) issues.push({ path: pointer, reason: `not a number: "${text}"` });
    return n;
  }
  if (column === 'transitCountries') return splitList(text);
  if (column === 'documents') {
    return splitList(text).map((pair) => {
      const colon = pair.indexOf(':');
      if (colon <= 0 || colon === pair.length - 1) {
        issues.push({ path: pointer, reason: `not a TYPE:REFERENCE pair: "${pair}"` });
      }
      return { type: pair.slice(0, colon).trim(), reference: pair.slice(colon + 1).trim() };
    });
  }
  return text;
}

function splitList(text: string): string[] {
  return text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Sets a value at a JSON pointer such as `/route/dispatchCountry`, creating parent objects. */
function setAt(target: Record<string, unknown>, pointer: string, value: unknown): void {
  const keys = pointer.slice(1).split('/');
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) node = (node[key] ??= {}) as Record<string, unknown>;
  node[last] = value;
}

function lineBreaks(text: string): number {
  return text.match(/\r\n|\n|\r/g)?.length ?? 0;
}
