import { sql, type Kysely } from 'kysely';

/**
 * The Single Window: permits (from application to exhaustion) and their usage; declarations get
 * a status and a release time. Quantities are integers in thousandths of the permit's unit, and
 * the database itself refuses a negative balance.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('permits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('issuer_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('holder_name', 'text', (c) => c.notNull())
    .addColumn('applicant_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('counterpart', 'text', (c) => c.notNull())
    .addColumn('hs_scope', 'text', (c) => c.notNull())
    .addColumn('species', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('authorised_milli', 'bigint', (c) => c.notNull().check(sql`authorised_milli > 0`))
    .addColumn('remaining_milli', 'bigint', (c) =>
      c.notNull().check(sql`remaining_milli >= 0 and remaining_milli <= authorised_milli`),
    )
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('max_shipments', 'integer')
    .addColumn('shipments', 'integer', (c) =>
      c
        .notNull()
        .check(sql`shipments >= 0 and (max_shipments is null or shipments <= max_shipments)`),
    )
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('expedited', 'integer', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('processing_seconds', 'double precision')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('permits_holder').on('permits').columns(['holder_id']).execute();
  await db.schema
    .createIndex('permits_issuer_status')
    .on('permits')
    .columns(['issuer_agency_id', 'status', 'deadline'])
    .execute();

  await db.schema
    .createTable('permit_usage')
    .addColumn('permit_id', 'text', (c) => c.notNull().references('permits.id'))
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('item_sequence', 'integer', (c) => c.notNull())
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull().check(sql`quantity_milli > 0`))
    .addColumn('at', 'text', (c) => c.notNull())
    // An item draws from a permit once.
    .addPrimaryKeyConstraint('permit_usage_pk', ['permit_id', 'declaration_id', 'item_sequence'])
    .execute();

  await db.schema
    .alterTable('declarations')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('lodged'))
    .execute();
  await db.schema.alterTable('declarations').addColumn('released_at', 'text').execute();
}
