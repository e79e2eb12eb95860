import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureStdout } from '../../test-support/stdout.js';
import { runCli } from '../main.js';
import { cargoValidate } from './cargo-validate.js';

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../test/fixtures/ens',
);
/** A case HMRC's rules find one error in (8634), and one they find valid. */
const INVALID = path.join(FIXTURES, 'rule-test-cases-315/CITCE124.0.1.xml');
const VALID = path.join(FIXTURES, 'rule-test-cases-315/MESSENMES3.0.50.xml');

describe('greenlane cargo validate', () => {
  let dir: string;
  let malformed: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-cargo-validate-'));
    malformed = path.join(dir, 'malformed.xml');
    writeFileSync(malformed, '<ie:CC315A><HEAHEA></ie:CC315A>');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('prints each error with its code, location and message, and says which files are valid', async () => {
    let summary;
    const out = await captureStdout(async () => {
      summary = await cargoValidate([INVALID, VALID], { json: false });
    });
    expect(out.split('\n')).toEqual([
      `${INVALID}: 1 error`,
      "  8634  /ie:CC315A[1]/TRACONCE1[1]/CitCE124[1]  The field 'City (box 8)' within Import Operation.Trader Consignee must not be present if the GB 'TIN' has been declared (C501)",
      `${VALID}: valid`,
      '',
    ]);
    expect(summary).toEqual({ files: 2, valid: 1, invalid: 1, unreadable: 0 });
  });

  it('--json prints one object per file, an empty list when valid', async () => {
    const out = await captureStdout(async () => {
      await cargoValidate([INVALID, VALID], { json: true });
    });
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      {
        file: INVALID,
        errors: [
          {
            code: '8634',
            location: '/ie:CC315A[1]/TRACONCE1[1]/CitCE124[1]',
            message: expect.stringContaining("'City (box 8)'") as unknown,
          },
        ],
      },
      { file: VALID, errors: [] },
    ]);
  });

  it('names a malformed or missing file and goes on with the others', async () => {
    let summary;
    const missing = path.join(dir, 'missing.xml');
    const out = await captureStdout(async () => {
      summary = await cargoValidate([malformed, missing, VALID], { json: false });
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^${escape(malformed)}: not a readable XML message: malformed XML at line 1`),
    );
    expect(lines[1]).toMatch(new RegExp(`^${escape(missing)}: cannot read the file: ENOENT`));
    expect(lines[2]).toBe(`${VALID}: valid`);
    expect(summary).toEqual({ files: 3, valid: 1, invalid: 0, unreadable: 2 });

    const json = await captureStdout(async () => {
      await cargoValidate([malformed], { json: true });
    });
    expect(JSON.parse(json)).toEqual({
      file: malformed,
      error: expect.stringMatching(/^not a readable XML message: malformed XML/) as unknown,
    });
  });

  it('--pack validates with another pack, and refuses a bad one naming the rule', async () => {
    const pack = (test: string) => ({
      name: 'mine',
      version: 'mine/1',
      source: { repository: 'here', licence: 'CC0-1.0' },
      rules: [{ name: 'r1', context: '/HEAHEA', asserts: [{ test, code: 'X1', message: 'no' }] }],
    });
    const good = path.join(dir, 'good-pack.json');
    writeFileSync(good, JSON.stringify(pack("absent(node, 'RefNumHEA4')")));
    const out = await captureStdout(async () => {
      await cargoValidate([VALID], { json: true, pack: good });
    });
    expect(JSON.parse(out)).toEqual({
      file: VALID,
      errors: [{ code: 'X1', location: '/ie:CC315A[1]/HEAHEA[1]', message: 'no' }],
    });

    const bad = path.join(dir, 'bad-pack.json');
    writeFileSync(bad, JSON.stringify(pack("absent(node, 'RefNumHEA4') ||")));
    await expect(cargoValidate([VALID], { json: true, pack: bad })).rejects.toThrow(
      /rule 'r1', assertion 0/,
    );
  });

  it('exits 1 when a file is invalid, 0 when all are valid', async () => {
    await captureStdout(() => runCli(['node', 'greenlane', 'cargo', 'validate', VALID]));
    expect(process.exitCode).toBeUndefined();
    await captureStdout(() => runCli(['node', 'greenlane', 'cargo', 'validate', VALID, INVALID]));
    expect(process.exitCode).toBe(1);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
