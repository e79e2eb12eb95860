import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarationRecord } from '../core/ports.js';
import { isKnownHsSubheading } from '../core/reference/lookup.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { seedDemo } from './bootstrap.js';
import { principalOfUser } from './authenticate.js';
import { mirrorGaps } from './manage-mirror.js';
import { ECOMET, routeProblems } from './generate-declarations.js';

/**
 * The demo as a customs officer would look at it: seeded on a fresh database and screened by the
 * reference library, a channel mix a real office sees, hits in several priority areas, routes
 * that follow borders and ports, and the demo trader under its own EORI.
 */
describe('demo data', () => {
  let t: TestDatabase;
  let declarations: DeclarationRecord[];
  let ctx: ReturnType<typeof testContext>;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    ctx = testContext(t.db);
    await seedDemo(ctx);
    declarations = await t.db.read.declarations.list({ limit: 1_000 });
  }, 120_000);
  afterAll(() => t.drop());

  it('screens to a realistic channel mix with hits in several priority areas', () => {
    const generated = declarations.filter((d) => d.reference.startsWith('GEN-'));
    expect(generated).toHaveLength(300);
    const channels = { green: 0, yellow: 0, red: 0 };
    for (const d of generated) channels[d.channel!]++;
    console.log('demo channels', channels);
    expect(channels.red).toBeGreaterThan(0);
    expect(channels.yellow).toBeGreaterThan(0);
    expect(channels.green).toBeGreaterThan(generated.length / 2);
    const areas = new Set(generated.flatMap((d) => d.assessment!.hits.map((h) => h.priorityArea)));
    console.log('priority areas hit', [...areas].sort());
    expect(areas.size).toBeGreaterThanOrEqual(5);
    for (const area of ['waste-and-scrap-metal', 'endangered-species', 'e-waste']) {
      expect(areas).toContain(area);
    }
  });

  it('routes every declaration along borders, ports and airports, at Belarusian offices', () => {
    const generated = declarations.filter((d) => d.reference.startsWith('GEN-'));
    const problems = generated.flatMap((d) => routeProblems(d).map((p) => `${d.reference}: ${p}`));
    expect(problems).toEqual([]);
    expect(generated.every((d) => d.office?.startsWith('BY'))).toBe(true);
    // Belarus has no sea port: nothing reaches its border by sea.
    expect(generated.some((d) => d.route.transportMode === 'sea')).toBe(false);
    // … but sea freight does arrive, through a port abroad (the bill of lading names it).
    expect(generated.some((d) => d.documents.some((doc) => doc.type === 'N705'))).toBe(true);
  });

  it('declares only HS 2022 subheadings, in the national length, in traders’ currencies', () => {
    const items = declarations
      .filter((d) => d.reference.startsWith('GEN-'))
      .flatMap((d) => d.goodsItems);
    expect(items.filter((g) => !isKnownHsSubheading(g.hsCode!))).toEqual([]);
    expect(new Set(items.map((g) => g.hsCode!.length))).toEqual(new Set([6, 10]));
    const currencies = new Set(items.map((g) => g.currency));
    for (const c of currencies)
      expect(['EUR', 'USD', 'CNY', 'RUB', 'GBP', 'PLN', 'BYN']).toContain(c);
  });

  it('has the demo trader lodge under its own EORI and import scrap as itself', () => {
    const trader = declarations.filter(
      (d) => d.reference.startsWith('GEN-') && d.declarant.id === ECOMET.id,
    );
    expect(trader.length).toBeGreaterThan(0);
    for (const d of trader) {
      expect(d.declarant).toEqual(ECOMET);
      expect(d.goodsItems.every((g) => /^(7204|7404|7602)/.test(g.hsCode!))).toBe(true);
    }
  });

  it('lodges the cargo reports under the demo trader’s own EORI', async () => {
    const reports = await t.db.read.cargo.list({ limit: 50 });
    expect(reports).toHaveLength(7);
    const ids = new Set<string | undefined>();
    for (const r of reports) {
      const d = declarations.find((x) => x.id === r.declarationId);
      ids.add(d?.declarant.id);
    }
    expect([...ids]).toEqual([ECOMET.id]);
  });

  it('shows mirror gaps: our declared imports against the main partner’s exports, two lines flagged', async () => {
    const analyst = await principalOfUser(ctx, 'analyst');
    const gaps = await mirrorGaps(ctx, analyst, { all: true });
    // The partner that reports: its lines compared, two flagged; the others' imports only ours.
    const reported = gaps.rows.filter((r) => r.exportFob > 0);
    expect(new Set(reported.map((r) => r.partner)).size).toBe(1);
    expect(reported.length).toBeGreaterThanOrEqual(4);
    expect(
      reported
        .filter((r) => r.flags.length > 0)
        .map((r) => r.flags.join())
        .sort(),
    ).toEqual(['quantity-gap', 'under-declared-value']);
  });
});
