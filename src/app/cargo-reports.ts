import { assertAllowed, can } from '../core/auth/policy.js';
import { canReadDeclaration, canSubmitDeclaration } from '../core/auth/access.js';
import type { Principal } from '../core/auth/identity.js';
import { checkLodging } from '../core/cargo/lodging.js';
import { screenedStatus } from '../core/controls/inspection.js';
import { movementReference } from '../core/cargo/mrn.js';
import {
  decidePreArrival,
  DEFAULT_REFERRAL_SETTINGS,
  type PreArrivalDecision,
  type PreArrivalReferral,
  type ReferralSettings,
} from '../core/cargo/referral.js';
import type { DeclarationContent, DocumentRef } from '../core/declaration/declaration.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import {
  declarationContent,
  type CargoReport,
  type DeclarationRecord,
  type Repositories,
} from '../core/ports.js';
import type { Assessment } from '../core/risk/assess.js';
import type { RulePack } from '../core/rules/rule-pack.js';
import type { Violation } from '../core/rules/validate-message-tree.js';
import { ensJsonToXml, mapEnsReport } from '../formats/ens.js';
import { parseMessageTree } from '../formats/message-tree.js';
import { toSourcePaths } from '../formats/types.js';
import { validateMessage } from '../formats/validate-message.js';
import type { AppContext } from './context.js';
import { ENS_PACK, rulePackInUse } from './rule-packs.js';
import { owningCustomsAgency } from './submit-declaration.js';
import {
  admitCandidate,
  assessCandidate,
  checkCandidate,
  explainDuplicate,
  insertLodging,
  replaceContent,
} from './intake.js';

/** A message refused by the business rules: every violation, for the error response. */
export class MessageRejected extends DomainError {
  constructor(
    readonly root: string,
    readonly violations: readonly Violation[],
  ) {
    super(
      'invalid_input',
      `the message breaks ${violations.length} business rule${violations.length === 1 ? '' : 's'}`,
      violations.map((v): FieldIssue => ({ path: v.location, reason: v.message, code: v.code })),
    );
  }
}

export interface CargoIntake {
  format: 'xml' | 'json';
  /** XML text, or the parsed JSON form (see ensJsonToXml). */
  body: unknown;
}

export interface CargoReportView {
  report: CargoReport;
  declaration: DeclarationRecord;
  referrals: PreArrivalReferral[];
}

export interface LodgedCargoReport extends CargoReportView {
  /** 'lodged' for an IE315, 'amended' for an IE313. */
  action: 'lodged' | 'amended';
  decision: PreArrivalDecision;
}

export interface CargoOptions {
  pack?: RulePack;
  referrals?: ReferralSettings;
}

/**
 * Receives an entry summary declaration (IE315) or an amendment (IE313): checks it against the
 * rule pack (a broken rule refuses it, storing nothing), maps it to a cargo-report declaration,
 * screens it, checks the lodging time limit, and decides the pre-arrival outcome, opening a
 * referral when something must be done. The message is kept as received.
 */
