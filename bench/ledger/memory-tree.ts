/**
 * A ledger kept in memory: every perfect-subtree hash in one flat buffer per level (32 bytes per
 * node, level 0 the leaves), filled by CompactRange.append exactly as LedgerAppender stores them.
 * The bench's in-memory figures and the bulk fill of the ledger tables both come from it.
 */
import { createHash } from 'node:crypto';
import {
  CompactRange,
  hashChildren,
  hashLeaf,
  HASH_SIZE,
  rangeNodes,
  EMPTY_ROOT,
  type Hash,
  type NodeId,
} from '../../src/core/ledger/merkle.js';

/** The leaf hash of synthetic leaf `i`: RFC 6962 over a 32-byte commitment, as a confidential event's. */
export function syntheticLeafHash(i: number, seed: number): Hash {
  const commitment = createHash('sha256').update(`greenlane-bench/${seed}/${i}`).digest();
  return hashLeaf(commitment);
}

/** Every node of a tree of up to `capacity` leaves. */
export class MemoryTree {
  readonly levels: Buffer[] = [];
  private readonly range = CompactRange.empty();

  constructor(readonly capacity: number) {
    for (let n = capacity; n >= 1; n = Math.floor(n / 2)) {
      this.levels.push(Buffer.allocUnsafe(n * HASH_SIZE));
    }
  }

  get size(): number {
    return this.range.size;
  }

  /** Appends one leaf; returns the perfect subtrees it completed (as CompactRange.append). */
  append(leafHash: Hash): { id: NodeId; hash: Hash }[] {
    const made = this.range.append(leafHash);
    for (const m of made) this.levels[m.id.level]!.set(m.hash, m.id.index * HASH_SIZE);
    return made;
  }

  /** The stored hash of a perfect subtree (a view into the level's buffer, not a copy). */
  hashOf(id: NodeId): Hash {
    const level = this.levels[id.level];
    const at = id.index * HASH_SIZE;
    if (level === undefined || at + HASH_SIZE > level.length) {
      throw new Error(`no node ${id.level}/${id.index} in the memory tree`);
    }
    return level.subarray(at, at + HASH_SIZE);
  }

  /** The root of the tree of its first `size` leaves, folded from their frontier as rootAt does. */
  rootAt(size: number): Hash {
    if (size === 0) return EMPTY_ROOT;
    const ids = rangeNodes(0, size);
    let root = this.hashOf(ids[ids.length - 1]!);
    for (let i = ids.length - 2; i >= 0; i--) root = hashChildren(this.hashOf(ids[i]!), root);
    return root;
  }
}
