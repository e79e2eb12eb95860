import type { Kysely, Selectable } from 'kysely';
import type { LodgingCheck } from '../core/cargo/lodging.js';
import type {
  PreArrivalOutcome,
  PreArrivalReferral,
  ReferralKind,
  ReferralStatus,
} from '../core/cargo/referral.js';
import type { CargoReport, Repositories } from '../core/ports.js';
import type { DB } from './schema.js';

/** Cargo reports' advance-cargo records, the messages received for them, and their referrals. */
export function cargoStore(db: Kysely<DB>): Repositories['cargo'] {
  return {
    async insert(r) {
      await db.insertInto('cargo_reports').values(toRow(r)).execute();
    },
    async update(r, expectedVersion) {
      const { declaration_id, ...rest } = toRow(r);
      const result = await db
        .updateTable('cargo_reports')
        .set(rest)
        .where('declaration_id', '=', declaration_id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async find(declarationId) {
      const row = await db
        .selectFrom('cargo_reports')
        .selectAll()
        .where('declaration_id', '=', declarationId)
        .executeTakeFirst();
      return row && toReport(row);
    },
    async findByMrn(mrn) {
      const row = await db
        .selectFrom('cargo_reports')
        .selectAll()
        .where('mrn', '=', mrn)
        .executeTakeFirst();
      return row && toReport(row);
    },
    async findByLrn(submitterAgencyId, lrn) {
      const row = await db
        .selectFrom('cargo_reports as c')
        .innerJoin('declarations as d', 'd.id', 'c.declaration_id')
        .selectAll('c')
        .where('c.lrn', '=', lrn)
        .where('d.submitter_agency_id', '=', submitterAgencyId)
        .executeTakeFirst();
      return row && toReport(row);
    },
    async list(f) {
      let q = db
        .selectFrom('cargo_reports as c')
        .innerJoin('declarations as d', 'd.id', 'c.declaration_id')
        .selectAll('c');
      if (f.agencyId !== undefined) q = q.where('d.agency_id', '=', f.agencyId);
      if (f.submitterAgencyId !== undefined)
        q = q.where('d.submitter_agency_id', '=', f.submitterAgencyId);
      if (f.outcome !== undefined) q = q.where('c.outcome', '=', f.outcome);
      const rows = await q
        .orderBy('c.lodged_at', 'desc')
        .orderBy('c.declaration_id', 'desc')
        .limit(f.limit)
        .execute();
      return rows.map(toReport);
    },
    async addMessage(m) {
      await db
        .insertInto('cargo_messages')
        .values({
          declaration_id: m.declarationId,
          version: m.version,
          message_type: m.messageType,
          format: m.format,
          received_at: m.receivedAt,
          received_by: m.receivedBy,
          message: m.message,
        })
        .execute();
    },
    async messages(declarationId) {
      const rows = await db
        .selectFrom('cargo_messages')
        .selectAll()
        .where('declaration_id', '=', declarationId)
        .orderBy('version')
        .execute();
      return rows.map((m) => ({
        declarationId: m.declaration_id,
        version: m.version,
        messageType: m.message_type,
        format: m.format === 'json' ? 'json' : 'xml',
        receivedAt: m.received_at,
        receivedBy: m.received_by,
        message: m.message,
      }));
    },
    async insertReferral(r) {
      await db.insertInto('cargo_referrals').values(toReferralRow(r)).execute();
    },
    async updateReferral(r, from) {
      const { id, ...rest } = toReferralRow(r);
      const result = await db
        .updateTable('cargo_referrals')
        .set(rest)
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async closeReferral(id, at, reason) {
      const result = await db
        .updateTable('cargo_referrals')
        .set({ status: 'closed', closed_at: at, closed_reason: reason })
        .where('id', '=', id)
        .where('status', 'in', ['open', 'answered'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async findReferral(id) {
      const row = await db
        .selectFrom('cargo_referrals')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toReferral(row);
    },
    async referralsOf(declarationId) {
      const rows = await db
        .selectFrom('cargo_referrals')
        .selectAll()
        .where('declaration_id', '=', declarationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toReferral);
    },
  };
}

function toRow(r: CargoReport): Selectable<DB['cargo_reports']> {
  return {
    declaration_id: r.declarationId,
    mrn: r.mrn,
    lrn: r.lrn,
    sender: r.sender,
    version: r.version,
    lodged_at: r.lodgedAt,
    amended_at: r.amendedAt,
    arrival_at: r.arrivalAt,
    lodging: JSON.stringify(r.lodging),
    late: r.lodging.status === 'late' ? 1 : 0,
    outcome: r.outcome,
    notes: JSON.stringify(r.notes),
  };
}

function toReport(row: Selectable<DB['cargo_reports']>): CargoReport {
  return {
    declarationId: row.declaration_id,
    mrn: row.mrn,
    lrn: row.lrn,
    sender: row.sender,
    version: Number(row.version),
    lodgedAt: row.lodged_at,
    amendedAt: row.amended_at,
    arrivalAt: row.arrival_at,
    lodging: JSON.parse(row.lodging) as LodgingCheck,
    outcome: row.outcome as PreArrivalOutcome,
    notes: JSON.parse(row.notes) as string[],
  };
}

function toReferralRow(r: PreArrivalReferral): Selectable<DB['cargo_referrals']> {
  return {
    id: r.id,
    declaration_id: r.declarationId,
    kind: r.kind,
    status: r.status,
    reason: r.reason,
    documents: JSON.stringify(r.documents),
    indicators: JSON.stringify(r.indicators),
    office: r.office,
    deadline: r.deadline,
    created_at: r.createdAt,
    replied_at: r.repliedAt,
    reply: r.reply === null ? null : JSON.stringify(r.reply),
    closed_at: r.closedAt,
    closed_reason: r.closedReason,
  };
}

function toReferral(row: Selectable<DB['cargo_referrals']>): PreArrivalReferral {
  return {
    id: row.id,
    declarationId: row.declaration_id,
    kind: row.kind as ReferralKind,
    status: row.status as ReferralStatus,
    reason: row.reason,
    documents: JSON.parse(row.documents) as PreArrivalReferral['documents'],
    indicators: JSON.parse(row.indicators) as string[],
    office: row.office,
    deadline: row.deadline,
    createdAt: row.created_at,
    repliedAt: row.replied_at,
    reply: row.reply === null ? null : (JSON.parse(row.reply) as PreArrivalReferral['reply']),
    closedAt: row.closed_at,
    closedReason: row.closed_reason,
  };
}
