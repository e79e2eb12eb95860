import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../app/bootstrap.js';
import { readConfig, type Config } from '../../config.js';
import { openDatabase } from '../../storage/database.js';
import { testContext } from '../../test-support/app.js';
import { modelTrain } from './model.js';
import { generateDeclarations } from '../../app/generate-declarations.js';
import { SeededRandom } from '../../core/random.js';

/** `greenlane model train` on the demo's controls: a draft version and its card's figures. */
describe('greenlane model train', () => {
  let dir: string;
  let config: Config;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-model-cli-'));
    const sqlitePath = path.join(dir, 'g.db');
    config = readConfig({ GREENLANE_SQLITE_PATH: sqlitePath });
    const db = await openDatabase({ sqlitePath });
    await seedDemo(testContext(db));
    await db.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains a draft as the analyst and prints what it learned from and how it did', async () => {
    const lines: string[] = [];
    const trained = await modelTrain(
      config,
      { from: '2000-01-01', to: '2100-01-01', seed: 3, user: 'analyst' },
      (l) => lines.push(l),
    );
    expect(trained).toMatchObject({ version: 1, status: 'draft' });
    expect(lines[0]).toMatch(/^model version 1 trained \(draft\): \d+ controls learned from/);
    expect(lines.join('\n')).toMatch(
      /held back, all controls \(biased: chosen by the rules\): \d+ rows/,
    );
    expect(lines.join('\n')).toMatch(/trees kept of/);
    expect(lines.at(-1)).toBe(
      'submit and have a second analyst approve it: POST /api/models/1/submit',
    );
  }, 120_000);

  it('names the option that is wrong, and an officer may not train', async () => {
    await expect(
      modelTrain(
        config,
        { from: '2100-01-01', to: '2000-01-01', seed: 1, user: 'analyst' },
        () => {},
      ),
    ).rejects.toThrow(/--to: must be after from/);
    await expect(
      modelTrain(
        config,
        { from: '2000-01-01', to: '2100-01-01', seed: 1, user: 'officer' },
        () => {},
      ),
    ).rejects.toThrow(/risk-model|not allowed|may not/i);
  }, 60_000);

  it('learns from declaration files with their outcomes, and refuses a bad file naming row and column', async () => {
    const inputs = [...generateDeclarations(400, 21)];
    const truth = new SeededRandom(5);
    const ndjson = path.join(dir, 'history.ndjson');
    writeFileSync(ndjson, inputs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const outcomes = path.join(dir, 'outcomes.csv');
    const rows = inputs.slice(0, 350).map((d, k) => {
      const risky = ['CN', 'VN'].includes(d.goodsItems[0]!.originCountry ?? '');
      const finding = truth.next() < (risky ? 0.8 : 0.05) ? 1 : 0;
      return `${d.reference},${finding},${k % 5 === 0 ? 1 : 0},,${k % 7},0`;
    });
    writeFileSync(
      outcomes,
      [
        'reference,finding,random,randomShare,traderControls,traderFindings',
        ...rows,
        'NOT-IN-FILES,1,0,,,',
      ].join('\n'),
    );
    const lines: string[] = [];
    const trained = await modelTrain(
      config,
      { declarations: [ndjson], outcomes, seed: 1, user: 'analyst' },
      (l) => lines.push(l),
    );
    expect(lines[0]).toBe(
      'read 400 declarations: 350 with an outcome, 50 without (left out); 1 outcome rows name no declaration in the files (first: NOT-IN-FILES)',
    );
    expect(trained.status).toBe('draft');
    expect(trained.card).toMatchObject({ source: 'history.ndjson, outcomes.csv' });

    const bad = path.join(dir, 'bad-outcomes.csv');
    writeFileSync(bad, 'reference,finding\nR-1,1\nR-2,maybe\n');
    await expect(
      modelTrain(
        config,
        { declarations: [ndjson], outcomes: bad, seed: 1, user: 'analyst' },
        () => {},
      ),
    ).rejects.toThrow(
      /bad-outcomes\.csv: row 2 \(line 3\), column finding: must be 0 or 1, got "maybe"/,
    );
    const broken = path.join(dir, 'broken.ndjson');
    writeFileSync(
      broken,
      JSON.stringify({ ...inputs[0], goodsItems: [{ sequence: 1, hsCode: '12' }] }) + '\n',
    );
    await expect(
      modelTrain(config, { declarations: [broken], outcomes, seed: 1, user: 'analyst' }, () => {}),
    ).rejects.toThrow(/1 of 1 declarations could not be read \(above\): nothing trained/);
    await expect(
      modelTrain(config, { declarations: [ndjson], seed: 1, user: 'analyst' }, () => {}),
    ).rejects.toThrow(/--declarations needs --outcomes/);
  }, 120_000);
});
