import type { Kysely } from 'kysely';

/**
 * Intellectual property at the border (issue 18): right holders' applications for action, the
 * detention cases opened on goods suspected of infringing them with their append-only events,
 * and each administration's working-day calendar that the procedure's deadlines count in. One
 * case per declaration (the constraint settles two officers detaining the same goods at once);
 * a case event's number is its position, so two answers racing for one slot cannot both land.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ipr_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('applicant_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text')
    .addColumn('valid_to', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('customs_note', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ipr_applications_applicant')
    .on('ipr_applications')
    .columns(['applicant_agency_id', 'submitted_at'])
    .execute();
  await db.schema
    .createIndex('ipr_applications_status')
    .on('ipr_applications')
    .columns(['administration_id', 'status'])
    .execute();

  await db.schema
    .createTable('ipr_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('declaration_id', 'text', (c) => c.notNull().unique().references('declarations.id'))
    .addColumn('application_id', 'text', (c) => c.references('ipr_applications.id'))
    .addColumn('holder_agency_id', 'text', (c) => c.references('agencies.id'))
    .addColumn('declarant_agency_id', 'text', (c) => c.notNull())
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('perishable', 'integer', (c) => c.notNull())
    .addColumn('suspended_at', 'text', (c) => c.notNull())
    .addColumn('suspended_by', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('closed', 'integer', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ipr_cases_open')
    .on('ipr_cases')
    .columns(['administration_id', 'closed', 'suspended_at'])
    .execute();
  await db.schema
    .createIndex('ipr_cases_holder')
    .on('ipr_cases')
    .columns(['holder_agency_id'])
    .execute();
  await db.schema
    .createIndex('ipr_cases_declarant')
    .on('ipr_cases')
    .columns(['declarant_agency_id'])
    .execute();

  await db.schema
    .createTable('ipr_case_events')
    .addColumn('case_id', 'text', (c) => c.notNull().references('ipr_cases.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by_user', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ipr_case_events_pk', ['case_id', 'seq'])
    .execute();

  await db.schema
    .createTable('working_calendars')
    .addColumn('administration_id', 'text', (c) => c.primaryKey().references('administrations.id'))
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}
