import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { hs2022Codes } from '../core/reference/lookup.js';
import { PRIORITY_AREAS } from '../core/risk/indicator.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { seedWorld, testContext } from '../test-support/app.js';
import { createAdmin, loadLibraryOnFirstStart } from './bootstrap.js';
import { loadLibrary, readLibrary } from './library.js';
import { createAgency } from './manage-identity.js';
import { screenWithoutStoring } from './screen-declaration.js';

interface Case {
  area: string;
  note: string;
  declaration: DeclarationInput;
  hits: string[];
  channel: string;
}
const CASES = (
  JSON.parse(
    readFileSync(new URL('../../test/fixtures/library/declarations.json', import.meta.url), 'utf8'),
  ) as { cases: Case[] }
).cases;

describe('the shipped reference library', () => {
  it('names only codes of HS 2022, and covers every priority area', async () => {
    const library = await readLibrary();
    const hs = new Set(hs2022Codes());
    const hsEntries = library.lists
      .filter((l) => l.kind === 'hs-prefixes')
      .flatMap((l) => l.entries);
    expect(hsEntries.length).toBeGreaterThan(100);
    expect(hsEntries.filter((code) => !hs.has(code))).toEqual([]);
    const areas = new Set(library.indicators.map((i) => i.priorityArea));
    expect([...PRIORITY_AREAS].filter((a) => !areas.has(a))).toEqual([]);
    for (const i of library.indicators) {
      expect(i.rationale.length, i.key).toBeGreaterThan(40);
      expect(i.sources?.length, i.key).toBeGreaterThan(0);
    }
    // 8548.10 held e-waste before HS 2022 created heading 8549: the library must not use it.
    expect(hsEntries).not.toContain('854810');
  });

  it('has a fixture declaration for every priority area', () => {
    expect([...PRIORITY_AREAS].filter((a) => !CASES.some((c) => c.area === a))).toEqual([]);
  });
});

describe.each(BACKENDS)('loading the library on %s', (backend) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('loads pre-approved (demo) on an empty database, screens the fixtures as expected, and a second load changes nothing', async () => {
    t = await freshDatabase(backend);
    const world = await seedWorld(t.db);
    const { riskAnalyst, secondAnalyst, ecologist } = world.principals;
    const library = await readLibrary();
    const first = await loadLibrary(world.ctx, library, {
      author: riskAnalyst,
      coAuthorAgencyIds: [ecologist.agencyId],
      approvers: [secondAnalyst, ecologist],
    });
    expect(first).toEqual({
      lists: { created: library.lists.length, revised: 0, unchanged: 0 },
      indicators: { created: library.indicators.length, revised: 0, unchanged: 0 },
      awaitingApproval: 0,
    });
    const active = await t.db.read.indicators.listActive();
    expect(active.map((i) => i.id).sort()).toEqual(library.indicators.map((i) => i.key).sort());
    expect(active.every((i) => i.coAuthorAgencyIds[0] === ecologist.agencyId)).toBe(true);

    for (const c of CASES) {
      const { assessment } = await screenWithoutStoring(world.ctx, riskAnalyst, c.declaration, {
        seed: 1,
      });
      const hits = [...new Set(assessment.hits.map((h) => h.indicatorId))].sort();
      expect(hits, `${c.declaration.reference}: ${c.note}`).toEqual([...c.hits].sort());
      expect(assessment.channel, `${c.declaration.reference}: ${c.note}`).toBe(c.channel);
    }

    const second = await loadLibrary(world.ctx, library, {
      author: riskAnalyst,
      coAuthorAgencyIds: [ecologist.agencyId],
      approvers: [secondAnalyst, ecologist],
    });
    expect(second).toEqual({
      lists: { created: 0, revised: 0, unchanged: library.lists.length },
      indicators: { created: 0, revised: 0, unchanged: library.indicators.length },
      awaitingApproval: 0,
    });
  });

  it('on a real install, loads at first start as drafts submitted to customs and the environmental agency, nothing active', async () => {
    t = await freshDatabase(backend);
    const ctx = testContext(t.db);
    await createAdmin(ctx, { username: 'root', country: 'BY', administrationName: 'Customs' });
    const administration = (await t.db.read.identity.listAdministrations())[0]!;
    const envId = await t.db.write((tx) =>
      createAgency(ctx, tx, {
        administrationId: administration.id,
        kind: 'environment',
        code: 'BY-ENV',
        name: 'Environment ministry',
      }),
    );
    const report = await loadLibraryOnFirstStart(ctx);
    const library = await readLibrary();
    expect(report?.awaitingApproval).toBe(library.lists.length + library.indicators.length);
    expect(await t.db.read.indicators.listActive()).toEqual([]);
    const latest = await t.db.read.indicators.listLatest();
    expect(latest.every((i) => i.status === 'awaiting-approval')).toBe(true);
    expect(latest.every((i) => i.coAuthorAgencyIds.includes(envId))).toBe(true);
    expect((await ctx.risk.engine()).indicators).toHaveLength(0);
    // Indicators exist now: a second start loads nothing.
    expect(await loadLibraryOnFirstStart(ctx)).toBeNull();
  });
});
