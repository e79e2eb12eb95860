import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  Approval,
  IndicatorStats,
  Repositories,
  StoredIndicator,
  StoredReferenceList,
} from '../core/ports.js';
import type {
  ControlForm,
  IndicatorStatus,
  PriorityArea,
  ReferenceList,
  SharingLevel,
} from '../core/risk/indicator.js';
import type { DB } from './schema.js';

/** Indicator versions: every change is a new row; old versions stay resolvable. */
export function indicatorStore(db: Kysely<DB>): Repositories['indicators'] {
  return {
    async insert(i) {
      await db
        .insertInto('indicators')
        .values({
          id: i.id,
          version: i.version,
          title: i.title,
          priority_area: i.priorityArea,
          condition: i.condition,
          weight: i.weight,
          direct_channel: i.directChannel,
          control_form: i.controlForm,
          rationale: i.rationale,
          valid_from: i.validFrom,
          valid_to: i.validTo,
          status: i.status,
          owner_agency_id: i.ownerAgencyId,
          created_at: i.createdAt,
          created_by: i.createdBy,
          co_author_agency_ids: JSON.stringify(i.coAuthorAgencyIds),
          sharing: i.sharing,
          expected_documents: JSON.stringify(i.expectedDocuments),
          sources: JSON.stringify(i.sources),
        })
        .execute();
    },
    async listActive() {
      const rows = await db
        .selectFrom('indicators')
        .selectAll()
        .where('status', '=', 'active')
        .orderBy('id')
        .execute();
      return rows.map(toIndicator);
    },
    async setStatus(id, version, status) {
      await db
        .updateTable('indicators')
        .set({ status })
        .where('id', '=', id)
        .where('version', '=', version)
        .execute();
    },
    async latest(id) {
      const row = await db
        .selectFrom('indicators')
        .selectAll()
        .where('id', '=', id)
        .orderBy('version', 'desc')
        .executeTakeFirst();
      return row && toIndicator(row);
    },
    async version(id, version) {
      const row = await db
        .selectFrom('indicators')
        .selectAll()
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && toIndicator(row);
    },
    async versions(id) {
      const rows = await db
        .selectFrom('indicators')
        .selectAll()
        .where('id', '=', id)
        .orderBy('version')
        .execute();
      return rows.map(toIndicator);
    },
    async listLatest() {
      const rows = await db
        .selectFrom('indicators as i')
        .selectAll()
        .where(
          'i.version',
          '=',
          sql<number>`(select max(v.version) from indicators v where v.id = i.id)`,
        )
        .orderBy('i.id')
        .execute();
      return rows.map(toIndicator);
    },
  };
}

/** Reference lists (HS prefixes, countries, parties), versioned like indicators. */
export function referenceListStore(db: Kysely<DB>): Repositories['referenceLists'] {
  const byName = (name: string) =>
    db.selectFrom('reference_lists').selectAll().where('name', '=', name);
  return {
    async insert(l) {
      await db
        .insertInto('reference_lists')
        .values({
          name: l.name,
          version: l.version,
          kind: l.kind,
          title: l.title,
          entries: JSON.stringify(l.entries),
          owner_agency_id: l.ownerAgencyId,
          created_at: l.createdAt,
          created_by: l.createdBy,
          status: l.status,
          co_author_agency_ids: JSON.stringify(l.coAuthorAgencyIds),
          sharing: l.sharing,
          source: l.source,
        })
        .execute();
    },
    async latest(name) {
      const row = await byName(name).orderBy('version', 'desc').executeTakeFirst();
      return row && toList(row);
    },
    async version(name, version) {
      const row = await byName(name).where('version', '=', version).executeTakeFirst();
      return row && toList(row);
    },
    async versions(name) {
      return (await byName(name).orderBy('version').execute()).map(toList);
    },
    async listLatest() {
      const rows = await db
        .selectFrom('reference_lists as l')
        .selectAll()
        .where(
          'l.version',
          '=',
          sql<number>`(select max(v.version) from reference_lists v where v.name = l.name)`,
        )
        .orderBy('l.name')
        .execute();
      return rows.map(toList);
    },
    async listActive() {
      const rows = await db
        .selectFrom('reference_lists')
        .selectAll()
        .where('status', '=', 'active')
        .orderBy('name')
        .execute();
      return rows.map(toList);
    },
    async setStatus(name, version, status) {
      await db
        .updateTable('reference_lists')
        .set({ status })
        .where('name', '=', name)
        .where('version', '=', version)
        .execute();
    },
  };
}

