import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/core/risk/compile-condition.js';
import { costRefusal } from '../../src/core/risk/condition-cost.js';
import {
  costliestAcceptedCondition,
  deepJson,
  documentsWalk,
  ENORMOUS_CONDITION,
  HOSTILE_SENDER,
  hostileEntrySummary,
  manyElementsXml,
  percentiles,
  statusSummary,
  wideJson,
} from './payloads.js';

const cost = (condition: string) => costRefusal(compileCondition(condition, new Map()).cost);

describe('hostile payloads', () => {
  it('the enormous condition is refused, the costliest accepted one is at the bound', () => {
    expect(cost(ENORMOUS_CONDITION)).toMatch(/too costly/);
    const { condition } = costliestAcceptedCondition();
    expect(cost(condition)).toBeUndefined();
    const terms = condition.split('||').length;
    expect(cost(documentsWalk(terms + 1))).toMatch(/too costly/);
  });

  it('bodies fit the body limit', () => {
    const limit = 5 * 1024 * 1024;
    const xml = manyElementsXml(limit);
    expect(xml.body.length).toBeLessThanOrEqual(limit);
    expect(xml.body.length).toBeGreaterThan(limit - 8);
    expect(xml.elements).toBeGreaterThan(1_000_000);
    const wide = wideJson(limit);
    expect(wide.body.length).toBeLessThanOrEqual(limit);
    expect((JSON.parse(wide.body) as { goodsItems: unknown[] }).goodsItems).toHaveLength(
      wide.elements,
    );
    expect(deepJson(3)).toBe('[[[]]]');
    expect(hostileEntrySummary('L-1')).toContain(`<MesSenMES3>${HOSTILE_SENDER}</MesSenMES3>`);
  });

  it('nearest-rank percentiles and status summaries', () => {
    const p = percentiles(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(p).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(statusSummary([400, 200, 400, 0])).toBe('net×1 200×1 400×2');
  });
});
