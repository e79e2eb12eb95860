/**
 * Cargo validation benchmark: how many ENS messages per second GreenLane parses and validates
 * against HMRC's IE315 business rules (library/rules/ens-ie315.json), in process, one thread.
 *
 *   npm run bench:cargo -- [--seconds 3] [--runs 5] [--file test/fixtures/ens/examples/CC315A_full.xml]
 *
 * In the same run, for the same message: parse only (parseMessageTree), validate only (on a tree
 * parsed beforehand), and parse + validate (validateMessage on the XML text, the real path).
 * Each figure is the median of --runs timed runs of about --seconds each, after a warm-up run.
 * See bench/README.md for what this measures and what it does not.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadRulePack } from '../src/core/rules/rule-pack.js';
import { validateMessageTree } from '../src/core/rules/validate-message-tree.js';
import { parseMessageTree } from '../src/formats/message-tree.js';
import { validateMessage } from '../src/formats/validate-message.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: tsx bench/cargo.ts [options]

  --file F       the message (default test/fixtures/ens/examples/CC315A_full.xml)
  --pack F       the rule pack (default library/rules/ens-ie315.json)
  --seconds N    length of each timed run (default 3)
  --runs N       timed runs per measure; the median is reported (default 5)
  -h, --help     this text
`;

const { values: opts } = parseArgs({
  options: {
    file: { type: 'string', default: 'test/fixtures/ens/examples/CC315A_full.xml' },
    pack: { type: 'string', default: 'library/rules/ens-ie315.json' },
    seconds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const seconds = Number(opts.seconds);
const runs = Number(opts.runs);
if (!(seconds > 0) || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write(USAGE);
  process.exit(2);
}

const xml = readFileSync(path.resolve(ROOT, opts.file), 'utf8');
const pack = loadRulePack(readFileSync(path.resolve(ROOT, opts.pack), 'utf8'));
const parsed = parseMessageTree(xml);
if (!parsed.ok) throw new Error(`${opts.file}: ${parsed.issues[0]?.reason}`);
const tree = parsed.root;
const violations = validateMessageTree(pack, tree).length;
const assertions = pack.rules.reduce((n, r) => n + r.asserts.length, 0);

/** Keeps results alive so that no work is optimised away. */
let sink = 0;

/** Messages per second of `work`, median of the timed runs (after one warm-up run). */
function rate(work: () => number): { perSecond: number; runs: number[] } {
  const measure = () => {
    let count = 0;
    const start = performance.now();
    const until = start + seconds * 1000;
    let now = start;
    while (now < until) {
      // Batches of 64 keep the clock out of the figure.
      for (let k = 0; k < 64; k++) sink += work();
      count += 64;
      now = performance.now();
    }
    return count / ((now - start) / 1000);
  };
  measure();
  const results = Array.from({ length: runs }, measure);
  const sorted = [...results].sort((a, b) => a - b);
  return { perSecond: sorted[Math.floor(sorted.length / 2)]!, runs: results };
}

const parseOnly = rate(() => {
  const r = parseMessageTree(xml);
  return r.ok ? r.root.children.length : 0;
});
const validateOnly = rate(() => validateMessageTree(pack, tree).length);
const both = rate(() => validateMessage(pack, xml).violations.length);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const us = (perSecond: number) => (1e6 / perSecond).toFixed(1);
const line = (label: string, r: { perSecond: number }) =>
  `  ${label.padEnd(22)} ${fmt(r.perSecond).padStart(10)} msg/s  ${us(r.perSecond).padStart(8)} µs/msg`;

process.stdout.write(
  [
    `message: ${opts.file} (${Buffer.byteLength(xml)} bytes, ${countElements(tree)} elements; ${violations} violations found)`,
    `pack: ${pack.name} ${pack.version} (${pack.rules.length} rules, ${assertions} assertions)`,
    `median of ${runs} runs of ${seconds} s each, one thread, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    line('parse only', parseOnly),
    line('validate only (tree)', validateOnly),
    line('parse + validate', both),
    `  parse + validate costs ${(parseOnly.perSecond / both.perSecond).toFixed(2)}x parse only`,
    `cargo validate: ${fmt(both.perSecond)} messages/s (parse + validate); ${(parseOnly.perSecond / both.perSecond).toFixed(2)} x parse only`,
    '',
  ].join('\n'),
);
if (sink === -1) process.stdout.write('\n');

function countElements(node: { children: readonly unknown[] }): number {
  let n = 1;
  for (const c of node.children as Array<{ children: readonly unknown[] }>) n += countElements(c);
  return n;
}
