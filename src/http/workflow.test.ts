import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';

describe.each(BACKENDS)('joint authoring of indicators on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let customs: string;
  /** A second analyst of the same customs agency: approves what `customs` saved. */
  let customs2: string;
  let env: string;
  let env2: string;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    customs = world.tokens.riskAnalyst;
    env = world.tokens.ecologist;
    customs2 = world.tokens.secondAnalyst;
    env2 = world.tokens.secondEcologist;
    // The list the indicators use, approved by customs alone (its only named agency).
    const list = await post('PUT', '/api/reference-lists/e-waste', customs, {
      kind: 'hs-prefixes',
      title: 'E-waste (HS 2022 heading 8549)',
      entries: ['8549'],
      sharing: 'shareable',
    });
    expect(list.statusCode, list.body).toBe(200);
    ok(await post('POST', '/api/reference-lists/e-waste/submit', customs, { version: 1 }));
    ok(await post('POST', '/api/reference-lists/e-waste/approve', customs2, { version: 1 }));
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  function post(
    method: 'POST' | 'PUT',
    url: string,
    token: string,
    payload: unknown,
  ): Promise<LightMyRequestResponse> {
    return app.inject({ method, url, payload: payload as object, headers: bearer(token) });
  }
  const get = (url: string, token = customs) => app.inject({ url, headers: bearer(token) });
  function ok(r: LightMyRequestResponse): Record<string, unknown> {
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  }
  const indicator = (over: Record<string, unknown> = {}) => ({
    title: 'E-waste without consent',
    priorityArea: 'e-waste',
    condition: 'hsIn(item.hs, "e-waste") && !hasValidPermit("waste-consent")',
    weight: 60,
    controlForm: 'physical-inspection',
    rationale: 'Transboundary movements of e-waste need prior informed consent.',
    coAuthorAgencies: ['BY-E'],
    ...over,
  });
  /** The e-waste hit of a what-if screening of the sample declaration, if any. */
  const screenedVersion = async (id: string) => {
    const r = ok(await post('POST', '/api/screen?seed=1', customs, sampleDeclaration()));
    const hits = (
      r.assessment as { hits: Array<{ indicatorId: string; indicatorVersion: number }> }
    ).hits;
    return hits.find((h) => h.indicatorId === id)?.indicatorVersion ?? null;
  };
  const auditOf = async (id: string) =>
    (await t.db.read.audit.listFor('indicator', id)).map((e) => ({
      action: e.action,
      agencyId: e.agencyId,
      actorId: e.actorId,
      version: e.details.version,
      comment: e.details.comment,
    }));

  it('activates only once every named agency has approved that exact version', async () => {
    const created = ok(await post('POST', '/api/indicators', customs, indicator()));
    const id = created.id as string;
    expect(created).toMatchObject({
      version: 1,
      status: 'draft',
      ownerAgencyId: world.principals.riskAnalyst.agencyId,
      coAuthorAgencyIds: [world.principals.ecologist.agencyId],
    });
    // A draft screens nothing.
    expect(await screenedVersion(id)).toBeNull();
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    const first = ok(
      await post('POST', `/api/indicators/${id}/approve`, customs2, {
        version: 1,
        comment: 'customs agrees',
      }),
    );
    expect(first).toMatchObject({ status: 'awaiting-approval' });
    expect(await screenedVersion(id)).toBeNull();
    const second = ok(
      await post('POST', `/api/indicators/${id}/approve`, env, {
        version: 1,
        comment: 'environment agrees',
      }),
    );
    expect(second).toMatchObject({ status: 'active' });
    expect(await screenedVersion(id)).toBe(1);

    const approvals = ok(await get(`/api/indicators/${id}/approvals`)) as unknown as Array<{
      agencyId: string;
      comment: string;
    }>;
    expect(approvals.map((a) => [a.agencyId, a.comment])).toEqual([
      [world.principals.riskAnalyst.agencyId, 'customs agrees'],
      [world.principals.ecologist.agencyId, 'environment agrees'],
    ]);
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({ action: 'indicator.created', version: 1 }),
      expect.objectContaining({ action: 'indicator.submitted', version: 1 }),
      {
        action: 'indicator.approved',
        agencyId: world.principals.riskAnalyst.agencyId,
        actorId: world.principals.secondAnalyst.userId,
        version: 1,
        comment: 'customs agrees',
      },
      {
        action: 'indicator.approved',
        agencyId: world.principals.ecologist.agencyId,
        actorId: world.principals.ecologist.userId,
        version: 1,
        comment: 'environment agrees',
      },
      expect.objectContaining({ action: 'indicator.activated', version: 1 }),
    ]);
  });

  it('resets approvals on an edit; the active version screens until the new one is approved', async () => {
    const id = (ok(await post('POST', '/api/indicators', customs, indicator())) as { id: string })
      .id;
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, env, { version: 1 }));

    const v2 = ok(await post('PUT', `/api/indicators/${id}`, env, indicator({ weight: 90 })));
    expect(v2).toMatchObject({ version: 2, status: 'draft' });
    ok(await post('POST', `/api/indicators/${id}/submit`, env, { version: 2 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, customs, { version: 2 }));
    // Customs approved version 2; the environmental agency edits again: version 3 starts over.
    const v3 = ok(await post('PUT', `/api/indicators/${id}`, env, indicator({ weight: 95 })));
    expect(v3).toMatchObject({ version: 3, status: 'draft' });
    ok(await post('POST', `/api/indicators/${id}/submit`, env, { version: 3 }));
    expect(await screenedVersion(id)).toBe(1);
    const stale = await post('POST', `/api/indicators/${id}/approve`, customs, { version: 2 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      detail: expect.stringMatching(/not the newest/) as unknown,
    });
    const envOnly = ok(await post('POST', `/api/indicators/${id}/approve`, env2, { version: 3 }));
    expect(envOnly).toMatchObject({ status: 'awaiting-approval' });
    // Per agency, with names: who approved which version; only the environment has approved 3.
    const byAgency = ok(await get(`/api/indicators/${id}/agencies`)) as {
      version: number;
      agencies: Array<{
        code: string;
        role: string;
        approvedNewest: boolean;
        approvals: Array<{ version: number; username: string; at: string }>;
      }>;
    };
    expect(byAgency.version).toBe(3);
    expect(
      byAgency.agencies.map((a) => [
        a.code,
        a.role,
        a.approvedNewest,
        a.approvals.map((x) => `${x.version}:${x.username}`),
      ]),
    ).toEqual([
      ['BY-C', 'owner', false, ['1:second-analyst', '2:home-analyst']],
      ['BY-E', 'co-author', true, ['1:ecologist', '3:second-ecologist']],
    ]);
    expect(Date.parse(byAgency.agencies[1]!.approvals[1]!.at)).not.toBeNaN();
    expect((await get(`/api/indicators/${id}/agencies`, world.tokens.trader)).statusCode).toBe(403);
    ok(await post('POST', `/api/indicators/${id}/approve`, customs, { version: 3 }));
    expect(await screenedVersion(id)).toBe(3);

    const versions = ok(await get(`/api/indicators/${id}/versions`)) as unknown as Array<{
      version: number;
      status: string;
    }>;
    expect(versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'active'],
    ]);
    const diff = ok(await get(`/api/indicators/${id}/versions/1/diff/3`));
    expect(diff).toEqual({ id, from: 1, to: 3, changes: [{ field: 'weight', from: 60, to: 95 }] });
  });

  it('refuses an approval from an agency not named, or by a role that does not author, changing nothing', async () => {
    const id = (
      ok(await post('POST', '/api/indicators', customs, indicator({ coAuthorAgencies: [] }))) as {
        id: string;
      }
    ).id;
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    const before = await t.db.read.audit.listFor('indicator', id);
    for (const token of [env, world.tokens.officer, world.tokens.foreignOfficer]) {
      const r = await post('POST', `/api/indicators/${id}/approve`, token, { version: 1 });
      expect(r.statusCode, r.body).toBe(403);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
    }
    const edit = await post('PUT', `/api/indicators/${id}`, env, indicator());
    expect(edit.statusCode).toBe(403);
    expect(ok(await get(`/api/indicators/${id}`))).toMatchObject({
      version: 1,
      status: 'awaiting-approval',
    });
    expect(ok(await get(`/api/indicators/${id}/approvals`))).toEqual([]);
    expect(await t.db.read.audit.listFor('indicator', id)).toEqual(before);
    // The only named agency approves once; a second approval is a conflict.
    ok(await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 }));
    const again = await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 });
    expect(again.statusCode).toBe(409);
  });

  it('returns a rejected version to draft with the reason, withdrawing its approvals', async () => {
    const id = (ok(await post('POST', '/api/indicators', customs, indicator())) as { id: string })
      .id;
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 }));
    const rejected = ok(
      await post('POST', `/api/indicators/${id}/reject`, env, {
        version: 1,
        reason: 'add the movement document C670 to the expected documents',
      }),
    );
    expect(rejected).toMatchObject({ status: 'draft' });
    expect(ok(await get(`/api/indicators/${id}/approvals`))).toEqual([]);
    expect((await auditOf(id)).at(-1)).toMatchObject({
      action: 'indicator.rejected',
      agencyId: world.principals.ecologist.agencyId,
      comment: 'add the movement document C670 to the expected documents',
    });
    // Resubmitted, it needs both approvals again.
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    expect(
      ok(await post('POST', `/api/indicators/${id}/approve`, env, { version: 1 })),
    ).toMatchObject({ status: 'awaiting-approval' });
  });

  /** A joint indicator (customs with the environment), active at version 1. */
  const activeJoint = async (over: Record<string, unknown> = {}) => {
    const id = (
      ok(await post('POST', '/api/indicators', customs, indicator(over))) as { id: string }
    ).id;
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, env, { version: 1 }));
    expect(await screenedVersion(id)).toBe(1);
    return id;
  };
  const expectForbidden = (r: LightMyRequestResponse, detail: RegExp) => {
    expect(r.statusCode, r.body).toBe(403);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.json()).toMatchObject({ detail: expect.stringMatching(detail) as unknown });
  };

  it('four eyes: nobody approves a version they saved; another author of that agency approves for it', async () => {
    const id = (ok(await post('POST', '/api/indicators', customs, indicator())) as { id: string })
      .id;
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, env, { version: 1 }));
    const before = await t.db.read.audit.listFor('indicator', id);
    expectForbidden(
      await post('POST', `/api/indicators/${id}/approve`, customs, { version: 1 }),
      /you saved version 1/,
    );
    expect(await t.db.read.audit.listFor('indicator', id)).toEqual(before);
    expect(await screenedVersion(id)).toBeNull();
    const approved = ok(
      await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 }),
    );
    expect(approved).toMatchObject({ status: 'active' });
    const activated = (await t.db.read.audit.listFor('indicator', id)).at(-1)!;
    expect(activated).toMatchObject({
      action: 'indicator.activated',
      actorId: world.principals.secondAnalyst.userId,
      details: {
        authoredBy: world.principals.riskAnalyst.userId,
        approvers: [world.principals.ecologist.userId, world.principals.secondAnalyst.userId],
      },
    });
    // The same holds for the environmental agency's own edit, and for reference lists.
    ok(await post('PUT', `/api/indicators/${id}`, env, indicator({ weight: 70 })));
    ok(await post('POST', `/api/indicators/${id}/submit`, env, { version: 2 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, customs, { version: 2 }));
    expectForbidden(
      await post('POST', `/api/indicators/${id}/approve`, env, { version: 2 }),
      /you saved version 2/,
    );
    ok(await post('POST', `/api/indicators/${id}/approve`, env2, { version: 2 }));
    expect(await screenedVersion(id)).toBe(2);
    ok(
      await post('PUT', '/api/reference-lists/own-eyes', customs, {
        kind: 'countries',
        title: 'Self-approved?',
        entries: ['CN'],
      }),
    );
    ok(await post('POST', '/api/reference-lists/own-eyes/submit', customs, { version: 1 }));
    expectForbidden(
      await post('POST', '/api/reference-lists/own-eyes/approve', customs, { version: 1 }),
      /you saved version 1/,
    );
    expect(
      ok(await post('POST', '/api/reference-lists/own-eyes/approve', customs2, { version: 1 })),
    ).toMatchObject({ status: 'active' });
  });

  it('four eyes: a version that drops a co-author needs that co-author to approve it too', async () => {
    const id = await activeJoint();
    const v2 = ok(
      await post(
        'PUT',
        `/api/indicators/${id}`,
        customs,
        indicator({ coAuthorAgencies: [], weight: 5 }),
      ),
    );
    expect(v2).toMatchObject({ version: 2, coAuthorAgencyIds: [] });
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 2 }));
    const customsOnly = ok(
      await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 2 }),
    );
    // Customs alone cannot activate it: the environment, named on version 1, must agree.
    expect(customsOnly).toMatchObject({ status: 'awaiting-approval' });
    expect(await screenedVersion(id)).toBe(1);
    const byAgency = ok(await get(`/api/indicators/${id}/agencies`)) as {
      agencies: Array<{ code: string; role: string; approvedNewest: boolean }>;
    };
    expect(byAgency.agencies.map((a) => [a.code, a.role, a.approvedNewest])).toEqual([
      ['BY-C', 'owner', true],
      ['BY-E', 'former-co-author', false],
    ]);
    // Nobody outside the two agencies approves for them.
    for (const token of [world.tokens.officer, world.tokens.foreignOfficer]) {
      expect(
        (await post('POST', `/api/indicators/${id}/approve`, token, { version: 2 })).statusCode,
      ).toBe(403);
    }
    // The dropped co-author may send it back, or approve it: then version 2 is active.
    const sentBack = ok(
      await post('POST', `/api/indicators/${id}/reject`, env, {
        version: 2,
        reason: 'keep us on it',
      }),
    );
    expect(sentBack).toMatchObject({ status: 'draft' });
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 2 }));
    ok(await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 2 }));
    const activated = ok(await post('POST', `/api/indicators/${id}/approve`, env, { version: 2 }));
    expect(activated).toMatchObject({ status: 'active', coAuthorAgencyIds: [] });
    expect(await screenedVersion(id)).toBe(2);
    expect((await t.db.read.audit.listFor('indicator', id)).at(-1)).toMatchObject({
      action: 'indicator.activated',
      details: {
        version: 2,
        approvedBy: [world.principals.riskAnalyst.agencyId, world.principals.ecologist.agencyId],
      },
    });
  });

  it('four eyes: a joint indicator retires once every owning agency agrees; a single-agency one at once, by its owner', async () => {
    const id = await activeJoint();
    const requested = await post('POST', `/api/indicators/${id}/retire`, env, {
      version: 1,
      comment: 'replaced by the library indicator',
    });
    expect(requested.statusCode, requested.body).toBe(202);
    expect(requested.json()).toMatchObject({
      status: 'active',
      retirement: {
        agreedBy: [world.principals.ecologist.agencyId],
        remaining: [world.principals.riskAnalyst.agencyId],
      },
    });
    // The environment alone has not retired it: it still screens.
    expect(await screenedVersion(id)).toBe(1);
    expect(
      (await post('POST', `/api/indicators/${id}/retire`, env2, { version: 1 })).statusCode,
    ).toBe(409);
    for (const token of [world.tokens.officer, world.tokens.foreignOfficer, world.tokens.trader]) {
      expect(
        (await post('POST', `/api/indicators/${id}/retire`, token, { version: 1 })).statusCode,
      ).toBe(403);
    }
    const retired = ok(await post('POST', `/api/indicators/${id}/retire`, customs, { version: 1 }));
    expect(retired).toMatchObject({ status: 'retired' });
    expect(await screenedVersion(id)).toBeNull();
    expect((await post('PUT', `/api/indicators/${id}`, customs, indicator())).statusCode).toBe(409);
    const audit = await t.db.read.audit.listFor('indicator', id);
    expect(audit.slice(-2)).toMatchObject([
      {
        action: 'indicator.retirement-requested',
        actorId: world.principals.ecologist.userId,
        details: { version: 1, remaining: [world.principals.riskAnalyst.agencyId] },
      },
      {
        action: 'indicator.retired',
        actorId: world.principals.riskAnalyst.userId,
        details: {
          versions: [1],
          requestedBy: world.principals.ecologist.userId,
          approvers: [world.principals.ecologist.userId, world.principals.riskAnalyst.userId],
        },
      },
    ]);
    const agreements = (
      ok(await get(`/api/indicators/${id}/approvals`)) as unknown as Array<{
        purpose: string;
        agencyId: string;
      }>
    ).filter((a) => a.purpose === 'retirement');
    expect(agreements.map((a) => a.agencyId)).toEqual([
      world.principals.ecologist.agencyId,
      world.principals.riskAnalyst.agencyId,
    ]);

    // Customs alone owns this one: its analyst retires it at once; the environment may not.
    const single = (
      ok(await post('POST', '/api/indicators', customs, indicator({ coAuthorAgencies: [] }))) as {
        id: string;
      }
    ).id;
    ok(await post('POST', `/api/indicators/${single}/submit`, customs, { version: 1 }));
    ok(await post('POST', `/api/indicators/${single}/approve`, customs2, { version: 1 }));
    expectForbidden(
      await post('POST', `/api/indicators/${single}/retire`, env, { version: 1 }),
      /does not own/,
    );
    const once = await post('POST', `/api/indicators/${single}/retire`, customs, { version: 1 });
    expect(once.statusCode, once.body).toBe(200);
    expect(once.json()).toMatchObject({ status: 'retired' });
  });

  it('does not activate an indicator whose list is not in force, and keeps the approval unrecorded', async () => {
    ok(
      await post('PUT', '/api/reference-lists/new-scrap', customs, {
        kind: 'hs-prefixes',
        title: 'Scrap',
        entries: ['7204'],
      }),
    );
    const id = (
      ok(
        await post(
          'POST',
          '/api/indicators',
          customs,
          indicator({ condition: 'hsIn(item.hs, "new-scrap")', coAuthorAgencies: [] }),
        ),
      ) as { id: string }
    ).id;
    ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
    const r = await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ detail: expect.stringMatching(/new-scrap/) as unknown });
    expect(ok(await get(`/api/indicators/${id}/approvals`))).toEqual([]);
    // Once the list is approved, the indicator can be.
    ok(await post('POST', '/api/reference-lists/new-scrap/submit', customs, { version: 1 }));
    ok(await post('POST', '/api/reference-lists/new-scrap/approve', customs2, { version: 1 }));
    expect(
      ok(await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 })),
    ).toMatchObject({ status: 'active' });
    // And the list cannot be retired while an active indicator uses it.
    const retire = await post('POST', '/api/reference-lists/new-scrap/retire', customs, {
      version: 1,
    });
    expect(retire.statusCode).toBe(409);
  });

  it('never exports a national indicator; shareable ones leave without authorship', async () => {
    const activate = async (over: Record<string, unknown>) => {
      const id = (
        ok(
          await post(
            'POST',
            '/api/indicators',
            customs,
            indicator({ coAuthorAgencies: [], ...over }),
          ),
        ) as { id: string }
      ).id;
      ok(await post('POST', `/api/indicators/${id}/submit`, customs, { version: 1 }));
      ok(await post('POST', `/api/indicators/${id}/approve`, customs2, { version: 1 }));
      return id;
    };
    const national = await activate({ title: 'Confidential targeting profile' });
    const shared = await activate({
      title: 'Shared e-waste method',
      sharing: 'shareable',
      sources: ['Basel Convention'],
    });
    const exported = ok(await get('/api/exchange/method-information')) as {
      indicators: Array<Record<string, unknown>>;
      lists: Array<Record<string, unknown>>;
    };
    const ids = exported.indicators.map((i) => i.id);
    expect(ids).toContain(shared);
    expect(ids).not.toContain(national);
    for (const i of exported.indicators) {
      const stored = ok(await get(`/api/indicators/${i.id as string}`));
      expect(stored.sharing).toBe('shareable');
    }
    const text = JSON.stringify(exported);
    expect(text).not.toContain('Confidential targeting profile');
    expect(text).not.toContain(world.principals.riskAnalyst.agencyId);
    expect(text).not.toContain(world.principals.riskAnalyst.userId);
    expect(exported.lists.map((l) => l.name)).toEqual(['e-waste']);
    // Traders see no method information at all.
    expect((await get('/api/exchange/method-information', world.tokens.trader)).statusCode).toBe(
      403,
    );
  });
});
