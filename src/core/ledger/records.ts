import type { OutboxCursor } from '../events.js';
import type { LedgerEvent } from './leaf.js';

/** One leaf as stored: its index, the outbox event it commits to, its hash and the salt if any. */
export interface LedgerLeaf {
  idx: number;
  position: number;
  hash: Uint8Array;
  salt: Uint8Array | null;
}

/** A stored perfect-subtree hash above the leaves (level ≥ 1). */
export interface LedgerNode {
  level: number;
  idx: number;
  hash: Uint8Array;
}

/** How far the ledger has read the outbox and how many leaves it holds. */
export interface LedgerState {
  size: number;
  cursor: OutboxCursor;
}

/** Leaves [from, to) with the nodes they complete, and where the outbox reading stands after them. */
export interface LedgerAppend {
  from: number;
  to: number;
  cursor: OutboxCursor;
  at: string;
  leaves: LedgerLeaf[];
  nodes: LedgerNode[];
}

/** A signed checkpoint of this node's log: the C2SP signed note and the root it states. */
export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
  signedAt: string;
}

/** A witness's cosignature of one of this node's checkpoints (a C2SP cosignature line). */
export interface StoredCosignature {
  size: number;
  /** The witness's node id (the key name of its cosignatures). */
  witness: string;
  line: string;
  /** Unix seconds the witness states in the cosignature. */
  time: number;
  receivedAt: string;
}

/** A partner's checkpoint this node has seen as its witness. */
export interface WitnessedCheckpoint {
  logNode: string;
  origin: string;
  size: number;
  root: Uint8Array;
  note: string;
  seenAt: string;
  /** When this node cosigned it; null when it refused (or has not yet). */
  cosignedAt: string | null;
  /** The cosignature line this node gave (C2SP cosignature/v1, no newline); null until then. */
  cosignature: string | null;
  /**
   * Why it was refused as a sign of a misbehaving log, `<reason>: <detail>` (`split-view: …`,
   * `inconsistent: …`); null for a checkpoint cosigned or merely stale.
   */
  conflict: string | null;
}

/** The outcome of one full verification of the log. */
export interface LedgerVerification {
  startedAt: string;
  finishedAt: string;
  size: number;
  checkpoints: number;
  ok: boolean;
  problem: string | null;
  /** Who ran it: a username, or `cli`. */
  by: string;
}

/** A leaf with the outbox event at its position (null when that event is gone). */
export interface LedgerEntry extends LedgerLeaf {
  event: LedgerEvent | null;
}
