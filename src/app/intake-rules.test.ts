import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECLARATION_DATE_WINDOW } from '../core/declaration/declaration-date.js';
import { DomainError } from '../core/errors.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { approve, saveReferenceList, submitForApproval } from './manage-indicators.js';
import { applyForPermit, permitStep, releaseDeclaration } from './manage-permits.js';
import {
  registerRepresentation,
  revokeRepresentation,
  setSimplifiedProcedures,
} from './manage-representations.js';
import { submitDeclaration } from './submit-declaration.js';

const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** The refusal `run` throws: its code and the fields it names. */
async function refusal(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, fields: e.issues.map((i) => i.path) };
    throw e;
  }
  throw new Error('not refused');
}

describe.each(BACKENDS)('who may lodge what, and when, on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let n = 0;
  const ref = () => `RULES-${++n}`;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
  });
  afterAll(async () => {
    await t?.drop();
  });

  const lodge = (who: 'trader' | 'otherTrader' | 'officer', over = {}) =>
    submitDeclaration(world.ctx, world.principals[who], {
      sourceFormat: 'json',
      input: sampleDeclaration({ reference: ref(), ...over }),
    });
  const created = async (p: ReturnType<typeof lodge>) => {
    const r = await p;
    if (r.outcome !== 'created') throw new Error('replayed');
    return r.declaration;
  };

  describe('identity of parties', () => {
    it("refuses trader B lodging as trader A, unless registered as A's representative", async () => {
      const before = await t.db.read.declarations.count();
      // The sample names BY100 (trader one) as declarant; trader two lodges it.
      expect(await refusal(() => lodge('otherTrader'))).toEqual({
        code: 'forbidden',
        fields: ['/declarant/id'],
      });
      expect(await t.db.read.declarations.count()).toBe(before);

      const admin = world.principals.admin;
      const otherAgency = world.principals.otherTrader.agencyId;
      expect(
        await refusal(() =>
          registerRepresentation(world.ctx, world.principals.otherTrader, {
            representativeAgencyId: otherAgency,
            traderId: 'BY100',
            mode: 'direct',
          }),
        ),
      ).toMatchObject({ code: 'forbidden' });
      const rep = await registerRepresentation(world.ctx, admin, {
        representativeAgencyId: otherAgency,
        traderId: 'BY100',
        mode: 'direct',
      });
      const d = await created(lodge('otherTrader'));
      expect(d.declarant.id).toBe('BY100');
      expect(d.submitterAgencyId).toBe(otherAgency);

      await revokeRepresentation(world.ctx, admin, rep.id);
      expect(await refusal(() => lodge('otherTrader'))).toMatchObject({
        fields: ['/declarant/id'],
      });
      // A registration that has not begun yet covers nothing either.
      await registerRepresentation(world.ctx, admin, {
        representativeAgencyId: otherAgency,
        traderId: 'BY100',
        mode: 'indirect',
        validFrom: new Date(Date.now() + DAY).toISOString(),
      });
      expect(await refusal(() => lodge('otherTrader'))).toMatchObject({ code: 'forbidden' });
    });

    it("fills an absent declarant id with the organisation's EORI", async () => {
      const d = await created(lodge('otherTrader', { declarant: { name: 'Trader two' } }));
      expect(d.declarant).toEqual({ id: 'BY200', name: 'Trader two' });
      // Customs staff keying in a declaration name whoever declared it.
      expect((await created(lodge('officer'))).declarant.id).toBe('BY100');
    });
  });

  describe('declared dates', () => {
    it('refuses a trader dating a declaration outside the window around receipt', async () => {
      for (const submittedAt of [
        '2099-01-01T00:00:00.000Z',
        new Date(Date.now() + DECLARATION_DATE_WINDOW.aheadMs + 60_000).toISOString(),
        ago(DECLARATION_DATE_WINDOW.behindMs + 60_000),
        ago(365 * DAY),
      ]) {
        expect(await refusal(() => lodge('trader', { submittedAt }))).toEqual({
          code: 'invalid_input',
          fields: ['/submittedAt'],
        });
      }
      await created(lodge('trader', { submittedAt: ago(DECLARATION_DATE_WINDOW.behindMs - DAY) }));
      await created(
        lodge('trader', { submittedAt: new Date(Date.now() + 3_600_000).toISOString() }),
      );
    });

    it('never draws down a permit that had expired at receipt, whatever date was declared', async () => {
      const analyst = world.principals.riskAnalyst;
      await saveReferenceList(world.ctx, analyst, {
        name: 'e-waste',
        kind: 'hs-prefixes',
        title: 'E-waste',
        entries: ['8549'],
      });
      await submitForApproval(world.ctx, analyst, 'reference-list', 'e-waste', { version: 1 });
      // Four eyes: another analyst of the agency approves what the first saved.
      await approve(world.ctx, world.principals.secondAnalyst, 'reference-list', 'e-waste', {
        version: 1,
      });
      world.ctx.risk.invalidate();
      const applied = await applyForPermit(world.ctx, world.principals.trader, {
        type: 'waste-consent',
        issuerAgency: 'BY-E',
        counterpart: { name: 'Recycler', country: 'CN' },
        hsScope: ['8549'],
        quantity: 5000,
        unit: 'KGM',
        validFrom: '2026-01-01T00:00:00Z',
        validTo: '2030-01-01T00:00:00Z',
        details: { wasteCode: 'A1180', operation: 'R4' },
      });
      await permitStep(world.ctx, world.principals.ecologist, applied.id, { step: 'issue' });
      // It expired the day before yesterday (as if issued with that end).
      const permit = (await t.db.read.permits.find(applied.id))!;
      const expiredOn = ago(2 * DAY);
      await t.db.write((tx) => tx.permits.update({ ...permit, validTo: expiredOn }, permit));
      world.ctx.risk.invalidate();

      // Back-dated to before the expiry, inside the window: judged on receipt all the same.
      const base = sampleDeclaration();
      const d = await created(
        lodge('trader', {
          submittedAt: ago(3 * DAY),
          goodsItems: [base.goodsItems[0]!],
          documents: [{ type: 'N935', reference: 'INV-1' }],
        }),
      );
      const check = d.assessment!.permits.find((p) => p.itemSequence === 1)!;
      expect(check).toMatchObject({ outcome: 'expired', permitId: applied.id });
      const refused = await refusal(() =>
        releaseDeclaration(world.ctx, world.principals.officer, d.id),
      );
      expect(refused.code).toBe('conflict');
      expect(refused.fields).toEqual(['/goodsItems/0']);
      const after = (await t.db.read.permits.find(applied.id))!;
      expect(after.remainingMilli).toBe(permit.remainingMilli);
      expect(await t.db.read.permits.usage(applied.id)).toEqual([]);
    });

    it('judges certificates on receipt: one that ended before receipt lowers nothing', async () => {
      const base = {
        type: 'trusted-trader' as const,
        holderId: 'BY100',
        holderName: 'Trader one',
        issuerAgencyId: world.principals.officer.agencyId,
        hsScope: [],
        status: 'valid' as const,
        statusReason: null,
        createdAt: ago(10 * DAY),
        createdBy: world.principals.officer.userId,
        updatedAt: ago(10 * DAY),
      };
      await t.db.write(async (tx) => {
        await tx.certificates.insert({
          ...base,
          id: 'cert-ended',
          reference: 'AEO-ENDED',
          validFrom: ago(100 * DAY),
          validTo: ago(2 * DAY),
        });
      });
      const d = await created(lodge('trader', { submittedAt: ago(3 * DAY) }));
      expect(d.assessment!.effects.filter((e) => e.kind === 'certificate')).toEqual([]);
    });
  });

  describe('simplified declarations', () => {
    const simplified = () => ({
      simplified: true,
      goodsItems: [{ sequence: 1, quantity: 10, unit: 'KGM', netMass: 10 }],
    });
    it('are for organisations authorised for simplified procedures', async () => {
      expect(await refusal(() => lodge('trader', simplified()))).toEqual({
        code: 'forbidden',
        fields: ['/simplified'],
      });
      await setSimplifiedProcedures(
        world.ctx,
        world.principals.admin,
        world.principals.trader.agencyId,
        true,
      );
      expect((await created(lodge('trader', simplified()))).simplified).toBe(true);
      await setSimplifiedProcedures(
        world.ctx,
        world.principals.admin,
        world.principals.trader.agencyId,
        false,
      );
      expect(await refusal(() => lodge('trader', simplified()))).toMatchObject({
        fields: ['/simplified'],
      });
    });
  });
});
