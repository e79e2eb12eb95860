import { screenedStatus } from '../core/controls/inspection.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeclarationRecord, RulePackProposal } from '../core/ports.js';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { migrateToLatest } from './migrate.js';
import { nextDigitString } from './declaration-store.js';
import { sql, type Kysely } from 'kysely';

describe.each(BACKENDS)('storage contract on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;

  beforeEach(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
  });
  afterEach(async () => {
    await t.drop();
  });

  function record(
    n: number,
    over: Partial<DeclarationRecord> = {},
    input = sampleDeclaration(),
  ): DeclarationRecord {
    const checked = validateDeclaration(
      { ...input, reference: `R-${n}` },
      '2026-11-02T10:00:00.000Z',
    );
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
    const officer = world.principals.officer;
    return {
      ...checked.value,
      id: `D${String(n).padStart(6, '0')}`,
      receivedAt: '2026-11-02T10:00:01.000Z',
      agencyId: officer.agencyId,
      submitterAgencyId: officer.agencyId,
      submittedBy: officer.userId,
      sourceFormat: 'json',
      channel: null,
      assessment: null,
      ...over,
    };
  }

  it('migrates idempotently', async () => {
    const again = await migrateToLatest(t.db.kysely as Kysely<unknown>, backend);
    expect(again.results).toEqual([]);
  });

  it('stores a declaration and reads it back unchanged, leading zeros and all', async () => {
    const d = record(1);
    await t.db.write((tx) => tx.declarations.insert(d));
    const back = await t.db.read.declarations.findById(d.id);
    expect(back).toEqual({ ...d, version: 1, status: screenedStatus(d.channel) });
    expect(back?.goodsItems[1]?.hsCode).toBe('0106390000');
    expect(await t.db.read.declarations.count()).toBe(1);
    expect(typeof (await t.db.read.declarations.count())).toBe('number');
  });

  it('filters by office, HS prefix, trader, date, kind and channel', async () => {
    const base = sampleDeclaration();
    await t.db.write(async (tx) => {
      await tx.declarations.insert(
        record(1, { office: 'A1', submittedAt: '2026-01-01T00:00:00.000Z' }),
      );
      await tx.declarations.insert(
        record(
          2,
          { office: 'B2', submittedAt: '2026-02-01T00:00:00.000Z', channel: 'red' },
          {
            ...base,
            declarant: { id: 'GB999', name: 'Other' },
            consignee: { id: 'GB999' },
            goodsItems: [{ sequence: 1, hsCode: '7204490000', description: 'Ferrous scrap' }],
          },
        ),
      );
      await tx.declarations.insert(
        record(
          3,
          { office: 'A1', submittedAt: '2026-03-01T00:00:00.000Z', kind: 'export' },
          {
            ...base,
            goodsItems: [{ sequence: 1, hsCode: '8549990000', description: 'E-waste' }],
          },
        ),
      );
    });
    const list = async (f: object) =>
      (await t.db.read.declarations.list({ limit: 50, ...f })).map((d) => d.reference).sort();
    expect(await list({ office: 'A1' })).toEqual(['R-1', 'R-3']);
    expect(await list({ hsPrefix: '8549' })).toEqual(['R-1', 'R-3']);
    expect(await list({ hsPrefix: '854921' })).toEqual(['R-1']);
    expect(await list({ hsPrefix: '72' })).toEqual(['R-2']);
    expect(await list({ hsPrefix: '01' })).toEqual(['R-1']);
    expect(await list({ hsPrefix: '99' })).toEqual([]);
    expect(await list({ trader: 'GB999' })).toEqual(['R-2']);
    expect(await list({ trader: 'BY100' })).toEqual(['R-1', 'R-3']);
    expect(
      await list({ from: '2026-01-15T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' }),
    ).toEqual(['R-2']);
    expect(await list({ channel: 'red' })).toEqual(['R-2']);
    expect(await list({ channel: 'unscreened' })).toEqual(['R-1', 'R-3']);
    expect(await list({ kind: 'export' })).toEqual(['R-3']);
    expect(await list({ agencyId: 'nobody' })).toEqual([]);
  });

  it('pages with a keyset cursor: every row once, newest first', async () => {
    await t.db.write(async (tx) => {
      for (let i = 0; i < 25; i++) {
        // Several rows share a date so that the id breaks ties.
        const day = String(1 + Math.floor(i / 3)).padStart(2, '0');
        await tx.declarations.insert(record(i, { submittedAt: `2026-05-${day}T00:00:00.000Z` }));
      }
    });
    const seen: string[] = [];
    let after: { submittedAt: string; id: string } | undefined;
    for (;;) {
      const page = await t.db.read.declarations.list({ limit: 7, ...(after ? { after } : {}) });
      seen.push(...page.map((d) => d.id));
      const last = page[page.length - 1];
      if (page.length < 7 || !last) break;
      after = { submittedAt: last.submittedAt, id: last.id };
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const all = await t.db.read.declarations.list({ limit: 100 });
    expect(seen).toEqual(all.map((d) => d.id));
  });

  it('finds tokens with their user and agency, and revokes them', async () => {
    const found = await t.db.read.identity.findUserByUsername('officer');
    expect(found?.roles).toEqual(['border_officer']);
    expect(await t.db.read.identity.countUsers()).toBe(9);
    const agencies = await t.db.read.identity.listAgencies();
    expect(agencies.map((a) => a.code).sort()).toEqual(['BY-C', 'BY-E', 'KZ-C', 'T1', 'T2']);
    const customs = await t.db.read.identity.findCustomsAgency(
      world.principals.officer.administrationId,
    );
    expect(customs?.code).toBe('BY-C');
  });

  it('appends audit events in order', async () => {
    await t.db.write(async (tx) => {
      for (const action of ['user.created', 'agency.created', 'user.signed-in'] as const) {
        await tx.audit.append({
          at: '2026-11-02T10:00:00.000Z',
          agencyId: 'x',
          actorId: null,
          action,
          subjectType: 'thing',
          subjectId: 'T1',
          details: { n: action },
        });
      }
    });
    const events = await t.db.read.audit.listFor('thing', 'T1');
    expect(events.map((e) => e.action)).toEqual([
      'user.created',
      'agency.created',
      'user.signed-in',
    ]);
    expect(events[0]!.seq).toBeLessThan(events[1]!.seq);
    expect(events[2]!.details).toEqual({ n: 'user.signed-in' });
  });

  it('writes each event to the outbox with its change, and nothing of a refused write', async () => {
    const event = (n: number) => ({
      at: '2026-11-02T10:00:00.000Z',
      agencyId: 'x',
      actorId: null,
      action: 'user.created' as const,
      subjectType: 'thing',
      subjectId: `T${n}`,
      details: { n },
    });
    const before = await t.db.read.outbox.head();
    await Promise.all([
      t.db.write((tx) => tx.audit.append(event(1))),
      t.db
        .write(async (tx) => {
          await tx.audit.append(event(2));
          throw new Error('refused');
        })
        .catch(() => undefined),
      t.db.write((tx) => tx.audit.append(event(3))),
    ]);
    const after = await t.db.read.outbox.after(before, 10);
    expect(after.map((e) => e.subjectId)).toEqual(['T1', 'T3']);
    expect(after[0]).toMatchObject({ kind: 'user.created', agencyId: 'x', data: { n: 1 } });
    expect(await t.db.read.audit.listFor('thing', 'T2')).toEqual([]);
    // Resuming after the first gives the second; the head is the last.
    expect((await t.db.read.outbox.after(after[0]!, 10)).map((e) => e.subjectId)).toEqual(['T3']);
    expect(await t.db.read.outbox.head()).toEqual({
      txid: after[1]!.txid,
      position: after[1]!.position,
    });
    expect(await t.db.read.outbox.cursorOf(after[1]!.position)).toEqual(
      await t.db.read.outbox.head(),
    );
    // A subscriber's cursor moves only from where it is.
    const start = await t.db.read.outbox.subscriberCursor('s');
    expect(start).toEqual({ txid: 0, position: 0, delivered: 0 });
    expect(await t.db.write((tx) => tx.outbox.advance('s', start, after[0]!, 1, 'now'))).toBe(true);
    expect(await t.db.write((tx) => tx.outbox.advance('s', start, after[1]!, 1, 'now'))).toBe(
      false,
    );
    expect(await t.db.read.outbox.subscriberCursor('s')).toMatchObject({
      position: after[0]!.position,
      delivered: 1,
    });
  });

  it('refuses a second lodging under one reference by the same organisation as a conflict', async () => {
    const d = record(901, { reference: 'REF-DUP' });
    await t.db.write((tx) => tx.declarations.insert(d));
    const again = t.db.write((tx) => tx.declarations.insert({ ...d, id: 'D000902' }));
    await expect(again).rejects.toMatchObject({ name: 'DomainError', code: 'conflict' });
    // Another organisation, or a cargo report of the same one, may use the same reference.
    const trader = world.principals.trader.agencyId;
    await t.db.write((tx) =>
      tx.declarations.insert({ ...d, id: 'D000903', submitterAgencyId: trader }),
    );
    await t.db.write((tx) => tx.declarations.insert({ ...d, id: 'D000904', kind: 'cargo-report' }));
    expect(
      await t.db.read.declarations.findByReference(
        d.agencyId,
        d.submitterAgencyId,
        'customs',
        'REF-DUP',
      ),
    ).toMatchObject({ id: d.id });
    expect(await t.db.read.declarations.findById('D000902')).toBeUndefined();
  });

  it('keeps the first response for an idempotency key', async () => {
    const r = { requestHash: 'h1', statusCode: 201, body: '{"a":1}' };
    expect(await t.db.write((tx) => tx.idempotency.save('u1', 'k1', r, 'now'))).toBe(true);
    expect(
      await t.db.write((tx) => tx.idempotency.save('u1', 'k1', { ...r, requestHash: 'h2' }, 'now')),
    ).toBe(false);
    expect(await t.db.read.idempotency.find('u1', 'k1')).toEqual(r);
    expect(await t.db.read.idempotency.find('u2', 'k1')).toBeUndefined();
  });

  it('groups concurrent writes and isolates a failing one', async () => {
    const writes = Array.from({ length: 120 }, (_, i) =>
      t.db.write(async (tx) => {
        await tx.declarations.insert(record(i));
        if (i % 40 === 7) throw new Error(`job ${i} fails after writing`);
        return i;
      }),
    );
    const results = await Promise.allSettled(writes);
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([7, 47, 87]);
    // The failing jobs' writes were rolled back; every other job's write is there.
    expect(await t.db.read.declarations.count()).toBe(117);
    expect(await t.db.read.declarations.findById(record(47).id)).toBeUndefined();
  });

  it('counts a trader record change once per kept write and none for a failed one, at the batch end', async () => {
    const traders = ['GB000000000001', 'GB000000000002', 'GB000000000003'];
    const writes = Array.from({ length: 90 }, (_, i) =>
      t.db.write(async (tx) => {
        const at = `2026-11-02T10:${String(i % 60).padStart(2, '0')}:00.000Z`;
        const before = await tx.traderRecords.find(traders[i % 3]!);
        await tx.traderRecords.adjust(traders[i % 3]!, 1, i % 2, at);
        // Another trader in the same job: batches holding several traders in any order.
        await tx.traderRecords.adjust(traders[(i + 1) % 3]!, 1, 0, at);
        // Not visible inside the job: applied at the batch's end.
        expect(await tx.traderRecords.find(traders[i % 3]!)).toEqual(before);
        if (i % 30 === 4) throw new Error(`job ${i} fails after adjusting`);
        return i;
      }),
    );
    const results = await Promise.allSettled(writes);
    expect(results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []))).toEqual([4, 34, 64]);
    const kept = Array.from({ length: 90 }, (_, i) => i).filter((i) => i % 30 !== 4);
    const records = await t.db.read.traderRecords.list();
    expect(records.map((r) => r.traderId)).toEqual(traders);
    for (const [n, trader] of traders.entries()) {
      const own = kept.filter((i) => i % 3 === n);
      const next = kept.filter((i) => (i + 1) % 3 === n);
      const record = records[n]!;
      expect(record.controls).toBe(own.length + next.length);
      expect(record.findings).toBe(own.filter((i) => i % 2 === 1).length);
      expect(record.traderId).toBe(trader);
    }
    // A correction takes back what was counted.
    await t.db.write((tx) => tx.traderRecords.adjust(traders[0]!, -1, -1, '2026-11-03T00:00:00Z'));
    const after = await t.db.read.traderRecords.find(traders[0]!);
    expect(after?.controls).toBe(records[0]!.controls - 1);
    expect(after?.findings).toBe(records[0]!.findings - 1);
  });

  it('keeps versions of the risk model per administration, one active, changed by compare and set', async () => {
    const analyst = world.principals.riskAnalyst;
    const admin = analyst.administrationId;
    const version = (v: number) => ({
      administrationId: admin,
      version: v,
      status: 'draft' as const,
      trainedBy: analyst.userId,
      trainedByAgencyId: analyst.agencyId,
      trainedAt: '2026-11-02T10:00:00.000Z',
      submittedBy: null,
      submittedAt: null,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      activatedAt: null,
      endedAt: null,
      card: { window: { from: 'a' }, figures: [0.5, null] },
      model: { kind: 'greenlane-risk-model', trees: [[1, 2]] },
    });
    const models = t.db.read.riskModels;
    expect(await models.nextVersion(admin)).toBe(1);
    await t.db.write((tx) => tx.riskModels.insert(version(1)));
    await t.db.write((tx) => tx.riskModels.insert(version(2)));
    await expect(t.db.write((tx) => tx.riskModels.insert(version(2)))).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await models.nextVersion(admin)).toBe(3);
    expect(await models.nextVersion('another-administration')).toBe(1);
    expect(await models.find(admin, 1)).toEqual(version(1));
    expect(await models.find('another-administration', 1)).toBeUndefined();
    const listed = await models.list(admin);
    expect(listed.map((m) => m.version)).toEqual([2, 1]);
    expect(listed[0]).not.toHaveProperty('model');
    expect(listed[0]!.card).toEqual(version(2).card);

    const at = { activatedAt: '2026-11-03T00:00:00.000Z' };
    expect(
      await t.db.write((tx) => tx.riskModels.transition(admin, 1, 'draft', 'active', at)),
    ).toBe(true);
    // Stale: it is no longer a draft.
    expect(
      await t.db.write((tx) => tx.riskModels.transition(admin, 1, 'draft', 'active', at)),
    ).toBe(false);
    await expect(
      t.db.write((tx) => tx.riskModels.transition(admin, 2, 'draft', 'active', at)),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await models.listActive()).toEqual([{ administrationId: admin, version: 1 }]);
    expect((await models.find(admin, 1))!).toMatchObject({
      status: 'active',
      ...at,
      decidedBy: null,
    });
    expect((await models.find(admin, 2))!.status).toBe('draft');
  });

  it('rejects a second row with the same primary key and leaves the first intact', async () => {
    const d = record(5);
    await t.db.write((tx) => tx.declarations.insert(d));
    await expect(
      t.db.write((tx) => tx.declarations.insert({ ...d, reference: 'changed' })),
    ).rejects.toMatchObject({ name: 'DomainError', code: 'conflict' });
    expect((await t.db.read.declarations.findById(d.id))?.reference).toBe('R-5');
  });

  it('decides a rule-pack proposal once, keeps one pending per pack, and never lets the proposer approve it', async () => {
    const analyst = world.principals.riskAnalyst;
    const proposal = (id: string, version: string): RulePackProposal => ({
      id,
      name: 'hmrc-ens-ie315',
      version,
      document: '{}',
      proposedAt: '2026-11-02T10:00:00.000Z',
      proposedBy: analyst.userId,
      proposerAgencyId: analyst.agencyId,
      comment: '',
      status: 'pending',
      decidedAt: null,
      decidedBy: null,
      reason: null,
      seq: null,
    });
    await t.db.write((tx) => tx.rulePacks.insertProposal(proposal('P1', 'local/2')));
    await expect(
      t.db.write((tx) => tx.rulePacks.insertProposal(proposal('P2', 'local/3'))),
    ).rejects.toThrow();
    const decision = (by: string) => ({
      status: 'approved' as const,
      decidedAt: '2026-11-02T11:00:00.000Z',
      decidedBy: by,
      reason: null,
      seq: 1,
    });
    // The constraint is the backstop behind the use case's check.
    await expect(
      t.db.write((tx) => tx.rulePacks.decideProposal('P1', decision(analyst.userId))),
    ).rejects.toThrow();
    const second = world.principals.secondAnalyst.userId;
    expect(await t.db.write((tx) => tx.rulePacks.decideProposal('P1', decision(second)))).toBe(
      true,
    );
    expect(await t.db.write((tx) => tx.rulePacks.decideProposal('P1', decision(second)))).toBe(
      false,
    );
    expect(await t.db.read.rulePacks.findProposal('P1')).toMatchObject({
      status: 'approved',
      decidedBy: second,
      seq: 1,
    });
    // Decided, it no longer blocks the next proposal.
    await t.db.write((tx) => tx.rulePacks.insertProposal(proposal('P2', 'local/3')));
    expect(
      (await t.db.read.rulePacks.proposals('hmrc-ens-ie315', 'pending')).map((p) => p.id),
    ).toEqual(['P2']);
  });

  describe('declaration versions', () => {
    const entry = (n: number) => ({
      at: `2026-11-03T10:00:0${n}.000Z`,
      by: world.principals.officer.userId,
      details: { reasonCodes: [String(n)] },
    });
    const amended = (d: DeclarationRecord, netMass: number): DeclarationRecord => ({
      ...d,
      goodsItems: d.goodsItems.map((g, i) => (i === 0 ? { ...g, netMass } : g)),
    });

    it('lodges as version 1 and applies an amendment only from the version it was read at', async () => {
      const d = record(1);
      await t.db.write((tx) => tx.declarations.insert(d));
      const lodged = await t.db.read.declarations.versions(d.id);
      expect(lodged.map((v) => [v.version, v.event, v.by])).toEqual([[1, 'lodged', d.submittedBy]]);
      expect(lodged[0]!.content.goodsItems[0]!.netMass).toBe(d.goodsItems[0]!.netMass);

      const ok = await t.db.write((tx) =>
        tx.declarations.amendVersion(amended(d, 11), 1, ['lodged'], entry(1)),
      );
      expect(ok).toBe(true);
      // A second amendment read at version 1 updates nothing.
      const stale = await t.db.write((tx) =>
        tx.declarations.amendVersion(amended(d, 12), 1, ['lodged'], entry(2)),
      );
      expect(stale).toBe(false);
      const now = await t.db.read.declarations.findById(d.id);
      expect(now?.version).toBe(2);
      expect(now?.goodsItems[0]?.netMass).toBe(11);
      const versions = await t.db.read.declarations.versions(d.id);
      expect(versions.map((v) => [v.version, v.event])).toEqual([
        [1, 'lodged'],
        [2, 'amended'],
      ]);
      expect(versions[1]!.details).toEqual({ reasonCodes: ['1'] });
      expect(versions[1]!.content.goodsItems[0]!.netMass).toBe(11);
      expect(versions[0]!.content.goodsItems[0]!.netMass).toBe(d.goodsItems[0]!.netMass);
      // Goods-item rows follow the amended content (HS search, metrics).
      const items = await t.db.kysely
        .selectFrom('goods_items')
        .select(['sequence', 'net_mass'])
        .where('declaration_id', '=', d.id)
        .orderBy('sequence')
        .execute();
      expect(items[0]?.net_mass).toBe(11);
    });

    it('refuses an amendment or cancellation when the status is not one allowed', async () => {
      const d = record(2);
      await t.db.write((tx) => tx.declarations.insert(d));
      await t.db.write((tx) => tx.declarations.markReleased(d.id, '2026-11-03T00:00:00.000Z'));
      const from = ['lodged', 'awaiting-control'] as const;
      expect(
        await t.db.write((tx) => tx.declarations.amendVersion(amended(d, 3), 1, from, entry(1))),
      ).toBe(false);
      expect(await t.db.write((tx) => tx.declarations.cancel(d.id, 1, from, entry(1)))).toBe(false);
      expect((await t.db.read.declarations.status(d.id))?.version).toBe(1);
      expect(await t.db.read.declarations.versions(d.id)).toHaveLength(1);
    });

    it('cancels as the next version, once', async () => {
      const d = record(3);
      await t.db.write((tx) => tx.declarations.insert(d));
      expect(await t.db.write((tx) => tx.declarations.cancel(d.id, 1, ['lodged'], entry(1)))).toBe(
        true,
      );
      expect(await t.db.write((tx) => tx.declarations.cancel(d.id, 2, ['lodged'], entry(2)))).toBe(
        false,
      );
      expect(await t.db.read.declarations.status(d.id)).toMatchObject({
        status: 'cancelled',
        version: 2,
      });
      const versions = await t.db.read.declarations.versions(d.id);
      expect(versions.map((v) => v.event)).toEqual(['lodged', 'cancelled']);
      expect(versions[1]!.content).toEqual(versions[0]!.content);
    });

    it('applies exactly one of many concurrent amendments read at the same version', async () => {
      const d = record(4);
      await t.db.write((tx) => tx.declarations.insert(d));
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, k) =>
          t.db.write((tx) =>
            tx.declarations.amendVersion(amended(d, 100 + k), 1, ['lodged'], entry(k % 10)),
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const versions = await t.db.read.declarations.versions(d.id);
      expect(versions.map((v) => v.version)).toEqual([1, 2]);
    });

    it('keeps (declaration, version) unique: a second version 2 is refused', async () => {
      const d = record(5);
      await t.db.write((tx) => tx.declarations.insert(d));
      const row = {
        declaration_id: d.id,
        version: 1,
        event: 'amended',
        content: '{}',
        channel: null,
        made_at: '2026-11-03T00:00:00.000Z',
        made_by: d.submittedBy,
        details: '{}',
      };
      await expect(
        t.db.kysely.insertInto('declaration_versions').values(row).execute(),
      ).rejects.toThrow();
      await expect(
        t.db.kysely
          .insertInto('declaration_versions')
          .values({ ...row, version: 2, event: 'withdrawn' })
          .execute(),
      ).rejects.toThrow();
      expect(await t.db.read.declarations.versions(d.id)).toHaveLength(1);
    });

    it("finds an organisation's declarations by local reference number", async () => {
      const d = record(6);
      await t.db.write((tx) => tx.declarations.insert(d));
      const found = await t.db.read.declarations.listByReference(d.submitterAgencyId, 'R-6');
      expect(found.map((f) => f.id)).toEqual([d.id]);
      expect(await t.db.read.declarations.listByReference('someone-else', 'R-6')).toEqual([]);
    });
  });
});

describe('nextDigitString', () => {
  it.each([
    ['8549', '8550'],
    ['0399', '0400'],
    ['01', '02'],
    ['99', undefined],
    ['9', undefined],
  ])('%s → %s', (digits, next) => {
    expect(nextDigitString(digits)).toBe(next);
  });
});

describe('SQLite durability settings', () => {
  it('runs in WAL mode with synchronous=FULL, 8 KiB pages and foreign keys', async () => {
    const t = await freshDatabase('sqlite');
    try {
      const pragma = async (name: string) =>
        Object.values(
          (await sql.raw(`pragma ${name}`).execute(t.db.kysely)).rows[0] as object,
        )[0] as unknown;
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(2); // FULL
      expect(await pragma('page_size')).toBe(8192);
      expect(await pragma('foreign_keys')).toBe(1);
    } finally {
      await t.drop();
    }
  });
});
