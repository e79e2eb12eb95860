import type { Principal } from '../../core/auth/identity.js';
import type { PreArrivalReferral } from '../../core/cargo/referral.js';
import { screenedStatus, type ControlStatus } from '../../core/controls/inspection.js';
import type { DeclarationContent, SourceFormat } from '../../core/declaration/declaration.js';
import type { PermitCheck } from '../../core/permits/check.js';
import { PERMIT_TYPE_DESCRIPTIONS } from '../../core/permits/permit-types.js';
import {
  declarationContent,
  type CargoReport,
  type DeclarationRecord,
  type Repositories,
} from '../../core/ports.js';
import type { ControlForm } from '../../core/risk/indicator.js';

/**
 * What each party sees of a declaration. Customs staff see the record with the risk engine's
 * explanation; a trader sees what they declared, where it stands, the control to expect and the
 * documents missing, and never the targeting: no indicator, condition, weight, score or seed.
 * Every route that answers a principal with a declaration or cargo report goes through `present*`.
 */

/** A document the trader must produce (or put right), for the goods items named. */
export interface TraderDocumentRequest {
  /** Any of these will do. */
  anyOf: Array<{ type: string; title: string }>;
  items: number[];
  /** What is wrong, in plain words. */
  problem: string;
}

/** A declaration as its trader sees it. */
export interface TraderDeclaration extends DeclarationContent {
  audience: 'trader';
  id: string;
  receivedAt: string;
  sourceFormat: SourceFormat;
  version?: number;
  status: ControlStatus;
  /** The control to expect before release; null when none is planned. */
  control: ControlForm | null;
  missingDocuments: TraderDocumentRequest[];
  /** Plain-language account of where the declaration stands and what to do. */
  message: string;
}

/** A pre-arrival referral as the trader who lodged the cargo report sees it. */
export type TraderReferral = Omit<PreArrivalReferral, 'indicators' | 'documents'> & {
  documents: TraderDocumentRequest[];
};

export type DeclarationView = DeclarationRecord | TraderDeclaration;

/** Documents each indicator version (`id@version`) expects, as the register holds them. */
export type ExpectedDocuments = ReadonlyMap<string, ReadonlyArray<{ type: string; title: string }>>;

export const CONTROL_WORDS: Record<ControlForm, string> = {
  'documentary-check': 'a documentary check',
  scanning: 'a scan of the goods',
  'physical-inspection': 'a physical inspection',
  'sampling-laboratory': 'sampling and laboratory analysis',
};

/**
 * Permits in the middle of a sentence: the types' own names (core/permits/permit-types), their
 * first letter small unless an acronym ("waste shipment consent", "CITES import permit").
 */
export const PERMIT_TITLES: Readonly<Record<string, string>> = {
  cites: 'CITES permit',
  ...Object.fromEntries(
    Object.values(PERMIT_TYPE_DESCRIPTIONS).map((t) => [
      t.type,
      t.name.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()),
    ]),
  ),
};

/** The officer's view: the full record, with the risk engine's explanation. */
export function officerView(d: DeclarationRecord): DeclarationRecord {
  return { ...d, status: d.status ?? screenedStatus(d.channel) };
}

/**
 * The trader's view of their declaration: the declared content and where it stands, the control
 * to expect, the documents to produce and a plain message; nothing of why it was selected.
 */
export function traderView(
  d: DeclarationRecord,
  expected: ExpectedDocuments = new Map(),
): TraderDeclaration {
  const status = d.status ?? screenedStatus(d.channel);
  const control = expectedControl(d, status);
  const missingDocuments = documentsMissing(d, expected);
  const view: TraderDeclaration = {
    ...declarationContent(d),
    audience: 'trader',
    id: d.id,
    receivedAt: d.receivedAt,
    sourceFormat: d.sourceFormat,
    status,
    control,
    missingDocuments,
    message: traderMessage(d.kind, status, control, missingDocuments),
  };
  if (d.version !== undefined) view.version = d.version;
  return view;
}

