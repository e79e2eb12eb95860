import type { Kysely } from 'kysely';

/**
 * Energy transfer control (issue 19): the interconnection points of an administration and every
 * figure reported for them, by our operator's meters, the declarants and the partner
 * administrations. A report is keyed by its point, source and the sender's own reference, so a
 * feed or file sent twice records nothing twice; reconciliation is computed from the reports,
 * never stored, so a late or corrected figure changes it at once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('energy_points')
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('partner', 'text', (c) => c.notNull())
    .addColumn('commodity', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_points_pk', ['administration_id', 'id'])
    .execute();

  await db.schema
    .createTable('energy_reports')
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('point_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('period_end', 'text', (c) => c.notNull())
    .addColumn('quantity', 'double precision', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('provisional', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addPrimaryKeyConstraint('energy_reports_pk', [
      'administration_id',
      'point_id',
      'source',
      'report_id',
    ])
    .execute();
  await db.schema
    .createIndex('energy_reports_period')
    .on('energy_reports')
    .columns(['administration_id', 'point_id', 'period_start'])
    .execute();
}
