import { sql, type Kysely } from 'kysely';

/**
 * The tamper-evident ledger (docs/adr/0014-ledger.md):
 * - The audit trail becomes the outbox itself: `audit_events` was a second copy of every outbox
 *   row, outside any proof. Its rows that the outbox also holds are dropped, those from before the
 *   outbox (migration 0007) stay in `audit_legacy`, and `audit_events` is now a view over both
 *   (legacy rows first, with negative sequence numbers, in their old order).
 * - `ledger_state`: how far the ledger has read the outbox and how many leaves it holds, written
 *   in the transaction that appends the leaves (a page delivered twice is appended once).
 * - `ledger_leaves`: leaf index → outbox position, the RFC 6962 leaf hash and, for confidential
 *   events, the salt of the commitment; `ledger_nodes`: every perfect subtree hash above the leaves.
 * - `ledger_checkpoints`: each signed checkpoint (C2SP signed note); `ledger_cosignatures`: the
 *   witnesses' cosignatures of them.
 * - `ledger_witnessed`: the partners' checkpoints this node has seen as a witness, and whether it
 *   cosigned them (a second root for a size already seen is a split view).
 * - `ledger_verifications`: the outcome of each full verification, for operators.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const postgres = dialect === 'postgres';
  const blob = postgres ? 'bytea' : 'blob';

  // Pair each audit row with the outbox row of the same content (the k-th copy with the k-th).
  const content = sql.raw("at, subject_type, subject_id, agency_id, coalesce(actor_id, '')");
  await sql`
    create table audit_legacy as
    select a.seq, a.at, a.agency_id, a.actor_id, a.action, a.subject_type, a.subject_id, a.details
    from (select *, row_number() over (partition by ${content}, action, details order by seq) as rn
          from audit_events) as a
    where not exists (
      select 1 from (
        select *, row_number() over (partition by ${content}, kind, data order by position) as rn
        from outbox) as o
      where o.at = a.at and o.subject_type = a.subject_type and o.subject_id = a.subject_id
        and o.agency_id = a.agency_id and coalesce(o.actor_id, '') = coalesce(a.actor_id, '')
        and o.kind = a.action and o.data = a.details and o.rn = a.rn)`.execute(db);
  const max = await sql<{
    m: number | string | null;
  }>`select max(seq) as m from audit_legacy`.execute(db);
  const offset = Number(max.rows[0]?.m ?? 0) + 1;
  await sql`drop table audit_events`.execute(db);
  await sql`
    create view audit_events as
    select seq - ${sql.lit(offset)} as seq, at, agency_id, actor_id, action, subject_type,
      subject_id, details
    from audit_legacy
    union all
    select position as seq, at, agency_id, actor_id, kind as action, subject_type, subject_id,
      data as details
    from outbox`.execute(db);
  await db.schema
    .createIndex('outbox_subject')
    .on('outbox')
    .columns(['subject_type', 'subject_id', 'position'])
    .execute();
  await db.schema.createIndex('outbox_at').on('outbox').columns(['at']).execute();

  await db.schema
    .createTable('ledger_state')
    .addColumn('singleton', 'integer', (c) => c.primaryKey().check(sql`singleton = 1`))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('cursor_txid', 'bigint', (c) => c.notNull())
    .addColumn('cursor_position', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await sql`
    create table ledger_leaves (
      idx bigint primary key,
      position bigint not null unique,
      hash ${sql.raw(blob)} not null,
      salt ${sql.raw(blob)}
    )${sql.raw(postgres ? '' : ' without rowid')}`.execute(db);

  await sql`
    create table ledger_nodes (
      level integer not null,
      idx bigint not null,
      hash ${sql.raw(blob)} not null,
      primary key (level, idx)
    )${sql.raw(postgres ? '' : ' without rowid')}`.execute(db);

  await sql`
    create table ledger_checkpoints (
      size bigint primary key,
      root ${sql.raw(blob)} not null,
      note text not null,
      signed_at text not null
    )`.execute(db);

  await db.schema
    .createTable('ledger_cosignatures')
    .addColumn('size', 'bigint', (c) => c.notNull().references('ledger_checkpoints.size'))
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['size', 'witness'])
    .execute();

  await sql`
    create table ledger_witnessed (
      log_node text not null,
      origin text not null,
      size bigint not null,
      root ${sql.raw(blob)} not null,
      note text not null,
      seen_at text not null,
      cosigned_at text,
      conflict text,
      primary key (log_node, size, root)
    )`.execute(db);

  await db.schema
    .createTable('ledger_verifications')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('checkpoints', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('problem', 'text')
    .addColumn('by', 'text', (c) => c.notNull())
    .execute();
}
