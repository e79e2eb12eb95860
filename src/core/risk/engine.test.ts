import { describe, expect, it } from 'vitest';
import { validateDeclaration } from '../declaration/validate-declaration.js';
import { sampleDeclaration } from '../../test-support/app.js';
import { compileIndicators, RiskEngine } from './engine.js';
import type { Indicator } from './indicator.js';
import { screeningContexts } from './screening-context.js';

const base: Omit<Indicator, 'id' | 'condition'> = {
  version: 1,
  title: 't',
  priorityArea: 'general-smuggling',
  weight: 10,
  directChannel: null,
  controlForm: 'documentary-check',
  rationale: 'r',
  validFrom: null,
  validTo: null,
  status: 'active',
  ownerAgencyId: 'A',
};

const trader = {
  id: 'T',
  country: 'BY',
  controls: 0,
  findings: 0,
  certificates: [],
  permitsOnFile: [],
};

function contextWithNetMass(netMass: number | undefined) {
  const d = sampleDeclaration();
  const first = { ...d.goodsItems[0]! };
  if (netMass === undefined) delete first.netMass;
  else first.netMass = netMass;
  const checked = validateDeclaration({ ...d, goodsItems: [first] }, '2026-11-01T00:00:00.000Z');
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return screeningContexts(checked.value, trader)[0]!;
}

describe('threshold index (indicators known only by a numeric bound)', () => {
  const conditions = [
    'item.netMass < 1000.0',
    'item.netMass <= 1000.0',
    'item.netMass > 1000.0',
    'item.netMass >= 1000.0',
    '1000.0 < item.netMass',
    '1000.0 >= item.netMass',
    'item.netMass > -5.0',
    'item.netMass < 999.5 || item.netMass > 1000.5',
  ];
  const engine = new RiskEngine(
    compileIndicators(
      conditions.map((condition, i) => ({ ...base, id: `B${i}`, condition })),
      new Map(),
    ),
  );

  it('files them by threshold, not for every item', () => {
    // The last condition has two alternatives, each filed.
    expect(engine.stats()).toMatchObject({ always: 0, bound: conditions.length + 1 });
  });

  it.each([
    [999, [0, 1, 5, 6, 7]],
    [1000, [1, 3, 5, 6]],
    [1001, [2, 3, 4, 6, 7]],
    [undefined, []],
  ])('netMass %s hits exactly %j, as evaluating every condition does', (netMass, expected) => {
    const c = contextWithNetMass(netMass);
    expect(engine.matchesWithoutIndex(c)).toEqual(expected);
    expect(engine.matches(c)).toEqual(expected);
  });
});
