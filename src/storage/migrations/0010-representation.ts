import { sql, type Kysely } from 'kysely';

/**
 * Who may lodge for whom. A trader organisation lodges as itself; a customs representative
 * registered here may name the trader it represents (directly or indirectly) as declarant, within
 * the validity of the registration. Also the organisation's authorisation to lodge simplified
 * declarations, which an administrator grants.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agencies')
    .addColumn('simplified_procedures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('representations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('representative_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('trader_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('direct', 'indirect')`))
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema
    .createIndex('representations_representative_trader')
    .on('representations')
    .columns(['representative_agency_id', 'trader_id'])
    .execute();
}
