import { readFile } from 'node:fs/promises';
import type { Principal } from '../core/auth/identity.js';
import type { FieldIssue } from '../core/errors.js';
import type { StoredIndicator, StoredReferenceList } from '../core/ports.js';
import type { ReferenceList, SharingLevel } from '../core/risk/indicator.js';
import { validateIndicator, type IndicatorInput } from '../core/risk/validate-indicator.js';
import type { AppContext } from './context.js';
import {
  approve,
  saveIndicator,
  saveReferenceList,
  submitForApproval,
  type ReferenceListInput,
} from './manage-indicators.js';

/** Where the shipped library lives: `library/` at the package root (from src/app or dist/app). */
export const LIBRARY_DIR = new URL('../../library/', import.meta.url);

export interface LibraryList {
  name: string;
  kind: ReferenceList['kind'];
  title: string;
  source: string;
  entries: string[];
}

export interface LibraryIndicator extends IndicatorInput {
  /** Stable id of the indicator, e.g. GL-PW-01: loading again updates the same indicator. */
  key: string;
}

export interface Library {
  lists: LibraryList[];
  indicators: LibraryIndicator[];
}

/** Reads the library files; a malformed entry is refused naming the file and entry. */
export async function readLibrary(dir: URL = LIBRARY_DIR): Promise<Library> {
  const load = async (file: string) => {
    try {
      return JSON.parse(await readFile(new URL(file, dir), 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`library/${file}: ${(e as Error).message}`);
    }
  };
  const lists = (await load('lists.json')).lists as LibraryList[];
  const indicators = (await load('indicators.json')).indicators as LibraryIndicator[];
  if (!Array.isArray(lists) || !Array.isArray(indicators)) {
    throw new Error(
      'library: lists.json needs a "lists" array and indicators.json an "indicators" array',
    );
  }
  const listMap = new Map<string, ReferenceList>(
    lists.map((l) => [
      l.name,
      { name: l.name, version: 1, kind: l.kind, title: l.title, entries: l.entries },
    ]),
  );
  indicators.forEach((entry, i) => {
    const { key, ...input } = entry;
    if (typeof key !== 'string' || !/^[A-Z0-9][A-Z0-9.-]{2,40}$/.test(key)) {
      throw new Error(`library/indicators.json: indicator ${i} needs a key like GL-PW-01`);
    }
    const checked = validateIndicator(input, listMap);
    if (!checked.ok) {
      throw new Error(`library/indicators.json: ${key} is not valid: ${describe(checked.issues)}`);
    }
  });
  return { lists, indicators };
}

export interface LoadOptions {
  /** Creates and submits the library versions (an author of the owner agency). */
  author: Principal;
  /** Agencies that co-author every library entry with the author's agency. */
  coAuthorAgencyIds: string[];
  /** When given (demo data), these approve every version, one per named agency: it becomes active. */
  approvers?: Principal[];
}

export interface LoadReport {
  lists: Tally;
  indicators: Tally;
  /** Versions left awaiting approval by the named agencies. */
  awaitingApproval: number;
}

interface Tally {
  created: number;
  revised: number;
  unchanged: number;
}

/**
 * Loads the library through the same validation and workflow as any author's work: each list
 * and indicator that is new or differs from its newest version is saved as a draft, submitted to
 * every named agency, and approved by `approvers` when given. Loading twice changes nothing.
 */
export async function loadLibrary(
  ctx: AppContext,
  library: Library,
  options: LoadOptions,
): Promise<LoadReport> {
  const report: LoadReport = {
    lists: { created: 0, revised: 0, unchanged: 0 },
    indicators: { created: 0, revised: 0, unchanged: 0 },
    awaitingApproval: 0,
  };
  const coAuthorAgencies = options.coAuthorAgencyIds;
  const finish = async (type: 'indicator' | 'reference-list', key: string, version: number) => {
    await submitForApproval(ctx, options.author, type, key, {
      version,
      comment: 'GreenLane reference library',
    });
    if (!options.approvers) {
      report.awaitingApproval++;
      return;
    }
    for (const approver of options.approvers) {
      await approve(ctx, approver, type, key, {
        version,
        comment: 'GreenLane reference library (pre-approved demo data)',
      });
    }
  };

  for (const l of library.lists) {
    const latest = await ctx.storage.read.referenceLists.latest(l.name);
    if (latest && sameList(latest, l)) {
      report.lists.unchanged++;
      continue;
    }
    const input: ReferenceListInput = { ...l, coAuthorAgencies, sharing: 'shareable' };
    const saved = await saveReferenceList(ctx, options.author, input);
    report.lists[latest ? 'revised' : 'created']++;
    await finish('reference-list', saved.name, saved.version);
  }
  for (const { key, ...input } of library.indicators) {
    const latest = await ctx.storage.read.indicators.latest(key);
    if (latest && sameIndicator(latest, input)) {
      report.indicators.unchanged++;
      continue;
    }
    const saved = await saveIndicator(
      ctx,
      options.author,
      latest ? key : undefined,
      { ...input, coAuthorAgencies },
      { newId: key },
    );
    report.indicators[latest ? 'revised' : 'created']++;
    await finish('indicator', saved.id, saved.version);
  }
  return report;
}

function sameList(stored: StoredReferenceList, l: LibraryList): boolean {
  return (
    stored.status !== 'retired' &&
    stored.kind === l.kind &&
    stored.title === l.title &&
    stored.source === l.source &&
    JSON.stringify(stored.entries) === JSON.stringify([...new Set(l.entries)].sort())
  );
}

function sameIndicator(stored: StoredIndicator, i: IndicatorInput): boolean {
  const shared: SharingLevel = i.sharing ?? 'national';
  return (
    stored.status !== 'retired' &&
    stored.title === i.title &&
    stored.priorityArea === i.priorityArea &&
    stored.condition === i.condition &&
    stored.weight === (i.weight ?? 0) &&
    stored.directChannel === (i.directChannel ?? null) &&
    stored.controlForm === i.controlForm &&
    stored.rationale === i.rationale &&
    stored.sharing === shared &&
    JSON.stringify(stored.expectedDocuments) === JSON.stringify(i.expectedDocuments ?? []) &&
    JSON.stringify(stored.sources) === JSON.stringify(i.sources ?? [])
  );
}

function describe(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.reason}`).join('; ');
}
