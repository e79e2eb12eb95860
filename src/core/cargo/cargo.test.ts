import { describe, expect, it } from 'vitest';
import type { Route } from '../declaration/declaration.js';
import type { Assessment, Hit } from '../risk/assess.js';
import type { PermitCheck } from '../permits/check.js';
import { checkLodging } from './lodging.js';
import { checkCharacter, isMovementReference, movementReference } from './mrn.js';
import { decidePreArrival, DEFAULT_REFERRAL_SETTINGS } from './referral.js';

const route = (r: Partial<Route>) => ({ route: { transitCountries: [], ...r } });

describe('lodging time limits', () => {
  it('holds road cargo to 1 h before arrival, to the minute', () => {
    const d = route({ transportMode: 'road', arrivalAt: '2026-11-29T12:00:00.000Z' });
    expect(checkLodging(d, '2026-11-29T10:59:59.000Z')).toMatchObject({
      status: 'on-time',
      deadline: '2026-11-29T11:00:00.000Z',
      minutesLate: 0,
    });
    expect(checkLodging(d, '2026-11-29T11:00:00.000Z').status).toBe('on-time');
    expect(checkLodging(d, '2026-11-29T11:45:30.000Z')).toMatchObject({
      status: 'late',
      rule: 'road: 1 h before arrival',
      minutesLate: 45,
    });
  });

  it('holds containerised sea cargo to 24 h before loading, bulk to 4 h before arrival', () => {
    const container = route({
      transportMode: 'sea',
      containers: ['MSCU1234565'],
      loadingAt: '2026-11-20T08:00:00.000Z',
      arrivalAt: '2026-12-10T08:00:00.000Z',
    });
    // Lodged 23 hours before loading: late, though weeks before arrival.
    expect(checkLodging(container, '2026-11-19T09:00:00.000Z')).toMatchObject({
      status: 'late',
      rule: 'sea, containerised: 24 h before loading',
      minutesLate: 60,
    });
    const bulk = route({ transportMode: 'sea', arrivalAt: '2026-12-10T08:00:00.000Z' });
    expect(checkLodging(bulk, '2026-12-10T03:00:00.000Z')).toMatchObject({
      status: 'on-time',
      rule: 'sea, bulk and break bulk: 4 h before arrival',
    });
  });

  it('says why it could not check', () => {
    const noLoading = route({
      transportMode: 'sea',
      containers: ['X'],
      arrivalAt: '2026-12-10T08:00:00Z',
    });
    expect(checkLodging(noLoading, '2026-11-19T09:00:00.000Z')).toMatchObject({
      status: 'not-checked',
      reason: 'the report gives no loading time',
    });
    expect(checkLodging(route({}), '2026-11-19T09:00:00.000Z').status).toBe('not-checked');
    expect(
      checkLodging(route({ transportMode: 'post' }), '2026-11-19T09:00:00.000Z'),
    ).toMatchObject({
      status: 'not-checked',
      reason: 'no lodging time limit applies to post transport',
    });
  });
});

describe('movement reference numbers', () => {
  it('computes the ISO 6346 check character (CSQU305438 → 3)', () => {
    // The check digit of container CSQU3054383 is 3; the MRN check uses the same arithmetic.
    expect(checkCharacter('CSQU305438')).toBe('3');
    const mrn = movementReference(2026, 'GB', 'CSQU305438ABC');
    expect(mrn).toHaveLength(18);
    expect(mrn.startsWith('26GBCSQU305438ABC')).toBe(true);
    expect(isMovementReference(mrn)).toBe(true);
    const wrong = mrn.slice(0, 17) + String((Number(mrn[17]) + 1) % 10);
    expect(isMovementReference(wrong)).toBe(false);
  });

  it('refuses a country that is not alpha-2', () => {
    expect(() => movementReference(2026, 'GBR', '0123456789ABC')).toThrow(/alpha-2/);
  });
});

