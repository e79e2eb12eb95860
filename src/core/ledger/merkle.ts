import { createHash } from 'node:crypto';

/*
 * The ledger's Merkle tree, as RFC 6962 §2.1 defines it and RFC 9162 §2.1 restates it.
 *
 * Sizes and indexes are plain numbers up to 2^53, so nothing here uses the 32-bit bitwise
 * operators: halving is Math.floor(x / 2), a low bit is x % 2, a power of two is 2 ** level.
 * Every product level·index stays exact because it is a safe integer times a power of two.
 */

/** A SHA-256 digest naming a leaf or a subtree: always HASH_SIZE bytes, never mutated. */
export type Hash = Uint8Array;

/** The bytes in a Hash. */
export const HASH_SIZE = 32;

/** The largest tree this module handles: every index below it is a safe integer. */
const MAX_SIZE = 2 ** 53;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** A plain Uint8Array over the digest's own 32-byte buffer: no copy, no Buffer subclass. */
function plain(digest: Buffer): Hash {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** The RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function hashLeaf(data: Uint8Array): Hash {
  return plain(createHash('sha256').update(LEAF_PREFIX).update(data).digest());
}

/** The RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Hash, right: Hash): Hash {
  return plain(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}

/** The root of the empty tree, SHA-256(""); a shared value: copy it before changing anything. */
export const EMPTY_ROOT: Hash = plain(createHash('sha256').digest());

// Typed arrays cannot be frozen, so the module keeps its own copy of the empty root: a caller
// that writes into EMPTY_ROOT cannot change what roots or verification here produce.
const EMPTY = new Uint8Array(EMPTY_ROOT);

/** A copy that shares no memory with the original (Buffer#slice would share it). */
function copyHash(h: Hash): Hash {
  return new Uint8Array(h);
}

/** Whether two hashes hold the same bytes. */
export function hashesEqual(a: Hash, b: Hash): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A perfect subtree: level l, index i covers leaves [i·2^l, (i+1)·2^l). Level 0 = one leaf. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** The key of a node in a store or map: `${level}/${index}`. */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

function isTreeNumber(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_SIZE;
}

function requireTreeNumber(name: string, n: number): void {
  if (!isTreeNumber(n)) {
    throw new RangeError(`${name} must be an integer from 0 to 2^53, got ${n}`);
  }
}

/** Maximal aligned perfect subtrees covering [begin, end), left to right. */
export function rangeNodes(begin: number, end: number): NodeId[] {
  requireTreeNumber('begin', begin);
  requireTreeNumber('end', end);
  if (begin > end) throw new RangeError(`begin (${begin}) is after end (${end})`);
  const nodes: NodeId[] = [];
  let level = 0;
  let width = 1;
  let at = begin;
  // Widths first grow (while `at` is aligned to a larger power of two) and then only shrink
  // (once the rest of the range is shorter than the width): each loop resumes where it stood.
  while (at < end) {
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      level++;
    }
    while (at + width > end) {
      width /= 2;
      level--;
    }
    nodes.push({ level, index: at / width });
    at += width;
  }
  return nodes;
}

/** The stored perfect-subtree hashes a proof needs, and how to fold them into the proof. */
export interface ProofPlan {
  readonly ids: readonly NodeId[];
  assemble(hashOf: (id: NodeId) => Hash): Hash[];
}

/**
 * A plan from its ids and, for each proof element in order, how many consecutive ids it takes:
 * one for a perfect subtree, several for an ephemeral right-border node (their right fold).
 */
function plan(ids: NodeId[], counts: number[]): ProofPlan {
  // Frozen: assemble reads the same array, so a caller sorting it for a batched fetch must copy.
  Object.freeze(ids);
  return {
    ids,
    assemble(hashOf) {
      const hashes = ids.map((id) => {
        const h = hashOf(id);
        if (h.length !== HASH_SIZE) {
          throw new RangeError(`the hash of node ${nodeKey(id)} has ${h.length} bytes, not 32`);
        }
        return h;
      });
      const proof: Hash[] = [];
      let next = 0;
      for (const count of counts) {
        const first = next;
        next += count;
        let h = hashes[next - 1] as Hash;
        for (let i = next - 2; i >= first; i--) h = hashChildren(hashes[i] as Hash, h);
        proof.push(h);
      }
      return proof;
    },
  };
}

/**
 * Appends to ids/counts the siblings of node (level, index) on its way to the root of a tree of
 * `size` leaves, lowest first: RFC 9162's PATH above that node. A right sibling that sticks out
 * of the tree is the ephemeral node of [start, size), folded from that range's perfect subtrees.
 */
