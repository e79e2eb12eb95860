import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RISK_SETTINGS, rulesFactsOf } from '../core/risk/assess.js';
import { SeededRandom } from '../core/random.js';
import { declarationFeatures } from '../core/model/declaration-features.js';
import { loadRiskModel } from '../core/model/risk-model.js';
import type { DeclarationRecord } from '../core/ports.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { seedWorld, type TestWorld } from '../test-support/app.js';
import { generateDeclarations } from './generate-declarations.js';
import type { AppContext } from './context.js';
import { recordInspection } from './controls.js';
import {
  approveModel,
  closeTrainers,
  getModel,
  listModels,
  modelDrift,
  rejectModel,
  retireModel,
  submitModel,
  trainModel,
  type ModelCard,
} from './manage-models.js';
import { riskRuntime } from './risk.js';
import { submitDeclaration } from './submit-declaration.js';

const DECLARATIONS = 1500;
/** The simulated truth: goods of these origins are found far more often. */
const RISKY_ORIGINS = new Set(['CN', 'VN', 'TR']);

/**
 * The learned model end to end: outcomes recorded through controls → an analyst trains → a
 * second analyst approves → a new declaration's assessment carries the model's probability and
 * its top features, computed as training computed them.
 */
describe.each(BACKENDS)('the learned risk model on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let ctx: AppContext;
  const lodged: DeclarationRecord[] = [];

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    ctx = {
      ...world.ctx,
      risk: riskRuntime(t.db, world.ctx.clock, {
        ...DEFAULT_RISK_SETTINGS,
        randomShare: 0.3,
        permitRequirements: [],
      }),
    };
    const officer = world.principals.officer;
    const results = await Promise.all(
      [...generateDeclarations(DECLARATIONS, 5)].map((input) =>
        submitDeclaration(ctx, officer, { sourceFormat: 'json', input }),
      ),
    );
    const truth = new SeededRandom(7);
    const inspections: Array<Promise<unknown>> = [];
    for (const r of results) {
      if (r.outcome !== 'created') throw new Error('not created');
      const d = r.declaration;
      lodged.push(d);
      if (d.channel === 'green') continue;
      const main = [...d.goodsItems].sort((a, b) => (b.value ?? 0) - (a.value ?? 0))[0]!;
      const risky = RISKY_ORIGINS.has(main.originCountry ?? '');
      const finding = truth.next() < (risky ? 0.9 : 0.03);
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
  }, 240_000);
  afterAll(async () => {
    await closeTrainers();
    await t.drop();
  });

  it('trains, is approved by a second analyst, and screens new declarations with its reasons', async () => {
    const analyst = world.principals.riskAnalyst;
    const second = world.principals.secondAnalyst;
    const window = { from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
    const draft = await trainModel(ctx, analyst, window);
    expect(draft).toMatchObject({ version: 1, status: 'draft', trainedBy: analyst.userId });
    const card = draft.card as unknown as ModelCard;
    // The latest fifth of the controls is held back (ties on the date go with it).
    const controls = card.rows.train + card.rows.earlyStopping + card.rows.heldBack;
    expect(card.rows.heldBack / controls).toBeGreaterThanOrEqual(0.2);
    expect(card.rows.heldBack / controls).toBeLessThan(0.22);
    expect(card.window.evaluateFrom > window.from && card.window.evaluateFrom < window.to).toBe(
      true,
    );
    expect(card.rows.train).toBeGreaterThan(100);
    expect(card.rows.heldBack).toBeGreaterThan(20);
    expect(card.rows.trainRandom).toBeGreaterThan(0);
    // The truth is the origin: the model found it.
    const top = [...card.features].sort((a, b) => b.importance - a.importance)[0]!;
    expect(top.name).toBe('origin');
    expect(card.evaluation!.all.auc).toBeGreaterThan(0.75);
    expect(card.evaluation!.random).not.toBeNull();
    expect(card.evaluation!.byOffice.length).toBeGreaterThan(0);

    // Not active yet: screening goes on without it.
    const before = await submitDeclaration(ctx, world.principals.officer, {
      sourceFormat: 'json',
      input: { ...[...generateDeclarations(1, 99)][0]!, reference: 'BEFORE-MODEL' },
    });
    if (before.outcome !== 'created') throw new Error('not created');
    expect(before.declaration.assessment!.model).toBeNull();

    // Four eyes: the analyst who trained it cannot approve it, nor may it skip submission.
    await expect(approveModel(ctx, second, 1)).rejects.toMatchObject({ code: 'conflict' });
    await submitModel(ctx, analyst, 1);
    await expect(approveModel(ctx, analyst, 1)).rejects.toMatchObject({ code: 'forbidden' });
    const active = await approveModel(ctx, second, 1, { note: 'card read' });
    expect(active).toMatchObject({ status: 'active', decidedBy: second.userId });

    // A new declaration from a risky origin and one from elsewhere.
    const template = [...generateDeclarations(1, 123)][0]!;
    const lodge = async (reference: string, origin: string) => {
      const r = await submitDeclaration(ctx, world.principals.officer, {
        sourceFormat: 'json',
        input: {
          ...template,
          reference,
          goodsItems: template.goodsItems.map((g) => ({ ...g, originCountry: origin })),
        },
      });
      if (r.outcome !== 'created') throw new Error('not created');
      return r.declaration;
    };
    const risky = await lodge('AFTER-MODEL-CN', 'CN');
    const plain = await lodge('AFTER-MODEL-DE', 'DE');
    const m = risky.assessment!.model!;
    expect(m.version).toBe(1);
    expect(m.probability).toBeGreaterThan(plain.assessment!.model!.probability + 0.3);
    expect(m.topFeatures.map((f) => f.feature)).toContain('origin');
    expect(m.topFeatures.find((f) => f.feature === 'origin')!.value).toBe('CN');
    const effect = risky.assessment!.effects.find((e) => e.kind === 'model')!;
    expect(effect.reference).toBe('model v1');
    expect(effect.reason).toMatch(/learned model \(version 1\)/);

    // The features training would compute from the stored record are those screening used.
    const stored = (await t.db.read.declarations.findById(risky.id))!;
    const record = (await t.db.read.riskModels.find(analyst.administrationId, 1))!;
    const statistics = loadRiskModel(1, record.model).file.statistics;
    expect(declarationFeatures(stored, rulesFactsOf(stored.assessment!), statistics)).toEqual(
      stored.assessment!.model!.features,
    );

    // Drift of the lodged declarations against the training rows: every feature measured.
    const drift = await modelDrift(ctx, analyst, 1, window);
    expect(drift.declarations).toBe(DECLARATIONS + 3);
    expect(drift.features.map((f) => f.feature)).toContain('origin');
    expect(drift.features.every((f) => Number.isFinite(f.psi) && f.psi >= 0)).toBe(true);
  }, 240_000);

  it('supersedes the active version on approval, keeps old ones readable, and retires', async () => {
    const analyst = world.principals.riskAnalyst;
    const second = world.principals.secondAnalyst;
    const window = { from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
    const v2 = await trainModel(ctx, second, { ...window, params: { seed: 2 } });
    expect(v2.version).toBe(2);
    await submitModel(ctx, second, 2);
    await expect(rejectModel(ctx, analyst, 2, {})).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await approveModel(ctx, analyst, 2);
    expect((await listModels(ctx, analyst)).map((m) => [m.version, m.status])).toEqual([
      [2, 'active'],
      [1, 'superseded'],
    ]);
    expect((await getModel(ctx, analyst, 1)).card).toMatchObject({
      window: { from: '2024-01-01T00:00:00.000Z' },
    });
    // An analyst of another administration on the node sees none of them and approves nothing.
    const other = (await t.db.read.identity.listAdministrations()).find(
      (a) => a.id !== analyst.administrationId,
    )!;
    const abroad = { ...analyst, userId: 'kz-analyst', administrationId: other.id };
    expect(await listModels(ctx, abroad)).toEqual([]);
    await expect(getModel(ctx, abroad, 1)).rejects.toMatchObject({ code: 'not_found' });
    await expect(retireModel(ctx, abroad, 2, { note: 'not yours' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await retireModel(ctx, analyst, 2, { note: 'drift on origin' });
    const after = await submitDeclaration(ctx, world.principals.officer, {
      sourceFormat: 'json',
      input: { ...[...generateDeclarations(1, 77)][0]!, reference: 'AFTER-RETIRE' },
    });
    if (after.outcome !== 'created') throw new Error('not created');
    expect(after.declaration.assessment!.model).toBeNull();
    // An officer may not read, train or approve models.
    await expect(listModels(ctx, world.principals.officer)).rejects.toMatchObject({
      code: 'forbidden',
    });
  }, 240_000);

  it('refuses a window without findings and names the field', async () => {
    await expect(
      trainModel(ctx, world.principals.riskAnalyst, {
        from: '2030-01-01T00:00:00Z',
        to: '2029-01-01T00:00:00Z',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', issues: [{ path: '/to' }] });
    await expect(
      trainModel(ctx, world.principals.riskAnalyst, {
        from: '2030-01-01T00:00:00Z',
        to: '2031-01-01T00:00:00Z',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
