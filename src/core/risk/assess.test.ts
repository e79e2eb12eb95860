import { describe, expect, it } from 'vitest';
import type { Channel, DeclarationContent, DeclarationInput } from '../declaration/declaration.js';
import { validateDeclaration } from '../declaration/validate-declaration.js';
import { sampleDeclaration } from '../../test-support/app.js';
import {
  assessDeclaration,
  DEFAULT_RISK_SETTINGS,
  ENGINE_VERSION,
  mulberry32,
  type Assessment,
  type RiskSettings,
} from './assess.js';
import { compileIndicators, RiskEngine } from './engine.js';
import type { ControlForm, Indicator, ReferenceList } from './indicator.js';
import type { HeldDocument, ScreeningTrader } from './screening-context.js';

const DATE = '2026-11-02T10:00:00.000Z';

/**
 * The sample declaration, normalised: item 1 waste lead-acid batteries (8549210000, CN, value 840,
 * 1200 kg), item 2 live parrots (0106390000, CM, CITES permit C400); dispatched from CN by rail.
 */
function content(overrides: Partial<DeclarationInput> = {}): DeclarationContent {
  const checked = validateDeclaration(
    sampleDeclaration({ submittedAt: '2026-11-02T10:00:00.000Z', ...overrides }),
    DATE,
  );
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.value;
}

/** The sample declaration with the parrots' CITES permit left out. */
function withoutCitesPermit(): DeclarationContent {
  const d = content();
  return {
    ...d,
    goodsItems: d.goodsItems.map((g) => (g.sequence === 2 ? { ...g, documents: [] } : g)),
  };
}

function indicator(id: string, condition: string, patch: Partial<Indicator> = {}): Indicator {
  return {
    id,
    version: 1,
    title: `Indicator ${id}`,
    priorityArea: 'e-waste',
    condition,
    weight: 0,
    directChannel: null,
    controlForm: 'documentary-check',
    rationale: `Rationale ${id}`,
    validFrom: null,
    validTo: null,
    status: 'active',
    ownerAgencyId: 'agency-1',
    ...patch,
  };
}

/** An indicator of this weight that hits the first goods item only. */
const weighted = (id: string, weight: number, controlForm: ControlForm = 'documentary-check') =>
  indicator(id, 'item.sequence == 1', { weight, controlForm });

const I = {
  ewaste: indicator('ewaste', 'item.hs.startsWith("8549")', {
    weight: 30,
    controlForm: 'scanning',
  }),
  origin: indicator('origin', 'item.origin in ["CN", "CM"]', { weight: 20 }),
  dispatch: indicator('dispatch', 'declaration.dispatchCountry == "CN"', { weight: 25 }),
  parrot: indicator('parrot', 'item.hs.startsWith("0106")', {
    weight: 10,
    priorityArea: 'endangered-species',
  }),
  citesRed: indicator('cites-red', 'item.hs.startsWith("0106") && !hasDocument("C400")', {
    weight: 500,
    directChannel: 'red',
    controlForm: 'physical-inspection',
    priorityArea: 'endangered-species',
  }),
  railYellow: indicator('rail-yellow', 'declaration.transportMode == "rail"', {
    weight: 500,
    directChannel: 'yellow',
  }),
  cheapBatteries: indicator('cheap-batteries', 'hsIn(item.hs, "e-waste") && item.value < 1000.0', {
    weight: 50,
    controlForm: 'sampling-laboratory',
  }),
  never: indicator('never', 'item.origin == "ZZ"', { weight: 100 }),
};
const LISTS_WITH_EWASTE = new Map<string, ReferenceList>([
  [
    'e-waste',
    { name: 'e-waste', version: 1, kind: 'hs-prefixes', title: 'E-waste', entries: ['8549'] },
  ],
]);

function engineOf(indicators: readonly Indicator[]): RiskEngine {
  return new RiskEngine(compileIndicators(indicators, LISTS_WITH_EWASTE));
}

function trader(patch: Partial<ScreeningTrader> = {}): ScreeningTrader {
  return {
    id: 'BY100',
    country: 'BY',
    controls: 0,
    findings: 0,
    certificates: [],
    permitsOnFile: [],
    ...patch,
  };
}