function pushPath(level: number, index: number, size: number, ids: NodeId[], counts: number[]) {
  let width = 2 ** level;
  let at = index;
  let l = level;
  while (width < size) {
    const sibling = at % 2 === 0 ? at + 1 : at - 1;
    const start = sibling * width;
    if (start + width <= size) {
      ids.push({ level: l, index: sibling });
      counts.push(1);
    } else if (start < size) {
      const nodes = rangeNodes(start, size);
      for (const node of nodes) ids.push(node);
      counts.push(nodes.length);
    }
    at = Math.floor(at / 2);
    width *= 2;
    l++;
  }
}

/** How many elements pushPath gives, without building them (for error messages). */
function pathLength(level: number, index: number, size: number): number {
  let width = 2 ** level;
  let at = index;
  let length = 0;
  while (width < size) {
    const sibling = at % 2 === 0 ? at + 1 : at - 1;
    if (sibling * width < size) length++;
    at = Math.floor(at / 2);
    width *= 2;
  }
  return length;
}

/** The plan of the inclusion proof of leaf `index` in a tree of `size` leaves. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  requireTreeNumber('size', size);
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`index must be an integer from 0 to size - 1 (${size - 1}), got ${index}`);
  }
  const ids: NodeId[] = [];
  const counts: number[] = [];
  pushPath(0, index, size, ids, counts);
  return plan(ids, counts);
}

/** How many times 2 divides n (n > 0; 0 gives 0 rather than looping forever). */
function trailingZeros(n: number): number {
  let zeros = 0;
  while (n % 2 === 0 && n > 0) {
    n /= 2;
    zeros++;
  }
  return zeros;
}

/** The length of the consistency proof from size1 to size2 (0 < size1 < size2). */
function consistencyLength(size1: number, size2: number): number {
  const level = trailingZeros(size1);
  const index = size1 / 2 ** level - 1;
  return (index === 0 ? 0 : 1) + pathLength(level, index, size2);
}

/** The plan of the consistency proof from a tree of `size1` leaves to one of `size2`. */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  requireTreeNumber('size2', size2);
  if (!Number.isInteger(size1) || size1 <= 0 || size1 > size2) {
    throw new RangeError(`size1 must be an integer from 1 to size2 (${size2}), got ${size1}`);
  }
  const ids: NodeId[] = [];
  const counts: number[] = [];
  if (size1 === size2) return plan(ids, counts);
  // The old tree's smallest frontier subtree ends at size1; the proof is its hash (unless it is
  // the whole old tree, whose root the verifier has) and then its path in the new tree.
  const level = trailingZeros(size1);
  const index = size1 / 2 ** level - 1;
  if (index !== 0) {
    ids.push({ level, index });
    counts.push(1);
  }
  pushPath(level, index, size2, ids, counts);
  return plan(ids, counts);
}

/** A proof that does not verify; the message says what failed. */
export class ProofError extends Error {
  override readonly name = 'ProofError';
}

function hex(h: Hash): string {
  let s = '';
  for (const byte of h) s += byte.toString(16).padStart(2, '0');
  return s;
}

function requireProofNumber(name: string, n: number): void {
  if (!isTreeNumber(n)) throw new ProofError(`${name} must be an integer from 0 to 2^53, got ${n}`);
}

function requireHash(name: string, h: Hash): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    const what = h instanceof Uint8Array ? `${h.length} bytes` : typeof h;
    throw new ProofError(`${name} must be a ${HASH_SIZE}-byte hash, got ${what}`);
  }
}

function requireProofHashes(proof: readonly Hash[]): void {
  if (!Array.isArray(proof)) throw new ProofError('proof must be an array of hashes');
  for (let i = 0; i < proof.length; i++) requireHash(`proof[${i}]`, proof[i] as Hash);
}

