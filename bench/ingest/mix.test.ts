import { describe, expect, it } from 'vitest';
import { validateDeclaration } from '../../src/core/declaration/validate-declaration.js';
import { realisticMix, refusedPlan } from './mix.js';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('realisticMix', () => {
  const bodies = realisticMix(2_000, 1, 'BY-ENV-WSC-2026-000001', NOW);

  it('is the same for the same seed', () => {
    expect(realisticMix(50, 1, 'BY-ENV-WSC-2026-000001', NOW)).toEqual(bodies.slice(0, 50));
  });

  it('gives valid declarations with unique references the demo never uses', () => {
    for (const b of bodies) {
      const checked = validateDeclaration(JSON.parse(b.json), NOW.toISOString());
      expect(checked.ok ? [] : checked.issues).toEqual([]);
    }
    expect(new Set(bodies.map((b) => b.reference)).size).toBe(bodies.length);
    expect(bodies.every((b) => b.reference.startsWith('BENCH-GEN-1-'))).toBe(true);
  });

  it('quotes the permit on about 4 % of the declarations', () => {
    const quoting = bodies.filter((b) => b.json.includes('BY-ENV-WSC-2026-000001')).length;
    expect(quoting / bodies.length).toBeGreaterThan(0.02);
    expect(quoting / bodies.length).toBeLessThan(0.06);
  });
});

describe('refusedPlan', () => {
  const warmup = realisticMix(200, 1, undefined, NOW);
  const measured = realisticMix(1_200, 2, undefined, NOW);
  const plan = refusedPlan(measured, warmup, 0.05, 1);

  it('keeps the count and refuses the share asked for, half duplicates, half second releases', () => {
    expect(plan).toHaveLength(1_200);
    expect(plan.filter((r) => r.kind === 'duplicate')).toHaveLength(30);
    expect(plan.filter((r) => r.kind === 'release-again')).toHaveLength(30);
  });

  it('lodges each measured body at most once, and duplicates only bodies lodged elsewhere', () => {
    const lodged = plan.flatMap((r) => (r.kind === 'lodge' ? [r.body.reference] : []));
    expect(new Set(lodged).size).toBe(lodged.length);
    const warmRefs = new Set(warmup.map((b) => b.reference));
    for (const [i, r] of plan.entries()) {
      if (r.kind !== 'duplicate') continue;
      if (!r.racing) expect(warmRefs.has(r.body.reference)).toBe(true);
      else {
        // Its first lodging is a few places before it at most (other inserts may fall between).
        const first = plan.findIndex(
          (x) => x.kind === 'lodge' && x.body.reference === r.body.reference,
        );
        expect(first).toBeGreaterThanOrEqual(0);
        expect(i - first).toBeGreaterThan(0);
        expect(i - first).toBeLessThan(4);
      }
    }
  });
});
