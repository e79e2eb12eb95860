import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyForPermit, permitStep } from '../../app/manage-permits.js';
import { readConfig, type Config } from '../../config.js';
import { openDatabase } from '../../storage/database.js';
import { seedWorld } from '../../test-support/app.js';
import { captureStdout } from '../../test-support/stdout.js';
import { permitsDue, permitsList, permitsUsage } from './permits.js';

describe('greenlane permits', () => {
  let dir: string;
  let config: Config;
  let number: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-permits-cli-'));
    const sqlitePath = path.join(dir, 'g.db');
    config = readConfig({ GREENLANE_SQLITE_PATH: sqlitePath });
    const db = await openDatabase({ sqlitePath });
    const world = await seedWorld(db);
    const base = {
      issuerAgency: 'BY-E',
      counterpart: { name: 'Supplier', country: 'DE' },
      quantity: 12.5,
      unit: 'TNE' as const,
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
    };
    const consent = await applyForPermit(world.ctx, world.principals.trader, {
      ...base,
      type: 'waste-consent',
      hsScope: ['7204'],
      details: { wasteCode: 'B1010', operation: 'R4' },
    });
    number = (
      await permitStep(world.ctx, world.principals.ecologist, consent.id, { step: 'issue' })
    ).number!;
    await applyForPermit(world.ctx, world.principals.trader, {
      ...base,
      type: 'green-tech',
      hsScope: ['854143'],
    });
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists permits with balance and the expedited application with its deadline', async () => {
    const text = await captureStdout(() => permitsList(config, { json: false }));
    expect(text).toMatch(
      new RegExp(`${number}\\s+waste-consent\\s+issued\\s+BY100\\s+12\\.5/12\\.5 TNE`),
    );
    expect(text).toMatch(/green-tech\s+applied\s+BY100.*due \d{4}-.*\(expedited\)/);
    const json = await captureStdout(() => permitsList(config, { status: 'issued', json: true }));
    expect(
      json
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { number: string }).number),
    ).toEqual([number]);
  });

  it('shows what is due, and the usage of a permit by number', async () => {
    const due = await captureStdout(() =>
      permitsDue(config, { within: 48, agency: 'BY-E', json: true }),
    );
    expect(
      due
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type),
    ).toEqual(['green-tech']);
    await expect(permitsDue(config, { within: 1, agency: 'NOPE', json: false })).rejects.toThrow(
      /no agency with code 'NOPE'/,
    );
    const usage = await captureStdout(() => permitsUsage(config, number, false));
    expect(usage).toContain(
      `${number} (waste-consent, BY100): 12.5 of 12.5 TNE left, 0 shipment(s)`,
    );
  });
});
