import type { Kysely } from 'kysely';

/**
 * Mirror reconciliation of goods (issue 19): the partner's exports to us and our imports from it,
 * aggregated by HS6 and month. One figure per side, partner, HS6 and month: a corrected month
 * replaces the earlier figure.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mirror_records')
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('partner', 'text', (c) => c.notNull())
    .addColumn('hs6', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('quantity', 'double precision')
    .addColumn('unit', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mirror_records_pk', [
      'administration_id',
      'side',
      'partner',
      'hs6',
      'month',
    ])
    .execute();
  await db.schema
    .createIndex('mirror_records_partner')
    .on('mirror_records')
    .columns(['administration_id', 'partner', 'month'])
    .execute();
}
