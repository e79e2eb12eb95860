import { can } from '../core/auth/policy.js';
import { canReadDeclaration, canSubmitDeclaration } from '../core/auth/access.js';
import type { Principal } from '../core/auth/identity.js';
import { screenedStatus, type ControlStatus } from '../core/controls/inspection.js';
import {
  applyAmendment,
  type AmendmentCandidate,
  type AmendmentNote,
  type DeclarationRef,
} from '../core/declaration/amendment.js';
import { DomainError } from '../core/errors.js';
import { declarationContent, type DeclarationRecord, type Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';
import { addNewHits, admitCandidate, assessCandidate } from './intake.js';

/** Statuses in which the declarant may still change a declaration: before any control starts. */
export const AMENDABLE: readonly ControlStatus[] = ['lodged', 'awaiting-control'];

export interface AmendDeclarationRequest {
  /** The declaration, by GreenLane id (explicit route) … */
  declarationId?: string;
  /** … or as the message names it (MRN and/or LRN). */
  ref?: DeclarationRef;
  /** The version the amendment was made against; absent: the version read now. */
  expectedVersion?: number;
  amendment: Pick<AmendmentCandidate, 'changes' | 'notHeld' | 'reasonCodes' | 'statements'>;
}

export interface AmendDeclarationResult {
  declaration: DeclarationRecord;
  version: number;
  /** Amended elements kept with the version but not applied to the content. */
  notes: AmendmentNote[];
}

/**
 * Amends a lodged declaration: only the organisation that lodged it, only before release or
 * control, only from the version it was made against. The amended content is validated as a
 * lodging is, re-screened, and stored as the next version with its audit event in one
 * transaction; a concurrent amendment that got there first makes this one a conflict.
 */
export async function amendDeclaration(
  ctx: AppContext,
  principal: Principal,
  request: AmendDeclarationRequest,
): Promise<AmendDeclarationResult> {
  if (!canSubmitDeclaration(principal)) {
    throw new DomainError('forbidden', 'your roles do not allow amending declarations');
  }
  const d = await namedDeclaration(ctx.storage.read, principal, request, 'amend');
  const expected = await changeableVersion(ctx.storage.read, d, request.expectedVersion, 'amended');
  const applied = applyAmendment(declarationContent(d), request.amendment);
  if (!applied.ok) {
    throw new DomainError(
      'invalid_input',
      `the amendment cannot be applied to ${d.id}`,
      applied.issues,
    );
  }
  const notes = [...request.amendment.notHeld, ...(applied.notes ?? [])];
  // Amended content is admitted as a lodging is, against the original receipt.
  const { content, judgedAt } = await admitCandidate(ctx, principal, applied.value, d.receivedAt, {
    dateAdmitted: applied.value.submittedAt === d.submittedAt,
  });
  const assessment = await assessCandidate(ctx, content, judgedAt, principal.administrationId);
  const record: DeclarationRecord = {
    ...d,
    ...content,
    channel: assessment.channel,
    status: screenedStatus(assessment.channel),
    assessment,
    version: expected + 1,
  };
  const at = ctx.clock.now().toISOString();
  const details = {
    reasonCodes: request.amendment.reasonCodes,
    statements: request.amendment.statements,
    changes: request.amendment.changes.map((c) => c.source),
    notes,
  };
  const done = await ctx.storage.write(async (tx) => {
    const ok = await tx.declarations.amendVersion(record, expected, AMENDABLE, {
      at,
      by: principal.userId,
      details,
    });
    // Nothing was written: answer outside the transaction rather than roll the batch back.
    if (!ok) return false;
    await addNewHits(tx, d.assessment, assessment);
    await tx.audit.append({
      at,
      agencyId: d.agencyId,
      actorId: principal.userId,
      action: 'declaration.amended',
      subjectType: 'declaration',
      subjectId: d.id,
      details: {
        version: expected + 1,
        ...details,
        reference: record.reference,
        channel: assessment.channel,
        score: assessment.score,
        hits: assessment.hits.map((h) => `${h.indicatorId}@${h.indicatorVersion}`),
        randomSeed: assessment.random.seed,
      },
    });
    return true;
  });
  if (!done) throw await lostRace(ctx.storage.read, d.id, expected, 'amended');
  return { declaration: record, version: expected + 1, notes };
}

/** The declaration a request names, if the principal's organisation lodged it. */
export async function namedDeclaration(
  read: Repositories,
  principal: Principal,
  request: { declarationId?: string; ref?: DeclarationRef },
  verb: 'amend' | 'cancel',
): Promise<DeclarationRecord> {
  let d: DeclarationRecord | undefined;
  const { ref } = request;
  if (request.declarationId !== undefined) {
    d = await read.declarations.findById(request.declarationId);
    if (!d) throw new DomainError('not_found', `no declaration ${request.declarationId}`);
  } else if (ref) {
    // GreenLane issues no MRNs of its own: an MRN that is a GreenLane id names that declaration.
    if (ref.mrn !== undefined) d = await read.declarations.findById(ref.mrn);
    if (!d && ref.lrn !== undefined) {
      // More than one only where duplicates predate the unique reference (migration 0007).
      const lodged = await read.declarations.listByReference(principal.agencyId, ref.lrn);
      if (lodged.length > 1) {
        throw new DomainError(
          'conflict',
          `your organisation lodged ${lodged.length} declarations with LRN ${ref.lrn}: ${verb} one by its id`,
          [{ path: 'FunctionalReferenceID', reason: 'names more than one declaration' }],
        );
      }
      d = lodged[0];
    }
    if (!d) {
      const named = [
        ref.mrn !== undefined ? `MRN ${ref.mrn}` : undefined,
        ref.lrn !== undefined ? `LRN ${ref.lrn}` : undefined,
      ]
        .filter((x) => x !== undefined)
        .join(' or ');
      throw new DomainError('not_found', `your organisation lodged no declaration with ${named}`, [
        {
          path: ref.lrn !== undefined ? 'FunctionalReferenceID' : 'ID',
          reason: 'names no declaration lodged by your organisation',
        },
      ]);
    }
  } else {
    throw new DomainError('invalid_input', 'the request names no declaration');
  }
  if (!can(principal, verb, 'declaration', d)) {
    // Those who may not read it are not told it exists (as reading it answers them).
    if (!canReadDeclaration(principal, d))
      throw new DomainError('not_found', `no declaration ${d.id}`);
    throw new DomainError(
      'forbidden',
      `only the organisation that lodged declaration ${d.id} may ${verb} it`,
    );
  }
  return d;
}

/** The version a change applies from, if the declaration's state allows the change. */
export async function changeableVersion(
  read: Repositories,
  d: DeclarationRecord,
  expectedVersion: number | undefined,
  done: 'amended' | 'cancelled',
): Promise<number> {
  const now = await read.declarations.status(d.id);
  if (!now) throw new DomainError('not_found', `no declaration ${d.id}`);
  if (!AMENDABLE.includes(now.status)) {
    throw new DomainError(
      'conflict',
      `declaration ${d.id} is ${now.status}: it can no longer be ${done}`,
    );
  }
  if (expectedVersion !== undefined && expectedVersion !== now.version) {
    throw new DomainError(
      'conflict',
      `declaration ${d.id} is at version ${now.version}, not ${expectedVersion}: read it again`,
      [{ path: '/version', reason: `the current version is ${now.version}` }],
    );
  }
  return expectedVersion ?? now.version;
}

/** Why a version-guarded change updated nothing: another change came first, or the state moved. */
export async function lostRace(
  read: Repositories,
  id: string,
  expected: number,
  done: 'amended' | 'cancelled',
): Promise<DomainError> {
  const now = await read.declarations.status(id);
  if (now && !AMENDABLE.includes(now.status)) {
    return new DomainError(
      'conflict',
      `declaration ${id} is ${now.status}: it can no longer be ${done}`,
    );
  }
  return new DomainError(
    'conflict',
    `declaration ${id} was changed meanwhile (now version ${now?.version ?? '?'}, not ${expected}): read it again`,
    [{ path: '/version', reason: `the current version is ${now?.version ?? '?'}` }],
  );
}
