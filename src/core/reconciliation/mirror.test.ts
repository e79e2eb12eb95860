import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  DEFAULT_CIF_FACTOR,
  reconcileMirror,
  unitValueGap,
  type DeclarationDifference,
  type GapFlagKind,
  type MirrorInput,
  type MirrorOptions,
  type OwnImportAggregate,
  type OwnImportDeclaration,
  type PartnerExportAggregate,
  type PartnerExportDeclaration,
} from './mirror.js';

const exp = (
  hs6: string,
  month: string,
  fobValue: number,
  more: Partial<PartnerExportAggregate> = {},
): PartnerExportAggregate => ({ partner: 'CN', hs6, month, fobValue, ...more });
const imp = (
  hs6: string,
  month: string,
  cifValue: number,
  more: Partial<OwnImportAggregate> = {},
): OwnImportAggregate => ({ partner: 'CN', hs6, month, cifValue, ...more });

const run = (
  exports: PartnerExportAggregate[],
  imports: OwnImportAggregate[],
  options: MirrorOptions = {},
) =>
  reconcileMirror(
    { partnerExports: { aggregates: exports }, ownImports: { aggregates: imports } },
    options,
  );

/** The flags of each row, keyed `hs6 partner month`. */
const flagsOf = (result: ReturnType<typeof run>) =>
  Object.fromEntries(result.rows.map((r) => [`${r.hs6} ${r.partner} ${r.month}`, r.flags]));

describe('CIF/FOB adjustment and value gaps', () => {
  interface Case {
    why: string;
    fob: number;
    cif: number;
    options?: MirrorOptions;
    flags: GapFlagKind[];
    ratio: number;
  }
  const CASES: Case[] = [
    {
      why: 'an exact 1.06 gap is freight and insurance',
      fob: 1000,
      cif: 1060,
      flags: [],
      ratio: 0,
    },
    {
      why: 'a 40 % undervaluation',
      fob: 1000,
      cif: 1060 * 0.6,
      flags: ['under-declared-value'],
      ratio: Math.log(0.6),
    },
    {
      why: 'just inside the threshold (×1/1.49)',
      fob: 1000,
      cif: 1060 / 1.49,
      flags: [],
      ratio: -Math.log(1.49),
    },
    {
      why: 'over-declared by 60 %',
      fob: 1000,
      cif: 1060 * 1.6,
      flags: ['over-declared-value'],
      ratio: Math.log(1.6),
    },
    {
      why: 'a tighter threshold flags a 20 % gap',
      fob: 1000,
      cif: 1060 * 0.8,
      options: { valueThreshold: Math.log(1.1) },
      flags: ['under-declared-value'],
      ratio: Math.log(0.8),
    },
    {
      why: 'a partner with dearer freight: its own factor, 1.25, is no gap',
      fob: 1000,
      cif: 1250,
      options: { cifFactorByPartner: { cn: 1.25 } },
      flags: [],
      ratio: 0,
    },
    {
      why: 'the same CIF with the factor of another partner is measured against 1.06',
      fob: 1000,
      cif: 1250,
      options: { cifFactorByPartner: { VN: 1.25 } },
      flags: [],
      ratio: Math.log(1250 / 1060),
    },
  ];
  it.each(CASES)('$why', ({ fob, cif, options, flags, ratio }) => {
    const result = run([exp('610910', '2026-03', fob)], [imp('610910', '2026-03', cif)], options);
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0]!;
    expect(row.flags).toEqual(flags);
    expect(row.valueLogRatio).toBeCloseTo(ratio, 10);
    expect(row.adjustedExport).toBeCloseTo(fob * row.cifFactor, 6);
  });

  it('defaults to the IMF factor 1.06', () => {
    expect(DEFAULT_CIF_FACTOR).toBe(1.06);
    expect(run([exp('610910', '2026-03', 100)], []).rows[0]!.adjustedExport).toBeCloseTo(106);
  });
});

