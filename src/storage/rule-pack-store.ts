import type { Kysely, Selectable } from 'kysely';
import type { Repositories, StoredRulePack } from '../core/ports.js';
import type { DB } from './schema.js';

/** Message rule packs loaded over the shipped ones; every version is kept. */
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
  };
}