describe('pre-arrival outcome', () => {
  const hit = (over: Partial<Hit>): Hit => ({
    indicatorId: 'GL-XX-01',
    indicatorVersion: 1,
    title: 'Some risk',
    priorityArea: 'plastic-waste',
    itemSequence: 1,
    hsCode: '391510',
    weight: 40,
    directChannel: null,
    controlForm: 'physical-inspection',
    reason: 'r',
    ...over,
  });
  const permit = (over: Partial<PermitCheck>): PermitCheck => ({
    itemSequence: 1,
    hsCode: '854911',
    required: 'waste-consent',
    outcome: 'missing',
    permitId: null,
    permitNumber: null,
    quantityMilli: null,
    unit: null,
    reason: 'no waste-consent permit on file',
    ...over,
  });
  const assessment = (
    over: Partial<Pick<Assessment, 'hits' | 'permits' | 'channel'>>,
  ): Pick<Assessment, 'hits' | 'permits' | 'channel'> => ({
    hits: [],
    permits: [],
    channel: 'green',
    ...over,
  });
  const expected = new Map([
    ['GL-ES-01@1', [{ type: 'C400', title: 'CITES permit or certificate' }]],
    [
      'GL-PW-01@1',
      [
        { type: 'C669', title: 'Notification' },
        { type: 'C672', title: 'Annex VII information document' },
      ],
    ],
  ]);
  const decide = (a: ReturnType<typeof assessment>, declared: string[] = []) =>
    decidePreArrival(a, new Set(declared), expected, DEFAULT_REFERRAL_SETTINGS);

  it('is complete when nothing needs doing', () => {
    expect(decide(assessment({ channel: 'yellow', hits: [hit({})] })).outcome).toBe(
      'assessment-complete',
    );
  });

  it('stops loading on a do-not-load indicator, before anything else', () => {
    const d = decide(
      assessment({
        channel: 'red',
        hits: [hit({ indicatorId: 'GL-EW-02', title: 'E-waste exported outside the OECD' })],
        permits: [permit({})],
      }),
    );
    expect(d.outcome).toBe('do-not-load');
    expect(d.indicators).toEqual(['GL-EW-02@1']);
    expect(d.reason).toContain('E-waste exported outside the OECD');
  });

  it('asks for the missing permit and the documents indicators expect, per item', () => {
    const d = decide(
      assessment({
        channel: 'red',
        hits: [
          hit({
            indicatorId: 'GL-ES-01',
            itemSequence: 2,
            title: 'Species without CITES document',
          }),
          hit({ indicatorId: 'GL-PW-01', itemSequence: 1 }),
          hit({ indicatorId: 'GL-PW-01', itemSequence: 3 }),
        ],
        permits: [permit({ itemSequence: 4 }), permit({ itemSequence: 5, outcome: 'matched' })],
      }),
    );
    expect(d.outcome).toBe('information-request');
    expect(d.documents).toEqual([
      {
        anyOf: [{ type: 'waste-consent', title: 'waste-consent permit' }],
        items: [4],
        why: 'no waste-consent permit on file',
      },
      {
        anyOf: [{ type: 'C400', title: 'CITES permit or certificate' }],
        items: [2],
        why: 'Species without CITES document',
      },
      {
        anyOf: [
          { type: 'C669', title: 'Notification' },
          { type: 'C672', title: 'Annex VII information document' },
        ],
        items: [1, 3],
        why: 'Some risk',
      },
    ]);
    expect(d.reason).toBe(
      'documents needed before arrival: waste-consent for item 4; C400 for item 2; C669 or C672 for items 1, 3',
    );
    expect(d.indicators).toEqual(['GL-ES-01@1', 'GL-PW-01@1']);
  });

  it('does not ask for a document the report already carries; red then means a control', () => {
    const d = decide(
      assessment({ channel: 'red', hits: [hit({ indicatorId: 'GL-ES-01', title: 'Species' })] }),
      ['C400'],
    );
    expect(d.outcome).toBe('high-risk-control');
    expect(d.reason).toContain('office of first entry');
    expect(d.indicators).toEqual(['GL-ES-01@1']);
  });

  it('sends a revoked or someone else’s permit to control rather than asking', () => {
    const d = decide(assessment({ channel: 'red', permits: [permit({ outcome: 'revoked' })] }));
    expect(d.outcome).toBe('high-risk-control');
  });
});
