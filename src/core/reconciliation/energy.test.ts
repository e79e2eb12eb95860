import { describe, expect, it } from 'vitest';
import {
  granularityOf,
  periodOf,
  reconcileEnergy,
  toCanonical,
  type FlowReport,
  type FlowSource,
  type FlowUnit,
  type InterconnectionPoint,
  type PairOutcome,
} from './energy.js';

const HOUR = 3_600_000;

/** A 330 kV line Belarus–Lithuania (Vilnius keeps daylight-saving time). */
const LINE: InterconnectionPoint = {
  id: 'BY-LT-330',
  commodity: 'electricity',
  timeZone: 'Europe/Vilnius',
  dayStartHour: 0,
  lossFraction: 0,
  meterAccuracy: 0.005,
  absoluteTolerancePerHour: 0.1,
};
/** A gas pipeline metered on the gas day (06:00–06:00 Central European time). */
const PIPE: InterconnectionPoint = {
  id: 'GAS-MALLNOW',
  commodity: 'natural-gas',
  timeZone: 'Europe/Berlin',
  dayStartHour: 6,
  lossFraction: 0.002,
  meterAccuracy: 0.01,
  absoluteTolerancePerHour: 1,
  calorificValueMJPerM3: 39.6,
};

let seq = 0;
function report(
  source: FlowSource,
  start: string,
  end: string,
  quantity: number,
  more: Partial<FlowReport> = {},
): FlowReport {
  return {
    id: `${source}-${++seq}`,
    source,
    pointId: LINE.id,
    direction: source === 'partner' ? 'export' : 'import',
    start,
    end,
    quantity,
    unit: 'MWh',
    ...more,
  };
}

/** `count` consecutive periods of `minutes` from `start`, each of `quantity` (or by index). */
function series(
  source: FlowSource,
  start: string,
  count: number,
  minutes: number,
  quantity: number | ((i: number) => number),
  more: Partial<FlowReport> = {},
): FlowReport[] {
  const t0 = Date.parse(start);
  return Array.from({ length: count }, (_, i) =>
    report(
      source,
      new Date(t0 + i * minutes * 60_000).toISOString(),
      new Date(t0 + (i + 1) * minutes * 60_000).toISOString(),
      typeof quantity === 'number' ? quantity : quantity(i),
      more,
    ),
  );
}

const outcomes = (r: ReturnType<typeof reconcileEnergy>) => r.pairs.map((p) => p.outcome);

