import { sql, type Kysely } from 'kysely';

/**
 * Cooperation between administrations:
 * - `exchange_node`: this node's id on the exchange (one row; the signing keys live in a file).
 * - `exchange_partners`, `exchange_keys`, `exchange_agreements`: the partner directory, each
 *   partner's public keys with validity and how each was trusted, the agreements in force.
 * - `liaison_contacts`: liaison officers and contacts, own (node_id = this node) and partners'.
 * - `exchange_messages`: every message sent or received, exactly as signed (`jws`), with its
 *   delivery state (outgoing) and the receipt. `UNIQUE(direction, from_node, id)` makes a
 *   repeated message a no-op inside the transaction that applies its effect.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const postgres = dialect === 'postgres';
  await db.schema
    .createTable('exchange_node')
    .addColumn('singleton', 'integer', (c) => c.primaryKey().check(sql`singleton = 1`))
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('http_endpoint', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('exchange_partners')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('http_endpoint', 'text')
    .addColumn('nats', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'suspended')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('exchange_keys')
    .addColumn('partner_id', 'text', (c) => c.notNull().references('exchange_partners.id'))
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('jwk', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('trusted_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('exchange_keys_pk', ['partner_id', 'kid'])
    .execute();

  await db.schema
    .createTable('exchange_agreements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('exchange_partners.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text', (c) => c.notNull())
    .addColumn('message_types', 'text', (c) => c.notNull())
    .addColumn('nominal', 'integer', (c) => c.notNull())
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('liaison_contacts')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('function', 'text', (c) => c.notNull())
    .addColumn('languages', 'text', (c) => c.notNull())
    .addColumn('priority_areas', 'text', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('availability', 'text')
    .addColumn('deputy_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('liaison_contacts_pk', ['node_id', 'id'])
    .execute();

  await sql`
    create table exchange_messages (
      seq ${sql.raw(postgres ? 'bigserial primary key' : 'integer primary key autoincrement')},
      direction text not null check (direction in ('out', 'in')),
      id text not null,
      from_node text not null,
      to_node text not null,
      type text not null,
      conversation text not null,
      ref_to text,
      created_at text not null,
      expires_at text not null,
      legal_basis text not null,
      handling text not null,
      body text not null,
      jws text not null,
      digest text not null,
      agency_id text not null,
      created_by text,
      delivery text not null check (delivery in ('queued', 'delivered', 'refused', 'expired', 'received')),
      attempts integer not null default 0,
      next_attempt_at text,
      last_error text,
      binding text,
      delivered_at text,
      receipt text,
      receipt_reason text,
      case_status text,
      deadline text,
      answered_at text,
      adopted_at text,
      unique (direction, from_node, id)
    )`.execute(db);
  await db.schema
    .createIndex('exchange_messages_queue')
    .on('exchange_messages')
    .columns(['direction', 'delivery', 'to_node', 'seq'])
    .execute();
  await db.schema
    .createIndex('exchange_messages_conversation')
    .on('exchange_messages')
    .columns(['conversation', 'seq'])
    .execute();
}
