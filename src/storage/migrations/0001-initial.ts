import { sql, type Kysely } from 'kysely';

/** Identity, declarations with their goods items, the audit trail and idempotency keys. */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('administrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agencies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('trader_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('session', 'api')`))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('declarations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('submitter_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('submitted_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('amends', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('office', 'text')
    .addColumn('declarant_id', 'text')
    .addColumn('consignor_id', 'text')
    .addColumn('consignee_id', 'text')
    .addColumn('dispatch_country', 'text')
    .addColumn('destination_country', 'text')
    .addColumn('transport_mode', 'text')
    .addColumn('item_count', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('source_format', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .execute();
  for (const [name, columns] of [
    ['declarations_agency_submitted', ['agency_id', 'submitted_at', 'id']],
    ['declarations_submitter_submitted', ['submitter_agency_id', 'submitted_at', 'id']],
    ['declarations_office', ['office', 'submitted_at']],
    ['declarations_declarant', ['declarant_id']],
    ['declarations_consignor', ['consignor_id']],
    ['declarations_consignee', ['consignee_id']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('declarations')
      .columns([...columns])
      .execute();
  }

  await db.schema
    .createTable('goods_items')
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    // Null when a simplified declaration has not yet given the commodity code.
    .addColumn('hs_code', 'text')
    .addColumn('origin_country', 'text')
    .addColumn('value', 'double precision')
    .addColumn('currency', 'text')
    .addColumn('net_mass', 'double precision')
    .addPrimaryKeyConstraint('goods_items_pk', ['declaration_id', 'sequence'])
    .execute();
  await db.schema
    .createIndex('goods_items_hs')
    .on('goods_items')
    .columns(['hs_code', 'declaration_id'])
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('agency_id', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_events_subject')
    .on('audit_events')
    .columns(['subject_type', 'subject_id', 'seq'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'key'])
    .execute();
}
