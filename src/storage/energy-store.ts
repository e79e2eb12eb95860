import type { Kysely, Selectable } from 'kysely';
import type { FlowReport } from '../core/reconciliation/energy.js';
import type {
  EnergyPoint,
  PointInput,
  StoredFlowReport,
} from '../core/reconciliation/energy-point.js';
import type { Repositories } from '../core/ports.js';
import type { EnergyCase } from '../core/reconciliation/energy-case.js';
import type { DB } from './schema.js';

type PointRow = Selectable<DB['energy_points']>;
type ReportRow = Selectable<DB['energy_reports']>;
type CaseRow = Selectable<DB['energy_cases']>;

/** Rows per insert: far below SQLite's and PostgreSQL's limits on bound parameters. */
const BATCH = 500;

/** Interconnection points and the figures reported for them. */
export function energyStore(db: Kysely<DB>): Repositories['energy'] {
  return {
    async insertPoint(p) {
      const r = await db
        .insertInto('energy_points')
        .values(pointRow(p))
        .onConflict((oc) => oc.columns(['administration_id', 'id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async updatePoint(p, expectedVersion) {
      const { administration_id: _a, id: _i, created_at: _c, ...rest } = pointRow(p);
      const r = await db
        .updateTable('energy_points')
        .set(rest)
        .where('administration_id', '=', p.administrationId)
        .where('id', '=', p.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async findPoint(administrationId, id) {
      const row = await db
        .selectFrom('energy_points')
        .selectAll()
        .where('administration_id', '=', administrationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toPoint(row);
    },
    async listPoints(administrationId) {
      const rows = await db
        .selectFrom('energy_points')
        .selectAll()
        .where('administration_id', '=', administrationId)
        .orderBy('id')
        .execute();
      return rows.map(toPoint);
    },
    async insertReports(reports) {
      let inserted = 0;
      for (let i = 0; i < reports.length; i += BATCH) {
        const r = await db
          .insertInto('energy_reports')
          .values(reports.slice(i, i + BATCH).map(reportRow))
          .onConflict((oc) =>
            oc.columns(['administration_id', 'point_id', 'source', 'report_id']).doNothing(),
          )
          .executeTakeFirst();
        inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      return inserted;
    },
    async listReports(f) {
      const rows = await db
        .selectFrom('energy_reports')
        .selectAll()
        .where('administration_id', '=', f.administrationId)
        .where('point_id', '=', f.pointId)
        .where('period_start', '>=', f.from)
        .where('period_start', '<', f.to)
        .orderBy('period_start')
        .orderBy('source')
        .orderBy('received_at')
        .orderBy('report_id')
        .limit(f.limit)
        .execute();
      return rows.map(toReport);
    },
    async lockPoint(administrationId, id) {
      const r = await db
        .updateTable('energy_points')
        .set((eb) => ({ version: eb.ref('version') }))
        .where('administration_id', '=', administrationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async insertCase(c) {
      const r = await db
        .insertInto('energy_cases')
        .values(caseRow(c))
        .onConflict((oc) => oc.columns(['administration_id', 'point_id', 'case_key']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async updateCase(c, expectedVersion) {
      const row = caseRow(c);
      const r = await db
        .updateTable('energy_cases')
        .set({ status: row.status, content: row.content, version: row.version, kind: row.kind })
        .where('administration_id', '=', c.administrationId)
        .where('id', '=', c.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async findCase(administrationId, id) {
      const row = await db
        .selectFrom('energy_cases')
        .selectAll()
        .where('administration_id', '=', administrationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toCase(row);
    },
    async findCasesByKey(administrationId, pointId, keys) {
      const out: EnergyCase[] = [];
      for (let i = 0; i < keys.length; i += BATCH) {
        const rows = await db
          .selectFrom('energy_cases')
          .selectAll()
          .where('administration_id', '=', administrationId)
          .where('point_id', '=', pointId)
          .where('case_key', 'in', keys.slice(i, i + BATCH))
          .execute();
        out.push(...rows.map(toCase));
      }
      return out;
    },
    async listCases(f) {
      let q = db
        .selectFrom('energy_cases')
        .selectAll()
        .where('administration_id', '=', f.administrationId);
      if (f.status) q = q.where('status', '=', f.status);
      if (f.pointId) q = q.where('point_id', '=', f.pointId);
      if (f.kind) q = q.where('kind', '=', f.kind);
      const rows = await q
        .orderBy('opened_at', 'desc')
        .orderBy('id', 'desc')
        .limit(f.limit)
        .execute();
      return rows.map(toCase);
    },
  };
}

function caseRow(c: EnergyCase): CaseRow {
  const { administrationId, id, pointId, key, kind, status, month, openedAt, version, ...rest } = c;
  return {
    administration_id: administrationId,
    id,
    point_id: pointId,
    case_key: key,
    kind,
    status,
    month,
    opened_at: openedAt,
    content: JSON.stringify(rest),
    version,
  };
}

function toCase(row: CaseRow): EnergyCase {
  return {
    ...(JSON.parse(row.content) as Omit<
      EnergyCase,
      | 'administrationId'
      | 'id'
      | 'pointId'
      | 'key'
      | 'kind'
      | 'status'
      | 'month'
      | 'openedAt'
      | 'version'
    >),
    administrationId: row.administration_id,
    id: row.id,
    pointId: row.point_id,
    key: row.case_key,
    kind: row.kind as EnergyCase['kind'],
    status: row.status as EnergyCase['status'],
    month: row.month,
    openedAt: row.opened_at,
    version: Number(row.version),
  };
}

function pointRow(p: EnergyPoint): PointRow {
  const { administrationId, createdAt, updatedAt, updatedBy, version, ...content }: EnergyPoint = p;
  return {
    administration_id: administrationId,
    id: p.id,
    partner: p.partner,
    commodity: p.commodity,
    content: JSON.stringify(content),
    created_at: createdAt,
    updated_at: updatedAt,
    updated_by: updatedBy,
    version,
  };
}

function toPoint(row: PointRow): EnergyPoint {
  return {
    ...(JSON.parse(row.content) as PointInput),
    administrationId: row.administration_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    version: Number(row.version),
  };
}

function reportRow(r: StoredFlowReport): ReportRow {
  return {
    administration_id: r.administrationId,
    point_id: r.pointId,
    source: r.source,
    report_id: r.id,
    direction: r.direction,
    period_start: r.start,
    period_end: r.end,
    quantity: r.quantity,
    unit: r.unit,
    provisional: r.provisional ? 1 : 0,
    received_at: r.receivedAt,
    recorded_by: r.recordedBy,
    message_id: r.messageId,
  };
}

function toReport(row: ReportRow): StoredFlowReport {
  return {
    id: row.report_id,
    source: row.source as FlowReport['source'],
    pointId: row.point_id,
    direction: row.direction as FlowReport['direction'],
    start: row.period_start,
    end: row.period_end,
    quantity: Number(row.quantity),
    unit: row.unit as FlowReport['unit'],
    ...(row.provisional ? { provisional: true } : {}),
    administrationId: row.administration_id,
    receivedAt: row.received_at,
    recordedBy: row.recorded_by,
    messageId: row.message_id,
  };
}
