import { describe, expect, it } from 'vitest';
import type { DeclarationContent, DeclarationInput } from '../declaration/declaration.js';
import { validateDeclaration } from '../declaration/validate-declaration.js';
import { sampleDeclaration } from '../../test-support/app.js';
import { assessDeclaration, DEFAULT_RISK_SETTINGS, rulesFactsOf } from '../risk/assess.js';
import { compileIndicators, RiskEngine } from '../risk/engine.js';
import type { ScreeningTrader } from '../risk/screening-context.js';
import {
  DECLARATION_FEATURE_SET,
  DECLARATION_FEATURES,
  declarationFeatures,
  featureRowsTable,
  fitDeclarationStatistics,
  hsSection,
  NO_STATISTICS,
  type RulesFacts,
} from './declaration-features.js';
import { loadRiskModel, RISK_MODEL_FILE_KIND, type RiskModelFile } from './risk-model.js';
import { trainGradientBoosting } from './train-gradient-boosting.js';

const DATE = '2026-11-02T10:00:00.000Z';

function content(overrides: Partial<DeclarationInput> = {}): DeclarationContent {
  const checked = validateDeclaration(sampleDeclaration({ submittedAt: DATE, ...overrides }), DATE);
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.value;
}

const NO_RULES: RulesFacts = {
  hitScore: 0,
  hits: [],
  effects: [],
  permits: [],
  override: null,
  trader: { controls: 0, findings: 0 },
};