describe('lag window', () => {
  interface Case {
    why: string;
    exports: PartnerExportAggregate[];
    imports: OwnImportAggregate[];
    lagMonths?: number;
    flags: Record<string, GapFlagKind[]>;
  }
  const CASES: Case[] = [
    {
      why: 'exported in March, imported in April: matched, no flag',
      exports: [exp('440710', '2026-03', 5000)],
      imports: [imp('440710', '2026-04', 5300)],
      // One row: the March export with the April import (the flow's lag is one month).
      flags: { '440710 CN 2026-03': [] },
    },
    {
      why: 'the same shipment with no lag allowed is a missing import then a missing export',
      exports: [exp('440710', '2026-03', 5000)],
      imports: [imp('440710', '2026-04', 5300)],
      lagMonths: 0,
      flags: { '440710 CN 2026-03': ['missing-import'], '440710 CN 2026-04': ['missing-export'] },
    },
    {
      why: 'imported in December, exported (recorded late) in January across the year',
      exports: [exp('440710', '2027-01', 5000)],
      imports: [imp('440710', '2026-12', 5300)],
      flags: { '440710 CN 2027-01': [] },
    },
    {
      why: 'alternate months: each export with its next-month import, no window straddles wrongly',
      exports: [exp('440710', '2026-03', 5000), exp('440710', '2026-05', 5000)],
      imports: [imp('440710', '2026-04', 5300), imp('440710', '2026-06', 5300)],
      flags: { '440710 CN 2026-03': [], '440710 CN 2026-05': [] },
    },
    {
      why: 'two months late is outside a lag of one',
      exports: [exp('440710', '2026-03', 5000)],
      imports: [imp('440710', '2026-05', 5300)],
      flags: { '440710 CN 2026-03': ['missing-import'], '440710 CN 2026-05': ['missing-export'] },
    },
    {
      why: 'two months late is inside a lag of two',
      exports: [exp('440710', '2026-03', 5000)],
      imports: [imp('440710', '2026-05', 5300)],
      lagMonths: 2,
      flags: { '440710 CN 2026-03': [] },
    },
    {
      why: 'a shipment split over two import months',
      exports: [exp('440710', '2026-03', 5000)],
      imports: [imp('440710', '2026-03', 2650), imp('440710', '2026-04', 2650)],
      flags: { '440710 CN 2026-03': [] },
    },
    {
      why: 'a lagged shipment still shows its undervaluation',
      exports: [exp('440710', '2026-03', 5000)],
      imports: [imp('440710', '2026-04', 2000)],
      flags: { '440710 CN 2026-03': ['under-declared-value'] },
    },
  ];
  it.each(CASES)('$why', ({ exports, imports, lagMonths, flags }) => {
    const result = run(exports, imports, lagMonths === undefined ? {} : { lagMonths });
    expect(flagsOf(result)).toEqual(flags);
  });

  it('reports the window it judged', () => {
    const [march] = run([exp('440710', '2026-03', 5000)], [imp('440710', '2026-04', 5300)]).rows;
    expect(march!.window).toEqual({ from: '2026-03', to: '2026-03' });
    expect(march!.importOffset).toBe(1);
    expect(march!.monthExportFob).toBe(5000);
    expect(march!.monthImportCif).toBe(0);
    expect(march!.importCif).toBe(5300);
  });
});

