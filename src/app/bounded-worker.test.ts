import { afterAll, describe, expect, it } from 'vitest';
import { BoundedWorkers, BudgetExceeded } from './bounded-worker.js';

const workers = new BoundedWorkers(new URL('../test-support/spin-worker.js', import.meta.url));
afterAll(() => workers.close());

/** The longest the event loop went without running a 10 ms timer, while `work` ran. */
async function longestStall(work: Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await work;
  } catch {
    // the caller looks at the outcome itself
  } finally {
    clearInterval(tick);
  }
  return longest;
}

describe('BoundedWorkers', () => {
  it('answers a job within its budget, and reuses the worker', async () => {
    await expect(workers.run<number>(5, 5_000)).resolves.toBe(5);
    const started = performance.now();
    await expect(workers.run<number>(1, 5_000)).resolves.toBe(1);
    // A warm worker: no module loading this time.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('stops a job at its budget while the event loop goes on', async () => {
    await workers.run(0, 5_000); // warm
    const started = performance.now();
    const run = workers.run(60_000, 300);
    const stall = longestStall(run);
    await expect(run).rejects.toBeInstanceOf(BudgetExceeded);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
    // The busy worker did not hold up this thread's timers.
    expect(await stall).toBeLessThan(200);
    // The terminated worker is not reused; a new one answers.
    await expect(workers.run<number>(1, 30_000)).resolves.toBe(1);
  });
});
