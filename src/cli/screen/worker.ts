import { parentPort, workerData } from 'node:worker_threads';
import type { RiskSettings } from '../../core/risk/assess.js';
import { compileIndicators, RiskEngine } from '../../core/risk/engine.js';
import { PermitRules } from '../../core/permits/check.js';
import type { Indicator, ReferenceList } from '../../core/risk/indicator.js';
import { parseJson } from '../../formats/declaration-files.js';
import { emptyTally, recordSeed, screenRecord, type Tally } from './screener.js';
import type { FieldIssue } from '../../core/errors.js';
import type { TraderDirectory } from '../../core/traders/certificate.js';

/** What the pool sends each worker once: the indicator versions and lists to compile, the settings. */
export interface WorkerSetup {
  indicators: Indicator[];
  lists: ReferenceList[];
  settings: RiskSettings;
  traders: TraderDirectory;
  seedBase: number;
  receivedAt: string;
}

/** A batch of NDJSON lines of one file. */
export interface Batch {
  seq: number;
  file: string;
  firstLine: number;
  lines: string[];
}

export interface BatchResult {
  seq: number;
  text: string;
  read: number;
  accepted: number;
  tally: Tally;
  rejects: Array<{ location: string; issues: FieldIssue[] }>;
}

const setup = workerData as WorkerSetup;
const lists = new Map(setup.lists.map((l) => [l.name, l]));
const engine = new RiskEngine(
  compileIndicators(setup.indicators, lists),
  new PermitRules(setup.settings.permitRequirements, lists),
);

parentPort!.on('message', (batch: Batch) => {
  const tally = emptyTally();
  const out: string[] = [];
  const rejects: BatchResult['rejects'] = [];
  let read = 0;
  batch.lines.forEach((raw, i) => {
    const text = batch.firstLine === 1 && i === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') return;
    read++;
    const location = `line ${batch.firstLine + i}`;
    const parsed = parseJson(text);
    if (!parsed.ok) {
      rejects.push({ location, issues: parsed.issues });
      return;
    }
    const screened = screenRecord(engine, setup.settings, setup.traders, tally, {
      file: batch.file,
      location,
      input: parsed.value.input,
      seed: recordSeed(setup.seedBase, batch.file, location),
      receivedAt: setup.receivedAt,
    });
    if (screened.ok) out.push(screened.line);
    else rejects.push({ location, issues: screened.issues });
  });
  const result: BatchResult = {
    seq: batch.seq,
    text: out.join(''),
    read,
    accepted: out.length,
    tally,
    rejects,
  };
  parentPort!.postMessage(result);
});