describe('misclassification under one HS4', () => {
  const tariffs: Record<string, number> = { '610910': 0.12, '610990': 0.05, '610920': 0.12 };
  const tariffRate = (hs6: string) => tariffs[hs6];
  // The partner exported cotton T-shirts (12 %); we imported most of them as "other" (5 %).
  const exports = [exp('610910', '2026-03', 100_000), exp('610990', '2026-03', 20_000)];
  const imports = [imp('610910', '2026-03', 30_000), imp('610990', '2026-03', 95_000)];

  it('flags both codes with the tariff difference', () => {
    const result = run(exports, imports, { tariffRate });
    expect(result.misclassifications).toHaveLength(1);
    const f = result.misclassifications[0]!;
    expect(f).toMatchObject({
      hs4: '6109',
      partner: 'CN',
      month: '2026-03',
      fromHs6: '610910',
      toHs6: '610990',
      fromTariff: 0.12,
      toTariff: 0.05,
    });
    expect(f.tariffDifference).toBeCloseTo(0.07, 10);
    expect(f.shortfall).toBeCloseTo(106_000 - 30_000, 6);
    expect(f.surplus).toBeCloseTo(95_000 - 21_200, 6);
    expect(flagsOf(result)).toEqual({
      '610910 CN 2026-03': ['under-declared-value', 'possible-misclassification'],
      '610990 CN 2026-03': ['over-declared-value', 'possible-misclassification'],
    });
    expect(result.rows.map((r) => r.tariffRate)).toEqual([0.12, 0.05]);
  });

  it('a missing high-tariff import and an import with no export count too', () => {
    const result = run([exp('610910', '2026-03', 100_000)], [imp('610990', '2026-03', 106_000)], {
      tariffRate,
    });
    expect(result.misclassifications.map((f) => [f.fromHs6, f.toHs6])).toEqual([
      ['610910', '610990'],
    ]);
  });

  interface Case {
    why: string;
    options: MirrorOptions;
    exports?: PartnerExportAggregate[];
    imports?: OwnImportAggregate[];
  }
  const NOT: Case[] = [
    {
      why: 'goods moved to the dearer code are not evasion',
      options: { tariffRate: (h) => (h === '610910' ? 0.05 : 0.12) },
    },
    { why: 'equal tariffs', options: { tariffRate: (h) => (h in tariffs ? 0.12 : null) } },
    { why: 'no tariff known', options: {} },
    {
      why: 'different HS4: 6109 and 6110',
      options: { tariffRate: (h) => (h === '610910' ? 0.12 : 0.05) },
      exports: [exp('610910', '2026-03', 100_000), exp('611020', '2026-03', 20_000)],
      imports: [imp('610910', '2026-03', 30_000), imp('611020', '2026-03', 95_000)],
    },
    {
      why: 'different months (outside the lag)',
      options: { tariffRate },
      exports: [exp('610910', '2026-03', 100_000), exp('610990', '2026-09', 20_000)],
      imports: [imp('610910', '2026-03', 30_000), imp('610990', '2026-09', 95_000)],
    },
    {
      why: 'below the minimum value',
      options: { tariffRate, minimumValue: 1_000_000 },
    },
  ];
  it.each(NOT)('not flagged: $why', ({ options, ...c }) => {
    const result = run(c.exports ?? exports, c.imports ?? imports, options);
    expect(result.misclassifications).toEqual([]);
    expect(result.rows.some((r) => r.flags.includes('possible-misclassification'))).toBe(false);
  });
});

