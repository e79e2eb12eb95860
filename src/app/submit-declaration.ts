import { canSubmitDeclaration } from '../core/auth/access.js';
import type { Principal } from '../core/auth/identity.js';
import type { SourceFormat } from '../core/declaration/declaration.js';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { DeclarationRecord } from '../core/ports.js';
import type { Assessment } from '../core/risk/assess.js';
import type { AppContext } from './context.js';
import { screen } from './risk.js';

export interface SubmitDeclarationRequest {
  input: unknown;
  sourceFormat: SourceFormat;
  /** Maps JSON pointers of `input` to the sender's own field names (XML paths, CSV columns). */
  translateIssues?: (issues: FieldIssue[]) => FieldIssue[];
  /** A client-chosen key: a retry with the same key and body gets the first answer back. */
  idempotency?: { key: string; requestHash: string };
}

export type SubmitDeclarationResult =
  | { outcome: 'created'; declaration: DeclarationRecord }
  | { outcome: 'replayed'; statusCode: number; body: string };

/**
 * Lodges a declaration: validates and normalises it, then stores it with its audit event in one
 * durable transaction. Invalid input stores nothing and throws `invalid_input` naming each field.
 */
export async function submitDeclaration(
  ctx: AppContext,
  principal: Principal,
  request: SubmitDeclarationRequest,
): Promise<SubmitDeclarationResult> {
  if (!canSubmitDeclaration(principal)) {
    throw new DomainError('forbidden', 'your roles do not allow lodging declarations');
  }
  const receivedAt = ctx.clock.now().toISOString();
  const checked = validateDeclaration(request.input, receivedAt);
  if (!checked.ok) {
    const issues = request.translateIssues
      ? request.translateIssues(checked.issues)
      : checked.issues;
    throw new DomainError('invalid_input', 'the declaration is not valid', issues);
  }
  const owningAgencyId = await owningCustomsAgency(ctx, principal);
  // Screening is pure CPU: done before the write, stored in the same transaction.
  const assessment = await screen(ctx.risk, ctx.storage.read, checked.value);
  const record: DeclarationRecord = {
    ...checked.value,
    id: ctx.ids.next(),
    receivedAt,
    agencyId: owningAgencyId,
    submitterAgencyId: principal.agencyId,
    submittedBy: principal.userId,
    sourceFormat: request.sourceFormat,
    channel: assessment.channel,
    assessment,
  };
  const idem = request.idempotency;

  const attempt = () =>
    ctx.storage.write(async (tx): Promise<SubmitDeclarationResult> => {
      if (idem) {
        const earlier = await tx.idempotency.find(principal.userId, idem.key);
        if (earlier) return replay(earlier, idem.requestHash);
      }
      await tx.declarations.insert(record);
      // Effectiveness: one hit per indicator version per declaration, however many items it hit.
      if (assessment.hits.length > 0) await tx.indicatorStats.addHits(hitVersions(assessment));
      await tx.audit.append({
        at: receivedAt,
        agencyId: owningAgencyId,
        actorId: principal.userId,
        action: 'declaration.submitted',
        subjectType: 'declaration',
        subjectId: record.id,
        details: {
          reference: record.reference,
          kind: record.kind,
          sourceFormat: record.sourceFormat,
          items: record.goodsItems.length,
          channel: assessment.channel,
          score: assessment.score,
          rulesetId: assessment.rulesetId,
          hits: assessment.hits.map((h) => `${h.indicatorId}@${h.indicatorVersion}`),
          randomSeed: assessment.random.seed,
        },
      });
      if (idem) {
        const body = JSON.stringify(record);
        const saved = await tx.idempotency.save(
          principal.userId,
          idem.key,
          { requestHash: idem.requestHash, statusCode: 201, body },
          receivedAt,
        );
        // A concurrent transaction took the key after our look-up: roll back; the retry replays it.
        if (!saved) throw new IdempotencyRace();
      }
      return { outcome: 'created', declaration: record };
    });
  for (let tries = 1; ; tries++) {
    try {
      const result = await attempt();
      if (result.outcome === 'created') {
        ctx.events.emit({
          type: 'declaration.lodged',
          declarationId: record.id,
          agencyId: record.agencyId,
          reference: record.reference,
          channel: record.channel,
          score: assessment.score,
        });
      }
      return result;
    } catch (error) {
      if (!(error instanceof IdempotencyRace) || tries === 3) throw error;
    }
  }
}

/** The Idempotency-Key was taken by a transaction that committed while ours ran. */
class IdempotencyRace extends DomainError {
  constructor() {
    super('conflict', 'a request with this Idempotency-Key is in progress; retry it');
  }
}

function replay(
  earlier: { requestHash: string; statusCode: number; body: string },
  requestHash: string,
): SubmitDeclarationResult {
  if (earlier.requestHash !== requestHash) {
    throw new DomainError(
      'idempotency_key_reused',
      'this Idempotency-Key was used with a different request body',
      [{ path: 'Idempotency-Key', reason: 'already used for a different request' }],
    );
  }
  return { outcome: 'replayed', statusCode: earlier.statusCode, body: earlier.body };
}

/** Declarations belong to the customs agency of the administration they are lodged with. */
export async function owningCustomsAgency(ctx: AppContext, principal: Principal): Promise<string> {
  if (principal.agencyKind === 'customs') return principal.agencyId;
  const customs = await ctx.storage.read.identity.findCustomsAgency(principal.administrationId);
  if (!customs)
    throw new DomainError('conflict', 'this administration has no customs agency to lodge with');
  return customs.id;
}

function hitVersions(a: Assessment): Array<{ id: string; version: number }> {
  const seen = new Map<string, { id: string; version: number }>();
  for (const h of a.hits) {
    const key = `${h.indicatorId}@${h.indicatorVersion}`;
    if (!seen.has(key)) seen.set(key, { id: h.indicatorId, version: h.indicatorVersion });
  }
  return [...seen.values()].sort((x, y) =>
    x.id < y.id ? -1 : x.id > y.id ? 1 : x.version - y.version,
  );
}
