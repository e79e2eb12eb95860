/**
 * Cargo intake benchmark: how many entry summary declarations per second GreenLane takes in
 * through the whole use case (lodgeCargoReport: ENS rules, mapping, validation, screening against
 * the reference library, pre-arrival decision, one durable transaction with the message, the
 * report, its referral and audit event), on embedded SQLite, in process.
 *
 *   npm run bench:cargo-intake -- [--count 2000] [--concurrency 16]
 *
 * A fresh database seeded as the demo (library approved, permits, certificates, 300 declarations),
 * then --count distinct IE315s (six shapes of the demo: laptops, batteries, scrap, reptiles, HFCs,
 * plastic waste, lindane; each its own LRN) lodged by the demo trader, --concurrency at a time.
 * Messages are generated before the clock starts. Every one must be accepted; the outcomes are
 * counted from what was stored. No HTTP: bench/ingest.ts measures the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { principalOfUser } from '../src/app/authenticate.js';
import { seedDemo } from '../src/app/bootstrap.js';
import { lodgeCargoReport } from '../src/app/cargo-reports.js';
import { demoEnsMessage } from '../src/app/demo-cargo.js';
import { readConfig } from '../src/config.js';
import { openRuntime } from '../src/cli/runtime.js';

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write('usage: tsx bench/cargo-intake.ts [--count 2000] [--concurrency 16]\n');
  process.exit(0);
}
const count = Number(opts.count);
const concurrency = Number(opts.concurrency);

const SHAPES = [
  { hs: '847130', description: 'Laptop computers', grossKg: 420 },
  { hs: '854911', description: 'Waste lead-acid batteries', grossKg: 18_000 },
  { hs: '720449', description: 'Ferrous waste and scrap', grossKg: 60_000 },
  { hs: '010620', description: 'Live reptiles (tortoises)', grossKg: 35 },
  { hs: '382711', description: 'Refrigerant gas mixtures (HFC)', grossKg: 900 },
  { hs: '391590', description: 'Plastic waste, mixed, baled', grossKg: 24_000 },
  { hs: '290381', description: 'Lindane (gamma-HCH)', grossKg: 5_000 },
];

const dir = mkdtempSync(path.join(tmpdir(), 'greenlane-cargo-'));
const runtime = await openRuntime(
  readConfig({ GREENLANE_SQLITE_PATH: path.join(dir, 'bench.db'), GREENLANE_LOG_LEVEL: 'warn' }),
);
try {
  const { ctx, db } = runtime;
  await seedDemo(ctx);
  const trader = await principalOfUser(ctx, 'trader');
  const messages = Array.from({ length: count }, (_, k) =>
    demoEnsMessage({
      lrn: `BENCH-${String(k).padStart(6, '0')}`,
      mode: k % 2 === 0 ? 'air' : 'rail',
      arrivalHours: 2 + (k % 48),
      dispatch: ['CN', 'KZ', 'IN', 'DE', 'KE'][k % 5]!,
      items: [
        SHAPES[k % SHAPES.length]!,
        ...(k % 3 === 0 ? [SHAPES[(k + 3) % SHAPES.length]!] : []),
      ],
    }),
  );
  // Warm-up, not counted: V8 optimises, the engine and the rule pack are built.
  for (let k = 0; k < 50; k++) {
    await lodgeCargoReport(ctx, trader, {
      format: 'xml',
      body: messages[k]!.replaceAll('BENCH-', 'WARM-'),
    });
  }
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages.length) {
        const body = messages[next++]!;
        await lodgeCargoReport(ctx, trader, { format: 'xml', body });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const stored = await db.read.cargo.list({ limit: count + 100 });
  const measured = stored.filter((r) => r.lrn.startsWith('BENCH-'));
  const outcomes = new Map<string, number>();
  for (const r of measured) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  if (measured.length !== count) throw new Error(`${measured.length} of ${count} stored`);
  const load = loadavg().map((l) => l.toFixed(2));
  process.stdout.write(
    `cargo intake on SQLite: ${count} IE315s, concurrency ${concurrency}, Node ${process.version}, load average ${load.join(' ')}\n` +
      `  ${Math.round(count / seconds).toLocaleString('en')} reports/s  (${((seconds / count) * 1000).toFixed(2)} ms each, ${seconds.toFixed(1)} s)\n` +
      `  outcomes: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}\n`,
  );
} finally {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}
