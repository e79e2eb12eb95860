import { agreementFor, type Agreement } from './agreements.js';
import type { BodyOf, Envelope, Handling, MessageType } from './messages.js';

/**
 * The pure part of sending: which agreement a message goes under and the envelope around the
 * body released at the boundary (`releaseFor`). `sendMessage` (src/app/exchange.ts) validates,
 * canonicalises and signs what `buildEnvelope` returns; the protocol document's example and the
 * boundary's property test build envelopes with the same function.
 */

/**
 * The agreement with `partnerId` a message of `type` is sent under at `at`. A message naming
 * parties goes under one that allows nominal data if there is one in force (else its parties are
 * withheld at the boundary); any other message under the first agreement in force covering its
 * type.
 */
export function sendingAgreement(
  agreements: readonly Agreement[],
  partnerId: string,
  type: MessageType,
  at: string,
  namesParties: boolean,
): Agreement | undefined {
  return namesParties
    ? (agreementFor(agreements, partnerId, type, 'nominal', at) ??
        agreementFor(agreements, partnerId, type, 'non-nominal', at))
    : agreementFor(agreements, partnerId, type, 'non-nominal', at);
}

/** Everything of an envelope but its type and body. */
export interface EnvelopeFrame {
  /** The message id (a ULID from the node's id generator). */
  id: string;
  /** This node. */
  from: string;
  /** The partner: one envelope per recipient. */
  to: string;
  /** The thread continued (the answered message's), or null: the message starts a thread. */
  conversation: string | null;
  /** The message answered, or null. */
  refTo: string | null;
  /** When the message is made (`createdAt`). */
  now: Date;
  /** Given by the sender, or `now` + `ttlHours`. */
  expiresAt?: string | undefined;
  ttlHours: number;
  /** The legal basis code of the agreement the message goes under. */
  legalBasis: string;
}

/** The envelope around a released body; not yet validated (`validateEnvelope`) or signed. */
export function buildEnvelope<T extends MessageType>(
  type: T,
  released: { body: BodyOf[T]; handling: Handling },
  frame: EnvelopeFrame,
): Envelope<T> {
  return {
    v: 1,
    id: frame.id,
    from: frame.from,
    to: frame.to,
    type,
    conversation: frame.conversation ?? frame.id,
    refTo: frame.refTo,
    createdAt: frame.now.toISOString(),
    expiresAt:
      frame.expiresAt ?? new Date(frame.now.getTime() + frame.ttlHours * 3_600_000).toISOString(),
    legalBasis: frame.legalBasis,
    handling: released.handling,
    body: released.body,
  };
}