describe('energy reconciliation: one period, both sides', () => {
  // 1 June 2026, 10:00–11:00 in Vilnius (UTC+3 in summer).
  const S = '2026-06-01T07:00:00.000Z';
  const E = '2026-06-01T08:00:00.000Z';
  const cases: Array<{
    name: string;
    own: number | null;
    partner: number | null;
    ownDirection?: 'import' | 'export';
    partnerDirection?: 'import' | 'export';
    outcome: PairOutcome;
  }> = [
    { name: 'exact match', own: 250, partner: 250, outcome: 'match' },
    { name: 'within tolerance (0.4% < 0.5%)', own: 251, partner: 250, outcome: 'within-tolerance' },
    { name: 'beyond tolerance (2%)', own: 245, partner: 250, outcome: 'discrepancy' },
    { name: 'our meter missing', own: null, partner: 250, outcome: 'missing-own' },
    { name: "the partner's figure missing", own: 250, partner: null, outcome: 'missing-partner' },
    {
      name: 'a direction flip: both say they exported',
      own: 250,
      partner: 250,
      ownDirection: 'export',
      partnerDirection: 'export',
      outcome: 'direction-mismatch',
    },
    {
      name: 'small figures: the absolute tolerance applies (0.05 < 0.1 MWh)',
      own: 1.05,
      partner: 1,
      outcome: 'within-tolerance',
    },
  ];
  it.each(cases)('$name', (c) => {
    const reports = [
      ...(c.own === null
        ? []
        : [report('own-meter', S, E, c.own, { direction: c.ownDirection ?? 'import' })]),
      ...(c.partner === null
        ? []
        : [report('partner', S, E, c.partner, { direction: c.partnerDirection ?? 'export' })]),
    ];
    const r = reconcileEnergy([LINE], reports);
    expect(outcomes(r)).toEqual([c.outcome]);
    expect(r.issues).toEqual([]);
  });

  it('gives the difference and the tolerance it used', () => {
    const r = reconcileEnergy(
      [LINE],
      [report('own-meter', S, E, 245), report('partner', S, E, 250)],
    );
    expect(r.pairs[0]).toMatchObject({ own: 245, partner: 250, difference: -5, tolerance: 1.25 });
  });

  it('takes the line loss off the exporter: our import reads less than their export', () => {
    const lossy = { ...LINE, lossFraction: 0.02 };
    const r = reconcileEnergy(
      [lossy],
      [report('own-meter', S, E, 245), report('partner', S, E, 250)],
    );
    expect(r.pairs[0]).toMatchObject({ outcome: 'match', partnerAtImporter: 245 });
    // Without the loss the same figures are 2% apart.
    expect(
      outcomes(
        reconcileEnergy([LINE], [report('own-meter', S, E, 245), report('partner', S, E, 250)]),
      ),
    ).toEqual(['discrepancy']);
  });

  it('does not raise a discrepancy on a provisional figure, and says so', () => {
    const r = reconcileEnergy(
      [LINE],
      [report('own-meter', S, E, 245), report('partner', S, E, 250, { provisional: true })],
    );
    expect(r.pairs[0]?.outcome).toBe('provisional');
    expect(r.pairs[0]?.detail).toMatch(/provisional/);
  });

  it('keeps the first of two figures for one period and names the second a duplicate', () => {
    const first = report('partner', S, E, 250);
    const again = report('partner', S, E, 300);
    const r = reconcileEnergy([LINE], [report('own-meter', S, E, 250), first, again]);
    expect(r.pairs[0]).toMatchObject({ outcome: 'duplicate', partner: 250 });
    expect(r.issues).toEqual([expect.objectContaining({ reportId: again.id, kind: 'duplicate' })]);
  });
});

