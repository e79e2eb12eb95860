import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, type TestDatabase } from '../../test-support/databases.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-risk.js';
import * as m0003 from './0003-shared-indicators.js';
import * as m0004 from './0004-permits.js';
import * as m0005 from './0005-controls.js';
import * as m0006 from './0006-cargo.js';
import * as m0007 from './0007-outbox.js';
import * as m0008 from './0008-declaration-versions.js';
import * as m0009 from './0009-four-eyes.js';
import * as m0010 from './0010-representation.js';
import * as m0011 from './0011-exchange.js';
import * as m0012 from './0012-ledger.js';

type Row = [string, string, string, string, string | null, string];
const cols = sql.raw('at, action, subject_type, subject_id, actor_id, details');
const row = ([at, action, type, id, actor, details]: Row) =>
  sql`(${at}, 'AG1', ${actor}, ${action}, ${type}, ${id}, ${details})`;

async function insertAudit(db: Kysely<unknown>, rows: Row[]): Promise<void> {
  for (const r of rows)
    await sql`insert into audit_events (at, agency_id, actor_id, action, subject_type, subject_id, details) values ${row(r)}`.execute(
      db,
    );
}
async function insertOutbox(db: Kysely<unknown>, rows: Row[]): Promise<void> {
  for (const [at, action, type, id, actor, details] of rows)
    await sql`insert into outbox (at, agency_id, actor_id, kind, subject_type, subject_id, data) values (${at}, 'AG1', ${actor}, ${action}, ${type}, ${id}, ${details})`.execute(
      db,
    );
}

describe.each(BACKENDS)('migration 0012: the audit trail becomes the outbox (%s)', (backend) => {
  let t: TestDatabase;
  afterEach(async () => {
    await t.drop();
  });

  it('keeps the rows from before the outbox, drops the copies, and reads both through audit_events', async () => {
    t = await freshDatabase(backend, { migrate: false });
    const db = t.db.kysely as Kysely<unknown>;
    await m0001.up(db, backend);
    // Written before the outbox existed: only in audit_events.
    const legacy: Row[] = [
      ['2025-01-01T00:00:00.000Z', 'declaration.submitted', 'declaration', 'D1', 'U1', '{"n":1}'],
      ['2025-01-02T00:00:00.000Z', 'declaration.released', 'declaration', 'D1', null, '{"n":2}'],
      // Same content as a later outbox pair: only the k-th copy pairs with the k-th.
      ['2025-06-01T00:00:00.000Z', 'user.signed-in', 'user', 'U1', 'U1', '{}'],
    ];
    await insertAudit(db, legacy);
    for (const m of [m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011])
      await m.up(db, backend);
    // Written since: in both, as audit.append did.
    const both: Row[] = [
      ['2025-06-01T00:00:00.000Z', 'user.signed-in', 'user', 'U1', 'U1', '{}'],
      ['2025-07-01T00:00:00.000Z', 'declaration.held', 'declaration', 'D1', 'U2', '{"n":3}'],
    ];
    await insertAudit(db, both);
    await insertOutbox(db, both);

    await m0012.up(db, backend);

    const legacyLeft = await sql<{
      n: number | string;
    }>`select count(*) as n from audit_legacy`.execute(db);
    expect(Number(legacyLeft.rows[0]!.n)).toBe(3);
    const trail = await sql<{ seq: number | string; at: string; action: string }>`
      select seq, ${cols} from audit_events order by seq`.execute(db);
    expect(trail.rows.map((r) => [r.at, r.action])).toEqual(
      [...legacy, ...both].map(([at, action]) => [at, action]),
    );
    const seqs = trail.rows.map((r) => Number(r.seq));
    expect(seqs.slice(0, 3).every((s) => s < 0)).toBe(true);
    expect(seqs.slice(3).every((s) => s > 0)).toBe(true);

    // New events go to the outbox only and show in the trail at once.
    await insertOutbox(db, [
      ['2025-08-01T00:00:00.000Z', 'declaration.released', 'declaration', 'D1', 'U2', '{}'],
    ]);
    const d1 = await sql<{ action: string }>`
      select action from audit_events where subject_type = 'declaration' and subject_id = 'D1' order by seq`.execute(
      db,
    );
    expect(d1.rows.map((r) => r.action)).toEqual([
      'declaration.submitted',
      'declaration.released',
      'declaration.held',
      'declaration.released',
    ]);
  });
});