/** Approvals of indicator and list versions, one per agency and version. */
export function approvalStore(db: Kysely<DB>): Repositories['approvals'] {
  return {
    async insert(a) {
      await db
        .insertInto('approvals')
        .values({
          subject_type: a.subjectType,
          subject_id: a.subjectId,
          version: a.version,
          purpose: a.purpose,
          agency_id: a.agencyId,
          user_id: a.userId,
          at: a.at,
          comment: a.comment,
        })
        .execute();
    },
    async deleteFor(subjectType, subjectId, version, purpose = 'activation') {
      await db
        .deleteFrom('approvals')
        .where('subject_type', '=', subjectType)
        .where('subject_id', '=', subjectId)
        .where('version', '=', version)
        .where('purpose', '=', purpose)
        .execute();
    },
    async listFor(subjectType, subjectId, version, purpose) {
      let q = db
        .selectFrom('approvals')
        .selectAll()
        .where('subject_type', '=', subjectType)
        .where('subject_id', '=', subjectId);
      if (version !== undefined) q = q.where('version', '=', version);
      if (purpose !== undefined) q = q.where('purpose', '=', purpose);
      const rows = await q.orderBy('version').orderBy('at').orderBy('agency_id').execute();
      return rows.map((r): Approval => ({
        subjectType: r.subject_type as Approval['subjectType'],
        subjectId: r.subject_id,
        version: r.version,
        purpose: r.purpose as Approval['purpose'],
        agencyId: r.agency_id,
        userId: r.user_id,
        at: r.at,
        comment: r.comment,
      }));
    },
  };
}

/**
 * Hits, controls and findings per indicator version. Every change is a new row of deltas, summed
 * on read: lodgings never update a shared counter in place, so concurrent batches never wait on
 * (or deadlock over) the same row. `indicator_stats` holds what earlier versions counted.
 */
export function indicatorStatsStore(db: Kysely<DB>): Repositories['indicatorStats'] {
  const add = async (
    versions: ReadonlyArray<{ id: string; version: number }>,
    delta: { hits: number; controls: number; findings: number },
  ) => {
    if (versions.length === 0) return;
    await db
      .insertInto('indicator_stat_deltas')
      .values(versions.map((v) => ({ indicator_id: v.id, version: v.version, ...delta })))
      .execute();
  };
  return {
    addHits: (versions) => add(versions, { hits: 1, controls: 0, findings: 0 }),
    adjust: (versions, controls, findings) => add(versions, { hits: 0, controls, findings }),
    async forIndicator(id) {
      const rows = await db
        .selectFrom((eb) =>
          eb
            .selectFrom('indicator_stats')
            .select(['indicator_id', 'version', 'hits', 'controls', 'findings'])
            .where('indicator_id', '=', id)
            .unionAll(
              eb
                .selectFrom('indicator_stat_deltas')
                .select(['indicator_id', 'version', 'hits', 'controls', 'findings'])
                .where('indicator_id', '=', id),
            )
            .as('s'),
        )
        .select((eb) => [
          's.version',
          eb.fn.sum<number>('s.hits').as('hits'),
          eb.fn.sum<number>('s.controls').as('controls'),
          eb.fn.sum<number>('s.findings').as('findings'),
        ])
        .groupBy('s.version')
        .orderBy('s.version')
        .execute();
      return rows.map((r): IndicatorStats => ({
        indicatorId: id,
        version: Number(r.version),
        hits: Number(r.hits),
        controls: Number(r.controls),
        findings: Number(r.findings),
      }));
    },
  };
}

function toList(r: Selectable<DB['reference_lists']>): StoredReferenceList {
  return {
    name: r.name,
    version: r.version,
    kind: r.kind as ReferenceList['kind'],
    title: r.title,
    entries: JSON.parse(r.entries) as string[],
    ownerAgencyId: r.owner_agency_id,
    coAuthorAgencyIds: JSON.parse(r.co_author_agency_ids) as string[],
    sharing: r.sharing as SharingLevel,
    status: r.status as IndicatorStatus,
    source: r.source,
    createdAt: r.created_at,
    // Lists saved before authorship was recorded have no author.
    createdBy: r.created_by ?? '',
  };
}

function toIndicator(r: Selectable<DB['indicators']>): StoredIndicator {
  return {
    id: r.id,
    version: r.version,
    title: r.title,
    priorityArea: r.priority_area as PriorityArea,
    condition: r.condition,
    weight: r.weight,
    directChannel: r.direct_channel as StoredIndicator['directChannel'],
    controlForm: r.control_form as ControlForm,
    rationale: r.rationale,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status: r.status as IndicatorStatus,
    ownerAgencyId: r.owner_agency_id,
    coAuthorAgencyIds: JSON.parse(r.co_author_agency_ids) as string[],
    sharing: r.sharing as SharingLevel,
    expectedDocuments: JSON.parse(r.expected_documents) as StoredIndicator['expectedDocuments'],
    sources: JSON.parse(r.sources) as string[],
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}