describe('energy reconciliation: periods', () => {
  it('brings 15-minute meter data to the partner’s hours', () => {
    const own = series('own-meter', '2026-06-01T07:00:00.000Z', 8, 15, 62.5);
    const partner = series('partner', '2026-06-01T07:00:00.000Z', 2, 60, 250);
    const r = reconcileEnergy([LINE], [...own, ...partner]);
    expect(r.pairs.map((p) => [p.granularity, p.outcome, p.own])).toEqual([
      ['PT1H', 'match', 250],
      ['PT1H', 'match', 250],
    ]);
  });

  it('says what is missing when quarter hours lack from an hour', () => {
    const own = series('own-meter', '2026-06-01T07:00:00.000Z', 3, 15, 62.5);
    const partner = series('partner', '2026-06-01T07:00:00.000Z', 1, 60, 250);
    const r = reconcileEnergy([LINE], [...own, ...partner]);
    expect(r.pairs[0]).toMatchObject({ outcome: 'missing-own' });
    expect(r.pairs[0]?.detail).toBe('our meter covers 0.75 of 1 hours');
  });

  it('counts a gas day from 06:00 local and sums the hours into it', () => {
    // Gas day 1 June 2026: 06:00 CEST = 04:00 UTC, to 04:00 UTC on 2 June.
    const day = periodOf(PIPE, 'P1D', Date.parse('2026-06-01T12:00:00Z'));
    expect([new Date(day.start).toISOString(), new Date(day.end).toISOString()]).toEqual([
      '2026-06-01T04:00:00.000Z',
      '2026-06-02T04:00:00.000Z',
    ]);
    // 05:30 local on 2 June still belongs to the gas day of 1 June.
    expect(periodOf(PIPE, 'P1D', Date.parse('2026-06-02T03:30:00Z')).start).toBe(day.start);
    expect(periodOf(PIPE, 'P1D', Date.parse('2026-06-02T04:00:00Z')).start).toBe(day.end);
    const hours = series('own-meter', '2026-06-01T04:00:00.000Z', 24, 60, 1000, {
      pointId: PIPE.id,
    });
    const partner = report(
      'partner',
      '2026-06-01T04:00:00.000Z',
      '2026-06-02T04:00:00.000Z',
      24_000 / 0.998,
      {
        pointId: PIPE.id,
      },
    );
    const r = reconcileEnergy([PIPE], [...hours, partner]);
    expect(r.pairs.map((p) => [p.granularity, p.outcome])).toEqual([['P1D', 'match']]);
  });

  it('refuses a calendar day where the point counts gas days (it crosses the gas-day boundary)', () => {
    const r = reconcileEnergy(
      [PIPE],
      [
        report('partner', '2026-05-31T22:00:00.000Z', '2026-06-01T22:00:00.000Z', 24_000, {
          pointId: PIPE.id,
        }),
      ],
    );
    expect(r.pairs).toEqual([]);
    expect(r.issues[0]).toMatchObject({ kind: 'granularity-mismatch' });
    expect(r.issues[0]?.detail).toMatch(/06:00 Europe\/Berlin/);
  });

  it.each([
    // Spring forward on 29 March 2026: the gas day of 28 March has 23 hours.
    {
      name: '23-hour gas day',
      start: '2026-03-28T05:00:00.000Z',
      end: '2026-03-29T04:00:00.000Z',
      hours: 23,
    },
    // Fall back on 25 October 2026 (03:00 CEST → 02:00 CET): the gas day of 24 October has 25.
    {
      name: '25-hour gas day',
      start: '2026-10-24T04:00:00.000Z',
      end: '2026-10-25T05:00:00.000Z',
      hours: 25,
    },
  ])(
    '$name: the hours sum into it and compare with the partner’s daily figure',
    ({ start, end, hours }) => {
      const p = periodOf(PIPE, 'P1D', Date.parse(start) + HOUR);
      expect([new Date(p.start).toISOString(), new Date(p.end).toISOString()]).toEqual([
        start,
        end,
      ]);
      expect(granularityOf(PIPE, Date.parse(start), Date.parse(end))).toBe('P1D');
      const own = series('own-meter', start, hours, 60, 1000, { pointId: PIPE.id });
      const partner = report('partner', start, end, (hours * 1000) / 0.998, { pointId: PIPE.id });
      const r = reconcileEnergy([PIPE], [...own, partner]);
      expect(r.pairs.map((x) => [x.outcome, x.own])).toEqual([['match', hours * 1000]]);
      // One hour short is missing, not a discrepancy.
      const short = reconcileEnergy([PIPE], [...own.slice(1), partner]);
      expect(short.pairs[0]?.outcome).toBe('missing-own');
    },
  );

  it.each([
    {
      name: '23-hour electricity day (29 March)',
      date: '2026-03-29',
      start: '2026-03-28T22:00:00.000Z',
      hours: 23,
    },
    {
      name: '25-hour electricity day (25 October)',
      date: '2026-10-25',
      start: '2026-10-24T21:00:00.000Z',
      hours: 25,
    },
  ])('$name in Vilnius', ({ start, hours }) => {
    const p = periodOf(LINE, 'P1D', Date.parse(start) + 5 * HOUR);
    expect(new Date(p.start).toISOString()).toBe(start);
    expect((p.end - p.start) / HOUR).toBe(hours);
  });

  it('a month of a gas point starts on its first gas day', () => {
    const m = periodOf(PIPE, 'P1M', Date.parse('2026-03-15T00:00:00Z'));
    expect([new Date(m.start).toISOString(), new Date(m.end).toISOString()]).toEqual([
      '2026-03-01T05:00:00.000Z', // 06:00 CET
      '2026-04-01T04:00:00.000Z', // 06:00 CEST
    ]);
    // 1 March, 05:00 local belongs to February's last gas day.
    expect(periodOf(PIPE, 'P1M', Date.parse('2026-03-01T04:00:00Z')).end).toBe(m.start);
  });
});

