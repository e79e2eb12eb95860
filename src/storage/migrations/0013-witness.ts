import { sql, type Kysely } from 'kysely';

/**
 * Witnessing partners' ledgers (docs/exchange-protocol.md, section 16):
 * - `ledger_witnessed.cosignature`: the cosignature line this node gave for a partner's
 *   checkpoint, so that the same checkpoint offered again gets the same answer (a witness key
 *   may have rotated since, and Ed25519 over another time would give another line).
 * - Indexes for the questions both sides ask at every checkpoint: the largest checkpoint of a
 *   partner this node cosigned, and the largest of this node's checkpoints a witness cosigned.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ledger_witnessed add column cosignature text`.execute(db);
  await db.schema
    .createIndex('ledger_witnessed_cosigned')
    .on('ledger_witnessed')
    .columns(['log_node', 'cosigned_at', 'size'])
    .execute();
  await db.schema
    .createIndex('ledger_cosignatures_witness')
    .on('ledger_cosignatures')
    .columns(['witness', 'size'])
    .execute();
}
