import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../app/bootstrap.js';
import { readLibrary } from '../../app/library.js';
import { readConfig, type Config } from '../../config.js';
import { openDatabase } from '../../storage/database.js';
import { sampleDeclaration, testContext } from '../../test-support/app.js';
import { generateDeclarations } from '../../app/generate-declarations.js';
import { screenFiles } from './screen.js';

describe('greenlane screen', () => {
  let dir: string;
  let config: Config;
  let ndjson: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-screen-'));
    config = readConfig({ GREENLANE_SQLITE_PATH: path.join(dir, 'g.db') });
    const db = await openDatabase({ sqlitePath: config.sqlitePath });
    await seedDemo(testContext(db));
    await db.close();
    ndjson = path.join(dir, 'decl.ndjson');
    const lines = [...generateDeclarations(5000, 3)].map((d) => JSON.stringify(d));
    const parrots = sampleDeclaration({ reference: 'PARROTS-NO-PERMIT' });
    parrots.goodsItems[1]!.documents = [];
    lines.splice(10, 0, '{"not": json', JSON.stringify(parrots));
    writeFileSync(ndjson, lines.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (files: string[], workers: number, seed = 42) => {
    const out = path.join(dir, `out-${workers}-${seed}.ndjson`);
    const logs: string[] = [];
    const summary = await screenFiles(
      config,
      files,
      { out, seed, progress: false, workers },
      { log: (l) => logs.push(l) },
    );
    return { summary, logs, text: readFileSync(out, 'utf8') };
  };

  it('screens every declaration, in file order, the same with and without worker threads', async () => {
    const one = await run([ndjson], 1);
    const two = await run([ndjson], 2);
    expect(two.text).toBe(one.text);
    expect(one.summary).toMatchObject({
      read: 5002,
      accepted: 5001,
      rejected: 1,
      indicatorsInForce: (await readLibrary()).indicators.length,
    });
    expect(two.summary).toMatchObject({ read: 5002, accepted: 5001, rejected: 1 });
    expect(two.summary.channels).toEqual(one.summary.channels);
    expect(two.summary.indicators).toEqual(one.summary.indicators);
    const { green, yellow, red } = one.summary.channels;
    expect(green + yellow + red).toBe(5001);
    expect(one.logs).toEqual([expect.stringMatching(/decl\.ndjson: line 11: \/: invalid JSON/)]);
    const lines = one.text
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            location: string;
            reference: string;
            assessment: { channel: string; override: unknown };
          },
      );
    expect(lines).toHaveLength(5001);
    expect(lines[0]?.location).toBe('line 1');
    const parrots = lines.find((l) => l.reference === 'PARROTS-NO-PERMIT');
    expect(parrots?.location).toBe('line 12');
    expect(parrots?.assessment.channel).toBe('red');
    expect(parrots?.assessment.override).not.toBeNull();
    expect(
      one.summary.indicators.find((i) => /Species named without a CITES document/.test(i.title))
        ?.declarations,
    ).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('reproduces a run from its seed base, and another seed draws differently', async () => {
    const a = await run([ndjson], 1, 7);
    const b = await run([ndjson], 2, 7);
    const c = await run([ndjson], 1, 8);
    expect(b.text).toBe(a.text);
    expect(c.text).not.toBe(a.text);
  }, 60_000);

  it('screens CSV on the main thread and names the row of a bad value', async () => {
    const csv = path.join(dir, 'decl.csv');
    writeFileSync(
      csv,
      [
        'reference,kind,declarantId,hsCode,description,quantity,unit,originCountry,species',
        'C-1,import,BY1,0106390000,Live parrots,4,NAR,CM,Psittacus erithacus',
        'C-2,import,BY1,7204490000,Scrap,abc,KGM,DE,',
      ].join('\n') + '\n',
    );
    const r = await run([csv], 2);
    expect(r.summary).toMatchObject({ read: 2, accepted: 1, rejected: 1 });
    expect(r.logs[0]).toMatch(/decl\.csv: row 3: .*quantity/);
    expect(r.text).toMatch(/"channel":"red"/);
  });
});
