import type { DeclarationRecord } from '../core/ports.js';
import { assessDeclaration, type RiskSettings } from '../core/risk/assess.js';
import { compileIndicators, RiskEngine } from '../core/risk/engine.js';
import type { Indicator, ReferenceList } from '../core/risk/indicator.js';
import type { ScreeningTrader } from '../core/risk/screening-context.js';

/** One goods item the draft would hit. */
export interface PreviewHit {
  declarationId: string;
  reference: string;
  submittedAt: string;
  itemSequence: number;
  hsCode: string;
  /** Score the hit adds (0 when the indicator routes to a channel directly). */
  points: number;
  directChannel: 'yellow' | 'red' | null;
  reason: string;
}

/** What a preview screens: plain data, so that it can be sent to a worker thread. */
export interface PreviewJob {
  draft: Indicator;
  lists: ReferenceList[];
  settings: RiskSettings;
  declarations: Array<{ declaration: DeclarationRecord; trader: ScreeningTrader }>;
  maxHitsListed: number;
}

export interface PreviewOutcome {
  declarationsHit: number;
  itemsHit: number;
  /** The first `maxHitsListed` item hits, in the order of the declarations. */
  hits: PreviewHit[];
}

/** Screens each declaration with an engine holding only the draft (and no permit rules). */
export function screenPreview(job: PreviewJob): PreviewOutcome {
  const lists = new Map(job.lists.map((l) => [l.name, l]));
  const engine = new RiskEngine(compileIndicators([job.draft], lists), null);
  const hits: PreviewHit[] = [];
  let declarationsHit = 0;
  let itemsHit = 0;
  for (const { declaration: d, trader } of job.declarations) {
    const assessment = assessDeclaration(engine, d, trader, job.settings, 0);
    if (assessment.hits.length === 0) continue;
    declarationsHit++;
    itemsHit += assessment.hits.length;
    for (const h of assessment.hits) {
      if (hits.length >= job.maxHitsListed) break;
      hits.push({
        declarationId: d.id,
        reference: d.reference,
        submittedAt: d.submittedAt,
        itemSequence: h.itemSequence,
        hsCode: h.hsCode,
        points: h.weight,
        directChannel: h.directChannel,
        reason: h.reason,
      });
    }
  }
  return { declarationsHit, itemsHit, hits };
}