/** Computes the root an inclusion proof leads to (RFC 9162 §2.1.3.2); throws ProofError. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Hash,
  proof: readonly Hash[],
): Hash {
  requireProofNumber('index', index);
  requireProofNumber('size', size);
  if (index >= size) throw new ProofError(`index ${index} is not below the tree size ${size}`);
  requireHash('leafHash', leafHash);
  requireProofHashes(proof);
  const wrongLength = () =>
    new ProofError(
      `inclusion proof has ${proof.length} hashes; leaf ${index} of a tree of ${size} needs ` +
        `${pathLength(0, index, size)}`,
    );
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw wrongLength();
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw wrongLength();
  return r;
}

/** Checks an inclusion proof of a leaf hash against a root (RFC 9162 §2.1.3.2); throws ProofError. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Hash,
  proof: readonly Hash[],
  root: Hash,
): void {
  requireHash('root', root);
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!hashesEqual(computed, root)) {
    throw new ProofError(
      `inclusion proof leads to root ${hex(computed)}, not to the expected ${hex(root)}`,
    );
  }
}

/** Checks that a tree of size2 with root2 extends one of size1 with root1 (RFC 9162 §2.1.4.2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Hash,
  root2: Hash,
  proof: readonly Hash[],
): void {
  requireProofNumber('size1', size1);
  requireProofNumber('size2', size2);
  requireProofHashes(proof);
  if (size2 < size1) throw new ProofError(`size2 (${size2}) is smaller than size1 (${size1})`);
  // As upstream transparency-dev/merkle: a proof from the empty tree proves nothing, even 0 → 0.
  if (size1 === 0) throw new ProofError('a consistency proof from the empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length !== 0) {
      throw new ProofError(`size1 equals size2 (${size1}) but the proof is not empty`);
    }
    // As upstream: equal sizes need equal roots, compared as byte strings (nothing is hashed).
    if (!hashesEqual(root1, root2)) {
      throw new ProofError(`size1 equals size2 (${size1}) but root1 and root2 differ`);
    }
    return;
  }
  requireHash('root1', root1);
  requireHash('root2', root2);
  const wrongLength = () =>
    new ProofError(
      `consistency proof has ${proof.length} hashes; from ${size1} to ${size2} needs ` +
        `${consistencyLength(size1, size2)}`,
    );
  if (proof.length === 0) throw wrongLength();
  // When size1 is a power of two its root is the proof's (implicit) first element.
  const implicit = size1 === 2 ** trailingZeros(size1);
  const path = (i: number): Hash =>
    (implicit ? (i === 0 ? root1 : proof[i - 1]) : proof[i]) as Hash;
  const pathLength = implicit ? proof.length + 1 : proof.length;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path(0);
  let sr = fr;
  for (let i = 1; i < pathLength; i++) {
    const c = path(i);
    if (sn === 0) throw wrongLength();
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw wrongLength();
  if (!hashesEqual(fr, root1)) {
    throw new ProofError(`consistency proof leads to root1 ${hex(fr)}, not to ${hex(root1)}`);
  }
  if (!hashesEqual(sr, root2)) {
    throw new ProofError(`consistency proof leads to root2 ${hex(sr)}, not to ${hex(root2)}`);
  }
}

/** The right frontier of a tree (a compact range [0, size)): appends leaves, gives the root. */
export class CompactRange {
  #size: number;
  // The hashes of rangeNodes(0, size), largest subtree first; owned here, never handed out.
  readonly #hashes: Hash[];

  private constructor(size: number, hashes: Hash[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  /** The frontier of the empty tree. */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** From the hashes of rangeNodes(0, size), in that order; throws RangeError on a wrong count. */
  static of(size: number, hashes: readonly Hash[]): CompactRange {
    requireTreeNumber('size', size);
    const expected = rangeNodes(0, size).length;
    if (hashes.length !== expected) {
      throw new RangeError(
        `a tree of ${size} leaves has ${expected} frontier hashes, got ${hashes.length}`,
      );
    }
    hashes.forEach((h, i) => {
      if (h.length !== HASH_SIZE)
        throw new RangeError(`hashes[${i}] has ${h.length} bytes, not 32`);
    });
    return new CompactRange(size, hashes.map(copyHash));
  }

  /** The number of leaves. */
  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash; returns every perfect subtree this leaf completed, level 0 (the leaf itself) first, then upward. */
  append(leafHash: Hash): { id: NodeId; hash: Hash }[] {
    if (leafHash.length !== HASH_SIZE) {
      throw new RangeError(`a leaf hash has 32 bytes, got ${leafHash.length}`);
    }
    if (this.#size === MAX_SIZE) throw new RangeError('the tree is full (2^53 leaves)');
    let index = this.#size;
    let level = 0;
    let hash = leafHash;
    const completed = [{ id: { level, index } as NodeId, hash }];
    // Each trailing one of the old size is a frontier subtree the new one merges with.
    while (index % 2 === 1) {
      hash = hashChildren(this.#hashes.pop() as Hash, hash);
      index = (index - 1) / 2;
      level++;
      completed.push({ id: { level, index }, hash });
    }
    this.#hashes.push(copyHash(hash));
    this.#size++;
    return completed;
  }

  /** The frontier: rangeNodes(0, size) with their hashes. */
  frontier(): { id: NodeId; hash: Hash }[] {
    return rangeNodes(0, this.#size).map((id, i) => ({
      id,
      hash: copyHash(this.#hashes[i] as Hash),
    }));
  }

  /** The tree's root hash (RFC 6962 MTH); EMPTY_ROOT's value when the tree is empty. */
  root(): Hash {
    const hashes = this.#hashes;
    if (hashes.length === 0) return copyHash(EMPTY);
    let root = hashes[hashes.length - 1] as Hash;
    if (hashes.length === 1) return copyHash(root);
    for (let i = hashes.length - 2; i >= 0; i--) root = hashChildren(hashes[i] as Hash, root);
    return root;
  }
}
