import { screenedStatus, type ControlStatus } from '../core/controls/inspection.js';
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  Channel,
  DeclarationContent,
  DeclarationKind,
  SourceFormat,
} from '../core/declaration/declaration.js';
import {
  declarationContent,
  type DeclarationEvent,
  type DeclarationRecord,
  type DeclarationVersion,
  type Repositories,
} from '../core/ports.js';
import type { Assessment } from '../core/risk/assess.js';
import type { DB } from './schema.js';

/**
 * Declarations: the full normalised content as JSON, plus the columns that lists filter on and one
 * row per goods item for HS-code search.
 */
export function declarationStore(db: Kysely<DB>): Repositories['declarations'] {
  return {
    async insert(d) {
      await db
        .insertInto('declarations')
        .values({
          id: d.id,
          agency_id: d.agencyId,
          submitter_agency_id: d.submitterAgencyId,
          submitted_by: d.submittedBy,
          kind: d.kind,
          received_at: d.receivedAt,
          source_format: d.sourceFormat,
          ...contentColumns(d),
        })
        .execute();
      await insertChildren(db, d);
      await insertVersion(db, d, 1, 'lodged', { at: d.receivedAt, by: d.submittedBy, details: {} });
    },

    async findByReference(agencyId, submitterAgencyId, family, reference) {
      const r = await db
        .selectFrom('declarations')
        .select(['id', 'kind', 'received_at'])
        .where('agency_id', '=', agencyId)
        .where('submitter_agency_id', '=', submitterAgencyId)
        .where('lrn_key', '=', `${family}:${reference}`)
        .executeTakeFirst();
      return r && { id: r.id, kind: r.kind, receivedAt: r.received_at };
    },

    async findById(id) {
      const row = await db
        .selectFrom('declarations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async list(f) {
      let q = db.selectFrom('declarations').selectAll();
      if (f.agencyId !== undefined) q = q.where('agency_id', '=', f.agencyId);
      if (f.submitterAgencyId !== undefined)
        q = q.where('submitter_agency_id', '=', f.submitterAgencyId);
      if (f.scope !== undefined) {
        const scope = f.scope;
        q = q.where((eb) =>
          eb.or(
            scope.map((alt) =>
              eb.and([
                ...(alt.agencyId !== undefined ? [eb('agency_id', '=', alt.agencyId)] : []),
                ...(alt.submitterAgencyId !== undefined
                  ? [eb('submitter_agency_id', '=', alt.submitterAgencyId)]
                  : []),
              ]),
            ),
          ),
        );
      }
      if (f.from !== undefined) q = q.where('submitted_at', '>=', f.from);
      if (f.to !== undefined) q = q.where('submitted_at', '<', f.to);
      if (f.office !== undefined) q = q.where('office', '=', f.office);
      if (f.kind !== undefined) q = q.where('kind', '=', f.kind);
      if (f.reference !== undefined) q = q.where('reference', '=', f.reference);
      if (f.status !== undefined) q = q.where('status', '=', f.status);
      if (f.mrn !== undefined) {
        const mrn = f.mrn;
        // GreenLane issues no MRN of its own: a declaration's id is its movement reference, and a
        // cargo report keeps the MRN it was given.
        q = q.where((eb) =>
          eb.or([
            eb('id', '=', mrn),
            eb(
              'id',
              'in',
              eb.selectFrom('cargo_reports').select('declaration_id').where('mrn', '=', mrn),
            ),
          ]),
        );
      }
      if (f.container !== undefined) {
        const container = f.container;
        q = q.where((eb) =>
          eb(
            'id',
            'in',
            eb
              .selectFrom('declaration_containers')
              .select('declaration_id')
              .where('container', '=', container),
          ),
        );
      }
      if (f.channel === 'unscreened') q = q.where('channel', 'is', null);
      else if (f.channel !== undefined) q = q.where('channel', '=', f.channel);
      if (f.trader !== undefined) {
        const t = f.trader;
        q = q.where((eb) =>
          eb.or([
            eb('declarant_id', '=', t),
            eb('consignor_id', '=', t),
            eb('consignee_id', '=', t),
          ]),
        );
      }
      if (f.hsPrefix !== undefined) {
        // A range on the indexed column rather than LIKE: both backends use the index for it.
        const low = f.hsPrefix;
        const high = nextDigitString(low);
        q = q.where((eb) => {
          let items = eb
            .selectFrom('goods_items as g')
            .select('g.sequence')
            .whereRef('g.declaration_id', '=', 'declarations.id')
            .where('g.hs_code', '>=', low);
          if (high !== undefined) items = items.where('g.hs_code', '<', high);
          return eb.exists(items);
        });
      }
      if (f.after !== undefined) {
        const { submittedAt, id } = f.after;
        q = q.where((eb) =>
          eb.or([
            eb('submitted_at', '<', submittedAt),
            eb.and([eb('submitted_at', '=', submittedAt), eb('id', '<', id)]),
          ]),
        );
      }
      const rows = await q
        .orderBy('submitted_at', 'desc')
        .orderBy('id', 'desc')
        .limit(f.limit)
        .execute();
      return rows.map(toRecord);
    },

    async count() {
      const r = await db
        .selectFrom('declarations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async amend(d, from) {
      const { id } = d;
      const r = await db
        .updateTable('declarations')
        .set(contentColumns(d))
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await db.deleteFrom('declaration_hits').where('declaration_id', '=', id).execute();
      await deleteChildren(db, id);
      await insertChildren(db, d);
      return true;
    },
    async listByReference(submitterAgencyId, reference) {
      const rows = await db
        .selectFrom('declarations')
        .selectAll()
        .where('submitter_agency_id', '=', submitterAgencyId)
        .where('reference', '=', reference)
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toRecord);
    },
    async amendVersion(d, expected, from, entry) {
      const { id } = d;
      // The version guard: of two amendments read from the same version, one updates no row.
      const r = await db
        .updateTable('declarations')
        .set({ ...contentColumns(d), version: expected + 1 })
        .where('id', '=', id)
        .where('version', '=', expected)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await db.deleteFrom('declaration_hits').where('declaration_id', '=', id).execute();
      await deleteChildren(db, id);
      await insertChildren(db, d);
      await insertVersion(db, d, expected + 1, 'amended', entry);
      return true;
    },
    async cancel(id, expected, from, entry) {
      const r = await db
        .updateTable('declarations')
        .set({ status: 'cancelled', version: expected + 1 })
        .where('id', '=', id)
        .where('version', '=', expected)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      const row = await db
        .selectFrom('declarations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await insertVersion(db, toRecord(row), expected + 1, 'cancelled', entry);
      return true;
    },
    async versions(id) {
      const rows = await db
        .selectFrom('declaration_versions')
        .selectAll()
        .where('declaration_id', '=', id)
        .orderBy('version')
        .execute();
      return rows.map((v): DeclarationVersion => ({
        declarationId: v.declaration_id,
        version: v.version,
        event: v.event as DeclarationEvent,
        content: JSON.parse(v.content) as DeclarationContent,
        channel: v.channel as Channel | null,
        at: v.made_at,
        by: v.made_by,
        details: JSON.parse(v.details) as Record<string, unknown>,
      }));
    },
    async markReleased(id, at) {
      const r = await db
        .updateTable('declarations')
        .set({ status: 'released', released_at: at })
        .where('id', '=', id)
        .where('status', 'in', ['lodged', 'awaiting-control', 'under-control', 'held'])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async status(id) {
      const r = await db
        .selectFrom('declarations')
        .select(['status', 'released_at', 'assigned_to', 'version'])
        .where('id', '=', id)
        .executeTakeFirst();
      return (
        r && {
          status: r.status as ControlStatus,
          releasedAt: r.released_at,
          assignedTo: r.assigned_to,
          version: r.version,
        }
      );
    },
    async setStatus(id, from, to) {
      const r = await db
        .updateTable('declarations')
        .set({ status: to })
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async assign(id, userId) {
      await db
        .updateTable('declarations')
        .set({ assigned_to: userId })
        .where('id', '=', id)
        .execute();
    },
    async worklist(f) {
      let q = db
        .selectFrom('declarations as d')
        .select([
          'd.id',
          'd.kind',
          'd.reference',
          'd.office',
          'd.channel',
          'd.score',
          'd.submitted_at',
          'd.status',
          'd.assigned_to',
          'd.declarant_id',
          'd.consignee_id',
          'd.item_count',
        ])
        .where('d.agency_id', '=', f.agencyId)
        .where('d.status', 'in', [...f.statuses]);
      if (f.office !== undefined) q = q.where('d.office', '=', f.office);
      if (f.assignedTo !== undefined) q = q.where('d.assigned_to', '=', f.assignedTo);
      if (f.submittedBefore !== undefined) q = q.where('d.submitted_at', '<=', f.submittedBefore);
      if (f.trader !== undefined) {
        const t = f.trader;
        q = q.where((eb) =>
          eb.or([
            eb('d.declarant_id', '=', t),
            eb('d.consignee_id', '=', t),
            eb('d.consignor_id', '=', t),
          ]),
        );
      }
      if (f.indicatorId !== undefined || f.priorityArea !== undefined) {
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('declaration_hits as h')
              .select('h.declaration_id')
              .whereRef('h.declaration_id', '=', 'd.id')
              .$if(f.indicatorId !== undefined, (w) =>
                w.where('h.indicator_id', '=', f.indicatorId!),
              )
              .$if(f.priorityArea !== undefined, (w) =>
                w.where('h.priority_area', '=', f.priorityArea!),
              ),
          ),
        );
      }
      // Red before yellow, then the highest score, then the oldest.
      const rows = await q
        .orderBy(sql`case when d.channel = 'red' then 0 else 1 end`)
        .orderBy('d.score', 'desc')
        .orderBy('d.submitted_at')
        .orderBy('d.id')
        .limit(f.limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind as DeclarationKind,
        reference: r.reference,
        office: r.office,
        channel: r.channel as Channel | null,
        score: r.score,
        submittedAt: r.submitted_at,
        status: r.status as ControlStatus,
        assignedTo: r.assigned_to,
        declarantId: r.declarant_id,
        consigneeId: r.consignee_id,
        itemCount: r.item_count,
      }));
    },
    async hitVersions(id) {
      const rows = await db
        .selectFrom('declaration_hits')
        .select(['indicator_id', 'version', 'priority_area'])
        .where('declaration_id', '=', id)
        .orderBy('indicator_id')
        .orderBy('version')
        .execute();
      return rows.map((r) => ({
        id: r.indicator_id,
        version: r.version,
        priorityArea: r.priority_area,
      }));
    },
  };
}

