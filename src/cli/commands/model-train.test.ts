import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../app/bootstrap.js';
import { readConfig, type Config } from '../../config.js';
import { openDatabase } from '../../storage/database.js';
import { testContext } from '../../test-support/app.js';
import { modelTrain } from './model.js';

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
});
