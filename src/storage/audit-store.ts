import type { EventKind } from '../core/events.js';
import type { Kysely } from 'kysely';
import type { Repositories } from '../core/ports.js';
import type { DB } from './schema.js';

/** The append-only audit trail every state change writes in its own transaction: the outbox. */
export function auditStore(db: Kysely<DB>): Repositories['audit'] {
  return {
    async append(e) {
      // The outbox is the audit trail (`audit_events` is a view over it): one row, one copy, the
      // one the ledger proves.
      await db
        .insertInto('outbox')
        .values({
          kind: e.action,
          subject_type: e.subjectType,
          subject_id: e.subjectId,
          agency_id: e.agencyId,
          actor_id: e.actorId,
          at: e.at,
          data: JSON.stringify(e.details),
        })
        .execute();
    },
    async listFor(subjectType, subjectId) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('subject_type', '=', subjectType)
        .where('subject_id', '=', subjectId)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        seq: Number(r.seq),
        at: r.at,
        agencyId: r.agency_id,
        actorId: r.actor_id,
        action: r.action as EventKind,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
  };
}
