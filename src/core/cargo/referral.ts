import type { Assessment } from '../risk/assess.js';

/**
 * What customs decides after screening a cargo report before the goods arrive. `complete`: no
 * action; the others open a referral that the carrier or trader must act on.
 */
export const PRE_ARRIVAL_OUTCOMES = [
  'assessment-complete',
  'information-request',
  'high-risk-control',
  'do-not-load',
] as const;
export type PreArrivalOutcome = (typeof PRE_ARRIVAL_OUTCOMES)[number];
export type ReferralKind = Exclude<PreArrivalOutcome, 'assessment-complete'>;

/**
 * open: waiting for the trader (information request) or for the office (control, do-not-load);
 * answered: the trader replied and the report was screened again; closed: settled by a later
 * screening or by an officer.
 */
export const REFERRAL_STATUSES = ['open', 'answered', 'closed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** One document asked for: any of `anyOf` will do (a notification or a movement document…). */
export interface RequestedDocument {
  anyOf: Array<{ type: string; title: string }>;
  /** Goods items the document is asked for. */
  items: number[];
  /** Why it is asked for: the permit check or the indicator. */
  why: string;
}

export interface PreArrivalReferral {
  id: string;
  declarationId: string;
  kind: ReferralKind;
  status: ReferralStatus;
  /** Plain words: why, and what is expected. */
  reason: string;
  /** Information requests: the documents asked for. */
  documents: RequestedDocument[];
  /** Indicators that led to it, as id@version. */
  indicators: string[];
  /** Where the control takes place (office of first entry), for high-risk cargo. */
  office: string | null;
  /** By when the trader must reply (information request) or the control be done. */
  deadline: string | null;
  createdAt: string;
  repliedAt: string | null;
  reply: { documents: Array<{ type: string; reference: string }>; note: string | null } | null;
  closedAt: string | null;
  closedReason: string | null;
}

export interface ReferralSettings {
  /** Indicator ids whose hit means the goods must not be loaded (e.g. prohibited waste). */
  doNotLoad: readonly string[];
  /** Hours the trader has to answer an information request (capped at the expected arrival). */
  informationRequestHours: number;
}

export const DEFAULT_REFERRAL_SETTINGS: ReferralSettings = {
  // E-waste leaving for a non-OECD country and banned persistent organic pollutants: shipments the
  // Basel Ban and the Stockholm Convention prohibit, stopped before loading.
  doNotLoad: ['GL-EW-02', 'GL-AC-02'],
  informationRequestHours: 24,
};

/** What a document-asking indicator expects; looked up for the versions that hit. */
export type ExpectedDocuments = ReadonlyMap<string, ReadonlyArray<{ type: string; title: string }>>;

/** The outcome of a pre-arrival screening, with what a referral of that kind would say. */
export interface PreArrivalDecision {
  outcome: PreArrivalOutcome;
  reason: string;
  documents: RequestedDocument[];
  indicators: string[];
}

/** Permit check outcomes a document from the trader can put right; the rest need a control. */
const DOCUMENTARY = new Set([
  'missing',
  'not-issued',
  'not-yet-valid',
  'expired',
  'quantity-not-declared',
  'out-of-scope',
  'route-mismatch',
  'insufficient-balance',
  'suspended',
  'exhausted',
]);

/**
 * Decides the outcome of screening a cargo report, most serious first:
 * 1. do-not-load: a hit of an indicator in `doNotLoad`;
 * 2. information request: a permit the goods need is not on file or does not cover them, or an
 *    indicator that hit names documents the report does not carry (a CITES permit, a waste
 *    notification); the request lists them per item;
 * 3. high-risk control at the office of first entry: the red channel;
 * 4. assessment complete.
 * An information request comes before a control: the document may settle the risk, and the report
 * is screened again when the trader replies.
 *
 * `expected` maps `id@version` of indicators to the documents they expect.
 */
export function decidePreArrival(
  assessment: Pick<Assessment, 'hits' | 'permits' | 'channel'>,
  declaredDocuments: ReadonlySet<string>,
  expected: ExpectedDocuments,
  settings: ReferralSettings,
): PreArrivalDecision {
  const stopping = assessment.hits.filter((h) => settings.doNotLoad.includes(h.indicatorId));
  if (stopping.length > 0) {
    return {
      outcome: 'do-not-load',
      reason: `do not load: ${distinct(stopping.map((h) => h.title)).join('; ')}`,
      documents: [],
      indicators: versions(stopping),
    };
  }

  const wanted = new Map<string, RequestedDocument>();
  const want = (anyOf: Array<{ type: string; title: string }>, why: string, item: number) => {
    const key = anyOf
      .map((d) => d.type)
      .sort()
      .join('|');
    const doc = wanted.get(key) ?? { anyOf, items: [], why };
    if (!doc.items.includes(item)) doc.items.push(item);
    wanted.set(key, doc);
  };
  // A permit the goods need and that did not match is asked for even when the report quotes a
  // document of that type: the one quoted does not cover the goods.
  for (const p of assessment.permits) {
    if (DOCUMENTARY.has(p.outcome)) {
      want([{ type: p.required, title: `${p.required} permit` }], p.reason, p.itemSequence);
    }
  }
  const asking: string[] = [];
  for (const h of assessment.hits) {
    const docs = expected.get(`${h.indicatorId}@${h.indicatorVersion}`) ?? [];
    // Already carrying one of them: the indicator hit for another reason (price, route).
    if (docs.length === 0 || docs.some((d) => declaredDocuments.has(d.type))) continue;
    want([...docs], h.title, h.itemSequence);
    asking.push(`${h.indicatorId}@${h.indicatorVersion}`);
  }
  if (wanted.size > 0) {
    const documents = [...wanted.values()];
    for (const d of documents) d.items.sort((a, b) => a - b);
    return {
      outcome: 'information-request',
      reason: `documents needed before arrival: ${documents
        .map(
          (d) =>
            `${d.anyOf.map((a) => a.type).join(' or ')} for item${d.items.length > 1 ? 's' : ''} ${d.items.join(', ')}`,
        )
        .join('; ')}`,
      documents,
      indicators: distinct(asking),
    };
  }

  if (assessment.channel === 'red') {
    return {
      outcome: 'high-risk-control',
      reason: `high-risk cargo: control at the office of first entry (${
        distinct(assessment.hits.map((h) => h.title)).join('; ') || 'red channel'
      })`,
      documents: [],
      indicators: versions(assessment.hits),
    };
  }
  return {
    outcome: 'assessment-complete',
    reason: 'no action needed',
    documents: [],
    indicators: [],
  };
}

function versions(hits: Assessment['hits']): string[] {
  return distinct(hits.map((h) => `${h.indicatorId}@${h.indicatorVersion}`));
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}