function certificate(patch: Partial<HeldDocument> = {}): HeldDocument {
  return {
    type: 'trusted-trader',
    reference: 'TT-1',
    validFrom: '2025-01-01T00:00:00.000Z',
    validTo: '2028-01-01T00:00:00.000Z',
    status: 'valid',
    hsScope: [],
    ...patch,
  };
}

/** The default settings without random selection, so that channels follow from the score alone. */
const SETTINGS: RiskSettings = { ...DEFAULT_RISK_SETTINGS, randomShare: 0 };

interface Golden {
  name: string;
  indicators: Indicator[];
  declaration?: DeclarationContent;
  trader?: Partial<ScreeningTrader>;
  settings?: Partial<RiskSettings>;
  hits: Array<[indicatorId: string, itemSequence: number]>;
  hitScore: number;
  score: number;
  channel: Channel;
  controlForm: ControlForm | null;
  override?: string | null;
  effects?: Array<[subject: string, points: number]>;
}

const GOLDEN: Golden[] = [
  // Scoring and thresholds.
  {
    name: 'no hit: green, no control',
    indicators: [I.never],
    hits: [],
    hitScore: 0,
    score: 0,
    channel: 'green',
    controlForm: null,
  },
  {
    name: 'one hit below the yellow threshold',
    indicators: [I.ewaste, I.never],
    hits: [['ewaste', 1]],
    hitScore: 30,
    score: 30,
    channel: 'green',
    controlForm: null,
  },
  {
    name: 'indicators hitting both items count once each',
    indicators: [I.origin, I.dispatch],
    hits: [
      ['origin', 1],
      ['dispatch', 1],
      ['origin', 2],
      ['dispatch', 2],
    ],
    hitScore: 45,
    score: 45,
    channel: 'yellow',
    controlForm: 'documentary-check',
  },
  {
    name: 'just below yellow',
    indicators: [weighted('a', 39)],
    hits: [['a', 1]],
    hitScore: 39,
    score: 39,
    channel: 'green',
    controlForm: null,
  },
  {
    name: 'at the yellow threshold',
    indicators: [weighted('a', 40)],
    hits: [['a', 1]],
    hitScore: 40,
    score: 40,
    channel: 'yellow',
    controlForm: 'documentary-check',
  },
  {
    name: 'just below red',
    indicators: [weighted('a', 40), weighted('b', 39)],
    hits: [
      ['a', 1],
      ['b', 1],
    ],
    hitScore: 79,
    score: 79,
    channel: 'yellow',
    controlForm: 'documentary-check',
  },
  {
    name: 'at the red threshold: at least a physical inspection',
    indicators: [I.ewaste, I.origin, weighted('c', 30, 'scanning')],
    hits: [
      ['ewaste', 1],
      ['origin', 1],
      ['c', 1],
      ['origin', 2],
    ],
    hitScore: 80,
    score: 80,
    channel: 'red',
    controlForm: 'physical-inspection',
  },
  {
    name: 'red: the most intrusive form a hit asks for',
    indicators: [I.ewaste, I.cheapBatteries],
    hits: [
      ['ewaste', 1],
      ['cheap-batteries', 1],
    ],
    hitScore: 80,
    score: 80,
    channel: 'red',
    controlForm: 'sampling-laboratory',
  },
  {
    name: 'yellow is a documentary check whatever the hits ask for',
    indicators: [I.cheapBatteries],
    hits: [['cheap-batteries', 1]],
    hitScore: 50,
    score: 50,
    channel: 'yellow',
    controlForm: 'documentary-check',
  },
  {
    name: 'thresholds come from the settings',
    indicators: [I.ewaste],
    settings: { thresholds: { yellow: 10, red: 30 } },
    hits: [['ewaste', 1]],
    hitScore: 30,
    score: 30,
    channel: 'red',
    controlForm: 'physical-inspection',
  },

  // Direct channels.
  {
    name: 'no direct red while the CITES permit is there',
    indicators: [I.citesRed],
    hits: [],
    hitScore: 0,
    score: 0,
    channel: 'green',
    controlForm: null,
    override: null,
  },
  {
    name: 'a direct red beats a green score',
    indicators: [I.citesRed, I.parrot],
    declaration: withoutCitesPermit(),
    hits: [
      ['cites-red', 2],
      ['parrot', 2],
    ],
    hitScore: 10, // the direct-channel indicator's weight is not scored
    score: 10,
    channel: 'red',
    controlForm: 'physical-inspection',
    override: 'cites-red',
  },
  {
    name: 'a direct red with a sampling hit',
    indicators: [
      I.citesRed,
      indicator('lab', 'item.sequence == 2', { controlForm: 'sampling-laboratory' }),
    ],
    declaration: withoutCitesPermit(),
    hits: [
      ['cites-red', 2],
      ['lab', 2],
    ],
    hitScore: 0,
    score: 0,
    channel: 'red',
    controlForm: 'sampling-laboratory',
    override: 'cites-red',
  },
  {
    name: 'a direct yellow over a green score',
    indicators: [I.railYellow],
    hits: [
      ['rail-yellow', 1],
      ['rail-yellow', 2],
    ],
    hitScore: 0,
    score: 0,
    channel: 'yellow',
    controlForm: 'documentary-check',
    override: 'rail-yellow',
  },
  {
    name: 'a direct yellow does not lower a red score',
    indicators: [I.railYellow, weighted('heavy', 90)],
    hits: [
      ['rail-yellow', 1],
      ['heavy', 1],
      ['rail-yellow', 2],
    ],
    hitScore: 90,
    score: 90,
    channel: 'red',
    controlForm: 'physical-inspection',
    override: 'rail-yellow',
  },
  {
    name: 'the highest override wins (yellow hit first)',
    indicators: [I.railYellow, I.citesRed],
    declaration: withoutCitesPermit(),
    hits: [
      ['rail-yellow', 1],
      ['rail-yellow', 2],
      ['cites-red', 2],
    ],
    hitScore: 0,
    score: 0,
    channel: 'red',
    controlForm: 'physical-inspection',
    override: 'cites-red',
  },
  {
    name: 'the highest override wins (red hit first)',
    indicators: [I.citesRed, I.railYellow],
    declaration: withoutCitesPermit(),
    hits: [
      ['rail-yellow', 1],
      ['cites-red', 2],
      ['rail-yellow', 2],
    ],
    hitScore: 0,
    score: 0,
    channel: 'red',
    controlForm: 'physical-inspection',
    override: 'cites-red',
  },

  // Certificates.
  {
    name: 'a valid trusted-trader certificate reduces the score',
    indicators: [I.ewaste, I.origin],
    trader: { certificates: [certificate()] },
    hits: [
      ['ewaste', 1],
      ['origin', 1],
      ['origin', 2],
    ],
    hitScore: 50,
    score: 20,
    channel: 'green',
    controlForm: null,
    effects: [['trusted-trader', -30]],
  },
  {
    name: 'by the configured amount',
    indicators: [I.ewaste, I.origin],
    trader: { certificates: [certificate()] },
    settings: { certificateReductions: { 'trusted-trader': 45 } },
    hits: [
      ['ewaste', 1],
      ['origin', 1],
      ['origin', 2],
    ],
    hitScore: 50,
    score: 5,
    channel: 'green',
    controlForm: null,
    effects: [['trusted-trader', -45]],
  },
  ...(
    [
      ['an expired', { status: 'expired' }],
      ['a revoked', { status: 'revoked' }],
      ['a suspended', { status: 'suspended' }],
      ['a lapsed', { validTo: '2026-11-01T00:00:00.000Z' }],
      ['a not yet valid', { validFrom: '2026-12-01T00:00:00.000Z' }],
      ['an unknown type of', { type: 'iso-9001' }],
    ] as const
  ).map(([what, patch]): Golden => ({
    name: `${what} certificate gives nothing`,
    indicators: [I.ewaste, I.origin],
    trader: { certificates: [certificate(patch)] },
    hits: [
      ['ewaste', 1],
      ['origin', 1],
      ['origin', 2],
    ],
    hitScore: 50,
    score: 50,
    channel: 'yellow',
    controlForm: 'documentary-check',
    effects: [],
  })),
  {
    name: 'two certificates of one type count once',
    indicators: [I.ewaste, I.origin],
    trader: {
      certificates: [certificate({ reference: 'TT-2' }), certificate({ reference: 'TT-1' })],
    },
    hits: [
      ['ewaste', 1],
      ['origin', 1],
      ['origin', 2],
    ],
    hitScore: 50,
    score: 20,
    channel: 'green',
    controlForm: null,
    effects: [['trusted-trader', -30]],
  },
  {
    name: 'two certificate types both count',
    indicators: [I.ewaste, I.origin, I.dispatch],
    trader: {
      certificates: [
        certificate({ type: 'environmental-compliance', reference: 'EC-1' }),
        certificate(),
      ],
    },
    hits: [
      ['ewaste', 1],
      ['origin', 1],
      ['dispatch', 1],
      ['origin', 2],
      ['dispatch', 2],
    ],
    hitScore: 75,
    score: 25,
    channel: 'green',
    controlForm: null,
    effects: [
      ['environmental-compliance', -20],
      ['trusted-trader', -30],
    ],
  },
  {
    name: 'the score never goes below 0',
    indicators: [weighted('a', 10)],
    trader: { certificates: [certificate()] },
    hits: [['a', 1]],
    hitScore: 10,
    score: 0,
    channel: 'green',
    controlForm: null,
    effects: [['trusted-trader', -30]],
  },
  {
    name: 'a certificate does not lift a direct red',
    indicators: [I.citesRed],
    declaration: withoutCitesPermit(),
    trader: { certificates: [certificate()] },
    hits: [['cites-red', 2]],
    hitScore: 0,
    score: 0,
    channel: 'red',
    controlForm: 'physical-inspection',
    override: 'cites-red',
    effects: [['trusted-trader', -30]],
  },

  // Compliance record: at least 3 controls with a finding rate of at least 0.2 adds 25.
  ...(
    [
      [2, 2, false],
      [0, 0, false],
      [5, 1, true],
      [3, 3, true],
      [10, 1, false],
      [15, 3, true],
    ] as const
  ).map(([controls, findings, penalised]): Golden => ({
    name: `${findings} findings in ${controls} controls: ${penalised ? '+25' : 'no penalty'}`,
    indicators: [I.ewaste],
    trader: { controls, findings },
    hits: [['ewaste', 1]],
    hitScore: 30,
    score: penalised ? 55 : 30,
    channel: penalised ? 'yellow' : 'green',
    controlForm: penalised ? 'documentary-check' : null,
    effects: penalised ? [['finding-rate', 25]] : [],
  })),
  {
    name: 'penalty and certificate together',
    indicators: [I.ewaste],
    trader: { controls: 5, findings: 1, certificates: [certificate()] },
    hits: [['ewaste', 1]],
    hitScore: 30,
    score: 25,
    channel: 'green',
    controlForm: null,
    effects: [
      ['trusted-trader', -30],
      ['finding-rate', 25],
    ],
  },
];

