import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../core/auth/identity.js';
import { PERMIT_TYPES } from '../core/permits/permit.js';

const WEB = fileURLToPath(new URL('../../web/src', import.meta.url));

/** The console's own sources (the API types are generated from the server's document). */
function sources(dir = WEB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(e.name) && e.name !== 'api-types.ts' ? [path] : [];
  });
}

/** Each quoted occurrence of one of `words` in the console's sources, but those `allowed`. */
function occurrences(words: readonly string[], allowed: (line: string) => boolean): string[] {
  const found: string[] = [];
  const pattern = new RegExp(`(['"\`])(${words.map((w) => w.replace(/-/g, '\\-')).join('|')})\\1`);
  for (const file of sources()) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line) && !allowed(line))
          found.push(`${relative(WEB, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

/**
 * What a user may do and which permit types exist are the server's: the console asks
 * (GET /api/me, the permit types in the API) and never keeps its own copy, which would drift.
 */
describe('the console holds no access or permit-type list of its own', () => {
  it('finds its sources', () => {
    expect(sources().length).toBeGreaterThan(20);
  });

  it('names no role: what a user may do comes from GET /api/me', () => {
    // Role codes with an underscore are nothing else; "trader", "admin" and "manager" are also an
    // agency kind, a field and a page, so they count where the line speaks of roles.
    const distinct = ROLES.filter((r) => r.includes('_'));
    const plain = ROLES.filter((r) => !r.includes('_'));
    expect(occurrences(distinct, () => false)).toEqual([]);
    expect(occurrences(plain, (line) => !/\brole/i.test(line))).toEqual([]);
  });

  it('names no permit type: the types and their fields come from the API', () => {
    expect(occurrences(PERMIT_TYPES, () => false)).toEqual([]);
  });

  it('would catch a copied list (the check itself works)', () => {
    const pattern = occurrences(['greenlane-console-sources'], () => false);
    expect(pattern).toEqual([]); // a word no source holds
    expect(occurrences(['Worklist'], () => false).length).toBeGreaterThan(0); // one they all do
  });
});