describe('energy reconciliation: placing reports (memoised boundaries)', () => {
  it('day starts of one zone at two day start hours do not mix', () => {
    const midnight = { timeZone: 'Europe/Berlin', dayStartHour: 0 };
    const t = Date.parse('2026-06-01T12:00:00Z');
    for (let pass = 0; pass < 2; pass++) {
      const gas = periodOf(PIPE, 'P1D', t);
      const day = periodOf(midnight, 'P1D', t);
      expect(new Date(gas.start).toISOString()).toBe('2026-06-01T04:00:00.000Z');
      expect(new Date(day.start).toISOString()).toBe('2026-05-31T22:00:00.000Z');
      expect(periodOf(midnight, 'P1M', t).start).toBe(Date.parse('2026-05-31T22:00:00Z'));
      expect(periodOf(PIPE, 'P1M', t).start).toBe(Date.parse('2026-06-01T04:00:00Z'));
    }
  });

  it('a quarter hour or an hour is that length and on the local boundary; else another or none', () => {
    const india = { timeZone: 'Asia/Kolkata', dayStartHour: 0 };
    const at = (s: string) => Date.parse(s);
    expect(granularityOf(india, at('2026-01-10T00:30:00Z'), at('2026-01-10T01:30:00Z'))).toBe(
      'PT1H',
    );
    expect(granularityOf(india, at('2026-01-10T00:00:00Z'), at('2026-01-10T01:00:00Z'))).toBe(null);
    expect(granularityOf(india, at('2026-01-10T00:00:00Z'), at('2026-01-10T00:15:00Z'))).toBe(
      'PT15M',
    );
    expect(granularityOf(india, at('2026-01-10T00:05:00Z'), at('2026-01-10T00:20:00Z'))).toBe(null);
    expect(granularityOf(india, at('2026-01-09T18:30:00Z'), at('2026-01-10T18:30:00Z'))).toBe(
      'P1D',
    );
    expect(granularityOf(india, at('2025-12-31T18:30:00Z'), at('2026-01-31T18:30:00Z'))).toBe(
      'P1M',
    );
  });
});

describe('energy reconciliation: units', () => {
  it.each<[FlowUnit, number, number | string]>([
    ['kWh', 250_000, 250],
    ['GWh', 0.25, 250],
    ['GJ', 900, 250],
    ['MWh', 250, 250],
  ])('electricity in %s', (unit, q, mwh) => {
    expect(toCanonical(LINE, q, unit)).toEqual({ value: mwh });
  });

  it('converts gas by volume with the calorific value, and refuses it without', () => {
    const r = toCanonical(PIPE, 1_000_000, 'm3');
    expect('value' in r && Math.round(r.value)).toBe(11_000); // 1e6 m³ × 39.6 MJ / 3,600
    expect(toCanonical({ ...PIPE, calorificValueMJPerM3: undefined }, 1, 'm3')).toEqual({
      error: 'gas in m³ needs the calorific value of the point',
    });
    expect(toCanonical(LINE, 1, 't')).toEqual({ error: 'electricity is not measured in t' });
  });

  it('compares a partner figure in kWh with our meter in MWh', () => {
    const S = '2026-06-01T07:00:00.000Z';
    const E = '2026-06-01T08:00:00.000Z';
    const r = reconcileEnergy(
      [LINE],
      [report('own-meter', S, E, 250), report('partner', S, E, 250_000, { unit: 'kWh' })],
    );
    expect(outcomes(r)).toEqual(['match']);
  });

  it('sets aside a report in a unit the point cannot take, naming it', () => {
    const S = '2026-06-01T07:00:00.000Z';
    const E = '2026-06-01T08:00:00.000Z';
    const bad = report('partner', S, E, 5, { unit: 't' });
    const r = reconcileEnergy([LINE], [report('own-meter', S, E, 250), bad]);
    expect(outcomes(r)).toEqual(['missing-partner']);
    expect(r.issues).toEqual([
      { reportId: bad.id, kind: 'unit-mismatch', detail: 'electricity is not measured in t' },
    ]);
  });
});