describe('declaration features', () => {
  it('names the HS section of a code by its chapter', () => {
    expect(hsSection('0106390000')).toBe('I');
    expect(hsSection('3915100000')).toBe('VII');
    expect(hsSection('8549210000')).toBe('XVI');
    expect(hsSection('9701')).toBe('XXI');
    expect(hsSection('98')).toBe('');
    expect(hsSection('00')).toBe('');
    expect(hsSection('')).toBe('');
  });

  it('reads the main (highest-value) item, the route and what the rules found', () => {
    // Item 2 (parrots, 2000 USD) outweighs item 1 (batteries, 840 USD).
    const f = declarationFeatures(
      content(),
      {
        ...NO_RULES,
        hitScore: 45,
        hits: [
          { indicatorId: 'b', weight: 25, directChannel: null, priorityArea: 'e-waste' },
          { indicatorId: 'a', weight: 20, directChannel: null, priorityArea: 'plastic-waste' },
          { indicatorId: 'b', weight: 25, directChannel: null, priorityArea: 'e-waste' },
        ],
        effects: [{ kind: 'certificate', subject: 'trusted-trader', points: -30 }],
        permits: [{ outcome: 'matched' }, { outcome: 'missing' }],
        trader: { controls: 4, findings: 1 },
      },
      NO_STATISTICS,
    );
    expect(f).toMatchObject({
      kind: 'import',
      office: 'BY112000',
      transportMode: 'rail',
      dispatchCountry: 'CN',
      origin: 'CM',
      traderCountry: 'BY',
      currency: 'USD',
      hsSection: 'I',
      hs2: '01',
      hs4: '0106',
      hs6: '010639',
      items: 2,
      chapters: 2,
      origins: 2,
      transitCountries: 2,
      documents: 2,
      simplified: 0,
      hitScore: 45,
      hitIndicators: 2,
      topPriorityArea: 'e-waste',
      override: 'none',
      permitMismatches: 1,
      permitsChecked: 2,
      certificateReduction: 30,
      traderControls: 4,
      traderFindings: 1,
      traderFindingRate: 0.25,
      // The parrots have no net mass: no value per kg.
      logUnitValue: null,
      unitValueVsMedian: null,
      arrivalLeadHours: null,
    });
    expect(f.logValue).toBeCloseTo(Math.log1p(2840), 12);
    expect(f.logNetMass).toBeCloseTo(Math.log1p(1200), 12);
    expect(Object.keys(f)).toEqual(DECLARATION_FEATURES.map((s) => s.name));
  });

  it('compares the value per kg with the training median of its HS6, else HS4, and currency', () => {
    const batteries = (value: number, hs = '8549210000') =>
      content({
        goodsItems: [
          {
            sequence: 1,
            hsCode: hs,
            description: 'Waste batteries',
            netMass: 1000,
            value,
            currency: 'USD',
            originCountry: 'CN',
          },
        ],
      });
    const stats = fitDeclarationStatistics(
      [100, 200, 300, 400, 500].map((v) => batteries(v)),
      5,
    );
    expect(stats.logUnitValueMedian['854921|USD']).toBeCloseTo(Math.log(0.3), 12);
    expect(stats.logUnitValueMedian['8549|USD']).toBeCloseTo(Math.log(0.3), 12);
    const f = declarationFeatures(batteries(30), NO_RULES, stats);
    expect(f.unitValueVsMedian).toBeCloseTo(Math.log(0.03) - Math.log(0.3), 12);
    // Another subheading of the heading: the HS4 median.
    const g = declarationFeatures(batteries(30, '8549290000'), NO_RULES, stats);
    expect(g.unitValueVsMedian).toBeCloseTo(Math.log(0.03) - Math.log(0.3), 12);
    // Too few rows: no median.
    expect(
      fitDeclarationStatistics(
        [100, 200].map((v) => batteries(v)),
        5,
      ),
    ).toEqual({
      logUnitValueMedian: {},
    });
    // Without a trader record (an assessment from before records were kept): missing.
    const h = declarationFeatures(batteries(30), { ...NO_RULES, trader: null }, stats);
    expect([h.traderControls, h.traderFindings, h.traderFindingRate]).toEqual([null, null, null]);
  });

  it('lays rows out as the table the trainer takes: missing numbers NaN, missing categories null', () => {
    const rows = [
      declarationFeatures(content(), NO_RULES, NO_STATISTICS),
      declarationFeatures(content({ office: undefined }), NO_RULES, NO_STATISTICS),
    ];
    const table = featureRowsTable(rows);
    expect(table.rowCount).toBe(2);
    const column = (name: string) => table.columns.find((c) => c.name === name)!;
    expect(Number.isNaN(column('logUnitValue').values[0])).toBe(true);
    expect(column('office').values).toEqual(['BY112000', null]);
    expect(column('items').values[1]).toBe(2);
  });

  it('gives the features in the assessment and those recomputed from the stored assessment alike', () => {
    // A model that learned that goods from CM are found: trained on feature rows.
    const declarations = Array.from({ length: 400 }, (_, i) =>
      content({
        reference: `R-${i}`,
        goodsItems: [
          {
            sequence: 1,
            hsCode: i % 2 === 0 ? '0106390000' : '8549210000',
            description: 'Goods',
            netMass: 10 + (i % 7),
            value: 100 + i,
            currency: 'USD',
            originCountry: i % 4 < 2 ? 'CM' : 'CN',
          },
        ],
      }),
    );
    const statistics = fitDeclarationStatistics(declarations);
    const rows = declarations.map((d) => declarationFeatures(d, NO_RULES, statistics));
    const labels = Float64Array.from(declarations, (d) =>
      d.goodsItems[0]!.originCountry === 'CM' ? 1 : 0,
    );
    const model = trainGradientBoosting(
      { table: featureRowsTable(rows), labels },
      { params: { rounds: 20, minSamplesLeaf: 5, minCategoryRows: 5 } },
    );
    const file: RiskModelFile = {
      kind: RISK_MODEL_FILE_KIND,
      featureSet: DECLARATION_FEATURE_SET,
      statistics,
      model,
      trainingShares: [],
    };
    // Stored as JSON and loaded back, as the node does.
    const inUse = loadRiskModel(3, JSON.parse(JSON.stringify(file)));
    const engine = new RiskEngine(compileIndicators([], new Map()));
    const trader: ScreeningTrader = {
      id: 'BY100',
      country: 'BY',
      controls: 5,
      findings: 2,
      certificates: [],
      permitsOnFile: [],
    };
    const settings = { ...DEFAULT_RISK_SETTINGS, randomShare: 0 };
    const from = (origin: string) =>
      assessDeclaration(
        engine,
        {
          ...declarations[0]!,
          goodsItems: [{ ...declarations[0]!.goodsItems[0]!, originCountry: origin }],
        },
        trader,
        settings,
        7,
        DATE,
        inUse,
      );
    const suspect = from('CM');
    const plain = from('CN');
    expect(suspect.model!.version).toBe(3);
    expect(suspect.model!.probability).toBeGreaterThan(0.9);
    expect(plain.model!.probability).toBeLessThan(0.1);
    expect(suspect.model!.topFeatures[0]!.feature).toBe('origin');
    expect(suspect.model!.topFeatures[0]!.value).toBe('CM');
    expect(suspect.trader).toEqual({ controls: 5, findings: 2 });
    // The model's effect: weight × probability points, and yellow past the threshold.
    const effect = suspect.effects.find((e) => e.kind === 'model')!;
    expect(effect.points).toBe(Math.round(settings.model.weight * suspect.model!.probability));
    expect(effect.minimumChannel).toBe('yellow');
    expect(suspect.channel).not.toBe('green');
    expect(plain.effects.find((e) => e.kind === 'model')!.minimumChannel).toBeUndefined();
    // Training reads the stored declaration and assessment: the very same features.
    const stored = JSON.parse(JSON.stringify(suspect)) as typeof suspect;
    const again = declarationFeatures(
      {
        ...declarations[0]!,
        goodsItems: [{ ...declarations[0]!.goodsItems[0]!, originCountry: 'CM' }],
      },
      rulesFactsOf(stored),
      loadRiskModel(3, JSON.parse(JSON.stringify(file))).file.statistics,
    );
    expect(again).toEqual(stored.model!.features);
  });

  it('refuses a model file of another feature set', () => {
    expect(() =>
      loadRiskModel(1, { kind: RISK_MODEL_FILE_KIND, featureSet: 'greenlane-declaration/0' }),
    ).toThrow(/feature set greenlane-declaration\/0/);
    expect(() => loadRiskModel(1, { kind: 'other' })).toThrow(/not a greenlane-risk-model/);
  });
});
