import type { Kysely, Selectable } from 'kysely';
import type { Repositories, RulePackProposal, StoredRulePack } from '../core/ports.js';
import type { DB } from './schema.js';

/** Message rule packs loaded over the shipped ones (every version is kept) and proposed replacements. */
export function rulePackStore(db: Kysely<DB>): Repositories['rulePacks'] {
  return {
    async insert(p) {
      await db
        .insertInto('rule_packs')
        .values({
          name: p.name,
          seq: p.seq,
          version: p.version,
          document: p.document,
          loaded_at: p.loadedAt,
          loaded_by: p.loadedBy,
          proposed_by: p.proposedBy,
        })
        .execute();
    },
    async latest(name) {
      const row = await db
        .selectFrom('rule_packs')
        .selectAll()
        .where('name', '=', name)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toPack(row);
    },
    async versions(name) {
      const rows = await db
        .selectFrom('rule_packs')
        .selectAll()
        .where('name', '=', name)
        .orderBy('seq', 'desc')
        .execute();
      return rows.map(toPack);
    },
    async insertProposal(p) {
      await db
        .insertInto('rule_pack_proposals')
        .values({
          id: p.id,
          name: p.name,
          version: p.version,
          document: p.document,
          proposed_at: p.proposedAt,
          proposed_by: p.proposedBy,
          proposer_agency_id: p.proposerAgencyId,
          comment: p.comment,
          status: p.status,
          decided_at: p.decidedAt,
          decided_by: p.decidedBy,
          reason: p.reason,
          seq: p.seq,
        })
        .execute();
    },
    async findProposal(id) {
      const row = await db
        .selectFrom('rule_pack_proposals')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toProposal(row);
    },
    async proposals(name, status) {
      let q = db.selectFrom('rule_pack_proposals').selectAll().where('name', '=', name);
      if (status !== undefined) q = q.where('status', '=', status);
      const rows = await q.orderBy('proposed_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map(toProposal);
    },
    async decideProposal(id, d) {
      const r = await db
        .updateTable('rule_pack_proposals')
        .set({
          status: d.status,
          decided_at: d.decidedAt,
          decided_by: d.decidedBy,
          reason: d.reason,
          seq: d.seq,
        })
        .where('id', '=', id)
        // Two decisions racing: only the first finds it pending.
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

function toPack(row: Selectable<DB['rule_packs']>): StoredRulePack {
  return {
    name: row.name,
    seq: Number(row.seq),
    version: row.version,
    document: row.document,
    loadedAt: row.loaded_at,
    loadedBy: row.loaded_by,
    proposedBy: row.proposed_by,
  };
}

function toProposal(row: Selectable<DB['rule_pack_proposals']>): RulePackProposal {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    document: row.document,
    proposedAt: row.proposed_at,
    proposedBy: row.proposed_by,
    proposerAgencyId: row.proposer_agency_id,
    comment: row.comment,
    status: row.status as RulePackProposal['status'],
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    reason: row.reason,
    seq: row.seq === null ? null : Number(row.seq),
  };
}
