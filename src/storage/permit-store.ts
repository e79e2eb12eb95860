import { sql, type CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { Repositories } from '../core/ports.js';
import type { PermitOnFile } from '../core/permits/check.js';
import type { Permit } from '../core/permits/permit.js';
import type { DB } from './schema.js';

type Row = Selectable<DB['permits']>;

/** The Single Window's permits and their usage. */
export function permitStore(db: Kysely<DB>): Repositories['permits'] {
  // Screening asks for a holder's permits for every declaration: compile that query once.
  let ofHolderQuery: CompiledQuery | undefined;
  return {
    async insert(p) {
      await db.insertInto('permits').values(toRow(p)).execute();
    },
    async find(id) {
      const row = await db
        .selectFrom('permits')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toPermit(row);
    },
    async update(p, expected) {
      const { id: _id, ...rest } = toRow(p);
      const r = await db
        .updateTable('permits')
        .set(rest)
        .where('id', '=', p.id)
        .where('status', '=', expected.status)
        // A draw-down between our read and this write changed the balance: do not write it back.
        .where('remaining_milli', '=', expected.remainingMilli)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async list(f) {
      let q = db.selectFrom('permits').selectAll();
      if (f.holderId !== undefined) q = q.where('holder_id', '=', f.holderId);
      if (f.applicantAgencyId !== undefined)
        q = q.where('applicant_agency_id', '=', f.applicantAgencyId);
      if (f.issuerAgencyId !== undefined) q = q.where('issuer_agency_id', '=', f.issuerAgencyId);
      if (f.scope !== undefined) {
        const scope = f.scope;
        q = q.where((eb) =>
          eb.or(
            scope.map((alt) =>
              eb.and([
                ...(alt.applicantAgencyId !== undefined
                  ? [eb('applicant_agency_id', '=', alt.applicantAgencyId)]
                  : []),
                ...(alt.issuerAgencyId !== undefined
                  ? [eb('issuer_agency_id', '=', alt.issuerAgencyId)]
                  : []),
                ...(alt.issuerAdministrationId !== undefined
                  ? [
                      eb(
                        'issuer_agency_id',
                        'in',
                        eb
                          .selectFrom('agencies')
                          .select('agencies.id')
                          .where('agencies.administration_id', '=', alt.issuerAdministrationId),
                      ),
                    ]
                  : []),
              ]),
            ),
          ),
        );
      }
      if (f.statuses !== undefined && f.statuses.length > 0)
        q = q.where('status', 'in', [...f.statuses]);
      if (f.expedited !== undefined) q = q.where('expedited', '=', f.expedited ? 1 : 0);
      if (f.type !== undefined) q = q.where('type', '=', f.type);
      const rows = await q
        .orderBy('deadline')
        .orderBy('id')
        .limit(f.limit ?? 1000)
        .execute();
      return rows.map(toPermit);
    },
    async forScreening(holderId, numbers) {
      if (numbers.length === 0) {
        ofHolderQuery ??= db
          .selectFrom('permits')
          .selectAll()
          .where('holder_id', '=', '')
          .where('status', '!=', 'refused')
          .orderBy('id')
          .compile();
        const { rows } = await db.executeQuery<Row>({
          ...ofHolderQuery,
          parameters: [holderId, 'refused'],
        });
        return rows.map(onFile);
      }
      let q = db.selectFrom('permits').selectAll().where('status', '!=', 'refused');
      q =
        numbers.length === 0
          ? q.where('holder_id', '=', holderId)
          : q.where((eb) =>
              eb.or([eb('holder_id', '=', holderId), eb('number', 'in', [...numbers])]),
            );
      return (await q.orderBy('id').execute()).map(onFile);
    },
    async listIssued() {
      const rows = await db
        .selectFrom('permits')
        .selectAll()
        .where('status', '=', 'issued')
        .orderBy('id')
        .execute();
      return rows.map(onFile);
    },
    async countNumbered(issuerAgencyId, prefix) {
      const r = await db
        .selectFrom('permits')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('issuer_agency_id', '=', issuerAgencyId)
        .where('number', 'like', `${prefix}%`)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async draw(permitId, quantityMilli, shipment, date, at) {
      const left = sql<number>`remaining_milli - ${quantityMilli}`;
      const r = await db
        .updateTable('permits')
        .set({
          remaining_milli: left,
          shipments: shipment ? sql<number>`shipments + 1` : sql<number>`shipments`,
          status: sql<string>`case when ${left} = 0 then 'exhausted' else status end`,
          updated_at: at,
        })
        .where('id', '=', permitId)
        .where('status', '=', 'issued')
        .where('remaining_milli', '>=', quantityMilli)
        .where('valid_from', '<=', date)
        .where('valid_to', '>', date)
        .where((eb) =>
          shipment
            ? eb.or([
                eb('max_shipments', 'is', null),
                eb('shipments', '<', eb.ref('max_shipments')),
              ])
            : eb.val(true),
        )
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async addUsage(u) {
      await db
        .insertInto('permit_usage')
        .values({
          permit_id: u.permitId,
          declaration_id: u.declarationId,
          item_sequence: u.itemSequence,
          quantity_milli: u.quantityMilli,
          at: u.at,
        })
        .execute();
    },
    async usage(permitId) {
      const rows = await db
        .selectFrom('permit_usage')
        .selectAll()
        .where('permit_id', '=', permitId)
        .orderBy('at')
        .orderBy('declaration_id')
        .orderBy('item_sequence')
        .execute();
      return rows.map((r) => ({
        permitId: r.permit_id,
        declarationId: r.declaration_id,
        itemSequence: r.item_sequence,
        quantityMilli: Number(r.quantity_milli),
        at: r.at,
      }));
    },
  };
}

function toRow(p: Permit): Row {
  return {
    id: p.id,
    number: p.number,
    type: p.type,
    issuer_agency_id: p.issuerAgencyId,
    holder_id: p.holderId,
    holder_name: p.holderName,
    applicant_agency_id: p.applicantAgencyId,
    counterpart: JSON.stringify(p.counterpart),
    hs_scope: JSON.stringify(p.hsScope),
    species: JSON.stringify(p.species),
    unit: p.unit,
    authorised_milli: p.authorisedMilli,
    remaining_milli: p.remainingMilli,
    route: JSON.stringify(p.route),
    max_shipments: p.maxShipments,
    shipments: p.shipments,
    valid_from: p.validFrom,
    valid_to: p.validTo,
    status: p.status,
    expedited: p.expedited ? 1 : 0,
    deadline: p.deadline,
    details: JSON.stringify(p.details),
    attachments: JSON.stringify(p.attachments),
    note: p.note,
    submitted_at: p.submittedAt,
    decided_at: p.decidedAt,
    processing_seconds: p.processingSeconds,
    updated_at: p.updatedAt,
  };
}

function toPermit(r: Row): Permit {
  return {
    id: r.id,
    number: r.number,
    type: r.type as Permit['type'],
    issuerAgencyId: r.issuer_agency_id,
    holderId: r.holder_id,
    holderName: r.holder_name,
    applicantAgencyId: r.applicant_agency_id,
    counterpart: JSON.parse(r.counterpart) as Permit['counterpart'],
    hsScope: JSON.parse(r.hs_scope) as string[],
    species: JSON.parse(r.species) as string[],
    unit: r.unit as Permit['unit'],
    authorisedMilli: Number(r.authorised_milli),
    remainingMilli: Number(r.remaining_milli),
    route: JSON.parse(r.route) as Permit['route'],
    maxShipments: r.max_shipments,
    shipments: r.shipments,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status: r.status as Permit['status'],
    expedited: r.expedited === 1,
    deadline: r.deadline,
    details: JSON.parse(r.details) as Record<string, string>,
    attachments: JSON.parse(r.attachments) as Permit['attachments'],
    note: r.note,
    submittedAt: r.submitted_at,
    decidedAt: r.decided_at,
    processingSeconds: r.processing_seconds,
    updatedAt: r.updated_at,
  };
}

function onFile(r: Row): PermitOnFile {
  const p = toPermit(r);
  return {
    id: p.id,
    number: p.number,
    type: p.type,
    holderId: p.holderId,
    hsScope: p.hsScope,
    species: p.species,
    unit: p.unit,
    remainingMilli: p.remainingMilli,
    route: p.route,
    maxShipments: p.maxShipments,
    shipments: p.shipments,
    validFrom: p.validFrom,
    validTo: p.validTo,
    status: p.status,
  };
}
