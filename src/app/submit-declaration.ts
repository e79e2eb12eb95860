import { canSubmitDeclaration } from '../core/auth/access.js';
import type { Principal } from '../core/auth/identity.js';
import type { SourceFormat } from '../core/declaration/declaration.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { DeclarationRecord } from '../core/ports.js';
import type { AppContext } from './context.js';
import { presentDeclaration, type DeclarationView } from './views/declaration-view.js';
import {
  admitCandidate,
  assessCandidate,
  checkCandidate,
  explainDuplicate,
  insertLodging,
  lodgingRecord,
} from './intake.js';

export interface SubmitDeclarationRequest {
  input: unknown;
  sourceFormat: SourceFormat;
  /** Maps JSON pointers of `input` to the sender's own field names (XML paths, CSV columns). */
  translateIssues?: (issues: FieldIssue[]) => FieldIssue[];
  /**
   * An administrator's import of past declarations (for metrics): the declared date may be
   * outside the window around receipt, and validity is judged on it.
   */
  historic?: boolean;
  /** A client-chosen key: a retry with the same key and body gets the first answer back. */
  idempotency?: { key: string; requestHash: string };
}

export type SubmitDeclarationResult =
  | { outcome: 'created'; declaration: DeclarationRecord; view: DeclarationView }
  | { outcome: 'replayed'; statusCode: number; body: string };

/**
 * Lodges a declaration through the intake pipeline: validates and normalises it, screens it, then
 * stores it with its event in one durable transaction. Invalid input stores nothing and throws
 * `invalid_input` naming each field; a reference the declarant used already is a `conflict`
 * naming the declaration that has it (a retry with the same Idempotency-Key replays instead).
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
  const checked = checkCandidate(request.input, receivedAt, 'declaration', request.translateIssues);
  const { content, judgedAt } = await admitCandidate(ctx, principal, checked, receivedAt, {
    ...(request.historic ? { historic: true } : {}),
    ...(request.translateIssues ? { translate: request.translateIssues } : {}),
  });
  const owningAgencyId = await owningCustomsAgency(ctx, principal);
  const assessment = await assessCandidate(ctx, content, judgedAt, principal.administrationId);
  const record = lodgingRecord(
    ctx,
    principal,
    owningAgencyId,
    content,
    request.sourceFormat,
    assessment,
    receivedAt,
  );
  const idem = request.idempotency;
  // The answer in the lodger's audience view; a replay gives back exactly this.
  const view = await presentDeclaration(ctx.storage.read, principal, record);

  const attempt = () =>
    ctx.storage.write(async (tx): Promise<SubmitDeclarationResult> => {
      if (idem) {
        const earlier = await tx.idempotency.find(principal.userId, idem.key);
        if (earlier) return replay(earlier, idem.requestHash);
      }
      await insertLodging(tx, record, {
        actorId: principal.userId,
        action: 'declaration.submitted',
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
        const body = JSON.stringify(view);
        const saved = await tx.idempotency.save(
          principal.userId,
          idem.key,
          { requestHash: idem.requestHash, statusCode: 201, body },
          receivedAt,
        );
        // A concurrent transaction took the key after our look-up: roll back; the retry replays it.
        if (!saved) throw new IdempotencyRace();
      }
      return { outcome: 'created', declaration: record, view };
    });
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      // A concurrent request with the same Idempotency-Key committed first: the unique reference
      // (or the key itself) refused ours; the next attempt finds its answer and replays it.
      const raced =
        error instanceof IdempotencyRace ||
        (idem !== undefined && error instanceof DomainError && error.code === 'conflict');
      if (!raced || tries === 3) throw await explainDuplicate(ctx, record, error);
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
