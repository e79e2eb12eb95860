import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { naiveAmend } from '../test-support/naive-amend.js';

const CONCURRENT = 24;

/**
 * Many amendments of one declaration, all made against version 1, at once: exactly one applies,
 * every other gets 409, none a 5xx, and the versions stay 1, 2. A naive read-then-write amendment
 * run the same way must be caught applying more than one.
 */
describe.each(BACKENDS)('concurrent amendments of one declaration on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  async function lodge(reference: string): Promise<string> {
    const r = await app.inject({
      method: 'POST',
      url: '/api/declarations',
      headers: { 'content-type': 'application/json', ...bearer(world.tokens.trader) },
      payload: JSON.stringify(sampleDeclaration({ reference })),
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json<{ id: string }>().id;
  }

  it(`applies exactly one of ${CONCURRENT} amendments made against one version`, async () => {
    const id = await lodge('RACE-1');
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, k) =>
        app.inject({
          method: 'POST',
          url: `/api/declarations/${id}/amendments`,
          headers: { 'content-type': 'application/json', ...bearer(world.tokens.trader) },
          payload: JSON.stringify({
            version: 1,
            reasonCode: '28',
            changes: [{ item: 1, field: '/netMass', value: 1000 + k }],
          }),
        }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(CONCURRENT - 1);
    for (const r of responses.filter((x) => x.statusCode === 409)) {
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.json<{ detail: string }>().detail).toMatch(/version/);
    }
    const winner = responses
      .find((r) => r.statusCode === 200)!
      .json<{
        declaration: { goodsItems: Array<{ netMass: number }> };
      }>();
    const versions = await t.db.read.declarations.versions(id);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    // The stored content is the winner's, and so is version 2.
    const stored = await t.db.read.declarations.findById(id);
    expect(stored?.goodsItems[0]?.netMass).toBe(winner.declaration.goodsItems[0]!.netMass);
    expect(versions[1]!.content.goodsItems[0]!.netMass).toBe(stored?.goodsItems[0]?.netMass);
    const audited = await t.db.read.audit.listFor('declaration', id);
    expect(audited.filter((e) => e.action === 'declaration.amended')).toHaveLength(1);

    // A second round against the version that won: again exactly one, versions 1, 2, 3.
    const again = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, k) =>
        app.inject({
          method: 'POST',
          url: `/api/declarations/${id}/amendments`,
          headers: { 'content-type': 'application/json', ...bearer(world.tokens.trader) },
          payload: JSON.stringify({
            version: 2,
            changes: [{ item: 1, field: '/netMass', value: 2000 + k }],
          }),
        }),
      ),
    );
    expect(again.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(again.filter((r) => r.statusCode === 409)).toHaveLength(CONCURRENT - 1);
    expect((await t.db.read.declarations.versions(id)).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('catches the naive read-then-write amendment applying more than one (negative control)', async () => {
    const id = await lodge('RACE-NAIVE');
    const results = await Promise.allSettled(
      Array.from({ length: CONCURRENT }, (_, k) =>
        naiveAmend(t.db, id, 1, [
          { op: 'set', item: 1, field: '/netMass', value: 3000 + k, source: `/changes/${k}` },
        ]),
      ),
    );
    const applied = results.filter((r) => r.status === 'fulfilled').length;
    const conflicts = results.filter(
      (r) =>
        r.status === 'rejected' && r.reason instanceof DomainError && r.reason.code === 'conflict',
    ).length;
    // What the correct amendment guarantees, broken: several "applied", lost updates, no version.
    expect(applied).toBeGreaterThan(1);
    expect(conflicts).toBeLessThan(CONCURRENT - 1);
    expect((await t.db.read.declarations.versions(id)).map((v) => v.version)).toEqual([1]);
  });
});