describe('energy reconciliation: a bias no single period shows', () => {
  const START = '2026-06-01T00:00:00.000Z';
  const PERIODS = 24 * 14; // two weeks of hours
  const noise = (i: number) => (((i * 7919) % 101) / 101 - 0.5) * 0.004; // ±0.2%, deterministic

  it('the CUSUM flags our meter reading 0.3% high for two weeks, each hour within tolerance', () => {
    const own = series('own-meter', START, PERIODS, 60, (i) => 250 * (1.003 + noise(i)));
    const partner = series('partner', START, PERIODS, 60, 250);
    const r = reconcileEnergy([LINE], [...own, ...partner]);
    expect(r.pairs.filter((p) => p.outcome === 'discrepancy')).toEqual([]);
    expect(r.bias.length).toBeGreaterThan(0);
    expect(r.bias[0]).toMatchObject({ pointId: LINE.id, direction: 'import', higher: 'own' });
    expect(r.bias[0]!.meanRelativeDifference).toBeGreaterThan(0.002);
    // The monthly total (tighter tolerance) sees it too: 0.3% > 0.25%.
    expect(r.months.map((m) => m.outcome)).toEqual(['discrepancy']);
  });

  it('does not flag one wild hour among honest ones, though that hour is a discrepancy', () => {
    const own = series(
      'own-meter',
      START,
      PERIODS,
      60,
      (i) => 250 * (1 + noise(i) + (i === 100 ? 0.2 : 0)),
    );
    const partner = series('partner', START, PERIODS, 60, 250);
    const r = reconcileEnergy([LINE], [...own, ...partner]);
    expect(r.pairs.filter((p) => p.outcome === 'discrepancy').map((p) => p.periodStart)).toEqual([
      new Date(Date.parse(START) + 100 * HOUR).toISOString(),
    ]);
    expect(r.bias).toEqual([]);
  });

  it('does not flag honest noise alone', () => {
    const own = series('own-meter', START, PERIODS, 60, (i) => 250 * (1 + noise(i)));
    const partner = series('partner', START, PERIODS, 60, 250);
    const r = reconcileEnergy([LINE], [...own, ...partner]);
    expect(r.bias).toEqual([]);
    expect(r.months.map((m) => m.outcome)).toEqual(['within-tolerance']);
  });
});

