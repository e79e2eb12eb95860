import { readFile } from 'node:fs/promises';
import { DomainError } from '../../core/errors.js';
import { loadRulePack, type RulePack } from '../../core/rules/rule-pack.js';
import { validateMessage } from '../../formats/validate-message.js';

/** The rule pack shipped with GreenLane: HMRC's ENS (IE315/IE313) business rules. */
export const DEFAULT_CARGO_PACK = new URL('../../../library/rules/ens-ie315.json', import.meta.url);

export interface CargoValidateOptions {
  /** One JSON object per file instead of text. */
  json: boolean;
  /** A rule pack file to use instead of the shipped one. */
  pack?: string;
}

export interface CargoValidateSummary {
  files: number;
  valid: number;
  invalid: number;
  /** Files that could not be read or are not XML messages (counted apart from invalid). */
  unreadable: number;
}

/**
 * `greenlane cargo validate FILE...`: validates ENS messages against a rule pack, with no server
 * or database, and prints per file its errors (code, location, message) or that it is valid.
 * A file that cannot be read or parsed gets one line naming it and why; the run goes on.
 */
export async function cargoValidate(
  files: string[],
  options: CargoValidateOptions,
  out: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Promise<CargoValidateSummary> {
  const pack = await readPack(options.pack);
  const summary: CargoValidateSummary = { files: 0, valid: 0, invalid: 0, unreadable: 0 };
  for (const file of files) {
    summary.files++;
    let text: string;
    let errors: Array<{ code: string; location: string; message: string }>;
    try {
      text = await readFile(file, 'utf8');
      errors = validateMessage(pack, text).violations.map(({ code, location, message }) => ({
        code,
        location,
        message,
      }));
    } catch (e) {
      if (!(e instanceof DomainError) && !isFileError(e)) throw e;
      summary.unreadable++;
      const why = e instanceof DomainError ? e.message : `cannot read the file: ${e.message}`;
      out(options.json ? JSON.stringify({ file, error: why }) : `${file}: ${why}`);
      continue;
    }
    if (errors.length === 0) summary.valid++;
    else summary.invalid++;
    if (options.json) {
      out(JSON.stringify({ file, errors }));
    } else if (errors.length === 0) {
      out(`${file}: valid`);
    } else {
      out(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
      for (const e of errors) out(`  ${e.code}  ${e.location}  ${e.message}`);
    }
  }
  return summary;
}

async function readPack(file: string | undefined): Promise<RulePack> {
  let text: string;
  try {
    text = await readFile(file ?? DEFAULT_CARGO_PACK, 'utf8');
  } catch (e) {
    throw new DomainError('invalid_input', `cannot read the rule pack: ${(e as Error).message}`);
  }
  return loadRulePack(text);
}

function isFileError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}
