import { describe, expect, it } from 'vitest';
import { channelsPerDay } from './metrics.js';

describe('channels per day', () => {
  const d = (submittedAt: string, channel: 'green' | 'yellow' | 'red' | null) => ({
    submittedAt,
    channel,
  });

  it.each([
    { name: 'no declarations', list: [], expected: [] },
    {
      name: 'one day, every channel and an unscreened one',
      list: [
        d('2026-11-02T08:00:00Z', 'green'),
        d('2026-11-02T09:00:00Z', 'green'),
        d('2026-11-02T10:00:00Z', 'yellow'),
        d('2026-11-02T11:00:00Z', 'red'),
        d('2026-11-02T12:00:00Z', null),
      ],
      expected: [
        { date: '2026-11-02', declarations: 5, green: 2, yellow: 1, red: 1, unscreened: 1 },
      ],
    },
    {
      name: 'days are UTC; a day with none in between is zero; out of order input',
      list: [
        d('2026-11-04T00:00:00Z', 'red'),
        d('2026-11-01T23:59:59.999Z', 'green'),
        // 01:30 in Minsk (UTC+3) on the 3rd is still the 2nd in UTC.
        d('2026-11-03T01:30:00+03:00', 'yellow'),
      ],
      expected: [
        { date: '2026-11-01', declarations: 1, green: 1, yellow: 0, red: 0, unscreened: 0 },
        { date: '2026-11-02', declarations: 1, green: 0, yellow: 1, red: 0, unscreened: 0 },
        { date: '2026-11-03', declarations: 0, green: 0, yellow: 0, red: 0, unscreened: 0 },
        { date: '2026-11-04', declarations: 1, green: 0, yellow: 0, red: 1, unscreened: 0 },
      ],
    },
    {
      name: 'across a month end',
      list: [d('2026-10-31T12:00:00Z', 'green'), d('2026-11-01T12:00:00Z', 'green')],
      expected: [
        { date: '2026-10-31', declarations: 1, green: 1, yellow: 0, red: 0, unscreened: 0 },
        { date: '2026-11-01', declarations: 1, green: 1, yellow: 0, red: 0, unscreened: 0 },
      ],
    },
  ])('$name', ({ list, expected }) => {
    expect(channelsPerDay(list)).toEqual(expected);
  });

  it('sums to the declarations given, per channel', () => {
    const list = Array.from({ length: 200 }, (_, k) =>
      d(
        new Date(Date.UTC(2026, 10, 1) + k * 7_777_777).toISOString(),
        (['green', 'yellow', 'red', null] as const)[k % 4]!,
      ),
    );
    const days = channelsPerDay(list);
    const total = (key: 'declarations' | 'green' | 'yellow' | 'red' | 'unscreened') =>
      days.reduce((n, x) => n + x[key], 0);
    expect(total('declarations')).toBe(200);
    expect([total('green'), total('yellow'), total('red'), total('unscreened')]).toEqual([
      50, 50, 50, 50,
    ]);
    for (const x of days) expect(x.green + x.yellow + x.red + x.unscreened).toBe(x.declarations);
    // Consecutive days, no gaps.
    for (let k = 1; k < days.length; k++)
      expect(Date.parse(days[k]!.date) - Date.parse(days[k - 1]!.date)).toBe(86_400_000);
  });
});
