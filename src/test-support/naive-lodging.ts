import type { AppContext } from '../app/context.js';
import {
  assessCandidate,
  checkCandidate,
  duplicateReference,
  lodgingRecord,
} from '../app/intake.js';
import { owningCustomsAgency } from '../app/submit-declaration.js';
import type { Principal } from '../core/auth/identity.js';
import { REFERRAL_STATUSES, type PreArrivalReferral } from '../core/cargo/referral.js';
import { DomainError } from '../core/errors.js';
import { declarationContent, type CargoReport, type DeclarationRecord } from '../core/ports.js';
import type { Database } from '../storage/database.js';
import { createRepositories } from '../storage/repositories.js';

/**
 * Deliberately WRONG write paths, kept as the negative controls of src/http/concurrency.test.ts.
 * Each does what the code did before the write path was rebuilt: it checks what it read outside
 * the transaction that writes, and writes without a guard. Under concurrency they break the very
 * invariants the test checks on the real routes; the test must catch them, or it could catch
 * nothing. Never use them outside tests.
 */

/** Gives the other requests time to read the same state, as a loaded server would. */
const pause = (maxMs: number) => new Promise((r) => setTimeout(r, Math.random() * maxMs));

/**
 * Lodges a JSON declaration after checking its reference with a read outside the transaction,
 * then inserts it with an lrn_key of its own (`naive:<id>`), so the unique index never sees the
 * reference: concurrent lodgings under one reference are all accepted.
 */
export async function naiveLodging(
  ctx: AppContext,
  db: Database,
  principal: Principal,
  input: unknown,
  pauseMs = 3,
): Promise<DeclarationRecord> {
  const receivedAt = ctx.clock.now().toISOString();
  const content = checkCandidate(input, receivedAt, 'declaration');
  const agencyId = await owningCustomsAgency(ctx, principal);
  const assessment = await assessCandidate(ctx, content, receivedAt, principal.administrationId);
  const record = lodgingRecord(ctx, principal, agencyId, content, 'json', assessment, receivedAt);
  // The check, read outside the transaction that writes: the bug.
  const earlier = await db.read.declarations.findByReference(
    agencyId,
    principal.agencyId,
    'customs',
    record.reference,
  );
  if (earlier) throw duplicateReference(record, earlier.id);
  await pause(pauseMs);
  await db.kysely.transaction().execute(async (trx) => {
    // Stored under a placeholder reference, then given the real one with a key of its own.
    await createRepositories(trx, db.backend).declarations.insert({
      ...record,
      reference: `naive:${record.id}`,
    });
    await trx
      .updateTable('declarations')
      .set({
        reference: record.reference,
        lrn_key: `naive:${record.id}`,
        content: JSON.stringify(declarationContent(record)),
      })
      .where('id', '=', record.id)
      .execute();
  });
  return record;
}

/**
 * Amends a cargo report (an IE313 naming `mrn`): reads the report, then writes the version it
 * computed from that read with no `where version = ?`, and appends the message as the next one.
 * Concurrent amendments are all accepted; all but one of them are lost from the report's version.
 */
export async function naiveAmendment(
  ctx: AppContext,
  db: Database,
  principal: Principal,
  mrn: string,
  message: string,
  pauseMs = 3,
): Promise<{ action: 'amended'; mrn: string; declarationId: string; report: CargoReport }> {
  const report = await db.read.cargo.findByMrn(mrn);
  const earlier = report && (await db.read.declarations.findById(report.declarationId));
  if (!report || !earlier || earlier.submitterAgencyId !== principal.agencyId) {
    throw new DomainError('not_found', `no cargo report ${mrn} lodged by your organisation`);
  }
  const receivedAt = ctx.clock.now().toISOString();
  const next: CargoReport = { ...report, version: report.version + 1, amendedAt: receivedAt };
  await pause(pauseMs);
  // Writes back the version computed from what it read, unconditionally: the bug.
  await db.kysely
    .updateTable('cargo_reports')
    .set({ version: next.version, amended_at: receivedAt })
    .where('declaration_id', '=', report.declarationId)
    .execute();
  await ctx.storage.write(async (tx) => {
    const stored = await tx.cargo.messages(report.declarationId);
    await tx.cargo.addMessage({
      declarationId: report.declarationId,
      version: Math.max(0, ...stored.map((m) => m.version)) + 1,
      messageType: 'CC313A',
      format: 'xml',
      receivedAt,
      receivedBy: principal.userId,
      message,
    });
  });
  return { action: 'amended', mrn, declarationId: report.declarationId, report: next };
}

/**
 * An officer's close that writes back the whole referral row as it was read, with the closing
 * fields set, whatever its status is by then: a reply stored meanwhile is overwritten.
 */
export async function naiveCloseReferral(
  ctx: AppContext,
  db: Database,
  referralId: string,
  reason: string,
  pauseMs = 3,
): Promise<PreArrivalReferral> {
  const referral = await db.read.cargo.findReferral(referralId);
  if (!referral) throw new DomainError('not_found', `no referral ${referralId}`);
  if (referral.status === 'closed') {
    throw new DomainError('conflict', `referral ${referralId} is closed`);
  }
  const at = ctx.clock.now().toISOString();
  const closed: PreArrivalReferral = {
    ...referral,
    status: 'closed',
    closedAt: at,
    closedReason: reason,
  };
  await pause(pauseMs);
  // The whole row read earlier, from any status: the bug.
  await ctx.storage.write((tx) => tx.cargo.updateReferral(closed, REFERRAL_STATUSES));
  return closed;
}