describe('quantities', () => {
  interface Case {
    why: string;
    exports: PartnerExportAggregate[];
    imports: OwnImportAggregate[];
    note: string | null;
    ratio: number | null;
    flags: GapFlagKind[];
  }
  const CASES: Case[] = [
    {
      why: 'same unit, same quantity',
      exports: [exp('440710', '2026-03', 1000, { quantity: 50, unit: 'MTQ' })],
      imports: [imp('440710', '2026-03', 1060, { quantity: 50, unit: 'mtq ' })],
      note: null,
      ratio: 0,
      flags: [],
    },
    {
      why: 'same unit, twice the quantity at the same value: a quantity gap',
      exports: [exp('440710', '2026-03', 1000, { quantity: 50, unit: 'MTQ' })],
      imports: [imp('440710', '2026-03', 1060, { quantity: 100, unit: 'MTQ' })],
      note: null,
      ratio: Math.log(2),
      flags: ['quantity-gap'],
    },
    {
      why: 'kilograms against units are refused, however far apart',
      exports: [exp('440710', '2026-03', 1000, { quantity: 50, unit: 'KGM' })],
      imports: [imp('440710', '2026-03', 1060, { quantity: 5_000_000, unit: 'U' })],
      note: 'units-differ',
      ratio: null,
      flags: [],
    },
    {
      why: 'one side in two units',
      exports: [
        exp('440710', '2026-03', 500, { quantity: 50, unit: 'KGM' }),
        exp('440710', '2026-03', 500, { quantity: 5, unit: 'U' }),
      ],
      imports: [imp('440710', '2026-03', 1060, { quantity: 55, unit: 'KGM' })],
      note: 'mixed-units',
      ratio: null,
      flags: [],
    },
    {
      why: 'a record without quantity makes the total unknown',
      exports: [
        exp('440710', '2026-03', 500, { quantity: 50, unit: 'KGM' }),
        exp('440710', '2026-03', 500),
      ],
      imports: [imp('440710', '2026-03', 1060, { quantity: 500, unit: 'KGM' })],
      note: 'quantity-missing',
      ratio: null,
      flags: [],
    },
    {
      why: 'a NaN or negative quantity is no quantity',
      exports: [exp('440710', '2026-03', 1000, { quantity: Number.NaN, unit: 'KGM' })],
      imports: [imp('440710', '2026-03', 1060, { quantity: -5, unit: 'KGM' })],
      note: 'quantity-missing',
      ratio: null,
      flags: [],
    },
  ];
  it.each(CASES)('$why', ({ exports, imports, note, ratio, flags }) => {
    const [row] = run(exports, imports).rows;
    expect(row!.quantityNote).toBe(note);
    if (ratio === null) expect(row!.quantityLogRatio).toBeNull();
    else expect(row!.quantityLogRatio).toBeCloseTo(ratio, 10);
    expect(row!.flags).toEqual(flags);
  });

  it('unit value is value ratio minus quantity ratio', () => {
    const [row] = run(
      [exp('440710', '2026-03', 1000, { quantity: 50, unit: 'KGM' })],
      [imp('440710', '2026-03', 1060 * 0.5, { quantity: 50, unit: 'KGM' })],
    ).rows;
    expect(row!.unitValueLogRatio).toBeCloseTo(Math.log(0.5), 10);
  });
});

describe('minimum value', () => {
  const cases = [
    { fob: 500, minimumValue: 1000, flagged: false },
    { fob: 5000, minimumValue: 1000, flagged: true },
    { fob: 500, minimumValue: 0, flagged: true },
  ];
  it.each(cases)(
    'a 40 % gap on $fob with minimum $minimumValue',
    ({ fob, minimumValue, flagged }) => {
      const [row] = run(
        [exp('610910', '2026-03', fob)],
        [imp('610910', '2026-03', fob * 1.06 * 0.6)],
        { minimumValue },
      ).rows;
      expect(row!.belowMinimum).toBe(!flagged);
      expect(row!.flags).toEqual(flagged ? ['under-declared-value'] : []);
    },
  );

  it('a small missing import is not flagged either', () => {
    const [row] = run([exp('610910', '2026-03', 90)], [], { minimumValue: 100 }).rows;
    expect(row!.flags).toEqual([]);
  });
});