/** The control a trader should expect: only while one may still come. */
function expectedControl(d: DeclarationRecord, status: ControlStatus): ControlForm | null {
  if (!['awaiting-control', 'under-control', 'held', 'referred'].includes(status)) return null;
  const form = d.assessment?.controlForm ?? null;
  if (form !== null) return form;
  if (d.channel === 'red') return 'physical-inspection';
  if (d.channel === 'yellow' || status === 'held') return 'documentary-check';
  return null;
}

const PERMIT_PROBLEMS: Record<string, (n: string) => string> = {
  missing: () => 'none was quoted on the declaration, and none is on file for you',
  'wrong-holder': (n) => `permit ${n} is not issued to you`,
  'not-issued': (n) => `permit ${n} has not been issued`,
  suspended: (n) => `permit ${n} is suspended`,
  revoked: (n) => `permit ${n} was revoked`,
  exhausted: (n) => `permit ${n} is used up`,
  'not-yet-valid': (n) => `permit ${n} was not yet valid when the declaration was received`,
  expired: (n) => `permit ${n} had expired when the declaration was received`,
  'out-of-scope': (n) => `permit ${n} does not cover these goods`,
  'route-mismatch': (n) => `permit ${n} does not cover this route`,
  'quantity-not-declared': () => "declare the quantity in the permit's unit",
  'insufficient-balance': (n) => `permit ${n} has not enough quantity left`,
};

/** Permits that did not match, then documents the indicators that hit expect and none declared. */
function documentsMissing(
  d: DeclarationRecord,
  expected: ExpectedDocuments,
): TraderDocumentRequest[] {
  const a = d.assessment;
  if (!a) return [];
  const requests = new Map<string, TraderDocumentRequest>();
  const want = (anyOf: Array<{ type: string; title: string }>, item: number, problem: string) => {
    const key = `${anyOf
      .map((x) => x.type)
      .sort()
      .join('|')}\n${problem}`;
    const r = requests.get(key) ?? { anyOf, items: [], problem };
    if (!r.items.includes(item)) r.items.push(item);
    requests.set(key, r);
  };
  for (const p of a.permits) {
    const problem = permitProblem(p);
    if (problem === null) continue;
    want(
      [{ type: p.required, title: PERMIT_TITLES[p.required] ?? `${p.required} permit` }],
      p.itemSequence,
      problem,
    );
  }
  const declared = new Set([
    ...d.documents.map((x) => x.type),
    ...d.goodsItems.flatMap((g) => g.documents.map((x) => x.type)),
  ]);
  for (const h of a.hits) {
    const docs = expected.get(`${h.indicatorId}@${h.indicatorVersion}`) ?? [];
    if (docs.length === 0 || docs.some((x) => declared.has(x.type))) continue;
    want(
      docs.map((x) => ({ type: x.type, title: x.title })),
      h.itemSequence,
      'not among the documents declared',
    );
  }
  const all = [...requests.values()];
  for (const r of all) r.items.sort((x, y) => x - y);
  return all;
}

/** What is wrong with a permit check, in words (null when it matched). */
export function permitProblem(p: PermitCheck): string | null {
  if (p.outcome === 'matched' || p.outcome === 'document-declared') return null;
  const words = PERMIT_PROBLEMS[p.outcome];
  return words ? words(p.permitNumber ?? 'quoted') : 'the permit does not cover the goods';
}

function traderMessage(
  kind: DeclarationContent['kind'],
  status: ControlStatus,
  control: ControlForm | null,
  missing: TraderDocumentRequest[],
): string {
  const noun = kind === 'cargo-report' ? 'cargo report' : 'declaration';
  const docs =
    missing.length === 0
      ? ''
      : ` Please have ${missing
          // A document's code (C400) helps the trader find it; a permit is named in words.
          .map(
            (m) =>
              `the ${m.anyOf.map((x) => (/^[A-Z0-9]+$/.test(x.type) ? `${x.title} (${x.type})` : x.title)).join(' or ')} for item${m.items.length > 1 ? 's' : ''} ${m.items.join(', ')} ready`,
          )
          .join('; ')}.`;
  switch (status) {
    case 'cancelled':
      return `Your ${noun} was cancelled.`;
    case 'released':
      return 'Your goods were released.';
    case 'seized':
      return 'Goods of this declaration were seized by customs; customs will contact you.';
    case 'held':
      return `Your goods are held by customs until the matter is settled.${docs || ' Customs will contact you.'}`;
    case 'referred':
      return `Your ${noun} was referred to another authority for a check.${docs}`;
    case 'under-control':
      return `Customs is carrying out ${control ? CONTROL_WORDS[control] : 'a check'} of your ${noun}.${docs}`;
    case 'awaiting-control':
      return `Your ${noun} was selected for ${control ? CONTROL_WORDS[control] : 'a check'}.${docs}`;
    case 'lodged':
      return missing.length > 0
        ? `Your ${noun} was received.${docs}`
        : `Your ${noun} was received; no control is planned.`;
  }
}

