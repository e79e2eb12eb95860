import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RISK_SETTINGS } from '../core/risk/assess.js';
import { SeededRandom } from '../core/random.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { seedWorld, type TestWorld } from '../test-support/app.js';
import { generateDeclarations } from './generate-declarations.js';
import type { AppContext } from './context.js';
import { recordInspection } from './controls.js';
import {
  approve,
  saveIndicator,
  saveReferenceList,
  submitForApproval,
} from './manage-indicators.js';
import { computeMetrics } from './metrics.js';
import { riskRuntime } from './risk.js';
import { submitDeclaration } from './submit-declaration.js';

const DECLARATIONS = 800;
/** The simulated truth: how often controlled goods are non-compliant, by how they were chosen. */
const RANDOM_RATE = 0.1;
const TARGETED_RATE = 0.35;

/**
 * Random selection estimates the non-compliance rate of the whole flow; targeting should beat it.
 * On generated declarations with a known non-compliance rate for each group, the metrics must
 * count exactly what was recorded and recover each rate within sampling tolerance.
 */
describe.each(BACKENDS)('random vs targeted detection on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let ctx: AppContext;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    ctx = {
      ...world.ctx,
      // A quarter of otherwise-green declarations to control at random; no permit requirements
      // (their minimum channels would leave few green declarations to draw from).
      risk: riskRuntime(t.db, world.ctx.clock, {
        ...DEFAULT_RISK_SETTINGS,
        randomShare: 0.25,
        permitRequirements: [],
      }),
    };
    const analyst = world.principals.riskAnalyst;
    await saveReferenceList(ctx, analyst, {
      name: 'watched-origins',
      kind: 'countries',
      title: 'Origins watched',
      entries: ['GB', 'UA', 'KZ', 'BE'],
    });
    await submitForApproval(ctx, analyst, 'reference-list', 'watched-origins', { version: 1 });
    await approve(ctx, world.principals.secondAnalyst, 'reference-list', 'watched-origins', {
      version: 1,
    });
    const i = await saveIndicator(ctx, analyst, undefined, {
      title: 'Watched origin',
      priorityArea: 'general-smuggling',
      condition: 'inList(item.origin, "watched-origins")',
      weight: 50,
      controlForm: 'documentary-check',
      rationale: 'Origins with many findings last year.',
    });
    await submitForApproval(ctx, analyst, 'indicator', i.id, { version: 1 });
    await approve(ctx, world.principals.secondAnalyst, 'indicator', i.id, { version: 1 });
  });
  afterAll(() => t.drop());

  it('counts exactly and recovers the known rates within tolerance', async () => {
    const officer = world.principals.officer;
    const lodged = await Promise.all(
      [...generateDeclarations(DECLARATIONS, 11)].map((input) =>
        submitDeclaration(ctx, officer, { sourceFormat: 'json', input }),
      ),
    );
    const truth = new SeededRandom(2026);
    const expected = { random: { n: 0, found: 0 }, targeted: { n: 0, found: 0 } };
    const inspections: Array<Promise<unknown>> = [];
    for (const r of lodged) {
      if (r.outcome !== 'created') throw new Error('not created');
      const d = r.declaration;
      const random = d.assessment!.random.selected;
      if (!random && d.channel === 'green') continue;
      const group = random ? expected.random : expected.targeted;
      const finding = truth.next() < (random ? RANDOM_RATE : TARGETED_RATE);
      group.n++;
      if (finding) group.found++;
      inspections.push(
        recordInspection(ctx, officer, d.id, {
          controlForm: 'documentary-check',
          startedAt: '2026-11-02T10:00:00Z',
          endedAt: '2026-11-02T10:20:00Z',
          result: finding ? 'non-compliant' : 'compliant',
          findings: finding ? ['undervalued'] : [],
          findingsText: finding ? 'Invoice below market' : 'As declared',
          itemsAffected: [],
        }),
      );
    }
    await Promise.all(inspections);
    // Enough of each for the tolerance below to mean something.
    expect(expected.random.n).toBeGreaterThan(80);
    expect(expected.targeted.n).toBeGreaterThan(80);

    const m = await computeMetrics(t.db.read, {
      from: '2000-01-01T00:00:00Z',
      to: '2100-01-01T00:00:00Z',
    });
    expect(m.totals.declarations).toBe(DECLARATIONS);
    expect(m.selection.random).toMatchObject({
      n: expected.random.n,
      successes: expected.random.found,
    });
    expect(m.selection.targeted).toMatchObject({
      n: expected.targeted.n,
      successes: expected.targeted.found,
    });
    expect(m.totals.controls).toBe(expected.random.n + expected.targeted.n);
    for (const [p, rate] of [
      [m.selection.random, RANDOM_RATE],
      [m.selection.targeted, TARGETED_RATE],
    ] as const) {
      // Within four standard errors of the truth (a 1-in-15,000 miss: the random draws are not
      // seeded here), and a 95 % interval around the observed rate as wide as 2 × 1.96 standard
      // errors (whether it covers the truth is itself a 1-in-20 coin, not something to assert).
      const se = Math.sqrt((rate * (1 - rate)) / p.n);
      expect(Math.abs(p.rate! - rate)).toBeLessThan(4 * se);
      expect(p.low!).toBeLessThan(p.rate!);
      expect(p.high!).toBeGreaterThan(p.rate!);
      const observedSe = Math.sqrt((p.rate! * (1 - p.rate!)) / p.n);
      expect((p.high! - p.low!) / (2 * 1.96 * observedSe)).toBeGreaterThan(0.9);
      expect((p.high! - p.low!) / (2 * 1.96 * observedSe)).toBeLessThan(1.1);
    }
    expect(m.selection.targeted.rate!).toBeGreaterThan(m.selection.random.rate!);
  }, 120_000);
});
