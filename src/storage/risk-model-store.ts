import type { Kysely, Selectable } from 'kysely';
import type {
  Repositories,
  RiskModelRecord,
  RiskModelStatus,
  RiskModelSummary,
} from '../core/ports.js';
import type { DB } from './schema.js';

type Row = Selectable<DB['risk_models']>;

const SUMMARY_COLUMNS = [
  'administration_id',
  'version',
  'status',
  'trained_by',
  'trained_by_agency_id',
  'trained_at',
  'submitted_by',
  'submitted_at',
  'decided_by',
  'decided_at',
  'decision_note',
  'activated_at',
  'ended_at',
  'card',
] as const;

/** Versions of the learned risk model, per administration (JSON columns stored as text). */
export function riskModelStore(db: Kysely<DB>): Repositories['riskModels'] {
  return {
    async nextVersion(administrationId) {
      const row = await db
        .selectFrom('risk_models')
        .select((eb) => eb.fn.max('version').as('last'))
        .where('administration_id', '=', administrationId)
        .executeTakeFirst();
      return Number(row?.last ?? 0) + 1;
    },
    async insert(r) {
      await db
        .insertInto('risk_models')
        .values({
          administration_id: r.administrationId,
          version: r.version,
          status: r.status,
          trained_by: r.trainedBy,
          trained_by_agency_id: r.trainedByAgencyId,
          trained_at: r.trainedAt,
          submitted_by: r.submittedBy,
          submitted_at: r.submittedAt,
          decided_by: r.decidedBy,
          decided_at: r.decidedAt,
          decision_note: r.decisionNote,
          activated_at: r.activatedAt,
          ended_at: r.endedAt,
          card: JSON.stringify(r.card),
          model: JSON.stringify(r.model),
        })
        .execute();
    },
    async find(administrationId, version) {
      const row = await db
        .selectFrom('risk_models')
        .selectAll()
        .where('administration_id', '=', administrationId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async list(administrationId) {
      const rows = await db
        .selectFrom('risk_models')
        .select(SUMMARY_COLUMNS)
        .where('administration_id', '=', administrationId)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(toSummary);
    },
    async listActive() {
      const rows = await db
        .selectFrom('risk_models')
        .select(['administration_id', 'version'])
        .where('status', '=', 'active')
        .orderBy('administration_id')
        .execute();
      return rows.map((r) => ({
        administrationId: r.administration_id,
        version: Number(r.version),
      }));
    },
    async transition(administrationId, version, from, to, fields) {
      const r = await db
        .updateTable('risk_models')
        .set({
          status: to,
          ...(fields.submittedBy !== undefined && { submitted_by: fields.submittedBy }),
          ...(fields.submittedAt !== undefined && { submitted_at: fields.submittedAt }),
          ...(fields.decidedBy !== undefined && { decided_by: fields.decidedBy }),
          ...(fields.decidedAt !== undefined && { decided_at: fields.decidedAt }),
          ...(fields.decisionNote !== undefined && { decision_note: fields.decisionNote }),
          ...(fields.activatedAt !== undefined && { activated_at: fields.activatedAt }),
          ...(fields.endedAt !== undefined && { ended_at: fields.endedAt }),
        })
        .where('administration_id', '=', administrationId)
        .where('version', '=', version)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

function toSummary(row: Omit<Row, 'model'>): RiskModelSummary {
  return {
    administrationId: row.administration_id,
    version: Number(row.version),
    status: row.status as RiskModelStatus,
    trainedBy: row.trained_by,
    trainedByAgencyId: row.trained_by_agency_id,
    trainedAt: row.trained_at,
    submittedBy: row.submitted_by,
    submittedAt: row.submitted_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    activatedAt: row.activated_at,
    endedAt: row.ended_at,
    card: JSON.parse(row.card) as Record<string, unknown>,
  };
}

function toRecord(row: Row): RiskModelRecord {
  return { ...toSummary(row), model: JSON.parse(row.model) as Record<string, unknown> };
}
