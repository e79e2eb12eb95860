import { createHash } from 'node:crypto';
import type { DomainEvent } from '../events.js';
import { canonicalBytes } from '../exchange/canonical-json.js';
import { hashLeaf, type Hash } from './merkle.js';

/** An outbox event as the ledger commits to it: every field of the audit record, and its position. */
export interface LedgerEvent {
  /** The outbox position: unique, so a moved or copied event no longer matches its leaf. */
  position: number;
  kind: string;
  at: string;
  agencyId: string;
  actorId: string | null;
  subjectType: string;
  subjectId: string;
  data: Record<string, unknown>;
}

/** The outbox event as the ledger commits to it (without its transaction id). */
export function ledgerEventOf(e: DomainEvent): LedgerEvent {
  const { position, kind, at, agencyId, actorId, subjectType, subjectId, data } = e;
  return { position, kind, at, agencyId, actorId, subjectType, subjectId, data };
}

/** Bytes of salt behind a commitment: enough that nobody can confirm a guess of the content. */
export const SALT_BYTES = 16;

/** The version of the leaf's canonical form; a change of form is a new version, never a silent one. */
export const LEAF_VERSION = 1;

/**
 * Kinds whose content is public among the parties of the exchange: the partner directory and the
 * node's own keys. Every other event (declarations, controls, permits, indicators, messages) is
 * confidential and goes into the log as a salted commitment: a proof handed to someone shows them
 * only hashes of the neighbouring records, and a salt of 128 bits stops them from testing guesses.
 */
const PUBLIC_KINDS: ReadonlySet<string> = new Set([
  'administration.created',
  'agency.created',
  'partner.registered',
  'partner.updated',
  'partner.key-trusted',
  'partner.suspended',
  'partner.reinstated',
  'partner.key-revoked',
  'agreement.recorded',
  'node.key-rotated',
]);

/** True when the event enters the log only as a salted commitment. */
export function isConfidential(kind: string): boolean {
  return !PUBLIC_KINDS.has(kind);
}

/** The RFC 8785 canonical form of the event: the leaf data of a public event. */
export function canonicalEvent(e: LedgerEvent): Uint8Array {
  return canonicalBytes({
    v: LEAF_VERSION,
    position: e.position,
    kind: e.kind,
    at: e.at,
    agencyId: e.agencyId,
    actorId: e.actorId,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    data: e.data,
  });
}

/**
 * The leaf data: the canonical event, or for a confidential one SHA-256(salt ‖ canonical event).
 * The salt is kept with the leaf and given only with the record itself.
 */
export function leafData(e: LedgerEvent, salt: Uint8Array | null): Uint8Array {
  const canonical = canonicalEvent(e);
  if (salt === null) return canonical;
  if (salt.length !== SALT_BYTES)
    throw new RangeError(`a salt has ${SALT_BYTES} bytes, not ${salt.length}`);
  return createHash('sha256').update(salt).update(canonical).digest();
}

/** The RFC 6962 leaf hash of the event. */
export function eventLeafHash(e: LedgerEvent, salt: Uint8Array | null): Hash {
  return hashLeaf(leafData(e, salt));
}
