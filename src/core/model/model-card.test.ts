import { describe, expect, it } from 'vitest';
import { evaluateHeldBack, rankingFigures, type EvaluationRow } from './model-card.js';

describe('held-back figures for the model card', () => {
  it('counts precision and recall in the top k % as computed by hand', () => {
    // 100 rows scored 0.99, 0.98, …; findings at ranks 1, 2, 4, 7 and 50.
    const scores = Float64Array.from({ length: 100 }, (_, i) => 1 - i / 100);
    const labels = Float64Array.from({ length: 100 }, (_, i) =>
      [0, 1, 3, 6, 49].includes(i) ? 1 : 0,
    );
    const f = rankingFigures(scores, labels);
    expect(f).toMatchObject({ rows: 100, positives: 5, findingRate: 0.05 });
    expect(f.precisionAt).toEqual({ '1': 1, '2': 1, '5': 3 / 5, '10': 4 / 10 });
    expect(f.recallAt).toEqual({ '1': 1 / 5, '2': 2 / 5, '5': 3 / 5, '10': 4 / 5 });
    expect(rankingFigures(scores, new Float64Array(100)).auc).toBeNull();
  });

  it('keeps the random sample apart, ranks the rules on it, and groups by office and section', () => {
    const rows: EvaluationRow[] = [
      {
        probability: 0.9,
        rulesScore: 10,
        finding: true,
        random: true,
        office: 'B',
        hsSection: 'XVI',
      },
      {
        probability: 0.2,
        rulesScore: 90,
        finding: false,
        random: true,
        office: 'B',
        hsSection: 'XVI',
      },
      {
        probability: 0.8,
        rulesScore: 50,
        finding: true,
        random: false,
        office: 'A',
        hsSection: 'I',
      },
      {
        probability: 0.1,
        rulesScore: 80,
        finding: false,
        random: false,
        office: 'B',
        hsSection: '',
      },
    ];
    const e = evaluateHeldBack(rows);
    expect(e.all).toMatchObject({ rows: 4, positives: 2, auc: 1 });
    expect(e.random).toMatchObject({ rows: 2, positives: 1, auc: 1 });
    // The rules' score put the finding last on the random sample.
    expect(e.rulesOnRandom).toMatchObject({ rows: 2, positives: 1, auc: 0 });
    expect(e.byOffice.map((g) => [g.group, g.rows, g.positives])).toEqual([
      ['B', 3, 1],
      ['A', 1, 1],
    ]);
    expect(e.byHsSection.map((g) => g.group)).toEqual(['XVI', '(none)', 'I']);
    expect(e.calibration.reduce((n, b) => n + b.rows, 0)).toBe(4);
    const none = evaluateHeldBack(rows.filter((r) => !r.random));
    expect([none.random, none.rulesOnRandom]).toEqual([null, null]);
  });
});
