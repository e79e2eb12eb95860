import { sql, type Kysely } from 'kysely';

/**
 * Controls: the worklist's assignment and status, which indicators hit each declaration,
 * append-only inspection, seizure and referral records, and what feeds random-selection figures.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('declarations').addColumn('assigned_to', 'text').execute();
  await db.schema
    .alterTable('declarations')
    .addColumn('random_selected', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('declarations_worklist')
    .on('declarations')
    .columns(['agency_id', 'status', 'score'])
    .execute();

  await db.schema
    .createTable('declaration_hits')
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('indicator_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('priority_area', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('declaration_hits_pk', ['declaration_id', 'indicator_id', 'version'])
    .execute();
  await db.schema
    .createIndex('declaration_hits_indicator')
    .on('declaration_hits')
    .columns(['indicator_id', 'declaration_id'])
    .execute();

  await db.schema
    .createTable('inspections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('control_form', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('findings', 'text', (c) => c.notNull())
    .addColumn('findings_text', 'text', (c) => c.notNull())
    .addColumn('items_affected', 'text', (c) => c.notNull())
    .addColumn('corrects', 'text', (c) => c.references('inspections.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inspections_declaration')
    .on('inspections')
    .columns(['declaration_id', 'recorded_at'])
    .execute();
  await db.schema
    .createIndex('inspections_recorded')
    .on('inspections')
    .columns(['recorded_at'])
    .execute();

  await db.schema
    .createTable('seizures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id'))
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('item_sequence', 'integer', (c) => c.notNull())
    .addColumn('hs_code', 'text', (c) => c.notNull())
    .addColumn('species', 'text')
    .addColumn('quantity', 'double precision', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('estimated_value', 'double precision', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('storage_location', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('from_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('to_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('referred_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
}
