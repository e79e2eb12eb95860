/**
 * What the exchange bench does on either node, in its process or the receiver's: linking it to
 * its peer (as connectNodes does for nodes in one process) and reading back its inbox.
 */
import { recordAgreement, registerPartner } from '../../src/app/exchange-directory.js';
import type { PublishedKey } from '../../src/core/exchange/ports.js';
import type { Binding, TestNode } from '../../src/test-support/exchange-nodes.js';

/** The other node, as a partner is registered: id, HTTP endpoint and public keys. */
export interface Peer {
  id: string;
  url: string;
  keys: PublishedKey[];
}

export const BENCH_TYPES = ['alert', 'assistance.request', 'seizure.report'] as const;

/**
 * Registers `peer` as a partner of `node` (keys trusted as an administrator who confirmed them)
 * with an agreement covering the bench's types; nominal, so bodies naming parties go as they are.
 */
export async function linkTo(node: TestNode, peer: Peer, binding: Binding): Promise<void> {
  await registerPartner(node.ctx, node.users.admin, {
    id: peer.id,
    name: `${peer.id} customs`,
    httpEndpoint: peer.url,
    nats: binding === 'nats',
    keys: peer.keys,
  });
  await recordAgreement(node.ctx, node.users.admin, {
    partnerId: peer.id,
    title: 'Agreement on cooperation and mutual assistance in customs matters (bench)',
    legalBasis: 'SCO-CUSTOMS-2007',
    messageTypes: [...BENCH_TYPES],
    nominal: true,
    validFrom: '2020-01-01T00:00:00Z',
  });
}

export interface Inbox {
  /** Inbox rows of `ids` from the sender, in the order the receiver stored them. */
  rows: Array<{ id: string; conversation: string }>;
  /** `exchange.received` events of `ids`. */
  receivedEvents: number;
}

export async function inboxOf(
  node: TestNode,
  from: string,
  ids: readonly string[],
): Promise<Inbox> {
  const measured = new Set(ids);
  const k = node.db.db.kysely;
  const rows = (
    await k
      .selectFrom('exchange_messages')
      .select(['id', 'conversation'])
      .where('direction', '=', 'in')
      .where('from_node', '=', from)
      .orderBy('seq')
      .execute()
  ).filter((r) => measured.has(r.id));
  const receivedEvents = (
    await k
      .selectFrom('audit_events')
      .select('subject_id')
      .where('action', '=', 'exchange.received')
      .execute()
  ).filter((r) => measured.has(r.subject_id)).length;
  return { rows, receivedEvents };
}
