import type { Kysely } from 'kysely';

/**
 * Reconciliation cases (issue 19): what an analyst looks at after the figures of a point were
 * reconciled. One case per point and finding key (core/reconciliation/energy-case.ts): the
 * unique key makes raising cases idempotent, however often and however concurrently the
 * figures arrive.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('energy_cases')
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('point_id', 'text', (c) => c.notNull())
    .addColumn('case_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_cases_pk', ['administration_id', 'id'])
    .addUniqueConstraint('energy_cases_key', ['administration_id', 'point_id', 'case_key'])
    .execute();
  await db.schema
    .createIndex('energy_cases_status')
    .on('energy_cases')
    .columns(['administration_id', 'status', 'opened_at'])
    .execute();
}
