import { describe, expect, it } from 'vitest';
import { validateBody } from '../../src/core/exchange/messages.js';
import { BACKENDS } from '../../src/test-support/databases.js';
import { planMessages, typeCounts } from './mix.js';
import { runExchange } from './run.js';

describe('exchange bench mix', () => {
  it('plans valid bodies, split over the clients, in threads', () => {
    const plans = planMessages(1000, 32, 1, new Date());
    expect(plans).toHaveLength(32);
    expect(plans.reduce((n, p) => n + p.length, 0)).toBe(1000);
    for (const p of plans) {
      expect(p.length === 31 || p.length === 32).toBe(true);
      expect(p[0]!.opens).toBe(true);
      for (const m of p) expect(validateBody(m.type, m.body)).toMatchObject({ ok: true });
    }
    const types = typeCounts(plans);
    for (const n of Object.values(types)) expect(n).toBeGreaterThan(150);
    const threads = plans.flat().filter((m) => m.opens).length;
    expect(threads).toBeGreaterThan(250);
    expect(threads).toBeLessThan(750);
    expect(JSON.stringify(planMessages(50, 4, 7, new Date(0)))).toBe(
      JSON.stringify(planMessages(50, 4, 7, new Date(0))),
    );
  });
});

// A small run of the bench on each backend and binding: correctness only, never speed. The
// receiver runs in its own process on NATS (as --receiver-process does), beside the sender on HTTP.
for (const backend of BACKENDS) {
  for (const binding of ['http', 'nats'] as const) {
    describe(`exchange bench (${backend}, ${binding})`, () => {
      it('delivers every message once, in order, with a receipt', async () => {
        const r = await runExchange({
          backend,
          binding,
          count: 120,
          clients: 32,
          warmup: 10,
          seed: 3,
          maxSeconds: 60,
          receiverProcess: binding === 'nats',
        });
        expect(r.failures).toEqual([]);
        expect(r.composed).toBe(120);
        expect(r.delivered).toBe(120);
        expect(r.inbox).toBe(120);
        expect(r.receivedEvents).toBe(120);
        expect(r.outOfOrder).toBe(0);
        expect(r.settle.count).toBe(120);
        expect(r.receive.count).toBe(120);
        if (binding === 'nats') expect(r.cpu.receiver).toBeGreaterThan(0);
      }, 120_000);
    });
  }
}