export async function lodgeCargoReport(
  ctx: AppContext,
  principal: Principal,
  intake: CargoIntake,
  options: CargoOptions = {},
): Promise<LodgedCargoReport> {
  if (!canSubmitDeclaration(principal)) {
    throw new DomainError('forbidden', 'your roles do not allow lodging cargo reports');
  }
  let xml: string;
  if (intake.format === 'json') {
    const converted = ensJsonToXml(intake.body);
    if (!converted.ok) {
      throw new DomainError('invalid_input', 'not an ENS message in JSON form', converted.issues);
    }
    xml = converted.xml;
  } else if (typeof intake.body === 'string') {
    xml = intake.body;
  } else {
    throw new DomainError('invalid_input', 'an XML message is expected');
  }

  const tree = parseMessageTree(xml);
  if (!tree.ok) throw new DomainError('invalid_input', 'not a readable XML message', tree.issues);
  const pack = options.pack ?? (await rulePackInUse(ctx, ENS_PACK)).pack;
  if (pack.roots === undefined || pack.roots.includes(tree.root.local)) {
    const { violations } = validateMessage(pack, tree.root);
    if (violations.length > 0) throw new MessageRejected(tree.root.name, violations);
  }
  const read = mapEnsReport(tree.root);
  if (!read.ok)
    throw new DomainError('invalid_input', 'not an entry summary declaration', read.issues);
  const ens = read.report;
  const receivedAt = ctx.clock.now().toISOString();
  const settings = options.referrals ?? ctx.settings.cargo ?? DEFAULT_REFERRAL_SETTINGS;
  const sourceFormat = intake.format === 'json' ? 'ens-json' : 'ens-xml';
  const message = intake.format === 'json' ? JSON.stringify(intake.body) : xml;

  if (ens.messageType === 'CC313A') {
    const mrn = ens.amendsMrn!;
    const report = await ctx.storage.read.cargo.findByMrn(mrn);
    const earlier = report && (await ctx.storage.read.declarations.findById(report.declarationId));
    if (!report || !earlier || earlier.submitterAgencyId !== principal.agencyId) {
      throw new DomainError('not_found', `no cargo report ${mrn} lodged by your organisation`, [
        { path: `/${tree.root.local}/HEAHEA/DocNumHEA5`, reason: `no cargo report ${mrn}` },
      ]);
    }
    const { content } = await admitCandidate(
      ctx,
      principal,
      checkContent(
        {
          ...ens.input,
          reference: ens.lrn ?? report.lrn,
          amends: mrn,
          submittedAt: report.lodgedAt,
        },
        receivedAt,
        ens.sourcePaths,
      ),
      earlier.receivedAt,
      { dateAdmitted: true, declarantField: declarantField(ens.sourcePaths) },
    );
    const assessment = await assessCandidate(
      ctx,
      content,
      earlier.receivedAt,
      principal.administrationId,
    );
    const decision = await decide(ctx.storage.read, assessment, content, settings);
    const amended: DeclarationRecord = {
      ...earlier,
      ...content,
      channel: assessment.channel,
      status: screenedStatus(assessment.channel),
      assessment,
    };
    const next: CargoReport = {
      ...report,
      lrn: ens.lrn ?? report.lrn,
      version: report.version + 1,
      amendedAt: receivedAt,
      arrivalAt: content.route.arrivalAt ?? null,
      lodging: checkLodging(content, report.lodgedAt),
      outcome: decision.outcome,
      notes: ens.notes,
    };
    const referrals = await ctx.storage.write(async (tx) => {
      // Version-guarded: of concurrent amendments of one report, the first wins, the others 409.
      if (!(await tx.cargo.update(next, report.version))) {
        throw new DomainError(
          'conflict',
          `cargo report ${mrn} was amended meanwhile: read its latest version and amend that`,
          [{ path: `/${tree.root.local}/HEAHEA/DocNumHEA5`, reason: 'amended meanwhile' }],
        );
      }
      await replaceContent(tx, earlier, amended, `cargo report ${mrn}`);
      await tx.cargo.addMessage({
        declarationId: report.declarationId,
        version: next.version,
        messageType: ens.messageType,
        format: intake.format,
        receivedAt,
        receivedBy: principal.userId,
        message,
      });
      const changed = await settleReferrals(
        ctx,
        tx,
        amended,
        decision,
        receivedAt,
        `amendment ${next.version - 1}`,
        settings.informationRequestHours,
      );
      await tx.audit.append({
        at: receivedAt,
        agencyId: earlier.agencyId,
        actorId: principal.userId,
        action: 'cargo-report.amended',
        subjectType: 'declaration',
        subjectId: earlier.id,
        details: {
          mrn,
          version: next.version,
          channel: assessment.channel,
          score: assessment.score,
          outcome: decision.outcome,
          hits: assessment.hits.map((h) => `${h.indicatorId}@${h.indicatorVersion}`),
          reference: amended.reference,
        },
      });
      return changed;
    });
    return { action: 'amended', report: next, declaration: amended, referrals, decision };
  }

  if (!ens.lrn) {
    throw new DomainError('invalid_input', 'the report has no local reference number', [
      { path: `/${tree.root.local}/HEAHEA/RefNumHEA4`, reason: 'required on an IE315' },
    ]);
  }
  const duplicate = await ctx.storage.read.cargo.findByLrn(principal.agencyId, ens.lrn);
  if (duplicate) {
    throw new DomainError(
      'conflict',
      `a cargo report with reference ${ens.lrn} was lodged already: ${duplicate.mrn} (amend it with an IE313)`,
      [
        {
          path: `/${tree.root.local}/HEAHEA/RefNumHEA4`,
          reason: `already used by ${duplicate.mrn}`,
        },
      ],
    );
  }
  // The declared date decides nothing (time limits and validity are judged on receipt), so the
  // HMRC examples of 2009 still lodge; the person lodging must be the sender's organisation.
  const { content } = await admitCandidate(
    ctx,
    principal,
    checkContent({ ...ens.input, reference: ens.lrn }, receivedAt, ens.sourcePaths),
    receivedAt,
    { dateAdmitted: true, declarantField: declarantField(ens.sourcePaths) },
  );
  const assessment = await assessCandidate(ctx, content, receivedAt, principal.administrationId);
  const decision = await decide(ctx.storage.read, assessment, content, settings);
  const agencyId = await owningCustomsAgency(ctx, principal);
  const country = await administrationCountry(ctx, principal);
  const id = ctx.ids.next();
  const declaration: DeclarationRecord = {
    ...content,
    id,
    receivedAt,
    agencyId,
    submitterAgencyId: principal.agencyId,
    submittedBy: principal.userId,
    sourceFormat,
    channel: assessment.channel,
    assessment,
  };
  const report: CargoReport = {
    declarationId: id,
    mrn: movementReference(new Date(receivedAt).getUTCFullYear(), country, id),
    lrn: ens.lrn,
    sender: ens.sender,
    version: 1,
    lodgedAt: receivedAt,
    amendedAt: null,
    arrivalAt: content.route.arrivalAt ?? null,
    lodging: checkLodging(content, receivedAt),
    outcome: decision.outcome,
    notes: ens.notes,
  };
  const lrnField = `/${tree.root.local}/HEAHEA/RefNumHEA4`;
  const referrals = await ctx.storage
    .write(async (tx) => {
      await insertLodging(tx, declaration, {
        actorId: principal.userId,
        action: 'cargo-report.lodged',
        details: {
          mrn: report.mrn,
          reference: ens.lrn,
          sourceFormat,
          items: content.goodsItems.length,
          channel: assessment.channel,
          score: assessment.score,
          outcome: decision.outcome,
          lodging: report.lodging.status,
          rulesetId: assessment.rulesetId,
          hits: assessment.hits.map((h) => `${h.indicatorId}@${h.indicatorVersion}`),
          randomSeed: assessment.random.seed,
        },
      });
      await tx.cargo.insert(report);
      await tx.cargo.addMessage({
        declarationId: id,
        version: 1,
        messageType: ens.messageType,
        format: intake.format,
        receivedAt,
        receivedBy: principal.userId,
        message,
      });
      const opened = await settleReferrals(
        ctx,
        tx,
        declaration,
        decision,
        receivedAt,
        'lodging',
        settings.informationRequestHours,
      );
      return opened;
    })
    .catch(async (error: unknown) => {
      throw await explainDuplicate(ctx, declaration, error, lrnField);
    });
  return { action: 'lodged', report, declaration, referrals, decision };
}

