import type { Kysely, Selectable } from 'kysely';
import type { Repositories } from '../core/ports.js';
import type { StoredMirrorRecord } from '../core/reconciliation/mirror-record.js';
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
  };
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
