import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { ControlStatus } from '../core/controls/inspection.js';
import type { DeclarationContent } from '../core/declaration/declaration.js';
import type { DeclaredImportFilter, Repositories } from '../core/ports.js';
import type { StoredMirrorRecord } from '../core/reconciliation/mirror-record.js';
import { nextDigitString } from './declaration-store.js';
import type { DB } from './schema.js';

type Row = Selectable<DB['mirror_records']>;
const BATCH = 500;

/** Aggregate trade records of both sides, for mirror reconciliation. */
export function mirrorStore(db: Kysely<DB>): Repositories['mirror'] {
  return {
    async upsertRecords(records) {
      for (let i = 0; i < records.length; i += BATCH) {
        await db
          .insertInto('mirror_records')
          .values(records.slice(i, i + BATCH).map(toRow))
          .onConflict((oc) =>
            oc
              .columns(['administration_id', 'side', 'partner', 'hs6', 'month'])
              .doUpdateSet((eb) => ({
                value: eb.ref('excluded.value'),
                quantity: eb.ref('excluded.quantity'),
                unit: eb.ref('excluded.unit'),
                received_at: eb.ref('excluded.received_at'),
                recorded_by: eb.ref('excluded.recorded_by'),
              })),
          )
          .execute();
      }
    },
    async upsertTariffs(rates) {
      for (let i = 0; i < rates.length; i += BATCH) {
        await db
          .insertInto('mirror_tariffs')
          .values(
            rates.slice(i, i + BATCH).map((r) => ({
              administration_id: r.administrationId,
              hs_code: r.hsCode,
              rate: r.rate,
              recorded_at: r.recordedAt,
              recorded_by: r.recordedBy,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['administration_id', 'hs_code']).doUpdateSet((eb) => ({
              rate: eb.ref('excluded.rate'),
              recorded_at: eb.ref('excluded.recorded_at'),
              recorded_by: eb.ref('excluded.recorded_by'),
            })),
          )
          .execute();
      }
    },
    async listTariffs(administrationId) {
      const rows = await db
        .selectFrom('mirror_tariffs')
        .selectAll()
        .where('administration_id', '=', administrationId)
        .orderBy('hs_code')
        .execute();
      return rows.map((r) => ({
        administrationId: r.administration_id,
        hsCode: r.hs_code,
        rate: Number(r.rate),
        recordedAt: r.recorded_at,
        recordedBy: r.recorded_by,
      }));
    },
    async listRecords(f) {
      let q = db
        .selectFrom('mirror_records')
        .selectAll()
        .where('month', '>=', f.fromMonth)
        .where('month', '<=', f.toMonth);
      if (f.administrationId !== undefined)
        q = q.where('administration_id', '=', f.administrationId);
      if (f.partner !== undefined) q = q.where('partner', '=', f.partner);
      if (f.hs6 !== undefined) q = q.where('hs6', '=', f.hs6);
      const rows = await q
        .orderBy('partner')
        .orderBy('hs6')
        .orderBy('month')
        .orderBy('side')
        .limit(f.limit)
        .execute();
      return rows.map(fromRow);
    },
    async replaceOwnImports(administrationId, fromMonth, toMonth, records) {
      const r = await db
        .deleteFrom('mirror_records')
        .where('administration_id', '=', administrationId)
        .where('side', '=', 'own-import')
        .where('month', '>=', fromMonth)
        .where('month', '<=', toMonth)
        .executeTakeFirst();
      for (let i = 0; i < records.length; i += BATCH)
        await db
          .insertInto('mirror_records')
          .values(records.slice(i, i + BATCH).map(toRow))
          .execute();
      return Number(r.numDeletedRows);
    },
    async declaredImports(f) {
      const rows = await declaredItems(db, f)
        .select([
          PARTNER.as('partner'),
          HS6.as('hs6'),
          MONTH.as('month'),
          'g.currency',
          sql<number | string>`count(*)`.as('items'),
          sql<number | string | null>`sum(g.value)`.as('value'),
          sql<number | string>`count(g.value)`.as('with_value'),
          sql<number | string | null>`sum(g.net_mass)`.as('net_mass'),
          sql<number | string>`count(g.net_mass)`.as('with_mass'),
        ])
        .groupBy([PARTNER, HS6, MONTH, 'g.currency'])
        .orderBy('partner')
        .orderBy('hs6')
        .orderBy('month')
        .orderBy('g.currency')
        .execute();
      return rows.map((r) => ({
        partner: r.partner,
        hs6: r.hs6,
        month: r.month,
        currency: r.currency,
        items: Number(r.items),
        value: Number(r.value ?? 0),
        itemsWithValue: Number(r.with_value),
        netMass: Number(r.net_mass ?? 0),
        itemsWithMass: Number(r.with_mass),
      }));
    },
    async declaredImportItems(f) {
      let q = declaredItems(db, f).select([
        'd.id',
        'd.reference',
        'd.submitted_at',
        'd.status',
        'd.declarant_id',
        'd.dispatch_country',
        'd.content',
        'g.sequence',
        'g.hs_code',
        'g.origin_country',
        'g.value',
        'g.currency',
        'g.net_mass',
        PARTNER.as('partner'),
      ]);
      if (f.after !== undefined) {
        const { submittedAt, declarationId, sequence } = f.after;
        q = q.where((eb) =>
          eb.or([
            eb('d.submitted_at', '>', submittedAt),
            eb.and([eb('d.submitted_at', '=', submittedAt), eb('d.id', '>', declarationId)]),
            eb.and([
              eb('d.submitted_at', '=', submittedAt),
              eb('d.id', '=', declarationId),
              eb('g.sequence', '>', sequence),
            ]),
          ]),
        );
      }
      const rows = await q
        .orderBy('d.submitted_at')
        .orderBy('d.id')
        .orderBy('g.sequence')
        .limit(f.limit)
        .execute();
      return rows.map((r) => ({
        declarationId: r.id,
        reference: r.reference,
        submittedAt: r.submitted_at,
        status: r.status as ControlStatus,
        declarant: { id: r.declarant_id, name: declarantName(r.content) },
        sequence: r.sequence,
        hsCode: r.hs_code!,
        partner: r.partner,
        dispatchCountry: r.dispatch_country,
        originCountry: r.origin_country,
        value: r.value === null ? null : Number(r.value),
        currency: r.currency,
        netMass: r.net_mass === null ? null : Number(r.net_mass),
      }));
    },
  };
}

/** Our partner in a goods item's trade: the country it was dispatched from, else its origin. */
const PARTNER = sql<string>`coalesce(d.dispatch_country, g.origin_country)`;
const HS6 = sql<string>`substr(g.hs_code, 1, 6)`;
const MONTH = sql<string>`substr(d.submitted_at, 1, 7)`;

/** The first day of the month after `month` (YYYY-MM), as a date string. */
function monthAfter(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** The goods items of the filter's import declarations, joined to their declaration. */
function declaredItems(db: Kysely<DB>, f: DeclaredImportFilter) {
  let q = db
    .selectFrom('goods_items as g')
    .innerJoin('declarations as d', 'd.id', 'g.declaration_id')
    .where('d.kind', '=', 'import')
    .where('d.status', 'in', [...f.statuses])
    .where('d.agency_id', 'in', (eb) =>
      eb.selectFrom('agencies').select('id').where('administration_id', '=', f.administrationId),
    )
    // Declared dates are UTC instants in ISO 8601: months compare as text.
    .where('d.submitted_at', '>=', `${f.fromMonth}-01`)
    .where('d.submitted_at', '<', monthAfter(f.toMonth))
    // Six digits or more: a range on the indexed column, as the HS search does.
    .where('g.hs_code', '>=', f.hs6 ?? '000000')
    .where(sql<SqlBool>`length(g.hs_code) >= 6`)
    .where(sql<SqlBool>`${PARTNER} is not null`);
  if (f.hs6 !== undefined) {
    const high = nextDigitString(f.hs6);
    if (high !== undefined) q = q.where('g.hs_code', '<', high);
  }
  if (f.partner !== undefined) q = q.where(PARTNER as Expression<string>, '=', f.partner);
  return q;
}

function declarantName(content: string): string | null {
  try {
    return (JSON.parse(content) as Pick<DeclarationContent, 'declarant'>).declarant.name ?? null;
  } catch {
    return null;
  }
}

function toRow(r: StoredMirrorRecord): Row {
  return {
    administration_id: r.administrationId,
    side: r.side,
    partner: r.partner,
    hs6: r.hs6,
    month: r.month,
    value: r.value,
    quantity: r.quantity ?? null,
    unit: r.unit ?? null,
    received_at: r.receivedAt,
    recorded_by: r.recordedBy,
  };
}

function fromRow(row: Row): StoredMirrorRecord {
  return {
    side: row.side as StoredMirrorRecord['side'],
    partner: row.partner,
    hs6: row.hs6,
    month: row.month,
    value: Number(row.value),
    ...(row.quantity !== null ? { quantity: Number(row.quantity) } : {}),
    ...(row.unit !== null ? { unit: row.unit } : {}),
    administrationId: row.administration_id,
    receivedAt: row.received_at,
    recordedBy: row.recorded_by,
  };
}
