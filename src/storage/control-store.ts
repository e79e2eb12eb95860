import type { EventKind } from '../core/events.js';
import type { Kysely, Selectable } from 'kysely';
import type { Channel } from '../core/declaration/declaration.js';
import type { InspectionRecord, SeizureRecord } from '../core/controls/inspection.js';
import type { Assessment } from '../core/risk/assess.js';
import type { Repositories } from '../core/ports.js';
import type { DB } from './schema.js';
import { permitStore } from './permit-store.js';

/** Append-only control records: inspections, seizures, referrals. */
export function controlStore(db: Kysely<DB>): Repositories['controls'] {
  return {
    async insertInspection(r) {
      await db
        .insertInto('inspections')
        .values({
          id: r.id,
          declaration_id: r.declarationId,
          agency_id: r.agencyId,
          officer_id: r.officerId,
          control_form: r.controlForm,
          started_at: r.startedAt,
          ended_at: r.endedAt,
          result: r.result,
          findings: JSON.stringify(r.findings),
          findings_text: r.findingsText,
          items_affected: JSON.stringify(r.itemsAffected),
          corrects: r.corrects,
          recorded_at: r.recordedAt,
        })
        .execute();
    },
    async inspectionsOf(declarationId) {
      const rows = await db
        .selectFrom('inspections')
        .selectAll()
        .where('declaration_id', '=', declarationId)
        .orderBy('recorded_at')
        .orderBy('id')
        .execute();
      return rows.map(toInspection);
    },
    async insertSeizure(s) {
      await db
        .insertInto('seizures')
        .values({
          id: s.id,
          inspection_id: s.inspectionId,
          declaration_id: s.declarationId,
          item_sequence: s.itemSequence,
          hs_code: s.hsCode,
          species: s.species,
          quantity: s.quantity,
          unit: s.unit,
          estimated_value: s.estimatedValue,
          currency: s.currency,
          storage_location: s.storageLocation,
          legal_basis: s.legalBasis,
          recorded_at: s.recordedAt,
        })
        .execute();
    },
    async seizuresOf(declarationId) {
      const rows = await db
        .selectFrom('seizures')
        .selectAll()
        .where('declaration_id', '=', declarationId)
        .orderBy('recorded_at')
        .orderBy('id')
        .execute();
      return rows.map(toSeizure);
    },
    async insertReferral(r) {
      await db
        .insertInto('referrals')
        .values({
          id: r.id,
          declaration_id: r.declarationId,
          from_agency_id: r.fromAgencyId,
          to_agency_id: r.toAgencyId,
          reason: r.reason,
          referred_by: r.referredBy,
          at: r.at,
        })
        .execute();
    },
    async referralsOf(declarationId) {
      const rows = await db
        .selectFrom('referrals')
        .selectAll()
        .where('declaration_id', '=', declarationId)
        .orderBy('at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        declarationId: r.declaration_id,
        fromAgencyId: r.from_agency_id,
        toAgencyId: r.to_agency_id,
        reason: r.reason,
        referredBy: r.referred_by,
        at: r.at,
      }));
    },
  };
}

