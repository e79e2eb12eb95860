import { parseCheckpoint } from '../core/ledger/checkpoint.js';
import { verifyCosignature } from '../core/ledger/cosignature.js';
import { eventLeafHash } from '../core/ledger/leaf.js';
import { CompactRange, hashesEqual, nodeKey, type Hash } from '../core/ledger/merkle.js';
import { ed25519Verifier, openNote } from '../core/ledger/note.js';
import type { LedgerEntry, StoredCheckpoint } from '../core/ledger/records.js';
import type { DomainEvent } from '../core/events.js';
import type { Repositories } from '../core/ports.js';

/** What verification needs besides the database: the keys, which the database must not hold alone. */
export interface VerifyKeys {
  /** The log's origin (its checkpoints' first line and signature key name). */
  origin: string;
  /** Every public key of the node (raw Ed25519), from its keyring file. */
  logKeys: readonly Uint8Array[];
  /** Witnesses' public keys by node id (from the partner directory). */
  witnessKeys(witness: string): Promise<readonly Uint8Array[]>;
}

export interface LedgerReport {
  ok: boolean;
  /** Leaves the ledger says it holds. */
  size: number;
  /** Leaves, checkpoints and cosignatures checked (up to the first problem). */
  leaves: number;
  checkpoints: number;
  cosignatures: number;
  /** The first thing that does not match: which event, leaf or checkpoint, and how. */
  problem: string | null;
}

class Mismatch extends Error {}

/**
 * Re-reads the whole log from the database and recomputes it: each leaf from its outbox event,
 * each stored subtree hash from the leaves, each checkpoint's root, signature and cosignatures;
 * and checks that the outbox holds exactly the ledger's events, in order, up to where the ledger
 * has read. Stops at the first problem and names it.
 */
