import type { Kysely } from 'kysely';

/**
 * Import duty rates for the mirror comparison (issue 19): one ad valorem rate per
 * administration and HS code (chapter to national line); a rate sent again replaces it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mirror_tariffs')
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('hs_code', 'text', (c) => c.notNull())
    .addColumn('rate', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mirror_tariffs_pk', ['administration_id', 'hs_code'])
    .execute();
}