export interface ReferralReply {
  documents: Array<DocumentRef & { items?: number[] }>;
  note?: string;
}

/**
 * The trader answers an information request with documents: they are added to the report (to
 * the goods items named, else to the whole report), the report is screened again, the request is
 * marked answered, and the new outcome settles it or opens the next referral.
 */
export async function replyToReferral(
  ctx: AppContext,
  principal: Principal,
  referralId: string,
  reply: ReferralReply,
  options: CargoOptions = {},
): Promise<LodgedCargoReport> {
  const referral = await ctx.storage.read.cargo.findReferral(referralId);
  const declaration =
    referral && (await ctx.storage.read.declarations.findById(referral.declarationId));
  if (!referral || !declaration || !canReadDeclaration(principal, declaration)) {
    throw new DomainError('not_found', `no referral ${referralId}`);
  }
  if (declaration.submitterAgencyId !== principal.agencyId || !canSubmitDeclaration(principal)) {
    throw new DomainError(
      'forbidden',
      'only the organisation that lodged the report replies to it',
    );
  }
  if (referral.kind !== 'information-request') {
    throw new DomainError('conflict', `a ${referral.kind} referral takes no reply from the trader`);
  }
  if (referral.status !== 'open') {
    throw new DomainError('conflict', `referral ${referralId} is ${referral.status}`);
  }
  const issues: FieldIssue[] = [];
  if (reply.documents.length === 0)
    issues.push({ path: '/documents', reason: 'at least one document' });
  const sequences = new Set(declaration.goodsItems.map((g) => g.sequence));
  reply.documents.forEach((d, i) =>
    (d.items ?? []).forEach((s, j) => {
      if (!sequences.has(s))
        issues.push({ path: `/documents/${i}/items/${j}`, reason: `no goods item ${s}` });
    }),
  );
  if (issues.length > 0) throw new DomainError('invalid_input', 'the reply is not valid', issues);

  const report = (await ctx.storage.read.cargo.find(declaration.id))!;
  const receivedAt = ctx.clock.now().toISOString();
  const withDocuments: DeclarationContent = {
    ...declarationContent(declaration),
    documents: [
      ...declaration.documents,
      ...reply.documents
        .filter((d) => (d.items ?? []).length === 0)
        .map((d) => ({ type: d.type, reference: d.reference })),
    ],
    goodsItems: declaration.goodsItems.map((g) => ({
      ...g,
      documents: [
        ...g.documents,
        ...reply.documents
          .filter((d) => d.items?.includes(g.sequence))
          .map((d) => ({ type: d.type, reference: d.reference })),
      ],
    })),
  };
  const content = checkContent(withDocuments, receivedAt, new Map());
  const assessment = await assessCandidate(
    ctx,
    content,
    declaration.receivedAt,
    principal.administrationId,
  );
  const settings = options.referrals ?? ctx.settings.cargo ?? DEFAULT_REFERRAL_SETTINGS;
  const decision = await decide(ctx.storage.read, assessment, content, settings);
  const amended: DeclarationRecord = {
    ...declaration,
    ...content,
    channel: assessment.channel,
    status: screenedStatus(assessment.channel),
    assessment,
  };
  const next: CargoReport = { ...report, outcome: decision.outcome };
  const answered: PreArrivalReferral = {
    ...referral,
    status: 'answered',
    repliedAt: receivedAt,
    reply: {
      documents: reply.documents.map((d) => ({ type: d.type, reference: d.reference })),
      note: reply.note ?? null,
    },
  };
  const referrals = await ctx.storage.write(async (tx) => {
    // Conditional: a close (or another reply) that committed first wins; this one is refused.
    if (!(await tx.cargo.updateReferral(answered, ['open']))) {
      throw new DomainError('conflict', `referral ${referralId} was answered or closed meanwhile`);
    }
    if (!(await tx.cargo.update(next, report.version))) {
      throw new DomainError('conflict', 'the report was amended meanwhile: read it again');
    }
    await replaceContent(tx, declaration, amended, 'the report');
    const all = await settleReferrals(
      ctx,
      tx,
      amended,
      decision,
      receivedAt,
      'the reply',
      settings.informationRequestHours,
    );
    await tx.audit.append({
      at: receivedAt,
      agencyId: declaration.agencyId,
      actorId: principal.userId,
      action: 'cargo-referral.replied',
      subjectType: 'declaration',
      subjectId: declaration.id,
      details: {
        referral: referral.id,
        documents: answered.reply!.documents.map((d) => d.type),
        reference: amended.reference,
        channel: assessment.channel,
        score: assessment.score,
        outcome: decision.outcome,
      },
    });
    return all;
  });
  return { action: 'amended', report: next, declaration: amended, referrals, decision };
}