export async function verifyLedger(
  read: Repositories,
  keys: VerifyKeys,
  options: { pageSize?: number } = {},
): Promise<LedgerReport> {
  const pageSize = options.pageSize ?? 2000;
  const state = await read.ledger.state();
  const report: LedgerReport = {
    ok: true,
    size: state.size,
    leaves: 0,
    checkpoints: 0,
    cosignatures: 0,
    problem: null,
  };
  const logVerifiers = keys.logKeys.map((k) => ed25519Verifier(keys.origin, k));
  const range = CompactRange.empty();

  // Checkpoints in size order, consumed as the recomputed tree reaches each size.
  let checkpoints: StoredCheckpoint[] = await read.ledger.checkpoints(-1, 1000);
  let nextCheckpoint = 0;
  const checkpointsDue = async (): Promise<void> => {
    for (;;) {
      if (nextCheckpoint === checkpoints.length) {
        if (checkpoints.length === 0) return;
        checkpoints = await read.ledger.checkpoints(
          checkpoints[checkpoints.length - 1]!.size,
          1000,
        );
        nextCheckpoint = 0;
        if (checkpoints.length === 0) return;
      }
      const c = checkpoints[nextCheckpoint]!;
      if (c.size > range.size) return;
      await checkCheckpoint(c, range.size === c.size ? range.root() : null);
      nextCheckpoint++;
    }
  };
  const checkCheckpoint = async (c: StoredCheckpoint, root: Hash | null): Promise<void> => {
    const where = `checkpoint of ${c.size} leaves`;
    if (root === null) throw new Mismatch(`${where}: the log has no such size`);
    let text: string;
    try {
      const opened = openNote(c.note, logVerifiers);
      // Cosignatures are kept apart (and checked below): a stored note holds the node's alone.
      if (opened.unverified.length > 0) throw new Error('it carries signatures by other keys');
      text = opened.text;
    } catch (error) {
      throw new Mismatch(
        `${where}: its signature does not verify with the node's keys (${message(error)})`,
      );
    }
    let body;
    try {
      body = parseCheckpoint(text);
    } catch (error) {
      throw new Mismatch(`${where}: not a checkpoint (${message(error)})`);
    }
    if (body.origin !== keys.origin)
      throw new Mismatch(
        `${where}: origin ${JSON.stringify(body.origin)}, not ${JSON.stringify(keys.origin)}`,
      );
    if (body.size !== c.size)
      throw new Mismatch(`${where}: the signed note states ${body.size} leaves`);
    if (!hashesEqual(body.root, c.root) || !hashesEqual(c.root, root))
      throw new Mismatch(`${where}: its root does not match the root recomputed from the events`);
    report.checkpoints++;
    for (const cos of await read.ledger.cosignaturesOf([c.size])) {
      const witnessKeys = await keys.witnessKeys(cos.witness);
      const ok = witnessKeys.some((publicKey) => {
        try {
          const v = verifyCosignature(text, cos.line, { name: cos.witness, publicKey });
          return v.time === cos.time;
        } catch {
          return false;
        }
      });
      if (!ok)
        throw new Mismatch(
          `${where}: the cosignature of ${cos.witness} does not verify with its keys`,
        );
      report.cosignatures++;
    }
  };

  // The outbox in delivery order, in step with the leaves. From below every row, not from the
  // readers' start (0, 0): a row put under it is read by no subscriber, yet the audit trail shows it.
  let outbox: DomainEvent[] = [];
  let outboxAt = 0;
  let outboxCursor = { txid: Number.MIN_SAFE_INTEGER, position: Number.MIN_SAFE_INTEGER };
  let outboxPage = pageSize;
  const nextEvent = async (where: string): Promise<DomainEvent | undefined> => {
    if (outboxAt === outbox.length) {
      for (;;) {
        try {
          outbox = await read.outbox.after(outboxCursor, outboxPage);
          break;
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          // An event of the page is no longer JSON: read on one at a time, to name its leaf.
          if (outboxPage === 1)
            throw new Mismatch(
              `${where}: the next event in the outbox, after position ${outboxCursor.position}, is no longer JSON (changed)`,
            );
          outboxPage = 1;
        }
      }
      outboxAt = 0;
      if (outbox.length === 0) return undefined;
      const last = outbox[outbox.length - 1]!;
      outboxCursor = { txid: last.txid, position: last.position };
    }
    const e = outbox[outboxAt]!;
    // Beyond the ledger's cursor: not yet read by the ledger.
    if (
      e.txid > state.cursor.txid ||
      (e.txid === state.cursor.txid && e.position > state.cursor.position)
    )
      return undefined;
    outboxAt++;
    return e;
  };

  try {
    let idx = 0;
    for (;;) {
      const page: LedgerEntry[] = await read.ledger.entries(idx, pageSize);
      if (page.length === 0) break;
      const begin = range.size;
      const made = new Map<string, Hash>();
      for (const leaf of page) {
        if (leaf.idx !== idx) {
          throw new Mismatch(
            idx < state.size
              ? `leaf ${idx} is missing from the ledger`
              : `leaf ${leaf.idx} is beyond the ${state.size} leaves of the ledger`,
          );
        }
        if (idx >= state.size)
          throw new Mismatch(`leaf ${idx} is beyond the ${state.size} leaves of the ledger`);
        const where = `leaf ${idx} (event at outbox position ${leaf.position})`;
        const expected = await nextEvent(where);
        if (expected === undefined)
          throw new Mismatch(`${where}: the outbox ends before it (events deleted)`);
        if (expected.position !== leaf.position) {
          throw new Mismatch(
            leaf.event === null
              ? `${where}: the event is gone from the outbox (deleted)`
              : `event at outbox position ${expected.position} is where ${where} should be (inserted or reordered)`,
          );
        }
        if (leaf.event === null)
          throw new Mismatch(`${where}: the event is gone from the outbox (deleted)`);
        let hash: Hash;
        try {
          hash = eventLeafHash(leaf.event, leaf.salt);
        } catch (error) {
          // It hashed when it was appended: a number beyond 2^1024 in the data, a salt cut short.
          throw new Mismatch(
            `${where}: the event or its salt can no longer be hashed (changed: ${message(error)})`,
          );
        }
        if (!hashesEqual(hash, leaf.hash))
          throw new Mismatch(`${where}: the event does not match its leaf hash (changed)`);
        for (const n of range.append(hash)) if (n.id.level > 0) made.set(nodeKey(n.id), n.hash);
        report.leaves++;
        idx++;
        await checkpointsDue();
      }
      await checkNodes(read, begin, range.size, made);
    }
    if (idx < state.size)
      throw new Mismatch(
        `the ledger holds ${state.size} leaves, but its leaves end at ${idx} (truncated)`,
      );
    const stray = await nextEvent('the outbox after the last leaf');
    if (stray !== undefined)
      throw new Mismatch(
        `event at outbox position ${stray.position} is not in the ledger, although the ledger read past it (inserted)`,
      );
    await checkpointsDue();
    if (nextCheckpoint < checkpoints.length) {
      const c = checkpoints[nextCheckpoint]!;
      throw new Mismatch(
        `checkpoint of ${c.size} leaves: the log holds only ${range.size} (truncated)`,
      );
    }
    // A witness's cosignature of a checkpoint that is gone is evidence that it existed.
    const [orphan] = await read.ledger.cosignaturesWithoutCheckpoint(1);
    if (orphan)
      throw new Mismatch(
        `checkpoint of ${orphan.size} leaves: cosigned by ${orphan.witness}, but not in the ledger (deleted)`,
      );
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    report.ok = false;
    report.problem = error.message;
  }
  return report;
}

/** The stored subtree hashes completed by leaves [begin, end) equal the recomputed ones. */
async function checkNodes(
  read: Repositories,
  begin: number,
  end: number,
  made: Map<string, Hash>,
): Promise<void> {
  for (let level = 1, width = 2; width <= end; level++, width *= 2) {
    // Nodes of this level completed by a leaf in [begin, end): index i with (i + 1)·width in (begin, end].
    const from = Math.floor(begin / width);
    const to = Math.floor(end / width);
    if (to <= from) continue;
    const stored = await read.ledger.nodesIn(level, from, to);
    if (stored.length !== to - from) {
      const have = new Set(stored.map((n) => n.idx));
      let missing = from;
      while (have.has(missing)) missing++;
      throw new Mismatch(`subtree hash ${level}/${missing} is missing from the ledger`);
    }
    for (const n of stored) {
      const key = `${level}/${n.idx}`;
      const want = made.get(key);
      if (want === undefined || !hashesEqual(want, n.hash))
        throw new Mismatch(`subtree hash ${key} does not match the leaves below it`);
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
