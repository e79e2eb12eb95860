import { randomBytes } from 'node:crypto';
import { isAfter, type DomainEvent, type OutboxSubscriber } from '../core/events.js';
import { DomainError } from '../core/errors.js';
import { formatCheckpoint } from '../core/ledger/checkpoint.js';
import {
  eventLeafHash,
  isConfidential,
  ledgerEventOf,
  SALT_BYTES,
  type LedgerEvent,
} from '../core/ledger/leaf.js';
import {
  CompactRange,
  consistencyPlan,
  EMPTY_ROOT,
  hashChildren,
  inclusionPlan,
  nodeKey,
  rangeNodes,
  verifyConsistency,
  type Hash,
  type ProofPlan,
} from '../core/ledger/merkle.js';
import { signNote } from '../core/ledger/note.js';
import type { LedgerLeaf, LedgerNode, StoredCheckpoint } from '../core/ledger/records.js';
import type { Clock, Repositories, Storage } from '../core/ports.js';
import type { AppContext } from './context.js';
import { Rounds } from './rounds.js';

/**
 * The node's tamper-evident ledger (docs/adr/0014-ledger.md): every outbox event becomes one leaf
 * of an RFC 9162 Merkle tree, in delivery order; checkpoints of the tree are signed with the
 * node's Ed25519 key as C2SP signed notes and cosigned by partner administrations (witnesses).
 */

/** The node's own checkpoint key: signs with the key current at `at`; knows every own key. */
export interface LedgerKeys {
  signerAt(at: Date): { publicKey: Uint8Array; sign(message: Uint8Array): Promise<Uint8Array> };
  /** Every own public key (raw 32 bytes), retired ones included: old checkpoints verify with them. */
  publicKeys(): Uint8Array[];
}

export interface LedgerSettings {
  /** The log's name: the checkpoint's origin line and the key name of its signature. */
  origin: string;
  /** A checkpoint after this many new leaves… */
  checkpointEvery: number;
  /** …or this many seconds after the last one when there are new leaves. */
  checkpointSeconds: number;
}

/** What signing checkpoints needs; absent on a node without a key (leaves are appended anyway). */
export interface LedgerRuntime extends LedgerSettings {
  keys: LedgerKeys;
}

export const DEFAULT_LEDGER_SETTINGS = { checkpointEvery: 1000, checkpointSeconds: 10 } as const;

/** The origin of a node's log: stable for the node's life (it names the log, not a URL). */
export function ledgerOrigin(nodeId: string): string {
  return `greenlane.ledger/${nodeId}`;
}

export function ledgerOf(ctx: AppContext): LedgerRuntime {
  if (!ctx.ledger)
    throw new DomainError(
      'unavailable',
      'this node signs no checkpoints: it has no node key (set GREENLANE_NODE_ID)',
    );
  return ctx.ledger;
}

/**
 * The outbox subscriber that appends leaves. The dispatcher delivers at least once; the ledger's
 * own cursor moves in the transaction that writes the leaves, so a page delivered again after a
 * crash is skipped and no leaf is lost or doubled.
 */
export class LedgerAppender implements OutboxSubscriber {
  readonly name = 'ledger';
  /** The frontier after the last committed append (saves reading it for every page). */
  private frontier: CompactRange | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly salt: () => Uint8Array = () => randomBytes(SALT_BYTES),
  ) {}

  async deliver(events: readonly DomainEvent[]): Promise<void> {
    const result = await this.storage.write(async (tx) => {
      const state = await tx.ledger.state();
      const fresh = events.filter((e) => isAfter(e, state.cursor));
      if (fresh.length === 0) return undefined;
      const cached = this.frontier;
      const range =
        cached?.size === state.size
          ? CompactRange.of(
              cached.size,
              cached.frontier().map((f) => f.hash),
            )
          : await frontierAt(tx, state.size);
      const leaves: LedgerLeaf[] = [];
      const nodes: LedgerNode[] = [];
      for (const e of fresh) {
        const salt = isConfidential(e.kind) ? this.salt() : null;
        const hash = eventLeafHash(ledgerEventOf(e), salt);
        const idx = range.size;
        for (const made of range.append(hash)) {
          if (made.id.level > 0)
            nodes.push({ level: made.id.level, idx: made.id.index, hash: made.hash });
        }
        leaves.push({ idx, position: e.position, hash, salt });
      }
      const last = fresh[fresh.length - 1]!;
      const appended = await tx.ledger.append({
        from: state.size,
        to: range.size,
        cursor: { txid: last.txid, position: last.position },
        at: this.clock.now().toISOString(),
        leaves,
        nodes,
      });
      if (!appended) throw new Error('the ledger grew during an append (two appenders?)');
      return range;
    });
    if (result) this.frontier = result;
  }
}

/** The frontier of the stored tree of `size` leaves. */
export async function frontierAt(read: Repositories, size: number): Promise<CompactRange> {
  const ids = rangeNodes(0, size);
  const hashes = await read.ledger.hashes(ids);
  return CompactRange.of(
    size,
    ids.map((id) => found(hashes, id)),
  );
}

/** The root of the stored tree of `size` leaves. */
export async function rootAt(read: Repositories, size: number): Promise<Hash> {
  if (size === 0) return EMPTY_ROOT;
  const ids = rangeNodes(0, size);
  const hashes = await read.ledger.hashes(ids);
  let root = found(hashes, ids[ids.length - 1]!);
  for (let i = ids.length - 2; i >= 0; i--) root = hashChildren(found(hashes, ids[i]!), root);
  return root;
}

