import type { Kysely } from 'kysely';
import type { Repositories } from '../core/ports.js';
import type { LedgerEvent } from '../core/ledger/leaf.js';
import type { StoredCosignature, WitnessedCheckpoint } from '../core/ledger/records.js';
import type { DB } from './schema.js';

/** Both drivers bind a Buffer as a blob / bytea. */
function bytes(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Rows a statement may bind at once: SQLite allows 32,766 parameters, PostgreSQL 65,535. */
const ROWS_PER_INSERT = 2000;

/** The ledger's leaves, nodes, checkpoints and witness records (migrations 0012, 0013). */
export function ledgerStore(db: Kysely<DB>): Repositories['ledger'] {
  return {
    async state() {
      const r = await db.selectFrom('ledger_state').selectAll().executeTakeFirst();
      return r
        ? {
            size: Number(r.size),
            cursor: { txid: Number(r.cursor_txid), position: Number(r.cursor_position) },
          }
        : { size: 0, cursor: { txid: 0, position: 0 } };
    },
    async append(a) {
      const values = {
        size: a.to,
        cursor_txid: a.cursor.txid,
        cursor_position: a.cursor.position,
        updated_at: a.at,
      };
      // The conditional move of the size is what makes two appenders exclusive: the loser's
      // transaction writes nothing (its leaf rows would also collide on the primary key).
      let moved: boolean;
      if (a.from === 0) {
        const inserted = await db
          .insertInto('ledger_state')
          .values({ singleton: 1, ...values })
          .onConflict((oc) => oc.column('singleton').doNothing())
          .executeTakeFirst();
        moved = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
        if (!moved) {
          const r = await db
            .updateTable('ledger_state')
            .set(values)
            .where('size', '=', 0)
            .executeTakeFirst();
          moved = Number(r.numUpdatedRows) === 1;
        }
      } else {
        const r = await db
          .updateTable('ledger_state')
          .set(values)
          .where('size', '=', a.from)
          .executeTakeFirst();
        moved = Number(r.numUpdatedRows) === 1;
      }
      if (!moved) return false;
      for (let i = 0; i < a.leaves.length; i += ROWS_PER_INSERT) {
        await db
          .insertInto('ledger_leaves')
          .values(
            a.leaves.slice(i, i + ROWS_PER_INSERT).map((l) => ({
              idx: l.idx,
              position: l.position,
              hash: bytes(l.hash),
              salt: l.salt === null ? null : bytes(l.salt),
            })),
          )
          .execute();
      }
      for (let i = 0; i < a.nodes.length; i += ROWS_PER_INSERT) {
        await db
          .insertInto('ledger_nodes')
          .values(
            a.nodes
              .slice(i, i + ROWS_PER_INSERT)
              .map((n) => ({ level: n.level, idx: n.idx, hash: bytes(n.hash) })),
          )
          .execute();
      }
      return true;
    },
    async hashes(ids) {
      const out = new Map<string, Uint8Array>();
      const leaves = ids.filter((i) => i.level === 0).map((i) => i.index);
      const nodes = ids.filter((i) => i.level > 0);
      if (leaves.length > 0) {
        const rows = await db
          .selectFrom('ledger_leaves')
          .select(['idx', 'hash'])
          .where('idx', 'in', leaves)
          .execute();
        for (const r of rows) out.set(`0/${Number(r.idx)}`, r.hash);
      }
      if (nodes.length > 0) {
        const rows = await db
          .selectFrom('ledger_nodes')
          .select(['level', 'idx', 'hash'])
          .where((eb) =>
            eb.or(nodes.map((n) => eb.and([eb('level', '=', n.level), eb('idx', '=', n.index)]))),
          )
          .execute();
        for (const r of rows) out.set(`${r.level}/${Number(r.idx)}`, r.hash);
      }
      return out;
    },
    async leafOf(position) {
      const r = await db
        .selectFrom('ledger_leaves')
        .selectAll()
        .where('position', '=', position)
        .executeTakeFirst();
      return r && { idx: Number(r.idx), position: Number(r.position), hash: r.hash, salt: r.salt };
    },
    async entries(fromIdx, limit) {
      const rows = await db
        .selectFrom('ledger_leaves as l')
        .leftJoin('outbox as o', 'o.position', 'l.position')
        .select([
          'l.idx',
          'l.position',
          'l.hash',
          'l.salt',
          'o.position as event_position',
          'o.kind',
          'o.at',
          'o.agency_id',
          'o.actor_id',
          'o.subject_type',
          'o.subject_id',
          'o.data',
        ])
        .where('l.idx', '>=', fromIdx)
        .orderBy('l.idx')
        .limit(limit)
        .execute();
      return rows.map((r) => {
        let event: LedgerEvent | null = null;
        if (r.event_position !== null) {
          let data: Record<string, unknown>;
          try {
            data = JSON.parse(r.data!) as Record<string, unknown>;
          } catch {
            // Not JSON any more: it cannot match its leaf, and verification says so.
            data = { '(unreadable)': r.data };
          }
          event = {
            position: Number(r.event_position),
            kind: r.kind!,
            at: r.at!,
            agencyId: r.agency_id!,
            actorId: r.actor_id,
            subjectType: r.subject_type!,
            subjectId: r.subject_id!,
            data,
          };
        }
        return {
          idx: Number(r.idx),
          position: Number(r.position),
          hash: r.hash,
          salt: r.salt,
          event,
        };
      });
    },
    async nodesIn(level, fromIdx, toIdx) {
      const rows = await db
        .selectFrom('ledger_nodes')
        .select(['level', 'idx', 'hash'])
        .where('level', '=', level)
        .where('idx', '>=', fromIdx)
        .where('idx', '<', toIdx)
        .orderBy('idx')
        .execute();
      return rows.map((r) => ({ level: r.level, idx: Number(r.idx), hash: r.hash }));
    },
    async latestCheckpoint() {
      const r = await db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .orderBy('size', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r && { size: Number(r.size), root: r.root, note: r.note, signedAt: r.signed_at };
    },
    async checkpoints(afterSize, limit) {
      const rows = await db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .where('size', '>', afterSize)
        .orderBy('size')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        size: Number(r.size),
        root: r.root,
        note: r.note,
        signedAt: r.signed_at,
      }));
    },
    async insertCheckpoint(c) {
      const r = await db
        .insertInto('ledger_checkpoints')
        .values({ size: c.size, root: bytes(c.root), note: c.note, signed_at: c.signedAt })
        .onConflict((oc) => oc.column('size').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async insertCosignature(c) {
      const r = await db
        .insertInto('ledger_cosignatures')
        .values({
          size: c.size,
          witness: c.witness,
          line: c.line,
          time: c.time,
          received_at: c.receivedAt,
        })
        .onConflict((oc) => oc.columns(['size', 'witness']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async cosignaturesOf(sizes) {
      if (sizes.length === 0) return [];
      const rows = await db
        .selectFrom('ledger_cosignatures')
        .selectAll()
        .where('size', 'in', [...sizes])
        .orderBy('size')
        .orderBy('witness')
        .execute();
      return rows.map(cosignatureOf);
    },
    async cosignaturesWithoutCheckpoint(limit) {
      const rows = await db
        .selectFrom('ledger_cosignatures as c')
        .selectAll('c')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('ledger_checkpoints as k')
                .select('k.size')
                .whereRef('k.size', '=', 'c.size'),
            ),
          ),
        )
        .orderBy('c.size')
        .orderBy('c.witness')
        .limit(limit)
        .execute();
      return rows.map(cosignatureOf);
    },
    async lastCosignedBy(witness) {
      const r = await db
        .selectFrom('ledger_cosignatures')
        .select((eb) => eb.fn.max('size').as('size'))
        .where('witness', '=', witness)
        .executeTakeFirst();
      return Number(r?.size ?? 0);
    },
    async witnessed(logNode, limit) {
      const rows = await db
        .selectFrom('ledger_witnessed')
        .selectAll()
        .where('log_node', '=', logNode)
        .orderBy('size', 'desc')
        .orderBy('seen_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(witnessedOf);
    },
    async insertWitnessed(w) {
      const r = await db
        .insertInto('ledger_witnessed')
        .values({
          log_node: w.logNode,
          origin: w.origin,
          size: w.size,
          root: bytes(w.root),
          note: w.note,
          seen_at: w.seenAt,
          cosigned_at: w.cosignedAt,
          cosignature: w.cosignature,
          conflict: w.conflict,
        })
        .onConflict((oc) => oc.columns(['log_node', 'size', 'root']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async witnessedAt(logNode, size) {
      const rows = await db
        .selectFrom('ledger_witnessed')
        .selectAll()
        .where('log_node', '=', logNode)
        .where('size', '=', size)
        .orderBy('seen_at')
        .execute();
      return rows.map(witnessedOf);
    },
    async latestCosigned(logNode) {
      const r = await db
        .selectFrom('ledger_witnessed')
        .selectAll()
        .where('log_node', '=', logNode)
        .where('cosigned_at', 'is not', null)
        .orderBy('size', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r && witnessedOf(r);
    },
    async markCosigned(logNode, size, root, cosignature) {
      const r = await db
        .updateTable('ledger_witnessed')
        .set({ cosigned_at: cosignature.at, cosignature: cosignature.line })
        .where('log_node', '=', logNode)
        .where('size', '=', size)
        .where('root', '=', bytes(root))
        .where('cosigned_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async markConflict(logNode, size, root, conflict) {
      const r = await db
        .updateTable('ledger_witnessed')
        .set({ conflict })
        .where('log_node', '=', logNode)
        .where('size', '=', size)
        .where('root', '=', bytes(root))
        .where('conflict', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async conflicts(limit) {
      const rows = await db
        .selectFrom('ledger_witnessed')
        .selectAll()
        .where('conflict', 'is not', null)
        .orderBy('seen_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(witnessedOf);
    },
    async insertVerification(v) {
      await db
        .insertInto('ledger_verifications')
        .values({
          started_at: v.startedAt,
          finished_at: v.finishedAt,
          size: v.size,
          checkpoints: v.checkpoints,
          ok: v.ok ? 1 : 0,
          problem: v.problem,
          by: v.by,
        })
        .execute();
    },
    async lastVerification() {
      const r = await db
        .selectFrom('ledger_verifications')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return (
        r && {
          startedAt: r.started_at,
          finishedAt: r.finished_at,
          size: Number(r.size),
          checkpoints: Number(r.checkpoints),
          ok: r.ok === 1,
          problem: r.problem,
          by: r.by,
        }
      );
    },
  };
}

function cosignatureOf(r: DB['ledger_cosignatures']): StoredCosignature {
  return {
    size: Number(r.size),
    witness: r.witness,
    line: r.line,
    time: Number(r.time),
    receivedAt: r.received_at,
  };
}

function witnessedOf(r: DB['ledger_witnessed']): WitnessedCheckpoint {
  return {
    logNode: r.log_node,
    origin: r.origin,
    size: Number(r.size),
    root: r.root,
    note: r.note,
    seenAt: r.seen_at,
    cosignedAt: r.cosigned_at,
    cosignature: r.cosignature,
    conflict: r.conflict,
  };
}