/** An officer closes a referral (control done, loading allowed after all), saying why. */
export async function closeReferral(
  ctx: AppContext,
  principal: Principal,
  referralId: string,
  reason: string,
): Promise<PreArrivalReferral> {
  const referral = await ctx.storage.read.cargo.findReferral(referralId);
  const declaration =
    referral && (await ctx.storage.read.declarations.findById(referral.declarationId));
  if (!referral || !declaration || !canReadDeclaration(principal, declaration)) {
    throw new DomainError('not_found', `no referral ${referralId}`);
  }
  assertAllowed(principal, 'close', 'cargo-report', declaration);
  if (referral.status === 'closed')
    throw new DomainError('conflict', `referral ${referralId} is closed`);
  if (reason.trim() === '') {
    throw new DomainError('invalid_input', 'say why the referral is closed', [
      { path: '/reason', reason: 'required' },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  const closed: PreArrivalReferral = {
    ...referral,
    status: 'closed',
    closedAt: at,
    closedReason: reason.trim(),
  };
  await ctx.storage.write(async (tx) => {
    // Only the closing fields, and only if still open or answered: a reply is never overwritten.
    if (!(await tx.cargo.closeReferral(referral.id, at, closed.closedReason!))) {
      throw new DomainError('conflict', `referral ${referralId} is closed`);
    }
    await tx.audit.append({
      at,
      agencyId: declaration.agencyId,
      actorId: principal.userId,
      action: 'cargo-referral.closed',
      subjectType: 'declaration',
      subjectId: declaration.id,
      details: { referral: referral.id, kind: referral.kind, reason: closed.closedReason },
    });
  });
  return closed;
}

/** A cargo report with its declaration and referrals, for those who may read the declaration. */
export async function getCargoReport(
  ctx: AppContext,
  principal: Principal,
  idOrMrn: string,
): Promise<CargoReportView> {
  const read = ctx.storage.read;
  const report = (await read.cargo.find(idOrMrn)) ?? (await read.cargo.findByMrn(idOrMrn));
  const declaration = report && (await read.declarations.findById(report.declarationId));
  if (!report || !declaration || !canReadDeclaration(principal, declaration)) {
    throw new DomainError('not_found', `no cargo report ${idOrMrn}`);
  }
  return { report, declaration, referrals: await read.cargo.referralsOf(report.declarationId) };
}

/** The newest cargo reports the principal may see. */
export async function listCargoReports(
  ctx: AppContext,
  principal: Principal,
  filter: { outcome?: CargoReport['outcome']; limit: number },
): Promise<CargoReport[]> {
  // The policy decides who reads which reports: those lodged by the trader's own organisation,
  // or those lodged with the customs agency of the staff member.
  const own =
    principal.agencyKind === 'trader'
      ? { submitterAgencyId: principal.agencyId }
      : { agencyId: principal.agencyId };
  if (!can(principal, 'read', 'cargo-report', own))
    throw new DomainError('forbidden', 'your roles do not allow reading cargo reports');
  return ctx.storage.read.cargo.list({ ...own, ...filter });
}

/** The messages received for a report, exactly as sent. */
export async function cargoMessages(
  ctx: AppContext,
  principal: Principal,
  declarationId: string,
): Promise<Awaited<ReturnType<Repositories['cargo']['messages']>>> {
  await getCargoReport(ctx, principal, declarationId);
  return ctx.storage.read.cargo.messages(declarationId);
}

/** Where the message names the person lodging (for a refusal of it). */
function declarantField(sourcePaths: ReadonlyMap<string, string>): string {
  return toSourcePaths([{ path: '/declarant/id', reason: '' }], sourcePaths)[0]!.path;
}

function checkContent(
  input: unknown,
  receivedAt: string,
  sourcePaths: ReadonlyMap<string, string>,
): DeclarationContent {
  return checkCandidate(input, receivedAt, 'cargo report', (issues) =>
    toSourcePaths(issues, sourcePaths),
  );
}

/** The documents each hit indicator version expects, from the register. */
async function decide(
  read: Repositories,
  assessment: Assessment,
  content: DeclarationContent,
  settings: ReferralSettings,
): Promise<PreArrivalDecision> {
  const expected = new Map<string, Array<{ type: string; title: string }>>();
  for (const h of assessment.hits) {
    const key = `${h.indicatorId}@${h.indicatorVersion}`;
    if (expected.has(key)) continue;
    const indicator = await read.indicators.version(h.indicatorId, h.indicatorVersion);
    expected.set(key, indicator?.expectedDocuments ?? []);
  }
  const declared = new Set<string>([
    ...content.documents.map((d) => d.type),
    ...content.goodsItems.flatMap((g) => g.documents.map((d) => d.type)),
  ]);
  return decidePreArrival(assessment, declared, expected, settings);
}

/**
 * Brings the report's referrals in line with the latest decision: an open or answered referral of
 * another kind or reason is closed (the new screening settled it), and a referral is opened for
 * the new outcome unless the same one is open already. Returns every referral of the report.
 */
async function settleReferrals(
  ctx: AppContext,
  tx: Repositories,
  d: DeclarationRecord,
  decision: PreArrivalDecision,
  at: string,
  after: string,
  hours: number,
): Promise<PreArrivalReferral[]> {
  const existing = await tx.cargo.referralsOf(d.id);
  let same: PreArrivalReferral | undefined;
  for (const r of existing) {
    if (r.status === 'closed') continue;
    if (r.status === 'open' && r.kind === decision.outcome && r.reason === decision.reason) {
      same = r;
      continue;
    }
    await tx.cargo.closeReferral(
      r.id,
      at,
      `screened again after ${after}: ${decision.outcome === 'assessment-complete' ? 'assessment complete' : decision.reason}`,
    );
  }
  if (decision.outcome !== 'assessment-complete' && !same) {
    await tx.cargo.insertReferral({
      id: ctx.ids.next(),
      declarationId: d.id,
      kind: decision.outcome,
      status: 'open',
      reason: decision.reason,
      documents: decision.documents,
      indicators: decision.indicators,
      office: d.route.officeOfEntry ?? d.office ?? null,
      deadline: referralDeadline(decision.outcome, d, at, hours),
      createdAt: at,
      repliedAt: null,
      reply: null,
      closedAt: null,
      closedReason: null,
    });
  }
  return tx.cargo.referralsOf(d.id);
}

/**
 * Information requests: the reply is due within the configured hours, and before arrival;
 * controls: at arrival; do-not-load: before loading, when the report says when that is.
 */
function referralDeadline(
  kind: PreArrivalDecision['outcome'],
  d: DeclarationContent,
  at: string,
  hours: number,
): string | null {
  const arrival = d.route.arrivalAt ?? null;
  if (kind === 'information-request') {
    const due = new Date(Date.parse(at) + hours * 3_600_000).toISOString();
    return arrival !== null && arrival > at && arrival < due ? arrival : due;
  }
  if (kind === 'high-risk-control') return arrival;
  if (kind === 'do-not-load') return d.route.loadingAt ?? null;
  return null;
}

async function administrationCountry(ctx: AppContext, principal: Principal): Promise<string> {
  const all = await ctx.storage.read.identity.listAdministrations();
  const country = all.find((a) => a.id === principal.administrationId)?.country ?? '';
  return /^[A-Z]{2}$/.test(country) ? country : 'XX';
}