describe('per-declaration matching', () => {
  const out = (more: Partial<PartnerExportDeclaration> = {}): PartnerExportDeclaration => ({
    reference: 'CN-EX-1',
    transportDocument: 'MSCU 1234567',
    partner: 'CN',
    month: '2026-03',
    hsCode: '6109100010',
    fobValue: 10_000,
    quantity: 1000,
    unit: 'U',
    consignee: 'Nordic Apparel GmbH',
    ...more,
  });
  const inn = (more: Partial<OwnImportDeclaration> = {}): OwnImportDeclaration => ({
    declarationId: 'IM-1',
    exportReference: null,
    transportDocument: 'MSCU-1234567',
    partner: 'CN',
    month: '2026-04',
    hsCode: '61091000',
    cifValue: 10_600,
    quantity: 1000,
    unit: 'U',
    consignee: 'NORDIC APPAREL G.m.b.H.',
    ...more,
  });
  const match = (e: PartnerExportDeclaration[], i: OwnImportDeclaration[]) =>
    reconcileMirror({
      partnerExports: { declarations: e },
      ownImports: { declarations: i },
    }).declarations;

  interface Case {
    why: string;
    out?: Partial<PartnerExportDeclaration>;
    inn?: Partial<OwnImportDeclaration>;
    kinds: DeclarationDifference['kind'][];
  }
  const CASES: Case[] = [
    { why: 'the same goods (national digits and name spelling aside)', kinds: [] },
    { why: 'another HS6', inn: { hsCode: '6109.90' }, kinds: ['hs-code'] },
    { why: 'fewer pieces', inn: { quantity: 600 }, kinds: ['quantity'] },
    { why: 'a 1 % weighing difference is tolerated', inn: { quantity: 1010 }, kinds: [] },
    { why: 'another unit: not compared', inn: { unit: 'KGM', quantity: 80 }, kinds: ['unit'] },
    { why: 'value 40 % under after CIF', inn: { cifValue: 6_360 }, kinds: ['value'] },
    { why: 'value within the tolerance', inn: { cifValue: 10_000 }, kinds: [] },
    { why: 'another consignee', inn: { consignee: 'Baltic Trade OU' }, kinds: ['consignee'] },
    { why: 'no consignee on one side', inn: { consignee: null }, kinds: [] },
    {
      why: 'everything at once',
      inn: { hsCode: '610990', quantity: 500, cifValue: 3000, consignee: 'X Ltd' },
      kinds: ['hs-code', 'quantity', 'value', 'consignee'],
    },
  ];
  it.each(CASES)('$why', (c) => {
    const m = match([out(c.out)], [inn(c.inn)]);
    expect(m.matches).toHaveLength(1);
    expect(m.matches[0]!.matchedBy).toBe('transport-document');
    expect(m.matches[0]!.transportDocument).toBe('MSCU1234567');
    expect(m.matches[0]!.differences.map((d) => d.kind)).toEqual(c.kinds);
    expect(m.unmatchedExports).toEqual([]);
    expect(m.unmatchedImports).toEqual([]);
  });

  it('the value difference carries the CIF adjustment', () => {
    const [d] = match([out()], [inn({ cifValue: 6_360 })]).matches[0]!.differences;
    expect(d).toMatchObject({ kind: 'value', exportFob: 10_000, importCif: 6_360 });
    if (d?.kind !== 'value') throw new Error('a value difference');
    expect(d.adjustedExport).toBeCloseTo(10_600, 6);
    expect(d.logRatio).toBeCloseTo(Math.log(0.6), 10);
  });

  it('falls back to the export reference, and lists the unmatched on both sides', () => {
    const m = match(
      [
        out({ reference: 'CN-EX-1', transportDocument: null }),
        out({ reference: 'CN-EX-2', transportDocument: 'AWB 176-000' }),
        out({ reference: 'CN-EX-3', transportDocument: null }),
      ],
      [
        inn({ declarationId: 'IM-1', exportReference: 'cn-ex-1', transportDocument: null }),
        inn({ declarationId: 'IM-2', transportDocument: 'AWB 176-999' }),
        inn({ declarationId: 'IM-3', exportReference: 'CN-EX-9', transportDocument: null }),
      ],
    );
    expect(m.matches.map((x) => [x.exportReference, x.importDeclarationId, x.matchedBy])).toEqual([
      ['CN-EX-1', 'IM-1', 'reference'],
    ]);
    expect(m.unmatchedExports).toEqual(['CN-EX-2', 'CN-EX-3']);
    expect(m.unmatchedImports).toEqual(['IM-2', 'IM-3']);
  });

  it('several declarations under one document pair by HS6, one to one', () => {
    const m = match(
      [
        out({ reference: 'E-B', hsCode: '610990', fobValue: 2000 }),
        out({ reference: 'E-A', hsCode: '610910', fobValue: 8000 }),
      ],
      [
        inn({ declarationId: 'I-A', hsCode: '610910', cifValue: 8480 }),
        inn({ declarationId: 'I-B', hsCode: '610990', cifValue: 2120 }),
        inn({ declarationId: 'I-C', hsCode: '610990', cifValue: 2120 }),
      ],
    );
    expect(
      m.matches.map((x) => [x.exportReference, x.importDeclarationId, x.differences.length]),
    ).toEqual([
      ['E-A', 'I-A', 0],
      ['E-B', 'I-B', 0],
    ]);
    expect(m.unmatchedImports).toEqual(['I-C']);
  });

  it('declarations feed the gap rows too', () => {
    const result = reconcileMirror({
      partnerExports: { declarations: [out()] },
      ownImports: { declarations: [inn({ cifValue: 5000 })] },
    });
    expect(flagsOf(result)).toEqual({ '610910 CN 2026-03': ['under-declared-value'] });
  });

  it('no value difference below the minimum value', () => {
    const r = reconcileMirror(
      {
        partnerExports: { declarations: [out()] },
        ownImports: { declarations: [inn({ cifValue: 3000 })] },
      },
      { minimumValue: 50_000 },
    );
    expect(r.declarations.matches[0]!.differences).toEqual([]);
  });
});

