import type { Kysely } from 'kysely';
import type { Repositories } from '../core/ports.js';
import type { DB } from './schema.js';

/** Responses remembered per (user, Idempotency-Key), so that a retried POST is answered, not redone. */
export function idempotencyStore(db: Kysely<DB>): Repositories['idempotency'] {
  return {
    async find(userId, key) {
      const row = await db
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status_code', 'body'])
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .executeTakeFirst();
      return row && { requestHash: row.request_hash, statusCode: row.status_code, body: row.body };
    },
    async save(userId, key, r, at) {
      const result = await db
        .insertInto('idempotency_keys')
        .values({
          user_id: userId,
          key,
          request_hash: r.requestHash,
          status_code: r.statusCode,
          body: r.body,
          created_at: at,
        })
        .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