/** Goods declarations and cargo reports number their references separately. */
export function referenceFamily(kind: string): 'customs' | 'cargo' {
  return kind === 'cargo-report' ? 'cargo' : 'customs';
}

/** The smallest digit string of the same length above `digits` ('8549' → '8550'); none for '99'. */
export function nextDigitString(digits: string): string | undefined {
  const n = BigInt(digits) + 1n;
  const s = n.toString().padStart(digits.length, '0');
  return s.length > digits.length ? undefined : s;
}

function toRecord(row: Selectable<DB['declarations']>): DeclarationRecord {
  const content = JSON.parse(row.content) as DeclarationContent;
  return {
    ...content,
    id: row.id,
    receivedAt: row.received_at,
    agencyId: row.agency_id,
    submitterAgencyId: row.submitter_agency_id,
    submittedBy: row.submitted_by,
    sourceFormat: row.source_format as SourceFormat,
    channel: row.channel as Channel | null,
    assessment: row.assessment === null ? null : (JSON.parse(row.assessment) as Assessment),
    version: row.version,
    status: row.status as ControlStatus,
  };
}

/** One row of a declaration's version history, with the content as it now stands. */
async function insertVersion(
  db: Kysely<DB>,
  d: DeclarationRecord,
  version: number,
  event: DeclarationEvent,
  entry: Pick<DeclarationVersion, 'at' | 'by' | 'details'>,
): Promise<void> {
  await db
    .insertInto('declaration_versions')
    .values({
      declaration_id: d.id,
      version,
      event,
      content: JSON.stringify(declarationContent(d)),
      channel: d.channel,
      made_at: entry.at,
      made_by: entry.by,
      details: JSON.stringify(entry.details),
    })
    .execute();
}