describe('hostile and odd input', () => {
  it('sets aside bad records with the reason and keeps the good ones', () => {
    const bad: unknown[] = [
      exp('610910', '2026-03', 0),
      exp('610910', '2026-03', -100),
      exp('610910', '2026-03', Number.NaN),
      exp('610910', '2026-03', Number.POSITIVE_INFINITY),
      exp('610910', '2026-03', 1e300),
      exp('61091', '2026-03', 100),
      exp('610910', '2026-13', 100),
      exp('610910', '2026-3', 100),
      exp('610910', '2026-03', 100, { partner: 'China' }),
      exp('610910', '2026-03', '100' as unknown as number),
      null,
      exp('610910', '2026-03', 100),
    ];
    const result = reconcileMirror({
      partnerExports: { aggregates: bad as PartnerExportAggregate[] },
      ownImports: { aggregates: [imp('610910', '2026-03', 106)] },
    });
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.rejected.every((r) => r.source === 'partner-export-aggregate')).toBe(true);
    expect(result.rejected[0]!.reason).toMatch(/^value/);
    expect(result.rejected[5]!.reason).toMatch(/^HS code/);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]!.flags).toEqual([]);
    for (const n of [result.rows[0]!.valueLogRatio, result.rows[0]!.adjustedExport])
      expect(Number.isFinite(n)).toBe(true);
  });

  it('refuses invalid options', () => {
    for (const options of [
      { cifFactor: 0 },
      { cifFactor: Number.NaN },
      { lagMonths: 1.5 },
      { lagMonths: 13 },
      { valueThreshold: -1 },
      { minimumValue: Number.NaN },
      { cifFactorByPartner: { XYZ: 1.1 } },
    ])
      expect(() => run([], [], options), JSON.stringify(options)).toThrow(DomainError);
  });

  it('a prototype key as partner is just a rejected record', () => {
    const result = run([exp('610910', '2026-03', 100, { partner: '__proto__' })], []);
    expect(result.rejected).toHaveLength(1);
    expect(result.rows).toEqual([]);
  });

  it('handles large inputs and one document shared by thousands', { timeout: 60_000 }, () => {
    const exports: PartnerExportAggregate[] = [];
    const imports: OwnImportAggregate[] = [];
    for (let k = 0; k < 100_000; k++) {
      const hs6 = String(100_000 + (k % 2000));
      const month = `2026-${String((k % 12) + 1).padStart(2, '0')}`;
      exports.push(exp(hs6, month, 1000 + k));
      imports.push(imp(hs6, month, 1060 + k));
    }
    const decl = (k: number): PartnerExportDeclaration => ({
      reference: `E${k}`,
      transportDocument: 'SAME',
      partner: 'CN',
      month: '2026-03',
      hsCode: '610910',
      fobValue: 100,
    });
    const result = reconcileMirror(
      {
        partnerExports: {
          aggregates: exports,
          declarations: Array.from({ length: 20_000 }, (_, k) => decl(k)),
        },
        ownImports: {
          aggregates: imports,
          declarations: Array.from({ length: 20_000 }, (_, k) => ({
            declarationId: `I${k}`,
            transportDocument: 'same',
            partner: 'CN',
            month: '2026-03',
            hsCode: '610910',
            cifValue: 106,
          })),
        },
      },
      { lagMonths: 3 },
    );
    // 2000 codes × 12 months meet in lcm(2000, 12) = 6000 cells, plus the declarations' one.
    expect(result.rows).toHaveLength(6000 + 1);
    expect(result.declarations.matches).toHaveLength(20_000);
    // How fast is bench/reconciliation.ts's to say (a timed unit test on a shared machine is noise).
  });
});

