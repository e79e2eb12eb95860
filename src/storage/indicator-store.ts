import { sql, type Kysely, type Selectable } from 'kysely';
import type { Repositories, StoredIndicator, StoredReferenceList } from '../core/ports.js';
import type {
  ControlForm,
  IndicatorStatus,
  PriorityArea,
  ReferenceList,
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
        })
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
        })
        .execute();
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
      return rows.map((r): StoredReferenceList => ({
        name: r.name,
        version: r.version,
        kind: r.kind as ReferenceList['kind'],
        title: r.title,
        entries: JSON.parse(r.entries) as string[],
        ownerAgencyId: r.owner_agency_id,
        createdAt: r.created_at,
      }));
    },
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
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}
