import { readFile } from 'node:fs/promises';
import { checkRateTable, type RateTable } from '../core/currency-rates.js';
import { LIBRARY_DIR } from './library.js';

/** The rate table shipped in `library/` (illustrative rates: see its `source`). */
export const SHIPPED_RATE_TABLE = new URL('exchange-rates.json', LIBRARY_DIR);

let shipped: Promise<RateTable> | undefined;

/** Reads and checks a rate table file (the shipped one when no path is given, read once). */
export function readRateTable(file?: string): Promise<RateTable> {
  if (file === undefined) return (shipped ??= load(SHIPPED_RATE_TABLE));
  return load(file);
}

async function load(file: string | URL): Promise<RateTable> {
  const name = typeof file === 'string' ? file : 'library/exchange-rates.json';
  try {
    return checkRateTable(JSON.parse(await readFile(file, 'utf8')));
  } catch (e) {
    throw new Error(`exchange rates ${name}: ${(e as Error).message}`);
  }
}