describe('unitValueGap', () => {
  const result = run(
    [
      exp('440710', '2026-01', 1000, { quantity: 10, unit: 'MTQ' }),
      exp('440710', '2026-06', 1000, { quantity: 10, unit: 'MTQ' }),
      exp('440710', '2026-12', 1000),
      exp('440799', '2026-01', 1000, { quantity: 10, unit: 'MTQ' }),
      exp('440710', '2026-01', 1000, { partner: 'BY', quantity: 10, unit: 'MTQ' }),
    ],
    [
      imp('440710', '2026-01', 1060, { quantity: 10, unit: 'MTQ' }),
      imp('440710', '2026-06', 530, { quantity: 10, unit: 'MTQ' }),
      imp('440710', '2026-12', 1060, { quantity: 10, unit: 'MTQ' }),
      imp('440799', '2026-01', 1060, { quantity: 10, unit: 'MTQ' }),
      imp('440710', '2026-01', 1060 * 2, { partner: 'BY', quantity: 10, unit: 'MTQ' }),
    ],
  );
  const CASES: { hs6: string; partner: string; gap: number | null; why: string }[] = [
    {
      why: 'latest comparable month (December has no quantity)',
      hs6: '440710',
      partner: 'CN',
      gap: Math.log(0.5),
    },
    {
      why: 'written with a dot and in lower case',
      hs6: '4407.10',
      partner: 'cn',
      gap: Math.log(0.5),
    },
    { why: 'another partner', hs6: '440710', partner: 'BY', gap: Math.log(2) },
    { why: 'another code', hs6: '440799', partner: 'CN', gap: 0 },
    { why: 'unknown code', hs6: '440720', partner: 'CN', gap: null },
    { why: 'unknown partner', hs6: '440710', partner: 'PL', gap: null },
    { why: 'nonsense', hs6: 'wood', partner: 'CN', gap: null },
  ];
  it.each(CASES)('$why', ({ hs6, partner, gap }) => {
    const g = unitValueGap(result, hs6, partner);
    if (gap === null) expect(g).toBeNull();
    else expect(g).toBeCloseTo(gap, 10);
  });
});

