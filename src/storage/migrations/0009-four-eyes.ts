import { sql, type Kysely } from 'kysely';

/**
 * Four eyes. Approvals gain a purpose: `activation` (a version goes into force, as before) or
 * `retirement` (an owning agency agrees to take a joint indicator or list out of use); one per
 * agency, version and purpose. Rule-pack replacements become proposals that a second analyst
 * approves before they are loaded; at most one is pending per pack (a partial unique index), and
 * a loaded version records who proposed it beside who approved (loaded) it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The primary key changes: rebuild the table (SQLite cannot alter a primary key).
  await db.schema
    .createTable('approvals_next')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) =>
      c.notNull().check(sql`purpose in ('activation', 'retirement')`),
    )
    .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approvals_purpose_pk', [
      'subject_type',
      'subject_id',
      'version',
      'purpose',
      'agency_id',
    ])
    .execute();
  await sql`
    insert into approvals_next (subject_type, subject_id, version, purpose, agency_id, user_id, at, comment)
    select subject_type, subject_id, version, 'activation', agency_id, user_id, at, comment from approvals
  `.execute(db);
  await db.schema.dropTable('approvals').execute();
  await db.schema.alterTable('approvals_next').renameTo('approvals').execute();

  await db.schema
    .createTable('rule_pack_proposals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('proposer_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'approved', 'rejected')`),
    )
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text', (c) => c.references('users.id'))
    .addColumn('reason', 'text')
    .addColumn('seq', 'integer')
    // The proposer never decides: the database refuses it too.
    .addCheckConstraint(
      'rule_pack_proposals_four_eyes',
      sql`decided_by <> proposed_by or status = 'rejected'`,
    )
    .execute();
  await sql`
    create unique index rule_pack_proposals_one_pending on rule_pack_proposals (name) where status = 'pending'
  `.execute(db);
  await db.schema
    .createIndex('rule_pack_proposals_name')
    .on('rule_pack_proposals')
    .columns(['name', 'proposed_at'])
    .execute();

  await db.schema
    .alterTable('rule_packs')
    .addColumn('proposed_by', 'text', (c) => c.references('users.id'))
    .execute();
}
