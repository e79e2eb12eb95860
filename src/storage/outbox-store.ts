import { sql, type Kysely, type Selectable } from 'kysely';
import type { DomainEvent, EventKind } from '../core/events.js';
import type { Repositories } from '../core/ports.js';
import type { DB } from './schema.js';

/**
 * The transactional outbox. Events are appended by `audit.append` in the transaction of their
 * change; readers get them in delivery order.
 *
 * On PostgreSQL positions come from a sequence when the row is inserted, not when it commits, so a
 * row with a lower position can commit after one with a higher position. Each row therefore keeps
 * the id of its transaction, readers order by (txid, position), and they read only rows whose
 * transaction is older than every transaction still running (`pg_snapshot_xmin`): any row that
 * commits later belongs to a newer transaction and so sorts after everything already read. On
 * SQLite there is one writer at a time, txid is 0 and the position alone is the commit order.
 */

/**
 * Rows of transactions older than every transaction that may still write to this database. The
 * snapshot (taken atomically) lists every transaction in progress in the whole cluster; those seen
 * in pg_stat_activity working in another database are left out, so that a session idling in a
 * transaction elsewhere on the server does not hold this outbox back. (One that ends between the
 * two reads stays in: that only delays, never skips.)
 */
const POSTGRES_HORIZON = sql<boolean>`outbox.txid < (
  select least(
    pg_snapshot_xmax(snap.s)::text::bigint,
    (select min(x::text::bigint) from pg_snapshot_xip(snap.s) as x
      where x::text::bigint not in (
        select backend_xid::text::bigint from pg_stat_activity
        where backend_xid is not null and datname is distinct from current_database())))
  from (select pg_current_snapshot() as s) as snap)`;
export function outboxStore(
  db: Kysely<DB>,
  backend: 'sqlite' | 'postgres',
): Repositories['outbox'] {
  const horizon = backend === 'postgres' ? POSTGRES_HORIZON : sql<boolean>`1 = 1`;
  return {
    async after(cursor, limit) {
      // Both forms read the (txid, position) index from the cursor on. An `a > x or (a = x and
      // b > y)` condition cannot bound an index range and walked the outbox from its start on
      // every page (a page of 500 from the middle of 300,000 events: 8.7 ms on SQLite and 16.6 ms
      // on PostgreSQL before, 1.5 ms and 2.3 ms now).
      if (backend === 'postgres') {
        const rows = await db
          .selectFrom('outbox')
          .selectAll()
          .where(
            sql<boolean>`(outbox.txid, outbox.position) > (${cursor.txid}, ${cursor.position})`,
          )
          .where(horizon)
          .orderBy('txid')
          .orderBy('position')
          .limit(limit)
          .execute();
        return rows.map(eventOf);
      }
      // SQLite seeks a row comparison on its first column only: the rest of this transaction's
      // rows, then those of later ones, each an ordered range of the index.
      const rows = await sql<Selectable<DB['outbox']>>`
        select * from (select * from outbox where txid = ${cursor.txid} and position > ${cursor.position}
                       order by txid, position limit ${limit})
        union all
        select * from (select * from outbox where txid > ${cursor.txid}
                       order by txid, position limit ${limit})
        order by txid, position limit ${limit}`.execute(db);
      return rows.rows.map(eventOf);
    },
    async byPosition(position) {
      const r = await db
        .selectFrom('outbox')
        .selectAll()
        .where('position', '=', position)
        .executeTakeFirst();
      return r && eventOf(r);
    },
    async head() {
      const r = await db
        .selectFrom('outbox')
        .select(['txid', 'position'])
        .where(horizon)
        .orderBy('txid', 'desc')
        .orderBy('position', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? { txid: Number(r.txid), position: Number(r.position) } : { txid: 0, position: 0 };
    },
    async cursorOf(position) {
      const r = await db
        .selectFrom('outbox')
        .select(['txid', 'position'])
        .where('position', '=', position)
        .executeTakeFirst();
      return r && { txid: Number(r.txid), position: Number(r.position) };
    },
    async subscriberCursor(subscriber) {
      const r = await db
        .selectFrom('outbox_cursors')
        .select(['txid', 'position', 'delivered'])
        .where('subscriber', '=', subscriber)
        .executeTakeFirst();
      return r
        ? { txid: Number(r.txid), position: Number(r.position), delivered: Number(r.delivered) }
        : { txid: 0, position: 0, delivered: 0 };
    },
    async advance(subscriber, from, to, delivered, at) {
      if (from.txid === 0 && from.position === 0) {
        const inserted = await db
          .insertInto('outbox_cursors')
          .values({ subscriber, txid: to.txid, position: to.position, delivered, updated_at: at })
          .onConflict((oc) => oc.column('subscriber').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
      }
      const r = await db
        .updateTable('outbox_cursors')
        .set({
          txid: to.txid,
          position: to.position,
          delivered: sql<number>`delivered + ${delivered}`,
          updated_at: at,
        })
        .where('subscriber', '=', subscriber)
        .where('txid', '=', from.txid)
        .where('position', '=', from.position)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async subscribers() {
      const rows = await db
        .selectFrom('outbox_cursors')
        .selectAll()
        .orderBy('subscriber')
        .execute();
      return rows.map((r) => ({
        subscriber: r.subscriber,
        txid: Number(r.txid),
        position: Number(r.position),
        delivered: Number(r.delivered),
        updatedAt: r.updated_at,
      }));
    },
  };
}

function eventOf(r: Selectable<DB['outbox']>): DomainEvent {
  return {
    position: Number(r.position),
    txid: Number(r.txid),
    kind: r.kind as EventKind,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    agencyId: r.agency_id,
    actorId: r.actor_id,
    at: r.at,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}
