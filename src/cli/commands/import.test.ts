import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../app/bootstrap.js';
import { readConfig, type Config } from '../../config.js';
import { openDatabase } from '../../storage/database.js';
import { sampleDeclaration, testContext } from '../../test-support/app.js';
import { writeNdjson } from '../../app/generate-declarations.js';
import { importFiles } from './import.js';
import { HMRC_DMS_SAMPLES } from '../../test-support/fixtures.js';

const run = promisify(execFile);
const SAMPLES = HMRC_DMS_SAMPLES;

describe('greenlane import', () => {
  let dir: string;
  let config: Config;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-import-'));
    config = readConfig({ GREENLANE_SQLITE_PATH: path.join(dir, 'g.db') });
    const db = await openDatabase({ sqlitePath: config.sqlitePath });
    await seedDemo(testContext(db));
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function countDeclarations(): Promise<number> {
    const db = await openDatabase({ sqlitePath: config.sqlitePath });
    try {
      return await db.read.declarations.count();
    } finally {
      await db.close();
    }
  }

  it('loads 100,000 generated NDJSON declarations', async () => {
    const file = path.join(dir, 'big.ndjson');
    // Seed 8: the demo's own declarations are generated with seed 7, and a declarant's
    // references are unique (the same GEN-7-n again would rightly be refused).
    await writeNdjson(file, 100_000, 8);
    const before = await countDeclarations();
    const lines: string[] = [];
    const s = await importFiles(
      config,
      [file],
      { user: 'admin', concurrency: 256, progress: false },
      { log: (l) => lines.push(l) },
    );
    expect(lines).toEqual([]);
    expect(s).toMatchObject({ files: 1, read: 100_000, accepted: 100_000, rejected: 0 });
    expect(await countDeclarations()).toBe(before + 100_000);
    console.log(`imported 100,000 NDJSON declarations in ${s.seconds.toFixed(1)} s`);
  }, 300_000);

  it('reports each rejected record with file, location and field, and goes on', async () => {
    const ndjson = path.join(dir, 'mixed.ndjson');
    const bad = sampleDeclaration({ reference: 'BAD-HS' });
    bad.goodsItems[0]!.hsCode = '12';
    writeFileSync(
      ndjson,
      [
        JSON.stringify(sampleDeclaration({ reference: 'OK-1' })),
        '{"kind": "import", oops',
        JSON.stringify(bad),
        '',
        JSON.stringify(sampleDeclaration({ reference: 'OK-2' })),
      ].join('\n') + '\n',
    );
    const csv = path.join(dir, 'mixed.csv');
    writeFileSync(
      csv,
      [
        'reference,kind,declarantId,hsCode,description,quantity,unit,originCountry',
        'C-1,import,BY1,0101210000,Horses,2,NAR,PL',
        'C-1,import,BY1,0102290000,Cattle,3,NAR,PL',
        'C-2,import,BY1,7204490000,Scrap,lots,KGM,DE',
        'C-3,export,BY1,8549990000,E-waste,5,KGM,BY',
      ].join('\n') + '\n',
    );
    const before = await countDeclarations();
    const lines: string[] = [];
    const s = await importFiles(
      config,
      [ndjson, csv],
      { user: 'admin', concurrency: 4, progress: false },
      { log: (l) => lines.push(l) },
    );
    expect(s).toMatchObject({ files: 2, read: 7, accepted: 4, rejected: 3 });
    expect(await countDeclarations()).toBe(before + 4);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${escape(ndjson)}: line 2: /: invalid JSON`));
    expect(lines[1]).toMatch(new RegExp(`^${escape(ndjson)}: line 3: /goodsItems/0/hsCode: `));
    expect(lines[2]).toMatch(new RegExp(`^${escape(csv)}: row 4: .*row 4.*quantity.*not a number`));
  });

  it('imports WCO-DM XML files', async () => {
    const a = path.join(dir, 'a.xml');
    const b = path.join(dir, 'b.XML');
    copyFileSync(path.join(SAMPLES, 'TT_IM001a/Step1_TT_IM001a.xml'), a);
    copyFileSync(path.join(SAMPLES, 'TT_IM002a/Step1_TT_IM002a.XML'), b);
    const s = await importFiles(
      config,
      [a, b],
      { user: 'admin', concurrency: 4, progress: false },
      { log: () => {} },
    );
    expect(s).toMatchObject({ accepted: 2, rejected: 0 });
  });

  it('exits non-zero when any record was rejected, printing progress and counts', async () => {
    const file = path.join(dir, 'cli.ndjson');
    writeFileSync(file, JSON.stringify(sampleDeclaration({ reference: 'CLI-1' })) + '\n{nope}\n');
    const env = { ...process.env, GREENLANE_SQLITE_PATH: config.sqlitePath, CI: '' };
    const cli = path.resolve(import.meta.dirname, '../main.ts');
    const failed = await run(process.execPath, ['--import', 'tsx', cli, 'import', file], {
      env,
    }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/1 file\(s\): 2 read, 1 accepted, 1 rejected/);
    expect(failed?.stderr).toMatch(/cli\.ndjson: line 2: \/: invalid JSON/);
    expect(failed?.stderr).toMatch(/100%/);
    const good = path.join(dir, 'good.ndjson');
    writeFileSync(good, JSON.stringify(sampleDeclaration({ reference: 'CLI-2' })) + '\n');
    const ok = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'import', '--no-progress', good],
      { env },
    );
    expect(ok.stdout).toMatch(/1 accepted, 0 rejected/);
  }, 60_000);

  it('names a file it cannot read', async () => {
    const env = { ...process.env, GREENLANE_SQLITE_PATH: config.sqlitePath };
    const cli = path.resolve(import.meta.dirname, '../main.ts');
    const missing = path.join(dir, 'missing.ndjson');
    const e = await run(process.execPath, ['--import', 'tsx', cli, 'import', missing], {
      env,
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(e?.code).toBe(2);
    expect(e?.stderr).toContain('missing.ndjson');
  }, 60_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
