import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/auth/identity.js';
import { testContext } from '../test-support/app.js';
import {
  BACKENDS,
  freshDatabase,
  openAgain,
  type TestDatabase,
} from '../test-support/databases.js';
import type { AppContext } from './context.js';
import { principalOfUser } from './authenticate.js';
import { seedDemo } from './bootstrap.js';
import { listEnergyCases } from './energy-cases.js';
import { generateDeclarations } from './generate-declarations.js';
import { definePoint, recordReports } from './manage-energy.js';
import { submitDeclaration } from './submit-declaration.js';

/**
 * Reconciliation cases under concurrent recording (issue 19): 32 clients through two database
 * handles, as two processes would, the demo's reference library in force; half lodge a realistic
 * mix of declarations, half record the partner's figures of one line, hour pairs of the same
 * month, each hour off. Every batch's findings fall in one case (point, direction, month): at the
 * end there is exactly one, and it counts every hour — no transaction overwrote another's view.
 */

const CLIENTS = 32;
const BATCHES_PER_CLIENT = 5;
const HOUR = 3_600_000;
// 1 June 2026, 00:00 in Minsk (UTC+3).
const JUNE = Date.parse('2026-05-31T21:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

describe.each(BACKENDS)('reconciliation cases under concurrent recording on %s', (backend) => {
  let t: TestDatabase;
  let second: TestDatabase['db'];
  const ctxs: AppContext[] = [];

  beforeAll(async () => {
    t = await freshDatabase(backend);
    const first = testContext(t.db);
    await seedDemo(first);
    second = await openAgain(t);
    ctxs.push(first, testContext(second));
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await t?.drop();
  });

  it(`${CLIENTS} clients: one case for the month, with every hour in it`, async () => {
    const analyst: Principal = await principalOfUser(ctxs[0]!, 'analyst');
    const officers = await Promise.all(ctxs.map((ctx) => principalOfUser(ctx, 'officer')));
    await definePoint(ctxs[0]!, analyst, {
      id: 'CONC-LINE',
      name: 'Concurrency line',
      commodity: 'electricity',
      hsCode: '2716',
      partner: 'LT/MUITINE',
      meteringPoints: [],
      timeZone: 'Europe/Minsk',
      dayStartHour: 0,
      lossFraction: 0,
      meterAccuracy: 0.005,
      absoluteTolerancePerHour: 0.5,
    });
    // Our meter: every hour of June at 100 MWh.
    await recordReports(
      ctxs[0]!,
      analyst,
      Array.from({ length: 30 * 24 }, (_, h) => ({
        id: `OWN-${h}`,
        source: 'own-meter',
        pointId: 'CONC-LINE',
        direction: 'import',
        start: iso(JUNE + h * HOUR),
        end: iso(JUNE + (h + 1) * HOUR),
        quantity: 100,
        unit: 'MWh',
      })),
    );
    const figureClients = CLIENTS / 2;
    const declarations = [...generateDeclarations(400, 19)];
    let nextDeclaration = 0;
    let lodged = 0;
    let opened = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const ctx = ctxs[client % 2]!;
        if (client % 2 === 1 || client >= CLIENTS) {
          for (let i = nextDeclaration++; i < declarations.length; i = nextDeclaration++) {
            const r = await submitDeclaration(ctx, officers[client % 2]!, {
              sourceFormat: 'json',
              input: { ...declarations[i]!, submittedAt: new Date().toISOString() },
            });
            if (r.outcome === 'created') lodged++;
          }
          return;
        }
        const k = client / 2;
        for (let b = 0; b < BATCHES_PER_CLIENT; b++) {
          // Two hours of the partner's export, 5% above our meter: both discrepancies.
          const hours = [0, 1].map((j) => (k * BATCHES_PER_CLIENT + b) * 2 + j);
          const r = await recordReports(
            ctx,
            analyst,
            hours.map((h) => ({
              id: `LT-${h}`,
              source: 'partner',
              pointId: 'CONC-LINE',
              direction: 'export',
              start: iso(JUNE + h * HOUR),
              end: iso(JUNE + (h + 1) * HOUR),
              quantity: 105,
              unit: 'MWh',
            })),
          );
          opened += r.casesOpened;
        }
      }),
    );
    expect(lodged).toBe(declarations.length);
    const all = await listEnergyCases(ctxs[0]!, analyst, { pointId: 'CONC-LINE', limit: 100 });
    // Each case opened once (the partner's steady 5% also makes a CUSUM case), none twice.
    expect(opened).toBe(all.length);
    expect(new Set(all.map((c) => c.key)).size).toBe(all.length);
    const cases = all.filter((c) => c.kind === 'discrepancy');
    expect(cases.map((c) => c.month)).toEqual(['2026-06']);
    expect(cases[0]!.periodCount).toBe(figureClients * BATCHES_PER_CLIENT * 2);
    // Its version counts the batches that changed it: the opening one, then one per batch.
    expect(cases[0]!.version).toBe(figureClients * BATCHES_PER_CLIENT);
  }, 300_000);
});
