import type { EventKind } from '../core/events.js';
import type { Kysely } from 'kysely';
import type { Repositories } from '../core/ports.js';
import type { DB } from './schema.js';

/** The append-only audit trail every state change writes in its own transaction (and the outbox). */
export function auditStore(db: Kysely<DB>, backend: 'sqlite' | 'postgres'): Repositories['audit'] {
  return {
    async append(e) {
      const details = JSON.stringify(e.details);
      const audit = {
        at: e.at,
        agency_id: e.agencyId,
        actor_id: e.actorId,
        action: e.action,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        details,
      };
      const outbox = {
        kind: e.action,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        agency_id: e.agencyId,
        actor_id: e.actorId,
        at: e.at,
        data: details,
      };
      // The same event for the subscribers, in the same transaction: never one without the other.
      if (backend === 'postgres') {
        // One round trip for both rows.
        await db
          .with('a', (w) => w.insertInto('audit_events').values(audit))
          .insertInto('outbox')
          .values(outbox)
          .execute();
        return;
      }
      await db.insertInto('audit_events').values(audit).execute();
      await db.insertInto('outbox').values(outbox).execute();
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