describe('energy reconciliation: declarations', () => {
  // June 2026 in Vilnius: 1 June 00:00 EEST = 31 May 21:00 UTC.
  const MONTH_START = '2026-05-31T21:00:00.000Z';
  const MONTH_END = '2026-06-30T21:00:00.000Z';
  const hours = 30 * 24;
  const meters = series('own-meter', MONTH_START, hours, 60, 100);
  it.each([
    { declared: 72_000, outcome: 'as-metered' },
    { declared: 71_900, outcome: 'as-metered' }, // 0.14% off
    { declared: 64_800, outcome: 'under-declared' }, // 10% under
    { declared: 79_200, outcome: 'over-declared' },
  ])(
    'a monthly declaration of $declared MWh against 72,000 metered: $outcome',
    ({ declared, outcome }) => {
      const d = report('declaration', MONTH_START, MONTH_END, declared);
      const r = reconcileEnergy([LINE], [...meters, d]);
      expect(r.declarations).toEqual([
        expect.objectContaining({
          reportId: d.id,
          metered: 72_000,
          meteredBy: 'own-meter',
          outcome,
        }),
      ]);
    },
  );

  it('falls back on the partner’s figure, brought to our side of the loss, without our meter', () => {
    const lossy = { ...LINE, lossFraction: 0.01 };
    const partner = report('partner', MONTH_START, MONTH_END, 80_000);
    const d = report('declaration', MONTH_START, MONTH_END, 79_200);
    const r = reconcileEnergy([lossy], [partner, d]);
    expect(r.declarations[0]).toMatchObject({
      metered: 79_200,
      meteredBy: 'partner',
      outcome: 'as-metered',
    });
  });

  it('takes the mean of both meters when both cover the period, so one biased meter alone does not make a declaration false', () => {
    // Our meter reads 0.6% high; the partner's is right; the declaration is right.
    const ours = series('own-meter', MONTH_START, hours, 60, 100 * 1.006);
    const theirs = series('partner', MONTH_START, hours, 60, 100);
    const d = report('declaration', MONTH_START, MONTH_END, 72_000);
    const r = reconcileEnergy([LINE], [...ours, ...theirs, d]);
    expect(r.declarations[0]).toMatchObject({ meteredBy: 'both', outcome: 'as-metered' });
    expect(r.declarations[0]!.metered).toBeCloseTo(72_216, 6);
    // Against our meter alone it would be under-declared (0.6% > 0.5%).
    const alone = reconcileEnergy([LINE], [...ours, d]);
    expect(alone.declarations[0]).toMatchObject({
      meteredBy: 'own-meter',
      outcome: 'under-declared',
    });
  });

  it('says when no metered figure covers the declared period', () => {
    const d = report('declaration', MONTH_START, MONTH_END, 72_000);
    const r = reconcileEnergy([LINE], [...meters.slice(1), d]);
    expect(r.declarations[0]?.outcome).toBe('no-metered-figure');
  });
});

describe('energy reconciliation: hostile reports', () => {
  it('sets aside what cannot be used, naming each, and reconciles the rest', () => {
    const S = '2026-06-01T07:00:00.000Z';
    const E = '2026-06-01T08:00:00.000Z';
    const bad = [
      report('partner', S, E, Number.NaN),
      report('partner', S, E, -5),
      report('partner', E, S, 5),
      report('partner', 'yesterday', E, 5),
      report('partner', S, '2026-06-01T07:20:00.000Z', 5),
      report('partner', S, E, 5, { pointId: 'NOWHERE' }),
    ];
    const r = reconcileEnergy(
      [LINE],
      [report('own-meter', S, E, 250), report('partner', S, E, 250), ...bad],
    );
    expect(outcomes(r)).toEqual(['match']);
    expect(r.issues.map((i) => i.kind)).toEqual([
      'invalid-quantity',
      'invalid-quantity',
      'invalid-period',
      'invalid-period',
      'granularity-mismatch',
      'unknown-point',
    ]);
  });

  it('refuses a point that is not one (a configuration error, not a report)', () => {
    expect(() => reconcileEnergy([{ ...LINE, timeZone: 'Mars/Olympus' }], [])).toThrow(/time zone/);
    expect(() => reconcileEnergy([{ ...LINE, lossFraction: 1 }], [])).toThrow(/loss/);
  });

  it('gives the same answer for the same reports in any order', () => {
    const own = series('own-meter', '2026-06-01T00:00:00.000Z', 48, 60, (i) => 200 + i);
    const partner = series('partner', '2026-06-01T00:00:00.000Z', 48, 60, (i) => 201 + i);
    const a = reconcileEnergy([LINE], [...own, ...partner]);
    const b = reconcileEnergy([LINE], [...partner].reverse().concat([...own].reverse()));
    expect(b.pairs.map((p) => ({ ...p, reports: [...p.reports].sort() }))).toEqual(
      a.pairs.map((p) => ({ ...p, reports: [...p.reports].sort() })),
    );
  });
});
