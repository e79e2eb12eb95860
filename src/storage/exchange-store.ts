import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  Agreement,
  Partner,
  PartnerKey,
  StoredContact,
  StoredMessage,
} from '../core/exchange/agreements.js';
import type { Handling, MessageType } from '../core/exchange/messages.js';
import type { Repositories } from '../core/ports.js';
import type { DB } from './schema.js';

type MessageRow = Selectable<DB['exchange_messages']>;

function message(r: MessageRow): StoredMessage {
  return {
    seq: Number(r.seq),
    direction: r.direction as 'out' | 'in',
    id: r.id,
    from: r.from_node,
    to: r.to_node,
    type: r.type as MessageType,
    conversation: r.conversation,
    refTo: r.ref_to,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    legalBasis: r.legal_basis,
    handling: r.handling as Handling,
    body: JSON.parse(r.body) as Record<string, unknown>,
    jws: r.jws,
    digest: r.digest,
    agencyId: r.agency_id,
    createdBy: r.created_by,
    delivery: r.delivery as StoredMessage['delivery'],
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    binding: r.binding as StoredMessage['binding'],
    deliveredAt: r.delivered_at,
    receipt: r.receipt,
    receiptReason: r.receipt_reason,
    caseStatus: r.case_status,
    deadline: r.deadline,
    answeredAt: r.answered_at,
    adoptedAt: r.adopted_at,
  };
}

