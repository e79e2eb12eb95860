import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { createUser, issueApiToken } from '../app/manage-identity.js';

interface Control {
  kind: string;
  status: string;
  nextActions: string[];
  releaseBlocked: string | null;
  assignees: Array<{ username: string; self: boolean }>;
  referTo: Array<{ code: string }>;
  explanation: {
    summary: string;
    risks: Array<{ title: string; area: string; why: string; check: string; items: number[] }>;
  } | null;
}

/**
 * What an officer may do next on a declaration, as the control answer tells the console, and the
 * checks behind each action: a typed hold reason, an inspection with its result and findings, no
 * release or hold of an entry summary declaration, messages in words (no API path, no condition).
 */
describe.each(BACKENDS)('officer actions on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let officer: string;
  let manager: string;
  const ids: Record<string, string> = {};

  const send = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  function ok(r: LightMyRequestResponse): Record<string, unknown> {
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  }
  const control = async (key: string, token = officer) =>
    ok(await send('GET', `/api/declarations/${ids[key]}/control`, token)) as unknown as Control;
  const fields = (r: LightMyRequestResponse) =>
    r.json<{ errors?: Array<{ field: string }> }>().errors?.map((e) => e.field) ?? [];
  const inspection = (over: Record<string, unknown> = {}) => ({
    controlForm: 'physical-inspection',
    startedAt: '2026-11-02T11:00:00Z',
    endedAt: '2026-11-02T12:30:00Z',
    result: 'compliant',
    findings: [],
    findingsText: 'Seals intact, goods as declared.',
    itemsAffected: [],
    ...over,
  });

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    app = await testHttpApp(world.ctx);
    officer = world.tokens.officer;
    manager = await t.db.write(async (tx) => {
      const id = await createUser(world.ctx, tx, {
        agencyId: world.principals.officer.agencyId,
        username: 'chief',
        displayName: 'Chief',
        roles: ['manager'],
        password: null,
      });
      return (await issueApiToken(world.ctx, tx, { userId: id, name: 't' })).token;
    });
    await t.db.write((tx) =>
      createUser(world.ctx, tx, {
        agencyId: world.principals.officer.agencyId,
        username: 'colleague',
        displayName: 'A colleague',
        roles: ['border_officer'],
        password: null,
      }),
    );
    const analyst = world.tokens.riskAnalyst;
    const id = ok(
      await send('POST', '/api/indicators', analyst, {
        title: 'Scrap at a token price',
        priorityArea: 'waste-and-scrap-metal',
        condition: 'item.hs.startsWith("7204") && item.valuePerKg < 0.1',
        weight: 90,
        controlForm: 'physical-inspection',
        rationale: 'Scrap declared far below its market price often hides mixed waste.',
      }),
    ).id as string;
    ok(await send('POST', `/api/indicators/${id}/submit`, analyst, { version: 1 }));
    ok(
      await send('POST', `/api/indicators/${id}/approve`, world.tokens.secondAnalyst, {
        version: 1,
      }),
    );
    const lodge = async (key: string, d: DeclarationInput) => {
      ids[key] = (ok(await send('POST', '/api/declarations', officer, d)) as { id: string }).id;
    };
    const scrap = (reference: string, kind: DeclarationInput['kind'] = 'import') => {
      const base = sampleDeclaration({ reference, kind });
      return {
        ...base,
        goodsItems: [
          {
            ...base.goodsItems[0]!,
            hsCode: '7204490000',
            description: 'Ferrous scrap',
            netMass: 20_000,
            grossMass: 20_010,
            value: 500,
            currency: 'EUR',
          },
        ],
      };
    };
    await lodge('red', scrap('R1'));
    await lodge('held', scrap('R2'));
    await lodge('ens', scrap('ENS1', 'cargo-report'));
    await lodge('permits', sampleDeclaration({ reference: 'P1' }));
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('tells an officer what may be done now, with whom and where, in words', async () => {
    const c = await control('red');
    expect(c.nextActions).toEqual(['assign', 'inspect', 'hold', 'refer']);
    expect(c.releaseBlocked).toMatch(/Record the control first/);
    expect(c.assignees).toEqual([{ username: 'officer', displayName: 'officer', self: true }]);
    expect(c.referTo.map((a) => a.code)).toEqual(['BY-E']);
    expect(c.explanation).toMatchObject({
      summary: 'Red channel: a physical inspection is called for. One reason below.',
      risks: [
        {
          title: 'Scrap at a token price',
          area: 'waste and scrap metal',
          items: [1],
          why: 'Scrap declared far below its market price often hides mixed waste.',
          check: 'A physical inspection',
        },
      ],
    });
    expect(JSON.stringify(c.explanation)).not.toMatch(/condition|startsWith|valuePerKg|7204"/);
    // A manager assigns to any officer and does nothing else.
    const m = await control('red', manager);
    expect(m.nextActions).toEqual(['assign']);
    expect(m.assignees.map((a) => a.username).sort()).toEqual(['colleague', 'officer']);
    expect(m.releaseBlocked).toBeNull();
    // The officer takes it.
    const taken = ok(
      await send('POST', `/api/declarations/${ids.red}/assign`, officer, { officer: 'officer' }),
    );
    expect(taken).toMatchObject({
      status: 'under-control',
      assignee: { displayName: 'officer', self: true },
      assignees: [],
    });
    expect((await control('red', manager)) as unknown).toMatchObject({
      assignee: { displayName: 'officer', self: false },
    });
    // Taken: not offered to the officer again; the manager may still hand it to a colleague.
    expect((taken as unknown as Control).nextActions).not.toContain('assign');
    expect((await control('red', manager)).assignees.map((a) => a.username)).toEqual(['colleague']);
  });

  it('refuses an inspection without its result or an account of what was found', async () => {
    const { result: _result, ...noResult } = inspection();
    const missing = await send(
      'POST',
      `/api/declarations/${ids.red}/inspections`,
      officer,
      noResult,
    );
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['/result']);
    const empty = await send(
      'POST',
      `/api/declarations/${ids.red}/inspections`,
      officer,
      inspection({ findingsText: '   ' }),
    );
    expect(empty.statusCode).toBe(400);
    expect(fields(empty)).toEqual(['/findingsText']);
    // Nothing was recorded: release is still not offered, and the server refuses it in words.
    expect((await control('red')).nextActions).not.toContain('release');
    const early = await send('POST', `/api/declarations/${ids.red}/release`, officer);
    expect(early.statusCode).toBe(409);
    expect(early.json<{ detail: string }>().detail).not.toMatch(/\/api\//);

    const recorded = ok(
      await send(
        'POST',
        `/api/declarations/${ids.red}/inspections`,
        officer,
        inspection({
          result: 'non-compliant',
          findings: ['undervalued'],
          findingsText: 'Invoice at 0.025 EUR/kg; market price about 0.3 EUR/kg.',
          itemsAffected: [1],
        }),
      ),
    ) as unknown as Control;
    expect(recorded.nextActions).toEqual(['inspect', 'correct', 'hold', 'refer', 'release']);
    expect(recorded.releaseBlocked).toBeNull();
    ok(await send('POST', `/api/declarations/${ids.red}/release`, officer));
    expect((await control('red')).nextActions).toEqual([]);
  });

  it('holds only with a typed reason, and records it', async () => {
    for (const reason of ['', '   ']) {
      const r = await send('POST', `/api/declarations/${ids.held}/hold`, officer, { reason });
      expect(r.statusCode).toBe(400);
      expect(fields(r)).toEqual(['/reason']);
    }
    const held = ok(
      await send('POST', `/api/declarations/${ids.held}/hold`, officer, {
        reason: '  Waiting for the laboratory result on the scrap sample  ',
      }),
    ) as unknown as Control;
    expect(held.status).toBe('held');
    expect(held.nextActions).not.toContain('hold');
    const audit = await t.db.read.audit.listFor('declaration', ids.held!);
    expect(JSON.stringify(audit)).toContain(
      '"reason":"Waiting for the laboratory result on the scrap sample"',
    );
    // Referring asks a question.
    const blank = await send('POST', `/api/declarations/${ids.held}/refer`, officer, {
      agency: 'BY-E',
      reason: ' ',
    });
    expect(blank.statusCode).toBe(400);
    expect(fields(blank)).toEqual(['/reason']);
    const referred = ok(
      await send('POST', `/api/declarations/${ids.held}/refer`, officer, {
        agency: 'BY-E',
        reason: 'Is this scrap hazardous waste under the Basel Convention?',
      }),
    ) as unknown as Control;
    expect(referred.status).toBe('referred');
  });

  it('offers release exactly when the release would go through (permits included)', async () => {
    ok(await send('POST', `/api/declarations/${ids.permits}/inspections`, officer, inspection()));
    const c = await control('permits');
    const release = await send('POST', `/api/declarations/${ids.permits}/release`, officer);
    if (c.nextActions.includes('release')) expect(release.statusCode, release.body).toBe(200);
    else {
      expect(c.releaseBlocked).toMatch(/^Not releasable until the permits are in order: item 1/);
      expect(release.statusCode).toBe(409);
    }
  });

  it('gives an entry summary declaration no release and no hold', async () => {
    const list = ok(await send('GET', '/api/worklist', officer)) as unknown as Array<{
      id: string;
      kind: string;
    }>;
    expect(list.find((e) => e.id === ids.ens)?.kind).toBe('cargo-report');
    const c = await control('ens');
    expect(c.kind).toBe('cargo-report');
    expect(c.nextActions).toEqual(['assign', 'refer']);
    expect(c.releaseBlocked).toMatch(/entry summary declaration is not released/);
    const release = await send('POST', `/api/declarations/${ids.ens}/release`, officer);
    expect(release.statusCode).toBe(409);
    const hold = await send('POST', `/api/declarations/${ids.ens}/hold`, officer, {
      reason: 'Hold the cargo',
    });
    expect(hold.statusCode).toBe(409);
  });
});
