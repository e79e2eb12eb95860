import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitDeclaration } from '../../app/submit-declaration.js';
import { readConfig, type Config } from '../../config.js';
import { openDatabase } from '../../storage/database.js';
import { sampleDeclaration, seedWorld } from '../../test-support/app.js';
import { captureStdout } from '../../test-support/stdout.js';
import { metrics } from './metrics.js';

describe('greenlane metrics', () => {
  let dir: string;
  let config: Config;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-metrics-cli-'));
    const sqlitePath = path.join(dir, 'g.db');
    config = readConfig({ GREENLANE_SQLITE_PATH: sqlitePath });
    const db = await openDatabase({ sqlitePath });
    const world = await seedWorld(db);
    for (const reference of ['M-1', 'M-2', 'M-3']) {
      await submitDeclaration(world.ctx, world.principals.officer, {
        sourceFormat: 'json',
        input: sampleDeclaration({ reference, submittedAt: '2026-11-02T10:00:00.000Z' }),
      });
    }
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the period as CSV or JSON, grouped on request', async () => {
    const csv = await captureStdout(() =>
      metrics(config, { from: '2026-11-01', to: '2026-11-03', format: 'csv', groupBy: 'office' }),
    );
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('section,group,metric,value');
    expect(lines).toContain('totals,,declarations,3');
    expect(lines).toContain('group,BY112000,declarations,3');
    const json = JSON.parse(
      await captureStdout(() =>
        metrics(config, { from: '2026-11-03', to: '2026-11-04', format: 'json' }),
      ),
    ) as { totals: { declarations: number } };
    expect(json.totals.declarations).toBe(0);
  });

  it('names a bad period', async () => {
    await expect(
      metrics(config, { from: '2026-11-03', to: '2026-11-01', format: 'json' }),
    ).rejects.toThrow(/--to after --from: must be after from/);
  });
});
