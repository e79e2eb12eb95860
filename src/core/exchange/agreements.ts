import type { Handling, LiaisonContact, MessageType } from './messages.js';
import type { PublishedKey } from './ports.js';

/** A partner administration as the directory holds it. */
export interface Partner {
  /** Node id, `KZ/KGD`. */
  id: string;
  name: string;
  country: string;
  httpEndpoint: string | null;
  nats: boolean;
  /** A suspended partner gets nothing and is refused. */
  status: 'active' | 'suspended';
  createdAt: string;
  updatedAt: string;
}

/** A key of a partner and how it came to be trusted. */
export interface PartnerKey extends PublishedKey {
  partnerId: string;
  /** `administrator:<user id>` (confirmed by hand) or `directory:<message id>` (signed entry). */
  trustedBy: string;
  addedAt: string;
  /** A revoked key verifies nothing, and no directory update brings it back. */
  revokedAt?: string | null;
}

/**
 * An agreement in force with a partner: its legal basis, the message types it covers and whether
 * nominal data (persons, companies) may be exchanged under it.
 */
export interface Agreement {
  id: string;
  partnerId: string;
  title: string;
  /** Short code of the legal basis, carried in every envelope sent under it (`SCO-IPR-2012`). */
  legalBasis: string;
  messageTypes: MessageType[];
  nominal: boolean;
  validFrom: string;
  validTo: string | null;
  createdAt: string;
  createdBy: string;
}

/** Messages that only keep the channel itself working need no agreement of their own. */
const CHANNEL_TYPES: ReadonlySet<MessageType> = new Set(['directory.update']);

/** The agreement with `partnerId` that covers a message of `type` and `handling` at `at`. */
export function agreementFor(
  agreements: readonly Agreement[],
  partnerId: string,
  type: MessageType,
  handling: Handling,
  at: string,
  legalBasis?: string,
): Agreement | undefined {
  return agreements.find(
    (a) =>
      a.partnerId === partnerId &&
      (a.messageTypes.includes(type) || CHANNEL_TYPES.has(type)) &&
      (handling === 'non-nominal' || a.nominal) &&
      a.validFrom <= at &&
      (a.validTo === null || at < a.validTo) &&
      (legalBasis === undefined || a.legalBasis === legalBasis),
  );
}

/** True when the key may verify (or sign) a message created at `at`. */
export function keyValidAt(key: Pick<PublishedKey, 'validFrom' | 'validTo'>, at: string): boolean {
  return key.validFrom <= at && (key.validTo === null || at < key.validTo);
}

/** Where an outgoing message stands; incoming ones are `received`. */
export type Delivery = 'queued' | 'delivered' | 'refused' | 'expired' | 'received';

/** A message sent or received, as stored: the envelope's fields, the signed bytes and the state. */
export interface StoredMessage {
  seq?: number;
  direction: 'out' | 'in';
  id: string;
  from: string;
  to: string;
  type: MessageType;
  conversation: string;
  refTo: string | null;
  createdAt: string;
  expiresAt: string;
  legalBasis: string;
  handling: Handling;
  body: Record<string, unknown>;
  /** The compact JWS exactly as sent or received. */
  jws: string;
  /** `sha-256:<base64url>` of `jws`. */
  digest: string;
  /** Outgoing: the sending user's agency; incoming: the agency that handles it (customs). */
  agencyId: string;
  createdBy: string | null;
  delivery: Delivery;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  /** How it went: over HTTP, NATS, or `local` between agencies of this node (never signed). */
  binding: 'http' | 'nats' | 'local' | null;
  deliveredAt: string | null;
  /** The receipt (compact JWS): the partner's (outgoing) or ours (incoming). */
  receipt: string | null;
  receiptReason: string | null;
  /** Requests for assistance: where the request stands, its deadline, when it was answered. */
  caseStatus: string | null;
  deadline: string | null;
  answeredAt: string | null;
  /** Shared risk information: when an analyst adopted it as drafts. */
  adoptedAt: string | null;
}

/** An own or partner's liaison contact. */
export interface StoredContact extends LiaisonContact {
  nodeId: string;
  updatedAt: string;
}

export interface MessageFilter {
  direction?: 'out' | 'in';
  id?: string;
  /** Only the rows of one agency (the sender's outgoing, the addressee's incoming). */
  agencyId?: string;
  type?: MessageType;
  /** Leaves these types out (the node's own ledger messages, from the officers' lists). */
  excludeTypes?: readonly MessageType[];
  partner?: string;
  conversation?: string;
  /** Only requests for assistance past their deadline and not answered or refused. */
  overdueAt?: string;
  beforeSeq?: number;
  limit: number;
}
