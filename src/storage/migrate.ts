import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-risk.js';
import * as m0003 from './migrations/0003-shared-indicators.js';
import * as m0004 from './migrations/0004-permits.js';
import * as m0005 from './migrations/0005-controls.js';
import * as m0006 from './migrations/0006-cargo.js';
import * as m0007 from './migrations/0007-outbox.js';
import * as m0008 from './migrations/0008-declaration-versions.js';
import * as m0009 from './migrations/0009-four-eyes.js';
import * as m0010 from './migrations/0010-representation.js';
import * as m0011 from './migrations/0011-exchange.js';
import * as m0012 from './migrations/0012-ledger.js';
import * as m0013 from './migrations/0013-witness.js';
import * as m0014 from './migrations/0014-declaration-search.js';
import * as m0015 from './migrations/0015-ipr.js';
import * as m0016 from './migrations/0016-energy.js';
import * as m0017 from './migrations/0017-mirror.js';
import * as m0018 from './migrations/0018-energy-cases.js';
import * as m0019 from './migrations/0019-mirror-tariffs.js';
import * as m0020 from './migrations/0020-risk-models.js';

type Dialect = 'sqlite' | 'postgres';
type Step = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

/** Every migration, in order. One set for both backends; a step may branch on the dialect. */
const STEPS: Record<string, Step> = {
  '0001-initial': m0001,
  '0002-risk': m0002,
  '0003-shared-indicators': m0003,
  '0004-permits': m0004,
  '0005-controls': m0005,
  '0006-cargo': m0006,
  '0007-outbox': m0007,
  '0008-declaration-versions': m0008,
  '0009-four-eyes': m0009,
  '0010-representation': m0010,
  '0011-exchange': m0011,
  '0012-ledger': m0012,
  '0013-witness': m0013,
  '0014-declaration-search': m0014,
  '0015-ipr': m0015,
  '0016-energy': m0016,
  '0017-mirror': m0017,
  '0018-energy-cases': m0018,
  '0019-mirror-tariffs': m0019,
  '0020-risk-models': m0020,
};

/** Brings the schema up to date; safe to run at every start. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: Dialect,
): Promise<MigrationResultSet> {
  const migrations: Record<string, Migration> = Object.fromEntries(
    Object.entries(STEPS).map(([name, step]) => [
      name,
      { up: (k: Kysely<unknown>) => step.up(k, dialect) },
    ]),
  );
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const result = await migrator.migrateToLatest();
  if (result.error)
    throw result.error instanceof Error ? result.error : new Error(JSON.stringify(result.error));
  return result;
}