/** The documents each hit indicator version expects, looked up once per version. */
export async function expectedDocumentsOf(
  read: Repositories,
  declarations: readonly DeclarationRecord[],
): Promise<ExpectedDocuments> {
  const expected = new Map<string, Array<{ type: string; title: string }>>();
  for (const d of declarations) {
    for (const h of d.assessment?.hits ?? []) {
      const key = `${h.indicatorId}@${h.indicatorVersion}`;
      if (expected.has(key)) continue;
      const indicator = await read.indicators.version(h.indicatorId, h.indicatorVersion);
      expected.set(key, indicator?.expectedDocuments ?? []);
    }
  }
  return expected;
}

/** True when the principal is to get the trader's view. */
export function seesTraderView(principal: Pick<Principal, 'agencyKind'>): boolean {
  return principal.agencyKind === 'trader';
}

/** One declaration in the view of the principal's audience. */
export async function presentDeclaration(
  read: Repositories,
  principal: Principal,
  d: DeclarationRecord,
): Promise<DeclarationView> {
  if (!seesTraderView(principal)) return officerView(d);
  return traderView(d, await expectedDocumentsOf(read, [d]));
}

/** Declarations in the view of the principal's audience. */
export async function presentDeclarations(
  read: Repositories,
  principal: Principal,
  ds: readonly DeclarationRecord[],
): Promise<DeclarationView[]> {
  if (!seesTraderView(principal)) return ds.map(officerView);
  const expected = await expectedDocumentsOf(read, ds);
  return ds.map((d) => traderView(d, expected));
}

/** A referral as the trader sees it: what to do and by when, not which indicators led to it. */
export function traderReferral(r: PreArrivalReferral): TraderReferral {
  const { indicators: _indicators, documents, reason, closedReason, ...rest } = r;
  return {
    ...rest,
    reason: REFERRAL_WORDS[r.kind](reason),
    documents: documents.map((d) => ({
      anyOf: d.anyOf,
      items: d.items,
      problem: 'required before the goods arrive',
    })),
    closedReason:
      closedReason === null
        ? null
        : closedReason.startsWith('screened again')
          ? 'settled by a later screening'
          : 'closed by customs',
  };
}

/** A pre-arrival outcome's reason in words for the trader (no indicator titles). */
export function traderOutcomeReason(
  outcome: PreArrivalReferral['kind'] | 'assessment-complete',
  reason: string,
): string {
  return outcome === 'assessment-complete' ? 'no action needed' : REFERRAL_WORDS[outcome](reason);
}

const REFERRAL_WORDS: Record<PreArrivalReferral['kind'], (reason: string) => string> = {
  // Lists document types and goods items only (see decidePreArrival).
  'information-request': (reason) => reason,
  'high-risk-control': () => 'the goods will be controlled at the office of first entry',
  'do-not-load': () => 'do not load the goods; contact customs',
};

export interface CargoReportViewFor<D, R> {
  report: CargoReport;
  declaration: D;
  referrals: R[];
}

/** A cargo report, its declaration and referrals, in the view of the principal's audience. */
export async function presentCargoReport(
  read: Repositories,
  principal: Principal,
  view: CargoReportViewFor<DeclarationRecord, PreArrivalReferral>,
): Promise<CargoReportViewFor<DeclarationView, PreArrivalReferral | TraderReferral>> {
  return {
    report: view.report,
    declaration: await presentDeclaration(read, principal, view.declaration),
    referrals: seesTraderView(principal) ? view.referrals.map(traderReferral) : view.referrals,
  };
}
