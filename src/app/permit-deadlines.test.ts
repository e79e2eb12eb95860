import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from './context.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { seedWorld, type TestWorld } from '../test-support/app.js';
import { applicationsDue, applyForPermit, listPermits, permitStep } from './manage-permits.js';

describe.each(BACKENDS)('permit deadlines and processing times on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let now = new Date('2026-11-02T08:00:00.000Z');
  let ctx: AppContext;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    ctx = { ...world.ctx, clock: { now: () => now } };
  });
  afterAll(() => t.drop());

  const application = (type: 'green-tech' | 'pesticide-licence' | 'waste-consent', extra = {}) => ({
    type,
    issuerAgency: 'BY-E',
    counterpart: { name: 'Supplier', country: 'DE' },
    hsScope: type === 'green-tech' ? ['854143'] : type === 'waste-consent' ? ['7204'] : ['3808'],
    quantity: 100,
    unit: 'KGM',
    validFrom: '2026-11-01T00:00:00Z',
    validTo: '2027-11-01T00:00:00Z',
    details:
      type === 'pesticide-licence'
        ? { substance: 'glyphosate' }
        : type === 'waste-consent'
          ? { wasteCode: 'B1010', operation: 'R4' }
          : {},
    ...extra,
  });

  it('lists expedited applications near or past their deadline, and stores processing times', async () => {
    const { trader, ecologist } = world.principals;
    const green = await applyForPermit(ctx, trader, application('green-tech'));
    const recovery = await applyForPermit(
      ctx,
      trader,
      application('waste-consent', { wasteToResource: true }),
    );
    const normal = await applyForPermit(ctx, trader, application('pesticide-licence'));
    expect([green.expedited, recovery.expedited, normal.expedited]).toEqual([true, true, false]);
    expect(green.deadline).toBe('2026-11-03T08:00:00.000Z'); // 24 h service level
    expect(normal.deadline).toBe('2026-12-02T08:00:00.000Z'); // 30 days

    // Twenty hours later: both expedited ones fall due within 6 hours, none overdue yet.
    now = new Date('2026-11-03T04:00:00.000Z');
    let due = await applicationsDue(ctx, ecologist, 6);
    expect(due.map((p) => [p.id, p.overdue])).toEqual([
      [green.id, false],
      [recovery.id, false],
    ]);
    // The green-tech one is issued 21 h after submission; the other goes past its deadline.
    now = new Date('2026-11-03T05:00:00.000Z');
    const issued = await permitStep(ctx, ecologist, green.id, { step: 'issue' });
    expect(issued.processingSeconds).toBe(21 * 3600);
    now = new Date('2026-11-03T09:30:00.000Z');
    due = await applicationsDue(ctx, ecologist, 0);
    expect(due.map((p) => [p.id, p.overdue])).toEqual([[recovery.id, true]]);
    const stored = await t.db.read.permits.find(green.id);
    expect(stored).toMatchObject({
      submittedAt: '2026-11-02T08:00:00.000Z',
      decidedAt: '2026-11-03T05:00:00.000Z',
      processingSeconds: 75_600,
    });
    // The trader sees its applications with the overdue marker too; nobody else's.
    const mine = await listPermits(ctx, trader, {});
    expect(mine.find((p) => p.id === recovery.id)?.overdue).toBe(true);
    expect(await listPermits(ctx, world.principals.otherTrader, {})).toEqual([]);
    await expect(applicationsDue(ctx, trader, 24)).rejects.toThrow(/do not allow decide on permit/);
  });
});