/** The inclusion proof of leaf `index` in the stored tree of `size` leaves. */
export async function inclusionProof(read: Repositories, index: number, size: number) {
  return fetchProof(read, inclusionPlan(index, size));
}

/** The consistency proof from the tree of `size1` leaves to that of `size2`. */
export async function consistencyProof(read: Repositories, size1: number, size2: number) {
  return fetchProof(read, consistencyPlan(size1, size2));
}

async function fetchProof(read: Repositories, plan: ProofPlan): Promise<Hash[]> {
  const hashes = await read.ledger.hashes(plan.ids);
  return plan.assemble((id) => found(hashes, id));
}

function found(hashes: Map<string, Uint8Array>, id: { level: number; index: number }): Hash {
  const h = hashes.get(nodeKey(id));
  // A stored hash missing is a damaged log, never a normal outcome.
  if (h === undefined) throw new Error(`the ledger has no hash for node ${nodeKey(id)}`);
  return h;
}

export type CheckpointOutcome =
  | { signed: true; checkpoint: StoredCheckpoint }
  | { signed: false; reason: 'not-due' | 'no-new-leaves' | 'busy'; checkpoint?: StoredCheckpoint };

/**
 * Signs a checkpoint of the log as it stands when one is due (`checkpointEvery` new leaves, or
 * `checkpointSeconds` since the last with at least one new leaf; `force`: any new leaf). Never one
 * inconsistent with the last: the consistency proof from the last checkpoint to the new tree is
 * built from the stored hashes and verified first, and a failure is refused (and thrown).
 */
export async function signCheckpointIfDue(
  ctx: AppContext,
  options: { force?: boolean } = {},
): Promise<CheckpointOutcome> {
  const ledger = ledgerOf(ctx);
  const held = await ctx.storage.exclusive(
    'ledger:checkpoint',
    async (): Promise<CheckpointOutcome> => {
      const read = ctx.storage.read;
      const state = await read.ledger.state();
      const last = await read.ledger.latestCheckpoint();
      const now = ctx.clock.now();
      if (last && state.size < last.size)
        throw new DomainError(
          'conflict',
          `the ledger holds ${state.size} leaves, fewer than its checkpoint of ${last.size}: it was truncated`,
        );
      if (state.size === 0 || (last && state.size === last.size))
        return { signed: false, reason: 'no-new-leaves', ...(last ? { checkpoint: last } : {}) };
      const due =
        options.force === true ||
        !last ||
        state.size - last.size >= ledger.checkpointEvery ||
        now.getTime() - Date.parse(last.signedAt) >= ledger.checkpointSeconds * 1000;
      if (!due) return { signed: false, reason: 'not-due', checkpoint: last };
      // Witnessing is itself recorded (offers, answers, receipts): a checkpoint due only by time
      // over nothing but that traffic would start the next round, forever, on an idle node.
      if (
        last &&
        options.force !== true &&
        state.size - last.size < ledger.checkpointEvery &&
        (await read.ledger.entries(last.size, ledger.checkpointEvery)).every(
          (e) => e.event !== null && isWitnessTraffic(e.event),
        )
      )
        return { signed: false, reason: 'not-due', checkpoint: last };
      const root = await rootAt(read, state.size);
      if (last) {
        const proof = await consistencyProof(read, last.size, state.size);
        try {
          verifyConsistency(last.size, state.size, last.root, root, proof);
        } catch (error) {
          throw new DomainError(
            'conflict',
            `refusing to sign a checkpoint of ${state.size} leaves: it is not consistent with the checkpoint of ${last.size} (${error instanceof Error ? error.message : String(error)})`,
          );
        }
      }
      const text = formatCheckpoint({
        origin: ledger.origin,
        size: state.size,
        root,
        extensions: [],
      });
      const signer = ledger.keys.signerAt(now);
      const note = await signNote(text, [{ name: ledger.origin, ...signer }]);
      const checkpoint: StoredCheckpoint = {
        size: state.size,
        root,
        note,
        signedAt: now.toISOString(),
      };
      const inserted = await ctx.storage.write((tx) => tx.ledger.insertCheckpoint(checkpoint));
      if (!inserted) throw new Error(`a checkpoint of ${state.size} leaves exists already`);
      return { signed: true, checkpoint };
    },
  );
  return held?.value ?? { signed: false, reason: 'busy' };
}

/** An event of the witness protocol's own messages (sent, delivered, received). */
export function isWitnessTraffic(e: Pick<LedgerEvent, 'kind' | 'data'>): boolean {
  return (
    e.kind.startsWith('exchange.') &&
    typeof e.data.type === 'string' &&
    e.data.type.startsWith('ledger.')
  );
}

/**
 * Signs due checkpoints on a timer (and when told that leaves were appended). One process at a
 * time signs (`ledger:checkpoint` lock); the others find nothing due.
 */
export class CheckpointSigner {
  private readonly rounds: Rounds;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: {
      pollMs: number;
      onSigned?: (c: StoredCheckpoint) => void;
      onError?: (e: unknown) => void;
    },
  ) {
    this.rounds = new Rounds(() => this.tick(), options);
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Signs now if one is due; resolves with the outcome. */
  async tick(): Promise<CheckpointOutcome> {
    const o = await signCheckpointIfDue(this.ctx);
    if (o.signed) this.options.onSigned?.(o.checkpoint);
    return o;
  }
}
