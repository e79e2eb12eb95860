import { sql, type Kysely } from 'kysely';

/**
 * The spine of the write path:
 * - `outbox`: one row per event, written in the same transaction as the change it records. On
 *   PostgreSQL each row also carries its transaction id: positions are handed out before commit,
 *   so readers deliver in (txid, position) order and only below the oldest transaction still
 *   running (see outbox-store.ts); on SQLite there is one writer and txid stays 0.
 * - `outbox_cursors`: each durable subscriber's last delivered event.
 * - `indicator_stat_deltas`: append-only hit/control/finding counts (lodgings no longer update a
 *   shared counter row in place: on PostgreSQL those rows deadlocked under concurrent batches).
 * - `declarations.lrn_key`: the declarant's local reference, unique per administration (customs
 *   agency), per submitting organisation and per lodging family (goods declarations, cargo
 *   reports). Existing duplicates keep a null key, so the constraint can be added to any database.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const postgres = dialect === 'postgres';
  await sql`
    create table outbox (
      position ${sql.raw(postgres ? 'bigserial primary key' : 'integer primary key autoincrement')},
      txid bigint not null default ${sql.raw(postgres ? '(pg_current_xact_id()::text::bigint)' : '0')},
      kind text not null,
      subject_type text not null,
      subject_id text not null,
      agency_id text not null,
      actor_id text,
      at text not null,
      data text not null
    )`.execute(db);
  await db.schema.createIndex('outbox_order').on('outbox').columns(['txid', 'position']).execute();

  await db.schema
    .createTable('outbox_cursors')
    .addColumn('subscriber', 'text', (c) => c.primaryKey())
    .addColumn('txid', 'bigint', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('delivered', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('indicator_stat_deltas')
    .addColumn('indicator_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('controls', 'integer', (c) => c.notNull())
    .addColumn('findings', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('indicator_stat_deltas_version')
    .on('indicator_stat_deltas')
    .columns(['indicator_id', 'version'])
    .execute();

  await db.schema.alterTable('declarations').addColumn('lrn_key', 'text').execute();
  await sql`
    update declarations set lrn_key =
      (case when kind = 'cargo-report' then 'cargo:' else 'customs:' end) || reference
    where id in (
      select min(id) from declarations
      group by agency_id, submitter_agency_id, kind = 'cargo-report', reference
    )`.execute(db);
  await db.schema
    .createIndex('declarations_lrn')
    .on('declarations')
    .columns(['agency_id', 'submitter_agency_id', 'lrn_key'])
    .unique()
    .execute();
}
