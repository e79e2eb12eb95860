import { describe, expect, it } from 'vitest';
import { compileCondition } from './compile-condition.js';
import { CONDITION_LIMITS, MAX_GOODS_ITEMS } from './condition-cost.js';
import type { ReferenceList } from './indicator.js';
import { validateIndicator } from './validate-indicator.js';

const LISTS: ReadonlyMap<string, ReferenceList> = new Map([
  [
    'e-waste',
    { name: 'e-waste', kind: 'hs-prefixes', version: 1, title: 'e-waste', entries: ['8549'] },
  ],
]);

const cost = (condition: string) => compileCondition(condition, LISTS).cost;

/** `levels` all() nested over item.documents, innermost comparing two of the variables. */
function nested(levels: number): string {
  let body = `v0 == v${levels - 1}`;
  for (let k = levels - 1; k >= 0; k--) body = `item.documents.all(v${k}, ${body})`;
  return body;
}

const indicator = (condition: string) => ({
  title: 'Test',
  priorityArea: 'e-waste',
  condition,
  weight: 10,
  controlForm: 'documentary-check',
  rationale: 'test',
});

describe('conditionCost', () => {
  it.each([
    ['item.hs == "8549"', 4, 4],
    ['hsIn(item.hs, "e-waste") && item.netMass > 100.0', 9, 9],
    // The predicate, once per document (at most 198): 1 + 2 (target) + 198 × (1 + 3).
    ['item.documents.exists(d, d == "C400")', 7, 1 + 2 + 198 * 4],
    ['declaration.transitCountries.exists(c, c == "CN")', 7, 1 + 2 + 99 * 4],
    // A literal list holds what it is written with.
    ['["a", "b"].exists(x, x == item.origin)', 9, 1 + 3 + 2 * 5],
    // x in a field list walks the list.
    ['"C400" in item.documents', 4, 4 + 198],
    // Variables bound to the elements of a list of lists keep their bound.
    ['[["a"], ["b", "c"]].exists(l, l.exists(x, x == "c"))', 14, 1 + 6 + 2 * (1 + 1 + 1 + 2 * 4)],
  ])('%s: %i nodes, %i steps per item', (condition, nodes, perItem) => {
    expect(cost(condition)).toEqual({ nodes, perItem, perDeclaration: perItem * MAX_GOODS_ITEMS });
  });

  it('multiplies nested macros: three levels over item.documents pass 10^9 steps', () => {
    expect(cost(nested(3)).perDeclaration).toBeGreaterThan(1e9);
    expect(cost(nested(20)).perDeclaration).toBeGreaterThan(1e40);
  });
});

describe('validateIndicator: size and cost bounds', () => {
  it('accepts one all() over item.documents', () => {
    expect(validateIndicator(indicator(nested(1)), LISTS).ok).toBe(true);
    expect(
      validateIndicator(
        indicator('item.documents.exists(d, d.startsWith("C4") && d.size() == 4)'),
        LISTS,
      ).ok,
    ).toBe(true);
  });

  it.each([
    ['all() nested twice over item.documents', nested(2)],
    ['all() nested 15 times', nested(15)],
    [
      'nested macros over a literal list',
      `[${'1,'.repeat(99)}1].all(a, [${'1,'.repeat(99)}1].all(b, a == b))`,
    ],
  ])('refuses %s at /condition, saying why', (_what, condition) => {
    const checked = validateIndicator(indicator(condition), LISTS);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toEqual([
      {
        path: '/condition',
        reason: expect.stringMatching(
          /^condition too costly to evaluate: up to [\d,.e+]+ steps for a declaration of 999 goods items, more than 10,000,000; each all\(\) or exists\(\) repeats/,
        ) as unknown,
      },
    ]);
  });

  it(`refuses a condition of more than ${CONDITION_LIMITS.maxNodes} terms`, () => {
    const many = `declaration.itemCount in [${'1,'.repeat(999)}1]`;
    expect(many.length).toBeLessThan(4000);
    const checked = validateIndicator(indicator(many), LISTS);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.issues[0]).toMatchObject({
        path: '/condition',
        reason: expect.stringMatching(
          /^condition too large: 1004 terms, more than 1000/,
        ) as unknown,
      });
    }
  });
});