describe('assessDeclaration: golden declarations', () => {
  it.each(GOLDEN)('$name', (g) => {
    const engine = engineOf(g.indicators);
    const a = assessDeclaration(
      engine,
      g.declaration ?? content(),
      trader(g.trader),
      { ...SETTINGS, ...g.settings },
      7,
    );
    expect(a.hits.map((h) => [h.indicatorId, h.itemSequence])).toEqual(g.hits);
    expect(a.hitScore).toBe(g.hitScore);
    expect(a.score).toBe(g.score);
    expect(a.channel).toBe(g.channel);
    expect(a.controlForm).toBe(g.controlForm);
    if (g.override !== undefined) expect(a.override?.indicatorId ?? null).toBe(g.override);
    if (g.effects !== undefined) {
      expect(a.effects.map((e) => [e.subject, e.points])).toEqual(g.effects);
    }
    expect(a.random.selected).toBe(false);
    expect(a.engineVersion).toBe(ENGINE_VERSION);
    expect(a.rulesetId).toBe(engine.rulesetId);
  });

  it('explains each hit', () => {
    const a = assessDeclaration(
      engineOf([I.parrot, I.citesRed]),
      withoutCitesPermit(),
      trader(),
      SETTINGS,
      1,
    );
    expect(a.hits).toEqual([
      {
        indicatorId: 'parrot',
        indicatorVersion: 1,
        title: 'Indicator parrot',
        priorityArea: 'endangered-species',
        itemSequence: 2,
        hsCode: '0106390000',
        weight: 10,
        directChannel: null,
        controlForm: 'documentary-check',
        reason: 'Rationale parrot (condition: item.hs.startsWith("0106"))',
      },
      {
        indicatorId: 'cites-red',
        indicatorVersion: 1,
        title: 'Indicator cites-red',
        priorityArea: 'endangered-species',
        itemSequence: 2,
        hsCode: '0106390000',
        weight: 0,
        directChannel: 'red',
        controlForm: 'physical-inspection',
        reason:
          'Rationale cites-red (condition: item.hs.startsWith("0106") && !hasDocument("C400"))',
      },
    ]);
    expect(a.override).toEqual({ indicatorId: 'cites-red', indicatorVersion: 1, channel: 'red' });
  });

  it('records the certificate and the compliance record it applied', () => {
    const a = assessDeclaration(
      engineOf([I.ewaste]),
      content(),
      trader({
        controls: 5,
        findings: 2,
        certificates: [
          certificate({ reference: 'TT-0', status: 'expired' }),
          certificate({ reference: 'TT-9' }),
        ],
      }),
      SETTINGS,
      1,
    );
    expect(a.effects).toEqual([
      {
        kind: 'certificate',
        subject: 'trusted-trader',
        reference: 'TT-9',
        points: -30,
        reason: 'valid trusted-trader certificate TT-9 (scope: all goods)',
      },
      {
        kind: 'compliance-record',
        subject: 'finding-rate',
        reference: null,
        points: 25,
        reason: '2 findings in 5 controls',
      },
    ]);
  });

  it('judges certificates on the declaration date, not today', () => {
    const lapsesSoon = certificate({ validTo: '2026-11-03T00:00:00.000Z' });
    const engine = engineOf([I.ewaste]);
    const on = (submittedAt: string) =>
      assessDeclaration(
        engine,
        content({ submittedAt }),
        trader({ certificates: [lapsesSoon] }),
        SETTINGS,
        1,
      ).effects.length;
    expect(on('2026-11-02T23:59:59.000Z')).toBe(1);
    expect(on('2026-11-03T00:00:00.000Z')).toBe(0);
  });
});

