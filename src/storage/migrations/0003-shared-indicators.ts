import { sql, type Kysely } from 'kysely';

/**
 * Joint authoring (co-author agencies, sharing level, approvals per version), method metadata,
 * workflow status on reference lists, the certificate register, trader compliance records and
 * per-indicator-version effectiveness counters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const json = (c: string) => sql`${sql.raw(`'${c}'`)}`;
  for (const [column, fallback] of [
    ['co_author_agency_ids', '[]'],
    ['sharing', 'national'],
    ['expected_documents', '[]'],
    ['sources', '[]'],
  ] as const) {
    await db.schema
      .alterTable('indicators')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(json(fallback)))
      .execute();
  }
  for (const [column, fallback] of [
    ['status', 'active'],
    ['co_author_agency_ids', '[]'],
    ['sharing', 'national'],
    ['source', ''],
  ] as const) {
    await db.schema
      .alterTable('reference_lists')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(json(fallback)))
      .execute();
  }
  await db.schema
    .alterTable('reference_lists')
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .createIndex('indicators_status')
    .on('indicators')
    .columns(['status', 'id'])
    .execute();

  await db.schema
    .createTable('approvals')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    // One approval per agency and version: a second one is refused by the database too.
    .addPrimaryKeyConstraint('approvals_pk', ['subject_type', 'subject_id', 'version', 'agency_id'])
    .execute();

  await db.schema
    .createTable('certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('holder_name', 'text', (c) => c.notNull())
    .addColumn('issuer_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('hs_scope', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('certificates_issuer_reference', ['issuer_agency_id', 'reference'])
    .execute();
  await db.schema
    .createIndex('certificates_holder')
    .on('certificates')
    .columns(['holder_id'])
    .execute();

  await db.schema
    .createTable('trader_records')
    .addColumn('trader_id', 'text', (c) => c.primaryKey())
    .addColumn('controls', 'integer', (c) => c.notNull().check(sql`controls >= 0`))
    .addColumn('findings', 'integer', (c) =>
      c.notNull().check(sql`findings >= 0 and findings <= controls`),
    )
    .addColumn('last_control_at', 'text')
    .addColumn('last_finding_at', 'text')
    .execute();

  await db.schema
    .createTable('indicator_stats')
    .addColumn('indicator_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('controls', 'integer', (c) => c.notNull())
    .addColumn('findings', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('indicator_stats_pk', ['indicator_id', 'version'])
    .execute();
}