/** The rows insertChildren writes. */
async function deleteChildren(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('goods_items').where('declaration_id', '=', id).execute();
  await db.deleteFrom('declaration_containers').where('declaration_id', '=', id).execute();
}

/** A declaration's goods-item rows, its containers and its distinct indicator hits. */
async function insertChildren(db: Kysely<DB>, d: DeclarationRecord): Promise<void> {
  const { id, assessment } = d;
  if (assessment && assessment.hits.length > 0) {
    const seen = new Map<string, { id: string; version: number; area: string }>();
    for (const h of assessment.hits) {
      const key = `${h.indicatorId}@${h.indicatorVersion}`;
      if (!seen.has(key))
        seen.set(key, { id: h.indicatorId, version: h.indicatorVersion, area: h.priorityArea });
    }
    await db
      .insertInto('declaration_hits')
      .values(
        [...seen.values()].map((h) => ({
          declaration_id: id,
          indicator_id: h.id,
          version: h.version,
          priority_area: h.area,
        })),
      )
      .execute();
  }
  await db
    .insertInto('goods_items')
    .values(
      d.goodsItems.map((item) => ({
        declaration_id: id,
        sequence: item.sequence,
        hs_code: item.hsCode ?? null,
        origin_country: item.originCountry ?? null,
        value: item.value ?? null,
        currency: item.currency ?? null,
        net_mass: item.netMass ?? null,
      })),
    )
    .execute();
  const containers = [...new Set(d.route.containers ?? [])];
  // Up to 9,999 containers: in chunks, within every backend's limit of bound parameters.
  for (let i = 0; i < containers.length; i += 500) {
    await db
      .insertInto('declaration_containers')
      .values(containers.slice(i, i + 500).map((container) => ({ declaration_id: id, container })))
      .execute();
  }
}

/**
 * The columns a declaration's content decides (all but who lodged it, where and when): the same
 * for a new declaration and an amended one.
 */
function contentColumns(d: DeclarationRecord) {
  const { assessment, channel } = d;
  return {
    reference: d.reference,
    lrn_key: `${referenceFamily(d.kind)}:${d.reference}`,
    amends: d.amends ?? null,
    submitted_at: d.submittedAt,
    office: d.office ?? null,
    declarant_id: d.declarant.id ?? null,
    consignor_id: d.consignor?.id ?? null,
    consignee_id: d.consignee?.id ?? null,
    dispatch_country: d.route.dispatchCountry ?? null,
    destination_country: d.route.destinationCountry ?? null,
    transport_mode: d.route.transportMode ?? null,
    item_count: d.goodsItems.length,
    channel,
    content: JSON.stringify(declarationContent(d)),
    score: assessment?.score ?? null,
    assessment: assessment === null ? null : JSON.stringify(assessment),
    // Yellow and red go to the worklist; green may be released at once.
    status: screenedStatus(channel),
    random_selected: assessment?.random.selected ? 1 : 0,
  };
}