describe('assessDeclaration: random selection', () => {
  const seeds = Array.from({ length: 200 }, (_, i) => i * 7919);
  const engine = engineOf([I.ewaste, I.never]);

  it('with a share of 1, sends every otherwise-green declaration to a documentary check', () => {
    for (const seed of seeds) {
      const a = assessDeclaration(
        engine,
        content(),
        trader(),
        { ...SETTINGS, randomShare: 1 },
        seed,
      );
      expect(a).toMatchObject({
        score: 30,
        channel: 'yellow',
        controlForm: 'documentary-check',
        random: { share: 1, seed, draw: mulberry32(seed), selected: true },
      });
    }
  });

  it('does not mark a yellow or red declaration as selected', () => {
    for (const [weight, channel] of [
      [40, 'yellow'],
      [80, 'red'],
    ] as const) {
      const a = assessDeclaration(
        engineOf([weighted('a', weight)]),
        content(),
        trader(),
        { ...SETTINGS, randomShare: 1 },
        3,
      );
      expect(a.channel).toBe(channel);
      expect(a.random.selected).toBe(false);
    }
  });

  it('with a share of 0, never selects', () => {
    for (const seed of seeds) {
      const a = assessDeclaration(
        engine,
        content(),
        trader(),
        { ...SETTINGS, randomShare: 0 },
        seed,
      );
      expect(a.channel).toBe('green');
      expect(a.controlForm).toBeNull();
      expect(a.random.selected).toBe(false);
    }
  });

  it('selects exactly when the draw is below the share', () => {
    const selected = seeds.map((seed) => {
      const a = assessDeclaration(
        engine,
        content(),
        trader(),
        { ...SETTINGS, randomShare: 0.3 },
        seed,
      );
      expect(a.random.selected).toBe(a.random.draw < 0.3);
      expect(a.channel).toBe(a.random.selected ? 'yellow' : 'green');
      return a.random.selected;
    });
    // Roughly the share: 60 expected of 200.
    const count = selected.filter(Boolean).length;
    expect(count).toBeGreaterThan(30);
    expect(count).toBeLessThan(90);
  });

  it('draws in [0, 1), from the seed alone', () => {
    for (const seed of [...seeds, 0, 1, 2 ** 32 - 1, 2 ** 31]) {
      const draw = mulberry32(seed);
      expect(draw).toBeGreaterThanOrEqual(0);
      expect(draw).toBeLessThan(1);
      expect(mulberry32(seed)).toBe(draw);
    }
    expect(new Set(seeds.map(mulberry32)).size).toBeGreaterThan(190);
  });
});

