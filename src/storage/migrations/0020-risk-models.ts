import { sql, type Kysely } from 'kysely';

/**
 * Versions of the learned risk model (issue 20), one family per administration: status, who
 * trained, submitted and decided, the card and the model file (JSON text). At most one version of
 * an administration is active (a partial unique index).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('risk_models')
    .addColumn('administration_id', 'text', (c) => c.notNull().references('administrations.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`status in ('draft', 'awaiting-approval', 'active', 'superseded', 'rejected', 'retired')`,
        ),
    )
    .addColumn('trained_by', 'text', (c) => c.notNull())
    .addColumn('trained_by_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('trained_at', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('activated_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('card', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('risk_models_pk', ['administration_id', 'version'])
    .execute();
  await db.schema
    .createIndex('risk_models_one_active')
    .on('risk_models')
    .column('administration_id')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();
}
