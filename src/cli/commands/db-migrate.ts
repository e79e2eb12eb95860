import type { Config } from '../../config.js';
import { openDatabase } from '../../storage/database.js';
import { migrateToLatest } from '../../storage/migrate.js';
import type { Kysely } from 'kysely';
import { describeDatabase } from '../runtime.js';

/** `greenlane db migrate`: brings the schema up to date and says what it applied. */
export async function dbMigrate(config: Config): Promise<void> {
  const db = await openDatabase({
    url: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    migrate: false,
  });
  try {
    const { results = [] } = await migrateToLatest(db.kysely as Kysely<unknown>, db.backend);
    const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    process.stdout.write(
      `${describeDatabase(config)}: ${applied.length === 0 ? 'schema already up to date' : `applied ${applied.join(', ')}`}\n`,
    );
  } finally {
    await db.close();
  }
}