describe('assessDeclaration: reproducibility', () => {
  const indicators = [I.ewaste, I.origin, I.dispatch, I.parrot, I.citesRed, I.cheapBatteries];
  const tradeRecord = trader({
    controls: 4,
    findings: 1,
    certificates: [certificate(), certificate({ type: 'iso-9001', reference: 'X' })],
  });
  const settings = { ...DEFAULT_RISK_SETTINGS, randomShare: 0.5 };

  it('gives the same draw and the same selection for the same seed', () => {
    const engine = engineOf([I.never]);
    for (const seed of [1, 42, 123456789]) {
      const first = assessDeclaration(engine, content(), trader(), settings, seed);
      const second = assessDeclaration(engine, content(), trader(), settings, seed);
      expect(second.random).toEqual(first.random);
      expect(second.channel).toBe(first.channel);
    }
  });

  it('gives a byte-identical Assessment when re-assessing with the same engine', () => {
    const engine = engineOf(indicators);
    const declaration = withoutCitesPermit();
    const first = JSON.stringify(assessDeclaration(engine, declaration, tradeRecord, settings, 99));
    // Screen something else in between: the engine's per-call state must not leak.
    assessDeclaration(engine, content(), trader(), settings, 5);
    const second = JSON.stringify(
      assessDeclaration(engine, declaration, tradeRecord, settings, 99),
    );
    expect(second).toBe(first);
    const parsed = JSON.parse(first) as Assessment;
    expect(parsed.channel).toBe('red');
    expect(parsed.hits.length).toBeGreaterThan(3);
  });

  it('gives the same Assessment from a fresh engine over the same indicators', () => {
    const declaration = content();
    const a = assessDeclaration(engineOf(indicators), declaration, tradeRecord, settings, 11);
    const b = assessDeclaration(engineOf(indicators), declaration, tradeRecord, settings, 11);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('can change the draw with another seed', () => {
    const engine = engineOf([I.never]);
    const draws = new Set(
      [1, 2, 3].map(
        (seed) => assessDeclaration(engine, content(), trader(), settings, seed).random.draw,
      ),
    );
    expect(draws.size).toBe(3);
  });
});

describe('rulesetId', () => {
  const a = I.ewaste;
  const b = I.origin;

  it('does not depend on the order of the indicators', () => {
    expect(engineOf([a, b]).rulesetId).toBe(engineOf([b, a]).rulesetId);
  });

  it('changes when an indicator version changes', () => {
    const before = engineOf([a, b]).rulesetId;
    expect(engineOf([{ ...a, version: 2 }, b]).rulesetId).not.toBe(before);
    expect(engineOf([a, { ...b, version: 2 }]).rulesetId).not.toBe(before);
  });

  it('changes when an indicator is added or removed', () => {
    const two = engineOf([a, b]).rulesetId;
    expect(engineOf([a]).rulesetId).not.toBe(two);
    expect(engineOf([a, b, I.dispatch]).rulesetId).not.toBe(two);
  });

  it('is 32 hex digits, stable across engines', () => {
    expect(engineOf([a, b]).rulesetId).toMatch(/^[0-9a-f]{32}$/);
    expect(engineOf([a, b]).rulesetId).toBe(engineOf([a, b]).rulesetId);
    expect(engineOf([]).rulesetId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is what an assessment records', () => {
    const engine = engineOf([a, b]);
    expect(assessDeclaration(engine, content(), trader(), SETTINGS, 1).rulesetId).toBe(
      engine.rulesetId,
    );
  });
});
