import { sql, type Kysely } from 'kysely';

/**
 * Declaration search (issue 17): one row per container a declaration's goods travel in, so that a
 * search by container number reads an index instead of every declaration's content, and an index
 * on the reference (LRN) for customs staff, who search it across submitters. Declarations lodged
 * before this migration get their container rows from their stored content.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('declaration_containers')
    .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
    .addColumn('container', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('declaration_containers_pk', ['declaration_id', 'container'])
    .execute();
  await db.schema
    .createIndex('declaration_containers_container')
    .on('declaration_containers')
    .columns(['container', 'declaration_id'])
    .execute();
  await db.schema
    .createIndex('declarations_reference')
    .on('declarations')
    .columns(['reference'])
    .execute();

  // Backfill in pages by id, so that a large database is never held in memory at once.
  let after = '';
  for (;;) {
    const rows = (
      await sql<{ id: string; content: string }>`
        select id, content from declarations where id > ${after} order by id limit 1000
      `.execute(db)
    ).rows;
    if (rows.length === 0) break;
    const values = rows.flatMap((r) =>
      containersOf(r.content).map((container) => ({ declaration_id: r.id, container })),
    );
    for (let i = 0; i < values.length; i += 500) {
      await (
        db as Kysely<{ declaration_containers: { declaration_id: string; container: string } }>
      )
        .insertInto('declaration_containers')
        .values(values.slice(i, i + 500))
        .execute();
    }
    after = rows[rows.length - 1]!.id;
  }
}

function containersOf(content: string): string[] {
  try {
    const parsed = JSON.parse(content) as { route?: { containers?: unknown } };
    const list = parsed.route?.containers;
    if (!Array.isArray(list)) return [];
    return [...new Set(list.filter((c): c is string => typeof c === 'string' && c !== ''))];
  } catch {
    return [];
  }
}