describe('determinism', () => {
  /** A small seeded generator (no Math.random in tests of the core either). */
  function lcg(seed: number) {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  }
  function input(seed: number): MirrorInput {
    const rnd = lcg(seed);
    const codes = ['610910', '610990', '440710', '440799', '030617'];
    const partners = ['CN', 'VN', 'BY'];
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const month = () => `2026-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}`;
    const aggregates = Array.from({ length: 300 }, () => ({
      hs6: pick(codes),
      partner: pick(partners),
      month: month(),
      value: 100 + Math.floor(rnd() * 10_000),
      quantity: Math.floor(rnd() * 100),
      unit: pick(['KGM', 'U']),
    }));
    return {
      partnerExports: {
        aggregates: aggregates.slice(0, 150).map(({ value, ...a }) => ({ ...a, fobValue: value })),
      },
      ownImports: {
        aggregates: aggregates.slice(150).map(({ value, ...a }) => ({ ...a, cifValue: value })),
      },
    };
  }
  const options: MirrorOptions = { tariffRate: (h) => (h.endsWith('10') ? 0.12 : 0.04) };

  it('the same input gives the same output, rows sorted', () => {
    const a = reconcileMirror(input(7), options);
    const b = reconcileMirror(input(7), options);
    expect(b).toEqual(a);
    const keys = a.rows.map((r) => `${r.hs6}|${r.partner}|${r.month}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
    expect(a.rows.some((r) => r.flags.length > 0)).toBe(true);
  });

  it('the order of the records does not change rows or flags', () => {
    const i = input(11);
    const reversed: MirrorInput = {
      partnerExports: { aggregates: [...i.partnerExports.aggregates!].reverse() },
      ownImports: { aggregates: [...i.ownImports.aggregates!].reverse() },
    };
    const summary = (r: ReturnType<typeof reconcileMirror>) =>
      r.rows.map((x) => [x.hs6, x.partner, x.month, x.window, x.flags, x.quantityNote]);
    expect(summary(reconcileMirror(reversed, options))).toEqual(
      summary(reconcileMirror(i, options)),
    );
  });
});

describe('alignment of a flow over its year', () => {
  // Volumes that swing from month to month, as real trade does.
  const volumes = [100, 160, 70, 130, 90, 150, 60, 140, 110, 80, 170, 95].map((v) => v * 1000);
  const month = (i: number) => `2026-${String(i + 1).padStart(2, '0')}`;

  it('finds a one-month shipping lag in a volatile flow and flags none of its months', () => {
    const exports = volumes.map((v, i) => exp('440710', month(i), v));
    // Each month's exports arrive the next month (December's in January 2027).
    const imports = volumes.map((v, i) =>
      imp('440710', i === 11 ? '2027-01' : month(i + 1), v * 1.06),
    );
    const result = run(exports, imports);
    expect(result.rows.every((r) => r.importOffset === 1)).toBe(true);
    expect(result.rows.flatMap((r) => r.flags)).toEqual([]);
    // The same months side by side would be flagged: the lag is what explains them.
    const unaligned = run(exports, imports, { lagMonths: 0 });
    expect(unaligned.rows.some((r) => r.flags.includes('under-declared-value'))).toBe(true);
  });

  it('still flags the undervalued months of a lagged flow', () => {
    const exports = volumes.map((v, i) => exp('440710', month(i), v));
    const imports = volumes.map((v, i) =>
      imp('440710', i === 11 ? '2027-01' : month(i + 1), v * 1.06 * (i === 4 || i === 5 ? 0.5 : 1)),
    );
    const flagged = run(exports, imports)
      .rows.filter((r) => r.flags.includes('under-declared-value'))
      .map((r) => r.month);
    expect(flagged).toEqual(['2026-05', '2026-06']);
  });
});

describe('misclassification into a code with a large flow of its own', () => {
  const tariffRate = (hs6: string) => (hs6 === '610910' ? 0.12 : 0.05);
  it('pairs a shortfall with a surplus of the same amount even below the threshold', () => {
    // 60,000 of T-shirts (12 %) declared as "other" (5 %), whose own flow is 300,000.
    const result = run(
      [exp('610910', '2026-03', 100_000), exp('610990', '2026-03', 300_000)],
      [imp('610910', '2026-03', 46_000), imp('610990', '2026-03', 318_000 + 60_000)],
      { tariffRate },
    );
    expect(result.misclassifications.map((f) => [f.fromHs6, f.toHs6])).toEqual([
      ['610910', '610990'],
    ]);
  });

  it('does not pair it with a sibling whose excess is within its noise', () => {
    // The same 60,000, but on a flow of 3,000,000: a 2% excess is no evidence.
    const result = run(
      [exp('610910', '2026-03', 100_000), exp('610990', '2026-03', 3_000_000)],
      [imp('610910', '2026-03', 46_000), imp('610990', '2026-03', 3_180_000 + 60_000)],
      { tariffRate },
    );
    expect(result.misclassifications).toEqual([]);
    expect(flagsOf(result)['610910 CN 2026-03']).toEqual(['under-declared-value']);
  });
});