function partner(r: Selectable<DB['exchange_partners']>): Partner {
  return {
    id: r.id,
    name: r.name,
    country: r.country,
    httpEndpoint: r.http_endpoint,
    nats: Number(r.nats) === 1,
    status: r.status as Partner['status'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function key(r: Selectable<DB['exchange_keys']>): PartnerKey {
  return {
    partnerId: r.partner_id,
    kid: r.kid,
    jwk: JSON.parse(r.jwk) as PartnerKey['jwk'],
    validFrom: r.valid_from,
    validTo: r.valid_to,
    trustedBy: r.trusted_by,
    addedAt: r.added_at,
    revokedAt: r.revoked_at,
  };
}

function contact(r: Selectable<DB['liaison_contacts']>): StoredContact {
  return {
    nodeId: r.node_id,
    id: r.id,
    agency: r.agency,
    name: r.name,
    function: r.function,
    languages: JSON.parse(r.languages) as string[],
    priorityAreas: JSON.parse(r.priority_areas) as StoredContact['priorityAreas'],
    channels: JSON.parse(r.channels) as StoredContact['channels'],
    ...(r.availability === null ? {} : { availability: r.availability }),
    ...(r.deputy_id === null ? {} : { deputyId: r.deputy_id }),
    updatedAt: r.updated_at,
  };
}

function contactRow(c: StoredContact): DB['liaison_contacts'] {
  return {
    node_id: c.nodeId,
    id: c.id,
    agency: c.agency,
    name: c.name,
    function: c.function,
    languages: JSON.stringify(c.languages),
    priority_areas: JSON.stringify(c.priorityAreas),
    channels: JSON.stringify(c.channels),
    availability: c.availability ?? null,
    deputy_id: c.deputyId ?? null,
    updated_at: c.updatedAt,
  };
}

/** This node's id (the singleton `exchange_node`), as a subquery: the sender of what it sends. */
function ownNode(db: Kysely<DB>) {
  return db.selectFrom('exchange_node').select('node_id');
}

export function exchangeStore(db: Kysely<DB>): Repositories['exchange'] {
  return {
    async node() {
      const r = await db.selectFrom('exchange_node').selectAll().executeTakeFirst();
      return r && { nodeId: r.node_id, name: r.name, httpEndpoint: r.http_endpoint };
    },
    async initNode(n) {
      const r = await db
        .insertInto('exchange_node')
        .values({
          singleton: 1,
          node_id: n.nodeId,
          name: n.name,
          http_endpoint: n.httpEndpoint,
          created_at: n.at,
        })
        .onConflict((oc) => oc.column('singleton').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async upsertPartner(p) {
      await db
        .insertInto('exchange_partners')
        .values({
          id: p.id,
          name: p.name,
          country: p.country,
          http_endpoint: p.httpEndpoint,
          nats: p.nats ? 1 : 0,
          status: p.status,
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            name: p.name,
            country: p.country,
            http_endpoint: p.httpEndpoint,
            nats: p.nats ? 1 : 0,
            status: p.status,
            updated_at: p.updatedAt,
          }),
        )
        .execute();
    },
    async findPartner(id) {
      const r = await db
        .selectFrom('exchange_partners')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r && partner(r);
    },
    async listPartners() {
      const rows = await db.selectFrom('exchange_partners').selectAll().orderBy('id').execute();
      return rows.map(partner);
    },
    async putKey(k) {
      await db
        .insertInto('exchange_keys')
        .values({
          partner_id: k.partnerId,
          kid: k.kid,
          jwk: JSON.stringify(k.jwk),
          valid_from: k.validFrom,
          valid_to: k.validTo,
          trusted_by: k.trustedBy,
          added_at: k.addedAt,
        })
        .onConflict((oc) =>
          oc.columns(['partner_id', 'kid']).doUpdateSet({
            valid_from: k.validFrom,
            valid_to: k.validTo,
          }),
        )
        .execute();
    },
    async findKey(partnerId, kid) {
      const r = await db
        .selectFrom('exchange_keys')
        .selectAll()
        .where('partner_id', '=', partnerId)
        .where('kid', '=', kid)
        .executeTakeFirst();
      return r && key(r);
    },
    async keysOf(partnerId) {
      const rows = await db
        .selectFrom('exchange_keys')
        .selectAll()
        .where('partner_id', '=', partnerId)
        .orderBy('valid_from')
        .execute();
      return rows.map(key);
    },
    async revokeKey(partnerId, kid, at, by) {
      const r = await db
        .updateTable('exchange_keys')
        .set({ revoked_at: at, revoked_by: by })
        .where('partner_id', '=', partnerId)
        .where('kid', '=', kid)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async setPartnerStatus(id, status, at) {
      const r = await db
        .updateTable('exchange_partners')
        .set({ status, updated_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async insertAgreement(a) {
      await db
        .insertInto('exchange_agreements')
        .values({
          id: a.id,
          partner_id: a.partnerId,
          title: a.title,
          legal_basis: a.legalBasis,
          message_types: JSON.stringify(a.messageTypes),
          nominal: a.nominal ? 1 : 0,
          valid_from: a.validFrom,
          valid_to: a.validTo,
          created_at: a.createdAt,
          created_by: a.createdBy,
        })
        .execute();
    },
    async agreements(partnerId) {
      let q = db.selectFrom('exchange_agreements').selectAll();
      if (partnerId !== undefined) q = q.where('partner_id', '=', partnerId);
      const rows = await q.orderBy('created_at').orderBy('id').execute();
      return rows.map((r): Agreement => ({
        id: r.id,
        partnerId: r.partner_id,
        title: r.title,
        legalBasis: r.legal_basis,
        messageTypes: JSON.parse(r.message_types) as MessageType[],
        nominal: Number(r.nominal) === 1,
        validFrom: r.valid_from,
        validTo: r.valid_to,
        createdAt: r.created_at,
        createdBy: r.created_by,
      }));
    },
    async replaceContacts(nodeId, contacts) {
      await db.deleteFrom('liaison_contacts').where('node_id', '=', nodeId).execute();
      if (contacts.length > 0)
        await db.insertInto('liaison_contacts').values(contacts.map(contactRow)).execute();
    },
    async putContact(c) {
      const row = contactRow(c);
      const { node_id: _n, id: _i, ...rest } = row;
      await db
        .insertInto('liaison_contacts')
        .values(row)
        .onConflict((oc) => oc.columns(['node_id', 'id']).doUpdateSet(rest))
        .execute();
    },
    async deleteContact(nodeId, id) {
      const r = await db
        .deleteFrom('liaison_contacts')
        .where('node_id', '=', nodeId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async contacts(filter) {
      let q = db.selectFrom('liaison_contacts').selectAll();
      if (filter.nodeId !== undefined) q = q.where('node_id', '=', filter.nodeId);
      if (filter.country !== undefined) q = q.where('node_id', 'like', `${filter.country}/%`);
      if (filter.area !== undefined)
        q = q.where('priority_areas', 'like', `%${JSON.stringify(filter.area)}%`);
      const rows = await q.orderBy('node_id').orderBy('name').execute();
      return rows.map(contact);
    },
    async insertMessage(m) {
      const r = await db
        .insertInto('exchange_messages')
        .values({
          direction: m.direction,
          id: m.id,
          from_node: m.from,
          to_node: m.to,
          type: m.type,
          conversation: m.conversation,
          ref_to: m.refTo,
          created_at: m.createdAt,
          expires_at: m.expiresAt,
          legal_basis: m.legalBasis,
          handling: m.handling,
          body: JSON.stringify(m.body),
          jws: m.jws,
          digest: m.digest,
          agency_id: m.agencyId,
          created_by: m.createdBy,
          delivery: m.delivery,
          attempts: m.attempts,
          next_attempt_at: m.nextAttemptAt,
          last_error: m.lastError,
          binding: m.binding,
          delivered_at: m.deliveredAt,
          receipt: m.receipt,
          receipt_reason: m.receiptReason,
          case_status: m.caseStatus,
          deadline: m.deadline,
          answered_at: m.answeredAt,
          adopted_at: m.adoptedAt,
        })
        .onConflict((oc) => oc.columns(['direction', 'from_node', 'id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async findMessage(direction, from, id) {
      const r = await db
        .selectFrom('exchange_messages')
        .selectAll()
        .where('direction', '=', direction)
        .where('from_node', '=', from)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && message(r);
    },
    async messageById(id) {
      // Outgoing to a partner first, through the unique index (such messages are from this node);
      // the lookup by id alone has no index and reads the whole table, so it runs only when that
      // misses (a message received, or one between agencies of this node).
      const out = await db
        .selectFrom('exchange_messages')
        .selectAll()
        .where('direction', '=', 'out')
        .where('from_node', '=', ownNode(db))
        .where('id', '=', id)
        .executeTakeFirst();
      if (out) return message(out);
      const r = await db
        .selectFrom('exchange_messages')
        .selectAll()
        .where('id', '=', id)
        .orderBy('direction', 'desc')
        .executeTakeFirst();
      return r && message(r);
    },
    async listMessages(f) {
      let q = db.selectFrom('exchange_messages').selectAll();
      if (f.direction) q = q.where('direction', '=', f.direction);
      if (f.id) q = q.where('id', '=', f.id);
      if (f.agencyId) q = q.where('agency_id', '=', f.agencyId);
      if (f.type) q = q.where('type', '=', f.type);
      if (f.excludeTypes && f.excludeTypes.length > 0)
        q = q.where('type', 'not in', [...f.excludeTypes]);
      if (f.conversation) q = q.where('conversation', '=', f.conversation);
      if (f.partner) {
        const p = f.partner;
        q = q.where((eb) =>
          eb.or([
            eb.and([eb('direction', '=', 'out'), eb('to_node', '=', p)]),
            eb.and([eb('direction', '=', 'in'), eb('from_node', '=', p)]),
          ]),
        );
      }
      if (f.overdueAt) {
        q = q
          .where('type', '=', 'assistance.request')
          .where('deadline', '<', f.overdueAt)
          .where('case_status', 'not in', ['answered', 'refused']);
      }
      if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
      const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
      return rows.map(message);
    },
    async dueForDelivery(partnerId, at, limit) {
      // The head of each conversation's queue: nothing queued before it in the same conversation
      // (nor a directory update).
      const rows = await db
        .selectFrom('exchange_messages as m')
        .selectAll('m')
        .where('m.direction', '=', 'out')
        .where('m.delivery', '=', 'queued')
        .where('m.to_node', '=', partnerId)
        .where((eb) =>
          eb.or([eb('m.next_attempt_at', 'is', null), eb('m.next_attempt_at', '<=', at)]),
        )
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('exchange_messages as e')
                .select(sql`1`.as('one'))
                .where('e.direction', '=', 'out')
                .where('e.delivery', '=', 'queued')
                .where('e.to_node', '=', partnerId)
                .whereRef('e.seq', '<', 'm.seq')
                .where((w) =>
                  w.or([
                    w('e.conversation', '=', w.ref('m.conversation')),
                    // A directory update goes before everything queued after it: it may announce
                    // the key those later messages are signed with.
                    w('e.type', '=', 'directory.update'),
                  ]),
                ),
            ),
          ),
        )
        .orderBy('m.seq')
        .limit(limit)
        .execute();
      return rows.map(message);
    },
    async partnersWithQueue() {
      const rows = await db
        .selectFrom('exchange_messages')
        .select('to_node')
        .distinct()
        .where('direction', '=', 'out')
        .where('delivery', '=', 'queued')
        .execute();
      return rows.map((r) => r.to_node);
    },
    async updateDelivery(id, d) {
      const update = () =>
        db
          .updateTable('exchange_messages')
          .set({
            delivery: d.delivery,
            attempts: d.attempts,
            next_attempt_at: d.nextAttemptAt,
            last_error: d.lastError,
            binding: d.binding,
            delivered_at: d.deliveredAt,
            receipt: d.receipt,
            receipt_reason: d.receiptReason,
          })
          .where('direction', '=', 'out')
          .where('id', '=', id)
          .where('delivery', '=', 'queued');
      // Through the unique index (messages queued for a partner are from this node): otherwise the
      // update reads every queued message to find this one. When that changes nothing, as before.
      const r = await update().where('from_node', '=', ownNode(db)).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return true;
      const again = await update().executeTakeFirst();
      return Number(again.numUpdatedRows) === 1;
    },
    async setCase(direction, from, id, c) {
      let q = db
        .updateTable('exchange_messages')
        .set({ case_status: c.caseStatus })
        .where('direction', '=', direction)
        .where('from_node', '=', from)
        .where('id', '=', id);
      if (c.answeredAt !== undefined) q = q.set({ answered_at: c.answeredAt });
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async markAdopted(from, id, at) {
      const r = await db
        .updateTable('exchange_messages')
        .set({ adopted_at: at })
        .where('direction', '=', 'in')
        .where('from_node', '=', from)
        .where('id', '=', id)
        .where('adopted_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async activity(from, to) {
      const rows = await db
        .selectFrom('exchange_messages')
        .select([
          'direction',
          'from_node',
          'to_node',
          'type',
          'created_at',
          'case_status',
          'deadline',
          'answered_at',
          'agency_id',
          'body',
        ])
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .where('delivery', 'in', ['delivered', 'received'])
        // Between agencies of this node: collaboration, not an exchange with a partner.
        .where((eb) => eb.or([eb('binding', 'is', null), eb('binding', '!=', 'local')]))
        .orderBy('seq')
        .execute();
      return rows.map((r) => {
        let records = 1;
        if (r.type === 'risk.share') {
          const b = JSON.parse(r.body) as { indicators?: unknown[]; lists?: unknown[] };
          records = (b.indicators?.length ?? 0) + (b.lists?.length ?? 0);
        }
        return {
          direction: r.direction as 'out' | 'in',
          agencyId: r.agency_id,
          partner: r.direction === 'out' ? r.to_node : r.from_node,
          type: r.type,
          createdAt: r.created_at,
          caseStatus: r.case_status,
          deadline: r.deadline,
          answeredAt: r.answered_at,
          records,
        };
      });
    },
  };
}
