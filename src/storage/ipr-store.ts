import type { Kysely, Selectable } from 'kysely';
import type { ApplicationForAction, ApplicationInput } from '../core/ipr/application.js';
import type { IprCase, StoredIprEvent } from '../core/ipr/case.js';
import type { IprEvent } from '../core/ipr/procedure.js';
import type { WorkingDayCalendar } from '../core/ipr/working-days.js';
import type { Repositories } from '../core/ports.js';
import type { DB } from './schema.js';

type ApplicationRow = Selectable<DB['ipr_applications']>;
type CaseRow = Selectable<DB['ipr_cases']>;

/** Case fields kept as one JSON document (the rest are columns for the lists and the guards). */
type CaseContent = Pick<
  IprCase,
  'declarationReference' | 'holderName' | 'declarantName' | 'grounds' | 'rights' | 'items' | 'route'
>;

/** Applications for action, detention cases with their append-only events, working calendars. */
export function iprStore(db: Kysely<DB>): Repositories['ipr'] {
  const withEvents = async (rows: CaseRow[]): Promise<IprCase[]> => {
    if (rows.length === 0) return [];
    const events = await db
      .selectFrom('ipr_case_events')
      .selectAll()
      .where(
        'case_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('case_id')
      .orderBy('seq')
      .execute();
    const byCase = new Map<string, StoredIprEvent[]>();
    for (const e of events) {
      const list = byCase.get(e.case_id) ?? [];
      list.push({ seq: e.seq, by: e.by_user, event: JSON.parse(e.event) as IprEvent });
      byCase.set(e.case_id, list);
    }
    return rows.map((r) => toCase(r, byCase.get(r.id) ?? []));
  };
  return {
    async insertApplication(a) {
      await db.insertInto('ipr_applications').values(applicationRow(a)).execute();
    },
    async findApplication(id) {
      const row = await db
        .selectFrom('ipr_applications')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toApplication(row);
    },
    async updateApplication(a, expectedVersion) {
      const { id: _id, ...rest } = applicationRow(a);
      const r = await db
        .updateTable('ipr_applications')
        .set(rest)
        .where('id', '=', a.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async listApplications(f) {
      let q = db.selectFrom('ipr_applications').selectAll();
      if (f.administrationId !== undefined)
        q = q.where('administration_id', '=', f.administrationId);
      if (f.applicantAgencyId !== undefined)
        q = q.where('applicant_agency_id', '=', f.applicantAgencyId);
      if (f.status !== undefined) q = q.where('status', '=', f.status);
      const rows = await q
        .orderBy('submitted_at', 'desc')
        .orderBy('id', 'desc')
        .limit(f.limit)
        .execute();
      return rows.map(toApplication);
    },
    async listAccepted() {
      const rows = await db
        .selectFrom('ipr_applications')
        .selectAll()
        .where('status', '=', 'accepted')
        .orderBy('id')
        .execute();
      return rows.map(toApplication);
    },
    async insertCase(c) {
      const content: CaseContent = {
        declarationReference: c.declarationReference,
        holderName: c.holderName,
        declarantName: c.declarantName,
        grounds: c.grounds,
        rights: c.rights,
        items: c.items,
        route: c.route,
      };
      const r = await db
        .insertInto('ipr_cases')
        .values({
          id: c.id,
          administration_id: c.administrationId,
          declaration_id: c.declarationId,
          application_id: c.applicationId,
          holder_agency_id: c.holderAgencyId,
          declarant_agency_id: c.declarantAgencyId,
          procedure: c.procedure,
          perishable: c.perishable ? 1 : 0,
          suspended_at: c.suspendedAt,
          suspended_by: c.suspendedBy,
          content: JSON.stringify(content),
          closed: c.closed ? 1 : 0,
          event_count: 0,
        })
        .onConflict((oc) => oc.column('declaration_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async findCase(id) {
      const row = await db
        .selectFrom('ipr_cases')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? (await withEvents([row]))[0] : undefined;
    },
    async findCaseByDeclaration(declarationId) {
      const row = await db
        .selectFrom('ipr_cases')
        .selectAll()
        .where('declaration_id', '=', declarationId)
        .executeTakeFirst();
      return row ? (await withEvents([row]))[0] : undefined;
    },
    async listCases(f) {
      let q = db.selectFrom('ipr_cases').selectAll();
      if (f.administrationId !== undefined)
        q = q.where('administration_id', '=', f.administrationId);
      if (f.holderAgencyId !== undefined) q = q.where('holder_agency_id', '=', f.holderAgencyId);
      if (f.declarantAgencyId !== undefined)
        q = q.where('declarant_agency_id', '=', f.declarantAgencyId);
      if (f.open === true) q = q.where('closed', '=', 0);
      const rows = await q
        .orderBy('suspended_at', 'desc')
        .orderBy('id', 'desc')
        .limit(f.limit)
        .execute();
      return withEvents(rows);
    },
    async appendEvent(caseId, e, summary) {
      // The case row is the guard: only the writer that moves event_count from seq - 1 to seq
      // appends; a racing writer updates nothing and inserts nothing.
      const r = await db
        .updateTable('ipr_cases')
        .set({
          event_count: e.seq,
          closed: summary.closed ? 1 : 0,
          ...(summary.applicationId !== undefined ? { application_id: summary.applicationId } : {}),
          ...(summary.holderAgencyId !== undefined
            ? { holder_agency_id: summary.holderAgencyId }
            : {}),
        })
        .where('id', '=', caseId)
        .where('event_count', '=', e.seq - 1)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (summary.holderName !== undefined) {
        const row = await db
          .selectFrom('ipr_cases')
          .select('content')
          .where('id', '=', caseId)
          .executeTakeFirstOrThrow();
        const content = JSON.parse(row.content) as CaseContent;
        content.holderName = summary.holderName;
        await db
          .updateTable('ipr_cases')
          .set({ content: JSON.stringify(content) })
          .where('id', '=', caseId)
          .execute();
      }
      await db
        .insertInto('ipr_case_events')
        .values({
          case_id: caseId,
          seq: e.seq,
          type: e.event.type,
          at: e.event.at,
          by_user: e.by,
          event: JSON.stringify(e.event),
        })
        .execute();
      return true;
    },
    async findCalendar(administrationId) {
      const row = await db
        .selectFrom('working_calendars')
        .select('content')
        .where('administration_id', '=', administrationId)
        .executeTakeFirst();
      return row && (JSON.parse(row.content) as WorkingDayCalendar);
    },
    async saveCalendar(administrationId, calendar, at, by) {
      const content = JSON.stringify(calendar);
      await db
        .insertInto('working_calendars')
        .values({ administration_id: administrationId, content, updated_at: at, updated_by: by })
        .onConflict((oc) =>
          oc.column('administration_id').doUpdateSet({ content, updated_at: at, updated_by: by }),
        )
        .execute();
    },
  };
}

function applicationRow(a: ApplicationForAction): DB['ipr_applications'] {
  const content: ApplicationInput = {
    applicant: a.applicant,
    representatives: a.representatives,
    rights: a.rights,
    goods: a.goods,
    authenticFeatures: a.authenticFeatures,
    placesOfProduction: a.placesOfProduction,
    authorisedTraders: a.authorisedTraders,
    knownInfringers: a.knownInfringers,
    knownRoutes: a.knownRoutes,
    smallConsignmentsProcedure: a.smallConsignmentsProcedure,
    undertakings: a.undertakings,
  };
  return {
    id: a.id,
    administration_id: a.administrationId,
    applicant_agency_id: a.applicantAgencyId,
    status: a.status,
    valid_from: a.validFrom,
    valid_to: a.validTo,
    submitted_at: a.submittedAt,
    decided_at: a.decidedAt,
    decided_by: a.decidedBy,
    customs_note: a.customsNote,
    content: JSON.stringify(content),
    version: a.version,
  };
}

function toApplication(r: ApplicationRow): ApplicationForAction {
  return {
    ...(JSON.parse(r.content) as ApplicationInput),
    id: r.id,
    administrationId: r.administration_id,
    applicantAgencyId: r.applicant_agency_id,
    status: r.status as ApplicationForAction['status'],
    validFrom: r.valid_from,
    validTo: r.valid_to,
    submittedAt: r.submitted_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    customsNote: r.customs_note,
    version: Number(r.version),
  };
}

function toCase(r: CaseRow, events: StoredIprEvent[]): IprCase {
  const content = JSON.parse(r.content) as CaseContent;
  return {
    ...content,
    id: r.id,
    administrationId: r.administration_id,
    declarationId: r.declaration_id,
    applicationId: r.application_id,
    holderAgencyId: r.holder_agency_id,
    declarantAgencyId: r.declarant_agency_id,
    procedure: r.procedure as IprCase['procedure'],
    perishable: Number(r.perishable) === 1,
    suspendedAt: r.suspended_at,
    suspendedBy: r.suspended_by,
    closed: Number(r.closed) === 1,
    events,
  };
}
