import { sql, type Kysely } from 'kysely';

/**
 * The declaration lifecycle: a version number on each declaration (1 on lodging, +1 per
 * amendment or cancellation) and every version's content with who made it, when and by which
 * function (lodged, amended, cancelled). The primary key (declaration_id, version) is the backstop
 * of the version-guarded update: two changes can never both become version n + 1.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('declarations')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('declaration_versions')
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('event', 'text', (c) =>
      c.notNull().check(sql`event in ('lodged', 'amended', 'cancelled')`),
    )
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('made_at', 'text', (c) => c.notNull())
    .addColumn('made_by', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('declaration_versions_pk', ['declaration_id', 'version'])
    .execute();

  // Declarations lodged before versions existed are their own version 1.
  await sql`
    insert into declaration_versions (declaration_id, version, event, content, channel, made_at, made_by, details)
    select id, 1, 'lodged', content, channel, received_at, submitted_by, '{}' from declarations
  `.execute(db);

  // Amendments and cancellations name the declaration by the lodging organisation's LRN.
  await db.schema
    .createIndex('declarations_submitter_reference')
    .on('declarations')
    .columns(['submitter_agency_id', 'reference'])
    .execute();
}
