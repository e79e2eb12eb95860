import { describe, expect, it } from 'vitest';
import { reconcileEnergy, type FlowReport, type InterconnectionPoint } from './energy.js';
import { decideCase, findingsOf, openCase, refreshCase, alertRecorded } from './energy-case.js';

const HOUR = 3_600_000;
/** Vilnius keeps daylight-saving time: its June starts at 21:00 UTC on 31 May. */
const LINE: InterconnectionPoint = {
  id: 'BY-LT-330',
  commodity: 'electricity',
  timeZone: 'Europe/Vilnius',
  dayStartHour: 0,
  lossFraction: 0,
  meterAccuracy: 0.005,
  absoluteTolerancePerHour: 0.1,
};

let seq = 0;
/** `count` hours from `start` of one source (the partner's are exports, ours imports). */
function hours(
  source: FlowReport['source'],
  start: string,
  count: number,
  mwh: (i: number) => number,
): FlowReport[] {
  const t0 = Date.parse(start);
  return Array.from({ length: count }, (_, i) => ({
    id: `${source}-${++seq}`,
    source,
    pointId: LINE.id,
    direction: source === 'partner' ? 'export' : 'import',
    start: new Date(t0 + i * HOUR).toISOString(),
    end: new Date(t0 + (i + 1) * HOUR).toISOString(),
    quantity: mwh(i),
    unit: 'MWh',
  }));
}

const findings = (reports: FlowReport[]) =>
  findingsOf(LINE, reconcileEnergy([LINE], reports), 'MWh');

describe('reconciliation cases: what an analyst must look at', () => {
  type Row = [string, ((i: number) => number) | null, (i: number) => number];
  it.each<Row>([
    ['figures that match', () => 100, () => 100],
    ['figures within tolerance, off both ways', (i: number) => (i % 2 ? 100.3 : 99.7), () => 100],
    ['our side missing', null, () => 100],
  ])('%s raise nothing', (_, own, partner) => {
    const reports = [
      ...(own ? hours('own-meter', '2026-06-10T00:00:00Z', 48, own) : []),
      ...hours('partner', '2026-06-10T00:00:00Z', 48, partner),
    ];
    expect(findings(reports).map((f) => f.key)).toEqual([]);
  });

  it('groups discrepancies by direction and local month: hours off in two months make two cases', () => {
    const reports = [
      // The last day of May and the first of June, local time; two hours 5% short in each.
      ...hours('own-meter', '2026-05-30T21:00:00Z', 48, (i) =>
        i % 24 === 5 || i % 24 === 9 ? 95 : 100,
      ),
      ...hours('partner', '2026-05-30T21:00:00Z', 48, () => 100),
    ];
    const f = findings(reports);
    expect(f.map((x) => [x.key, x.periodCount])).toEqual([
      ['discrepancy|import|2026-05', 2],
      ['discrepancy|import|2026-06', 2],
    ]);
    expect(f[0]!.periods[0]).toMatchObject({ own: 95, partner: 100, difference: -5 });
    expect(f[0]!.summary).toMatch(
      /2 period\(s\) of 2026-05 \(import\) beyond tolerance, net -10.00 MWh/,
    );
    expect(f[1]!.periodStart).toBe('2026-05-31T21:00:00.000Z');
  });

  it('a direction flip is its own kind of case', () => {
    const reports = [
      ...hours('own-meter', '2026-06-10T00:00:00Z', 3, () => 100),
      ...hours('partner', '2026-06-10T00:00:00Z', 3, () => 100).map((r) => ({
        ...r,
        direction: 'import' as const,
      })),
    ];
    expect(findings(reports).map((x) => x.kind)).toEqual(['direction-mismatch']);
  });

  it('a persistent bias and an under-declaration are cases; their keys are stable', () => {
    const reports = [
      ...hours('own-meter', '2026-06-01T00:00:00Z', 24 * 14, () => 100.3),
      ...hours('partner', '2026-06-01T00:00:00Z', 24 * 14, () => 100),
      {
        id: 'DECL-1',
        source: 'declaration' as const,
        pointId: LINE.id,
        direction: 'import' as const,
        // A local day in Vilnius (UTC+3 in summer).
        start: '2026-06-01T21:00:00Z',
        end: '2026-06-02T21:00:00Z',
        quantity: 2000,
        unit: 'MWh' as const,
      },
    ];
    const f = findings(reports);
    const kinds = f.map((x) => x.kind);
    expect(kinds).toContain('bias');
    expect(kinds).toContain('under-declared');
    // No hour is off, but the month's total is, against the tighter monthly tolerance.
    const month = f.find((x) => x.kind === 'discrepancy')!;
    expect(month.periodCount).toBe(0);
    expect(month.monthTotal?.outcome).toBe('discrepancy');
    expect(month.summary).toMatch(/the 2026-06 total \(import\) is off by/);
    // However often the CUSUM signals in the month: one case.
    expect(f.filter((x) => x.kind === 'bias').map((x) => x.key)).toEqual([
      'bias|import|own|2026-06',
    ]);
    expect(new Set(f.map((x) => x.key)).size).toBe(f.length);
    expect(f.find((x) => x.kind === 'under-declared')!.key).toBe('under-declared|import|DECL-1');
    // Reconciled again (another order of the same figures): the same keys.
    expect(
      findings([...reports].reverse())
        .map((x) => x.key)
        .sort(),
    ).toEqual(f.map((x) => x.key).sort());
  });

  it('an open case follows its finding, a closed one keeps what it was closed on', () => {
    const before = hours('own-meter', '2026-06-10T00:00:00Z', 2, (i) => (i === 0 ? 95 : 100));
    const partner = hours('partner', '2026-06-10T00:00:00Z', 3, () => 100);
    const [f1] = findings([...before, ...partner]);
    const c = openCase(f1!, {
      id: 'C1',
      administrationId: 'BY',
      pointId: LINE.id,
      partner: 'LT/MUITINE',
      at: '2026-06-11T00:00:00Z',
      by: 'analyst',
    });
    expect(refreshCase(c, f1!, '2026-06-12T00:00:00Z')).toBeNull();
    const later = hours('own-meter', '2026-06-10T02:00:00Z', 1, () => 90);
    const [f2] = findings([...before, ...later, ...partner]);
    const refreshed = refreshCase(c, f2!, '2026-06-12T00:00:00Z')!;
    expect(refreshed.periodCount).toBe(2);
    expect(refreshed.findingsAt).toBe('2026-06-12T00:00:00Z');
    const closed = decideCase(
      c,
      { action: 'close', resolution: 'meter-fault', note: 'recalibrated' },
      '2026-06-13T00:00:00Z',
      'analyst',
    );
    expect(closed).toMatchObject({ status: 'closed', resolution: 'meter-fault', version: 2 });
    expect(refreshCase(closed, f2!, '2026-06-14T00:00:00Z')).toBeNull();
    expect(() =>
      decideCase(closed, { action: 'close', resolution: 'no-action', note: 'x' }, 't', 'a'),
    ).toThrow(/already closed/);
    const reopened = decideCase(closed, { action: 'reopen', note: 'again' }, 't2', 'a');
    expect(reopened.status).toBe('open');
    expect(reopened.resolution).toBeUndefined();
    expect(alertRecorded(reopened, 'M1', 't3', 'a').history.map((h) => h.action)).toEqual([
      'opened',
      'closed',
      'reopened',
      'alert-sent',
    ]);
  });
});
