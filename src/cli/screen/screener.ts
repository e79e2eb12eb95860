import type { Channel } from '../../core/declaration/declaration.js';
import { validateDeclaration } from '../../core/declaration/validate-declaration.js';
import type { FieldIssue } from '../../core/errors.js';
import { assessDeclaration, type RiskSettings } from '../../core/risk/assess.js';
import type { RiskEngine } from '../../core/risk/engine.js';
import {
  profileIn,
  screeningTrader,
  type TraderDirectory,
} from '../../core/traders/certificate.js';

/** Per-channel and per-indicator counts of a screening run; mergeable across workers. */
export interface Tally {
  channels: Record<Channel, number>;
  /** `id@version` → [title, declarations hit]. */
  indicators: Record<string, [string, number]>;
}

export const emptyTally = (): Tally => ({
  channels: { green: 0, yellow: 0, red: 0 },
  indicators: {},
});

export function mergeTally(into: Tally, from: Tally): void {
  for (const c of ['green', 'yellow', 'red'] as const) into.channels[c] += from.channels[c];
  for (const [key, [title, n]] of Object.entries(from.indicators)) {
    const entry = into.indicators[key];
    if (entry) entry[1] += n;
    else into.indicators[key] = [title, n];
  }
}

/** The random-selection seed of a record: from the run's base and where the record sits, so any run can redo it. */
export function recordSeed(base: number, file: string, location: string): number {
  let h = 0x811c9dc5 ^ base;
  for (const ch of `${file}\u0000${location}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

export type Screened = { ok: true; line: string } | { ok: false; issues: FieldIssue[] };

/** Validates, screens and formats one record as an NDJSON line, counting it in `tally`. */
export function screenRecord(
  engine: RiskEngine,
  settings: RiskSettings,
  traders: TraderDirectory,
  tally: Tally,
  record: { file: string; location: string; input: unknown; seed: number; receivedAt: string },
  translateIssues: (issues: FieldIssue[]) => FieldIssue[] = (i) => i,
): Screened {
  const checked = validateDeclaration(record.input, record.receivedAt);
  if (!checked.ok) return { ok: false, issues: translateIssues(checked.issues) };
  const assessment = assessDeclaration(
    engine,
    checked.value,
    screeningTrader(checked.value, profileIn(traders, checked.value)),
    settings,
    record.seed,
  );
  tally.channels[assessment.channel]++;
  const counted = new Set<string>();
  for (const h of assessment.hits) {
    const key = `${h.indicatorId}@${h.indicatorVersion}`;
    if (counted.has(key)) continue; // once per declaration, however many items it hit
    counted.add(key);
    const entry = tally.indicators[key];
    if (entry) entry[1]++;
    else tally.indicators[key] = [h.title, 1];
  }
  const line = JSON.stringify({
    file: record.file,
    location: record.location,
    reference: checked.value.reference,
    assessment,
  });
  return { ok: true, line: line + '\n' };
}
