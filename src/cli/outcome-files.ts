/**
 * Reading the outcomes of past controls for `greenlane model train --declarations … --outcomes
 * FILE`: a CSV with a header and one row per controlled declaration. A file that does not fit is
 * refused with an error naming the file, the row (1 = the first after the header) with its line,
 * and the column.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** What was found when a declaration was controlled, and how it was chosen. */
export interface RecordedOutcome {
  finding: boolean;
  random: boolean;
  randomShare: number | null;
  trader: { controls: number; findings: number } | null;
}

export const OUTCOME_COLUMNS = [
  'reference',
  'finding',
  'random',
  'randomShare',
  'traderControls',
  'traderFindings',
] as const;

export class OutcomeFileError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'OutcomeFileError';
  }
}

/** The outcomes by declaration reference; throws OutcomeFileError naming row and column. */
export function readOutcomesFile(file: string): Map<string, RecordedOutcome> {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw new OutcomeFileError(file, `cannot read (${(error as Error).message})`);
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { skip_empty_lines: true, bom: true, info: true }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (error) {
    throw new OutcomeFileError(file, `not CSV: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new OutcomeFileError(file, 'empty file (no header, no rows)');
  const header = records[0]!.record.map((h) => h.trim());
  for (const h of header)
    if (!(OUTCOME_COLUMNS as readonly string[]).includes(h))
      throw new OutcomeFileError(
        file,
        `unknown column ${h} (columns: ${OUTCOME_COLUMNS.join(', ')})`,
      );
  for (const required of ['reference', 'finding'])
    if (!header.includes(required))
      throw new OutcomeFileError(file, `the header has no ${required} column`);
  const out = new Map<string, RecordedOutcome>();
  records.slice(1).forEach(({ record, info }, k) => {
    const at = (column: string) => `row ${k + 1} (line ${info.lines}), column ${column}`;
    const cell = (column: string) => {
      const i = header.indexOf(column);
      return i < 0 ? '' : (record[i] ?? '').trim();
    };
    const flag = (column: string, fallback: boolean | null) => {
      const v = cell(column).toLowerCase();
      if (v === '' && fallback !== null) return fallback;
      if (v === '1' || v === 'true' || v === 'yes') return true;
      if (v === '0' || v === 'false' || v === 'no') return false;
      throw new OutcomeFileError(file, `${at(column)}: must be 0 or 1, got "${cell(column)}"`);
    };
    const count = (column: string): number | null => {
      const v = cell(column);
      if (v === '') return null;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0)
        throw new OutcomeFileError(file, `${at(column)}: must be a whole number ≥ 0, got "${v}"`);
      return n;
    };
    const reference = cell('reference');
    if (reference === '') throw new OutcomeFileError(file, `${at('reference')}: empty`);
    if (out.has(reference))
      throw new OutcomeFileError(file, `${at('reference')}: ${reference} appears twice`);
    const share = cell('randomShare');
    const randomShare = share === '' ? null : Number(share);
    if (randomShare !== null && !(randomShare > 0 && randomShare <= 1))
      throw new OutcomeFileError(file, `${at('randomShare')}: must be in (0, 1], got "${share}"`);
    const controls = count('traderControls');
    const findings = count('traderFindings');
    if ((controls === null) !== (findings === null))
      throw new OutcomeFileError(
        file,
        `${at(controls === null ? 'traderControls' : 'traderFindings')}: give traderControls and traderFindings together`,
      );
    if (controls !== null && findings !== null && findings > controls)
      throw new OutcomeFileError(file, `${at('traderFindings')}: more findings than controls`);
    out.set(reference, {
      finding: flag('finding', null),
      random: flag('random', false),
      randomShare,
      trader: controls === null || findings === null ? null : { controls, findings },
    });
  });
  return out;
}
