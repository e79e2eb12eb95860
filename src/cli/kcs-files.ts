/**
 * Reading the Korea Customs Service CSV form (columns as in
 * ../shared/data/customs-declarations-kcs/SOURCE.md) for `greenlane model evaluate` and
 * `bench/model.ts`. A file that does not fit the form is refused with an error naming the file,
 * the row (1 = the first record after the header) with its line, and the column.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { KCS_CATEGORICAL, type KcsRow } from '../core/model/kcs-features.js';

/** Columns the features and the label are read from. */
export const KCS_REQUIRED_COLUMNS = [
  'Date',
  ...KCS_CATEGORICAL,
  'HS6 Code',
  'Tax Rate',
  'Net Mass',
  'Item Price',
  'Fraud',
] as const;
/** Numeric columns: empty (missing) or a finite number. */
const NUMERIC = ['Tax Rate', 'Net Mass', 'Item Price', 'HS6 Code'] as const;
/** Label columns: 0, 1 or 2 (Critical Fraud only when the column is there). */
const LABELS = ['Fraud', 'Critical Fraud'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A KCS file that cannot be used; the message names the file, row and column. */
export class KcsFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'KcsFileError';
  }
}

/** Reads and checks one KCS CSV file; throws KcsFileError when it does not fit the form. */
export function readKcsFile(file: string): KcsRow[] {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw new KcsFileError(file, `cannot read (${(error as Error).message})`);
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { skip_empty_lines: true, bom: true, info: true }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (error) {
    throw new KcsFileError(file, `not CSV: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new KcsFileError(file, 'empty file (no header, no rows)');
  const header = records[0]!.record.map((h) => h.trim());
  const missing = KCS_REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new KcsFileError(
      file,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} in the header`,
    );
  if (records.length === 1) throw new KcsFileError(file, 'no rows after the header');
  const rows: KcsRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = record[i] ?? ''));
    const where = (column: string) => `row ${r} (line ${info.lines}), column "${column}"`;
    for (const column of NUMERIC) {
      const value = row[column]!.trim();
      if (value !== '' && !Number.isFinite(Number(value)))
        throw new KcsFileError(file, `${where(column)}: "${value}" is not a number`);
    }
    for (const column of LABELS) {
      if (!(column in row)) continue;
      const value = row[column]!.trim();
      if (value !== '0' && value !== '1' && value !== '2')
        throw new KcsFileError(file, `${where(column)}: label "${value}" is not 0, 1 or 2`);
    }
    const date = row['Date']!.trim();
    if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
      throw new KcsFileError(file, `${where('Date')}: "${date}" is not a date YYYY-MM-DD`);
    rows.push(row);
  }
  return rows;
}
