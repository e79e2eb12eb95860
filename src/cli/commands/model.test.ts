import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  assertKcsModelFile,
  evaluateScores,
  kcsLabels,
  scoreKcsRows,
  type KcsModelFile,
} from '../../core/model/evaluate.js';
import { captureStdout } from '../../test-support/stdout.js';
import { readKcsFile } from '../kcs-files.js';
import { runCli } from '../main.js';

const HEADER = [
  'Declaration ID',
  'Date',
  'Office ID',
  'Process Type',
  'Import Type',
  'Import Use',
  'Payment Type',
  'Mode of Transport',
  'Declarant ID',
  'Importer ID',
  'Seller ID',
  'Courier ID',
  'HS6 Code',
  'Country of Departure',
  'Country of Origin',
  'Tax Rate',
  'Tax Type',
  'Country of Origin Indicator',
  'Net Mass',
  'Item Price',
  'Fraud',
  'Critical Fraud',
];

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * KCS-shaped rows with a planted rule: a finding when Tax Rate > 8 and the origin is CN (plus
 * 2 % noise findings anywhere), everything else drawn at random.
 */
function kcsCsv(rows: number, seed: number, month: number): string {
  const r = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const lines = [HEADER.join(',')];
  for (let i = 0; i < rows; i++) {
    const origin = pick(['CN', 'US', 'DE', 'VN', 'JP']);
    const tax = pick([0, 3, 5, 8, 10, 13]);
    const fraud = (tax > 8 && origin === 'CN') || r() < 0.02 ? 1 : 0;
    const mass = (1 + r() * 100).toFixed(1);
    lines.push(
      [
        String(10_000_000 + seed * 100_000 + i),
        `2021-${String(month).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
        pick(['10', '20', '30', '40']),
        pick(['A', 'B']),
        pick(['11', '21']),
        pick(['21', '11']),
        pick(['11', '43']),
        pick(['10', '40']),
        `D${Math.floor(r() * 30)}`,
        `I${Math.floor(r() * 200)}`,
        r() < 0.1 ? '' : `S${Math.floor(r() * 100)}`,
        r() < 0.8 ? '' : `C${Math.floor(r() * 5)}`,
        pick(['420231', '90121', '711311', '850760']),
        pick(['CN', 'US', 'DE', 'HK']),
        origin,
        tax.toFixed(1),
        pick(['A', 'C', 'FCN1']),
        pick(['B', 'E', 'G', 'Y']),
        mass,
        (Number(mass) * (10 + r() * 1000)).toFixed(2),
        String(fraud),
        fraud && r() < 0.1 ? '2' : String(fraud),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** Runs the command line; returns standard output, standard error and the exit code. */
async function cli(args: string[]) {
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  let out: string;
  try {
    out = await captureStdout(() => runCli(['node', 'greenlane', 'model', 'evaluate', ...args]));
  } finally {
    spy.mockRestore();
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { out, err, code };
}

const load = (file: string): KcsModelFile => {
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  assertKcsModelFile(value);
  return value;
};

const FAST = ['--leaves', '15', '--rate', '0.3', '--rounds', '60'];

describe('greenlane model evaluate', () => {
  let dir: string;
  let train: string;
  let valid: string;
  let test: string;
  const files = () => ['--train', train, '--valid', valid, '--test', test];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-model-cli-'));
    train = path.join(dir, 'train.csv');
    valid = path.join(dir, 'valid.csv');
    test = path.join(dir, 'test.csv');
    writeFileSync(train, kcsCsv(600, 1, 1));
    writeFileSync(valid, kcsCsv(200, 2, 2));
    writeFileSync(test, kcsCsv(300, 3, 3));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('trains on train, early-stops on valid and prints the test figures, finding the planted rule', async () => {
    const { out, err, code } = await cli([...files(), ...FAST]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const findings = kcsLabels(readKcsFile(test)).reduce((s, y) => s + y, 0);
    expect(out).toContain(`test: 300 rows, ${findings} findings`);
    expect(out).toMatch(/trained in \d+\.\d\d s: \d+ trees kept of \d+/);
    const precision = /precision: @1% ([\d.]+), @2% ([\d.]+), @5% ([\d.]+), @10% ([\d.]+)/.exec(
      out,
    );
    expect(precision).not.toBeNull();
    // The top 5 % (15 rows) are Tax Rate > 8 from CN: findings but for noise.
    expect(Number(precision![3])).toBeGreaterThanOrEqual(0.85);
    const aucLine = /recall@5% [\d.]+; AUC ([\d.]+); logloss [\d.]+/.exec(out);
    expect(Number(aucLine?.[1])).toBeGreaterThanOrEqual(0.85);
    const deciles = out
      .split('\n')
      .filter((l) => /^ {2}[ \d]\d {2} +\d+ {2}[\d.]+ {2}[\d.]+$/.test(l));
    expect(deciles).toHaveLength(10);
    expect(out).not.toContain('model written');
  });

  it('--out writes a model that reloads and scores the test rows identically', async () => {
    const modelPath = path.join(dir, 'model.json');
    const { out, code } = await cli([...files(), ...FAST, '--out', modelPath]);
    expect(code).toBe(0);
    expect(out).toContain(`model written to ${modelPath}`);
    const reloaded = load(modelPath);
    expect(reloaded.kind).toBe('greenlane-kcs-model');
    const rows = readKcsFile(test);
    const scores = scoreKcsRows(reloaded, rows);
    const figures = evaluateScores(scores, kcsLabels(rows));
    // The printed AUC and precision are those of the reloaded model's scores.
    expect(out).toContain(`AUC ${figures.auc.toFixed(3)}`);
    expect(out).toContain(`@5% ${figures.precision[2]!.toFixed(3)}`);
    // And a second reload scores the same, bit for bit.
    const again = scoreKcsRows(load(modelPath), rows);
    expect(Array.from(again)).toEqual(Array.from(scores));
  });

  it('the same seed twice writes identical model bytes', async () => {
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    expect((await cli([...files(), ...FAST, '--seed', '7', '--out', a])).code).toBe(0);
    expect((await cli([...files(), ...FAST, '--seed', '7', '--out', b])).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const parsed = load(a);
    expect(parsed.model.params.seed).toBe(7);
  });

  describe('bad input: a clear error naming the file, row and column, a non-zero exit, nothing written', () => {
    const bad = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const refuse = async (which: '--train' | '--valid' | '--test', file: string) => {
      const modelPath = path.join(dir, `out-${path.basename(file)}.json`);
      const args = files();
      args[args.indexOf(which) + 1] = file;
      const { out, err, code } = await cli([...args, ...FAST, '--out', modelPath]);
      expect(code).not.toBe(0);
      expect(existsSync(modelPath)).toBe(false);
      expect(out).toBe('');
      return err;
    };
    const lines = () => readFileSync(train, 'utf8').trimEnd().split('\n');

    it('a missing column', async () => {
      const l = lines().map((line) =>
        line
          .split(',')
          .filter((_, i) => i !== 18)
          .join(','),
      );
      const file = bad('no-net-mass.csv', l.join('\n'));
      const err = await refuse('--train', file);
      expect(err).toContain(`greenlane: ${file}: missing column "Net Mass" in the header`);
    });

    it('a non-numeric Net Mass', async () => {
      const l = readFileSync(test, 'utf8').trimEnd().split('\n');
      const cells = l[5]!.split(',');
      cells[18] = '12kg';
      l[5] = cells.join(',');
      const file = bad('text-mass.csv', l.join('\n'));
      const err = await refuse('--test', file);
      expect(err).toContain(`${file}: row 5 (line 6), column "Net Mass": "12kg" is not a number`);
    });

    it('an empty file, or a header alone', async () => {
      const empty = bad('empty.csv', '');
      expect(await refuse('--valid', empty)).toContain(`${empty}: empty file`);
      const header = bad('header.csv', HEADER.join(',') + '\n');
      expect(await refuse('--valid', header)).toContain(`${header}: no rows after the header`);
    });

    it('a label other than 0, 1 or 2', async () => {
      const l = lines();
      const cells = l[42]!.split(',');
      cells[20] = '3';
      l[42] = cells.join(',');
      const file = bad('label-3.csv', l.join('\n'));
      const err = await refuse('--train', file);
      expect(err).toContain(
        `${file}: row 42 (line 43), column "Fraud": label "3" is not 0, 1 or 2`,
      );
    });
  });
});
