import type { Kysely } from 'kysely';

/**
 * Advance cargo information: a cargo report's movement reference number, lodging check and
 * pre-arrival outcome beside its declaration row; every message received for it (IE315, IE313)
 * as sent; and the pre-arrival referrals (information requests, controls, do-not-load).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cargo_reports')
    .addColumn('declaration_id', 'text', (c) => c.primaryKey().references('declarations.id'))
    .addColumn('mrn', 'text', (c) => c.notNull().unique())
    .addColumn('lrn', 'text', (c) => c.notNull())
    .addColumn('sender', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lodged_at', 'text', (c) => c.notNull())
    .addColumn('amended_at', 'text')
    .addColumn('arrival_at', 'text')
    .addColumn('lodging', 'text', (c) => c.notNull())
    .addColumn('late', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .execute();
  // An organisation's local reference numbers are unique: looked up at every IE315.
  await db.schema.createIndex('cargo_reports_lrn').on('cargo_reports').columns(['lrn']).execute();
  await db.schema
    .createIndex('cargo_reports_outcome')
    .on('cargo_reports')
    .columns(['outcome', 'lodged_at'])
    .execute();

  await db.schema
    .createTable('cargo_messages')
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('received_by', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cargo_messages_pk', ['declaration_id', 'version'])
    .execute();

  await db.schema
    .createTable('cargo_referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('documents', 'text', (c) => c.notNull())
    .addColumn('indicators', 'text', (c) => c.notNull())
    .addColumn('office', 'text')
    .addColumn('deadline', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('replied_at', 'text')
    .addColumn('reply', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('closed_reason', 'text')
    .execute();
  await db.schema
    .createIndex('cargo_referrals_declaration')
    .on('cargo_referrals')
    .columns(['declaration_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('cargo_referrals_status')
    .on('cargo_referrals')
    .columns(['status', 'deadline'])
    .execute();

  await db.schema
    .createTable('rule_packs')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'text', (c) => c.notNull())
    .addColumn('loaded_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_packs_pk', ['name', 'seq'])
    .addUniqueConstraint('rule_packs_version', ['name', 'version'])
    .execute();
}
