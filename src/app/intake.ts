import { hasRole, type Principal } from '../core/auth/identity.js';
import { checkDeclarationDate } from '../core/declaration/declaration-date.js';
import type { DeclarationContent, SourceFormat } from '../core/declaration/declaration.js';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { NewAuditEvent, DeclarationRecord, Repositories } from '../core/ports.js';
import type { Assessment } from '../core/risk/assess.js';
import type { AppContext } from './context.js';
import { checkSimplified, declarantOfRecord } from './manage-representations.js';
import { screen } from './risk.js';

/**
 * The one intake pipeline. Every way a declaration enters — JSON, WCO-DM XML, bulk files, an
 * entry summary declaration (IE315), its amendment (IE313), a referral reply that adds documents —
 * is parsed at the edge into declaration input, then goes through these steps: validate
 * (`checkCandidate`), screen (`assessCandidate`), and persist with its event in one transaction
 * (`insertLodging` for a new declaration, `replaceContent` for a new version of one).
 */

/** Validates and normalises input; invalid input throws `invalid_input` naming each field. */
export function checkCandidate(
  input: unknown,
  receivedAt: string,
  what: string,
  translate?: (issues: FieldIssue[]) => FieldIssue[],
): DeclarationContent {
  const checked = validateDeclaration(input, receivedAt);
  if (!checked.ok) {
    throw new DomainError(
      'invalid_input',
      `the ${what} is not valid`,
      translate ? translate(checked.issues) : checked.issues,
    );
  }
  return checked.value;
}

/**
 * What the lodger may declare: a trader's declared date inside the window around receipt, the declarant of record (see manage-representations.ts) and
 * simplified declarations only with the authorisation. Returns the content to store and the
 * time validity is judged at: receipt, or the declared date for history.
 */
export async function admitCandidate(
  ctx: AppContext,
  principal: Principal,
  checked: DeclarationContent,
  receivedAt: string,
  options: {
    historic?: boolean;
    /** An amendment that keeps the declared date: it was admitted with it already. */
    dateAdmitted?: boolean;
    declarantField?: string;
    translate?: (issues: FieldIssue[]) => FieldIssue[];
  } = {},
): Promise<{ content: DeclarationContent; judgedAt: string }> {
  if (options.historic && (principal.agencyKind === 'trader' || !hasRole(principal, 'admin'))) {
    throw new DomainError('forbidden', 'only administrators import historic declarations');
  }
  // A trader's lodging keeps to the window; customs staff keying in a paper declaration or
  // lodging a partner's message may carry its original date (validity is judged on receipt).
  if (!options.historic && !options.dateAdmitted && principal.agencyKind === 'trader') {
    const issues = checkDeclarationDate(checked.submittedAt, receivedAt);
    if (issues.length > 0) {
      throw new DomainError(
        'invalid_input',
        'the declaration date is too far from receipt',
        options.translate ? options.translate(issues) : issues,
      );
    }
  }
  const content = await declarantOfRecord(
    ctx.storage.read,
    principal,
    checked,
    receivedAt,
    options.declarantField,
  );
  await checkSimplified(ctx.storage.read, principal, content);
  return { content, judgedAt: options.historic ? content.submittedAt : receivedAt };
}

/**
 * Screens normalised content with the engine in force (pure CPU and reads: before the write).
 * Permits, certificates and lodging limits are judged at `at`: when GreenLane received it; the
 * learned model is the one the administration approved, if any.
 */
export function assessCandidate(
  ctx: AppContext,
  content: DeclarationContent,
  at: string,
  administrationId: string,
): Promise<Assessment> {
  return screen(ctx.risk, ctx.storage.read, content, undefined, at, administrationId);
}

