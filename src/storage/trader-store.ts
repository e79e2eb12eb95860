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

/** Trader compliance records: controls and findings, counted as inspection results arrive. */
export function traderRecordStore(db: Kysely<DB>): Repositories['traderRecords'] {
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
      await db
        .insertInto('trader_records')
        // The row proposed for a first record must pass the CHECKs itself (they are evaluated
        // before the conflict turns it into an update); a correction always finds a row.
        .values({
          trader_id: traderId,
          controls: Math.max(0, controls),
          findings: Math.min(Math.max(0, findings), Math.max(0, controls)),
          last_control_at: controls > 0 ? at : null,
          last_finding_at: findings > 0 ? at : null,
        })
        .onConflict((oc) =>
          oc.column('trader_id').doUpdateSet({
            controls: sql<number>`trader_records.controls + ${controls}`,
            findings: sql<number>`trader_records.findings + ${findings}`,
            last_control_at: controls > 0 ? at : sql<string | null>`trader_records.last_control_at`,
            last_finding_at: findings > 0 ? at : sql<string | null>`trader_records.last_finding_at`,
          }),
        )
        .execute();
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