/** Read-only queries behind the performance metrics. */
export function metricsStore(db: Kysely<DB>): Repositories['metrics'] {
  const chunks = <T>(items: readonly T[], size = 500): T[][] => {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  };
  return {
    async declarations(from, to) {
      const rows = await db
        .selectFrom('declarations')
        .select([
          'id',
          'agency_id',
          'office',
          'channel',
          'item_count',
          'random_selected',
          'submitted_at',
          'released_at',
          'status',
          'assessment',
        ])
        .where('submitted_at', '>=', from)
        .where('submitted_at', '<', to)
        .execute();
      return rows.map((r) => {
        const effects =
          r.assessment === null ? [] : (JSON.parse(r.assessment) as Assessment).effects;
        return {
          id: r.id,
          agencyId: r.agency_id,
          office: r.office,
          channel: r.channel as Channel | null,
          itemCount: r.item_count,
          randomSelected: r.random_selected === 1,
          submittedAt: r.submitted_at,
          releasedAt: r.released_at,
          status: r.status,
          certified: effects.some((e) => e.kind === 'certificate' && e.points < 0),
        };
      });
    },
    async inspections(from, to) {
      const rows = await db
        .selectFrom('inspections as i')
        .innerJoin('declarations as d', 'd.id', 'i.declaration_id')
        .selectAll('i')
        .select(['d.office', 'd.channel', 'd.random_selected'])
        .where('i.recorded_at', '>=', from)
        .where('i.recorded_at', '<', to)
        .orderBy('i.recorded_at')
        .execute();
      return rows.map((r) => ({
        ...toInspection(r),
        office: r.office,
        channel: r.channel as Channel | null,
        randomSelected: r.random_selected === 1,
      }));
    },
    async inspectionsOfDeclarations(ids) {
      const out: InspectionRecord[] = [];
      for (const part of chunks(ids)) {
        if (part.length === 0) continue;
        const rows = await db
          .selectFrom('inspections')
          .selectAll()
          .where('declaration_id', 'in', part)
          .orderBy('recorded_at')
          .execute();
        out.push(...rows.map(toInspection));
      }
      return out;
    },
    async hitsOf(ids) {
      const out: Array<{
        declarationId: string;
        indicatorId: string;
        version: number;
        priorityArea: string;
      }> = [];
      for (const part of chunks(ids)) {
        if (part.length === 0) continue;
        const rows = await db
          .selectFrom('declaration_hits')
          .selectAll()
          .where('declaration_id', 'in', part)
          .execute();
        out.push(
          ...rows.map((r) => ({
            declarationId: r.declaration_id,
            indicatorId: r.indicator_id,
            version: r.version,
            priorityArea: r.priority_area,
          })),
        );
      }
      return out;
    },
    async permitsDecided(from, to) {
      const ids = await db
        .selectFrom('permits')
        .select('id')
        .where('decided_at', '>=', from)
        .where('decided_at', '<', to)
        .execute();
      const permits = permitStore(db);
      const out = [];
      for (const { id } of ids) out.push((await permits.find(id))!);
      return out;
    },
    async auditBetween(from, to, actions) {
      if (actions.length === 0) return [];
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('at', '>=', from)
        .where('at', '<', to)
        .where('action', 'in', [...actions])
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        seq: Number(r.seq),
        at: r.at,
        agencyId: r.agency_id,
        actorId: r.actor_id,
        action: r.action as EventKind,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
    async seizuresOfDeclarations(ids) {
      const out: SeizureRecord[] = [];
      for (const part of chunks(ids)) {
        if (part.length === 0) continue;
        const rows = await db
          .selectFrom('seizures')
          .selectAll()
          .where('declaration_id', 'in', part)
          .orderBy('recorded_at')
          .execute();
        out.push(...rows.map(toSeizure));
      }
      return out;
    },
  };
}

function toInspection(r: Selectable<DB['inspections']>): InspectionRecord {
  return {
    id: r.id,
    declarationId: r.declaration_id,
    agencyId: r.agency_id,
    officerId: r.officer_id,
    controlForm: r.control_form as InspectionRecord['controlForm'],
    startedAt: r.started_at,
    endedAt: r.ended_at,
    result: r.result as InspectionRecord['result'],
    findings: JSON.parse(r.findings) as InspectionRecord['findings'],
    findingsText: r.findings_text,
    itemsAffected: JSON.parse(r.items_affected) as number[],
    corrects: r.corrects,
    recordedAt: r.recorded_at,
  };
}

function toSeizure(r: Selectable<DB['seizures']>): SeizureRecord {
  return {
    id: r.id,
    inspectionId: r.inspection_id,
    declarationId: r.declaration_id,
    itemSequence: r.item_sequence,
    hsCode: r.hs_code,
    species: r.species,
    quantity: r.quantity,
    unit: r.unit,
    estimatedValue: r.estimated_value,
    currency: r.currency,
    storageLocation: r.storage_location,
    legalBasis: r.legal_basis,
    recordedAt: r.recorded_at,
  };
}