/** The stored record of a new declaration lodged by `principal` with `agencyId`. */
export function lodgingRecord(
  ctx: AppContext,
  principal: Principal,
  agencyId: string,
  content: DeclarationContent,
  sourceFormat: SourceFormat,
  assessment: Assessment,
  receivedAt: string,
): DeclarationRecord {
  return {
    ...content,
    id: ctx.ids.next(),
    receivedAt,
    agencyId,
    submitterAgencyId: principal.agencyId,
    submittedBy: principal.userId,
    sourceFormat,
    channel: assessment.channel,
    assessment,
  };
}

/**
 * Inside the write: stores the declaration, counts its hits and records the event. A reference the
 * declarant used already is refused by the unique index, in this transaction, whichever lodging
 * got there first; `explainDuplicate` then names the declaration that has it (409).
 */
export async function insertLodging(
  tx: Repositories,
  record: DeclarationRecord,
  event: Omit<NewAuditEvent, 'subjectType' | 'subjectId' | 'at' | 'agencyId'>,
): Promise<void> {
  await tx.declarations.insert(record);
  await addNewHits(tx, null, record.assessment);
  await tx.audit.append({
    ...event,
    at: record.receivedAt,
    agencyId: record.agencyId,
    subjectType: 'declaration',
    subjectId: record.id,
  });
}

/** The refusal of a second lodging under one reference. */
export function duplicateReference(
  record: Pick<DeclarationRecord, 'reference' | 'kind'>,
  existingId: string | undefined,
  field = '/reference',
): DomainError {
  const noun = record.kind === 'cargo-report' ? 'cargo report' : 'declaration';
  return new DomainError(
    'conflict',
    `your organisation lodged a ${noun} with reference ${record.reference} already` +
      (existingId ? ` (${existingId})` : '') +
      (record.kind === 'cargo-report' ? ': amend it with an IE313' : ': amend it instead'),
    [
      {
        path: field,
        reason: `already used${existingId ? ` by ${existingId}` : ''}`,
      },
    ],
  );
}

/**
 * A concurrent lodging under the same reference won the unique index: say which declaration has
 * it (read after the refused transaction rolled back).
 */
export async function explainDuplicate(
  ctx: AppContext,
  record: DeclarationRecord,
  error: unknown,
  field?: string,
): Promise<unknown> {
  if (!(error instanceof DomainError) || error.code !== 'conflict' || error.issues.length > 0)
    return error;
  const earlier = await ctx.storage.read.declarations.findByReference(
    record.agencyId,
    record.submitterAgencyId,
    record.kind === 'cargo-report' ? 'cargo' : 'customs',
    record.reference,
  );
  return earlier && earlier.id !== record.id
    ? duplicateReference(record, earlier.id, field)
    : error;
}

/**
 * Inside the write: replaces a declaration's content and assessment (a new version), if its status
 * still allows it, and counts the hits it did not have before.
 */
export async function replaceContent(
  tx: Repositories,
  before: DeclarationRecord,
  after: DeclarationRecord,
  what: string,
): Promise<void> {
  if (!(await tx.declarations.amend(after, ['lodged', 'awaiting-control']))) {
    throw new DomainError(
      'conflict',
      `${what} is under control, released or cancelled: it can no longer be changed`,
    );
  }
  await addNewHits(tx, before.assessment, after.assessment);
}

/** Effectiveness counts a hit once per indicator version per declaration, amendments included. */
export async function addNewHits(
  tx: Repositories,
  before: Assessment | null,
  after: Assessment | null,
): Promise<void> {
  if (!after) return;
  const had = new Set((before?.hits ?? []).map((h) => `${h.indicatorId}@${h.indicatorVersion}`));
  const fresh = new Map<string, { id: string; version: number }>();
  for (const h of after.hits) {
    const key = `${h.indicatorId}@${h.indicatorVersion}`;
    if (!had.has(key)) fresh.set(key, { id: h.indicatorId, version: h.indicatorVersion });
  }
  if (fresh.size > 0) {
    await tx.indicatorStats.addHits(
      [...fresh.values()].sort((x, y) =>
        x.id < y.id ? -1 : x.id > y.id ? 1 : x.version - y.version,
      ),
    );
  }
}
