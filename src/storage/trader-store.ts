import { sql, type CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { Repositories } from '../core/ports.js';
import type { Certificate } from '../core/traders/certificate.js';
import type { DB } from './schema.js';

/** The register of environmental certificates, programme memberships and trusted-trader status. */
export function certificateStore(db: Kysely<DB>): Repositories['certificates'] {
  // Screening reads a holder's certificates for every declaration: compile the query once.
  let ofHolderQuery: CompiledQuery | undefined;
  return {
    async insert(c) {
      await db
        .insertInto('certificates')
        .values({
          id: c.id,
          type: c.type,
          reference: c.reference,
          holder_id: c.holderId,
          holder_name: c.holderName,
          issuer_agency_id: c.issuerAgencyId,
          hs_scope: JSON.stringify(c.hsScope),
          valid_from: c.validFrom,
          valid_to: c.validTo,
          status: c.status,
          status_reason: c.statusReason,
          created_at: c.createdAt,
          created_by: c.createdBy,
          updated_at: c.updatedAt,
        })
        .execute();
    },
    async find(id) {
      const row = await db
        .selectFrom('certificates')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toCertificate(row);
    },
    async setStatus(id, status, reason, at) {
      await db
        .updateTable('certificates')
        .set({ status, status_reason: reason, updated_at: at })
        .where('id', '=', id)
        .execute();
    },
    async ofHolder(holderId) {
      ofHolderQuery ??= db
        .selectFrom('certificates')
        .selectAll()
        .where('holder_id', '=', '')
        .orderBy('id')
        .compile();
      const { rows } = await db.executeQuery<Selectable<DB['certificates']>>({
        ...ofHolderQuery,
        parameters: [holderId],
      });
      return rows.map(toCertificate);
    },
    async list(filter) {
      let q = db.selectFrom('certificates').selectAll();
      if (filter.holderId !== undefined) q = q.where('holder_id', '=', filter.holderId);
      if (filter.issuerAgencyId !== undefined)
        q = q.where('issuer_agency_id', '=', filter.issuerAgencyId);
      return (await q.orderBy('holder_id').orderBy('id').execute()).map(toCertificate);
    },
  };
}

/**
 * Changes to traders' records asked for by the jobs of one write batch, applied at its end.
 * A trader's record is one row every inspection of that trader updates: applied as the jobs run,
 * it would be locked from the first job touching it to the batch's COMMIT (up to 100 jobs), and
 * two batches each holding one trader and wanting the other's would deadlock (PostgreSQL waits a
 * second before it tells). Applied once per trader, in trader order, just before COMMIT, the lock
 * is held for a few statements and always taken in the same order.
 */
export class TraderRecordChanges {
  private readonly byTrader = new Map<string, RecordChange>();

  add(traderId: string, controls: number, findings: number, at: string): void {
    const c = this.byTrader.get(traderId) ?? {
      controls: 0,
      findings: 0,
      lastControlAt: null,
      lastFindingAt: null,
    };
    c.controls += controls;
    c.findings += findings;
    if (controls > 0) c.lastControlAt = at;
    if (findings > 0) c.lastFindingAt = at;
    this.byTrader.set(traderId, c);
  }

  /** Applies the changes of every job kept in the batch, in job order, one statement per trader. */
  static async apply(db: Kysely<DB>, jobs: readonly TraderRecordChanges[]): Promise<void> {
    const merged = new TraderRecordChanges();
    for (const job of jobs)
      for (const [trader, c] of job.byTrader) {
        const m = merged.byTrader.get(trader);
        if (!m) {
          merged.byTrader.set(trader, { ...c });
          continue;
        }
        m.controls += c.controls;
        m.findings += c.findings;
        m.lastControlAt = c.lastControlAt ?? m.lastControlAt;
        m.lastFindingAt = c.lastFindingAt ?? m.lastFindingAt;
      }
    const traders = [...merged.byTrader.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const trader of traders) await adjustRecord(db, trader, merged.byTrader.get(trader)!);
  }
}

interface RecordChange {
  controls: number;
  findings: number;
  lastControlAt: string | null;
  lastFindingAt: string | null;
}

async function adjustRecord(db: Kysely<DB>, traderId: string, c: RecordChange): Promise<void> {
  if (c.controls === 0 && c.findings === 0 && c.lastControlAt === null && c.lastFindingAt === null)
    return;
  await db
    .insertInto('trader_records')
    // The row proposed for a first record must pass the CHECKs itself (they are evaluated
    // before the conflict turns it into an update); a correction always finds a row.
    .values({
      trader_id: traderId,
      controls: Math.max(0, c.controls),
      findings: Math.min(Math.max(0, c.findings), Math.max(0, c.controls)),
      last_control_at: c.lastControlAt,
      last_finding_at: c.lastFindingAt,
    })
    .onConflict((oc) =>
      oc.column('trader_id').doUpdateSet({
        controls: sql<number>`trader_records.controls + ${c.controls}`,
        findings: sql<number>`trader_records.findings + ${c.findings}`,
        last_control_at: c.lastControlAt ?? sql<string | null>`trader_records.last_control_at`,
        last_finding_at: c.lastFindingAt ?? sql<string | null>`trader_records.last_finding_at`,
      }),
    )
    .execute();
}

/**
 * Trader compliance records: controls and findings, counted as inspection results arrive. In a
 * write batch (`changes` given) adjustments are collected and applied at the batch's end.
 */
export function traderRecordStore(
  db: Kysely<DB>,
  changes?: TraderRecordChanges,
): Repositories['traderRecords'] {
  let findQuery: CompiledQuery | undefined;
  return {
    async find(traderId) {
      findQuery ??= db
        .selectFrom('trader_records')
        .selectAll()
        .where('trader_id', '=', '')
        .compile();
      const r = (
        await db.executeQuery<Selectable<DB['trader_records']>>({
          ...findQuery,
          parameters: [traderId],
        })
      ).rows[0];
      return (
        r && {
          traderId: r.trader_id,
          controls: r.controls,
          findings: r.findings,
          lastControlAt: r.last_control_at,
          lastFindingAt: r.last_finding_at,
        }
      );
    },
    async list() {
      const rows = await db.selectFrom('trader_records').selectAll().orderBy('trader_id').execute();
      return rows.map((r) => ({
        traderId: r.trader_id,
        controls: r.controls,
        findings: r.findings,
        lastControlAt: r.last_control_at,
        lastFindingAt: r.last_finding_at,
      }));
    },
    async adjust(traderId, controls, findings, at) {
      if (changes) {
        changes.add(traderId, controls, findings, at);
        return;
      }
      const c = new TraderRecordChanges();
      c.add(traderId, controls, findings, at);
      await TraderRecordChanges.apply(db, [c]);
    },
  };
}

function toCertificate(r: Selectable<DB['certificates']>): Certificate {
  return {
    id: r.id,
    type: r.type as Certificate['type'],
    reference: r.reference,
    holderId: r.holder_id,
    holderName: r.holder_name,
    issuerAgencyId: r.issuer_agency_id,
    hsScope: JSON.parse(r.hs_scope) as string[],
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status: r.status as Certificate['status'],
    statusReason: r.status_reason,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}
