import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  EMPTY_ROOT,
  HASH_SIZE,
  ProofError,
  consistencyPlan,
  hashChildren,
  hashLeaf,
  hashesEqual,
  inclusionPlan,
  nodeKey,
  rangeNodes,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeId,
  type ProofPlan,
} from './merkle.js';

/*
 * merkle.ts against a naive, recursive reading of RFC 6962 §2.1 (MTH, PATH, SUBPROOF) written
 * here, sharing only hashLeaf and hashChildren (the conformance test checks those): (a) small trees of random leaves, every prefix; (b) trees of up to
 * 2^53 leaves whose aligned perfect subtrees get synthetic hashes (SHA-256 of their key), so
 * that neither side has to hash 2^45 leaves.
 */

/** A tree for the naive functions: its leaf hashes, or a shortcut for aligned perfect ranges. */
interface NaiveTree {
  leaf(i: number): Hash;
  /** The hash of an aligned perfect range, or undefined to compute it from its halves. */
  perfect?: (level: number, index: number) => Hash | undefined;
  memo?: Map<string, Hash>;
}

/** The largest power of two smaller than n (n > 1), as RFC 6962 splits. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function log2IfPowerOfTwo(n: number): number | undefined {
  let level = 0;
  for (let w = 1; w <= n; w *= 2, level++) if (w === n) return level;
  return undefined;
}

/** MTH(D[lo:hi]). */
function mth(t: NaiveTree, lo: number, hi: number): Hash {
  const n = hi - lo;
  if (n === 0) return new Uint8Array(EMPTY_HEX_BYTES);
  if (t.perfect !== undefined) {
    const level = log2IfPowerOfTwo(n);
    const h = level !== undefined && lo % n === 0 ? t.perfect(level, lo / n) : undefined;
    if (h !== undefined) return h;
  }
  if (n === 1) return t.leaf(lo);
  const key = `${lo}:${hi}`;
  const known = t.memo?.get(key);
  if (known !== undefined) return known;
  const k = split(n);
  const h = hashChildren(mth(t, lo, lo + k), mth(t, lo + k, hi));
  t.memo?.set(key, h);
  return h;
}

/** PATH(m, D[lo:hi]), m relative to lo. */
function path(t: NaiveTree, m: number, lo: number, hi: number): Hash[] {
  const n = hi - lo;
  if (n === 1) return [];
  const k = split(n);
  return m < k
    ? [...path(t, m, lo, lo + k), mth(t, lo + k, hi)]
    : [...path(t, m - k, lo + k, hi), mth(t, lo, lo + k)];
}

/** SUBPROOF(m, D[lo:hi], b). */
function subproof(t: NaiveTree, m: number, lo: number, hi: number, b: boolean): Hash[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [mth(t, lo, hi)];
  const k = split(n);
  return m <= k
    ? [...subproof(t, m, lo, lo + k, b), mth(t, lo + k, hi)]
    : [...subproof(t, m - k, lo + k, hi, false), mth(t, lo, lo + k)];
}

/** PROOF(m, D[n]). */
function proof(t: NaiveTree, m: number, n: number): Hash[] {
  return subproof(t, m, 0, n, true);
}

// e3b0c442…: SHA-256 of nothing, computed here rather than taken from the module under test.
const EMPTY_HEX_BYTES = createHash('sha256').digest();

const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');
const hexes = (hs: readonly Uint8Array[]): string[] => hs.map(hex);

function flipped(h: Hash, bit: number): Hash {
  const copy = new Uint8Array(h);
  copy[Math.floor(bit / 8) % HASH_SIZE]! ^= 1 << (bit % 8);
  return copy;
}

/** The proof-shape checks every plan must pass: unique, perfect, inside the tree. */
function checkPlanIds(plan: ProofPlan, size: number): void {
  const keys = plan.ids.map(nodeKey);
  expect(new Set(keys).size).toBe(keys.length);
  for (const { level, index } of plan.ids) {
    expect(Number.isInteger(level) && level >= 0).toBe(true);
    expect(Number.isInteger(index) && index >= 0).toBe(true);
    expect((index + 1) * 2 ** level).toBeLessThanOrEqual(size);
  }
}

function expectProofError(f: () => void): void {
  expect(f).toThrow(ProofError);
}

describe('naive RFC 6962 sanity (the reference itself)', () => {
  it('gives the CT tree root for 8 leaves', () => {
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657'].map((s) =>
      hashLeaf(Buffer.from(s, 'hex')),
    );
    leaves.push(hashLeaf(Buffer.from('606162636465666768696a6b6c6d6e6f', 'hex')));
    expect(hex(mth({ leaf: (i) => leaves[i]! }, 0, 8))).toBe(
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    );
    expect(hex(mth({ leaf: (i) => leaves[i]! }, 0, 0))).toBe(hex(EMPTY_ROOT));
  });
});

describe('(a) small trees of random leaves', () => {
  /** Appends every leaf, checking each step; returns the store of perfect nodes and roots. */
  function build(leafHashes: Hash[], t: NaiveTree) {
    const nodes = new Map<string, Hash>();
    const range = CompactRange.empty();
    expect(hex(range.root())).toBe(hex(EMPTY_ROOT));
    for (const [i, leafHash] of leafHashes.entries()) {
      const completed = range.append(leafHash);
      // Level 0 first, then upward, each the naive hash of its range.
      expect(completed[0]!.id).toEqual({ level: 0, index: i });
      completed.forEach(({ id, hash }, level) => {
        expect(id).toEqual({ level, index: Math.floor(i / 2 ** level) });
        expect((id.index + 1) * 2 ** level).toBe(i + 1);
        expect(hex(hash)).toBe(hex(mth(t, id.index * 2 ** level, (id.index + 1) * 2 ** level)));
        nodes.set(nodeKey(id), hash);
      });
      expect(range.size).toBe(i + 1);
      expect(hex(range.root())).toBe(hex(mth(t, 0, i + 1)));
      const frontier = range.frontier();
      expect(frontier.map((f) => f.id)).toEqual(rangeNodes(0, i + 1));
      for (const { id, hash } of frontier) {
        expect(hex(hash)).toBe(
          hex(mth(t, id.index * 2 ** id.level, (id.index + 1) * 2 ** id.level)),
        );
      }
      // A range rebuilt from its frontier is the same range.
      const again = CompactRange.of(
        i + 1,
        frontier.map((f) => f.hash),
      );
      expect(hex(again.root())).toBe(hex(range.root()));
    }
    const hashOf = (id: NodeId): Hash => {
      const h = nodes.get(nodeKey(id));
      if (h === undefined) throw new Error(`node ${nodeKey(id)} was never completed`);
      return h;
    };
    return { hashOf, range };
  }

  it('CompactRange, plans and verification agree with MTH, PATH and PROOF', () => {
    fc.assert(
      fc.property(
        // Lengths spread over 1..300 (fast-check would keep arrays short), leaves often equal
        // unless made distinct (equal leaves can hide a sibling put on the wrong side).
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) => fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: n, maxLength: n })),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 255 })), {
          minLength: 8,
          maxLength: 8,
        }),
        (data, distinct, picks) => {
          const leafHashes = data.map((d, i) =>
            hashLeaf(distinct ? new Uint8Array([...d, i % 256, Math.floor(i / 256)]) : d),
          );
          const t: NaiveTree = { leaf: (i) => leafHashes[i]!, memo: new Map() };
          const { hashOf } = build(leafHashes, t);
          const n = data.length;
          const roots = Array.from({ length: n + 1 }, (_, size) => mth(t, 0, size));

          // Every leaf of the whole tree, and every old size against it.
          for (let index = 0; index < n; index++) {
            const plan = inclusionPlan(index, n);
            checkPlanIds(plan, n);
            const got = plan.assemble(hashOf);
            expect(hexes(got)).toEqual(hexes(path(t, index, 0, n)));
            verifyInclusion(index, n, leafHashes[index]!, got, roots[n]!);
          }
          for (let m = 1; m <= n; m++) {
            const plan = consistencyPlan(m, n);
            checkPlanIds(plan, n);
            const got = plan.assemble(hashOf);
            expect(hexes(got)).toEqual(hexes(proof(t, m, n)));
            verifyConsistency(m, n, roots[m]!, roots[n]!, got);
          }

          // Earlier sizes, from the same store; and proofs that must not verify.
          for (const [a, b, bit] of picks) {
            const size = 1 + (a % n);
            const index = b % size;
            const leafHash = leafHashes[index]!;
            const root = roots[size]!;
            const incl = inclusionPlan(index, size).assemble(hashOf);
            expect(hexes(incl)).toEqual(hexes(path(t, index, 0, size)));
            verifyInclusion(index, size, leafHash, incl, root);
            incl.forEach((_, i) => {
              const bad = incl.map((h, j) => (j === i ? flipped(h, bit) : h));
              expectProofError(() => verifyInclusion(index, size, leafHash, bad, root));
            });
            expectProofError(() =>
              verifyInclusion(index, size, flipped(leafHash, bit), incl, root),
            );
            expectProofError(() =>
              verifyInclusion(index, size, leafHash, incl, flipped(root, bit)),
            );
            expectProofError(() => verifyInclusion(index, size, leafHash, [...incl, root], root));
            expectProofError(() => verifyInclusion(index, size, leafHash, [root, ...incl], root));
            if (incl.length > 0) {
              expectProofError(() =>
                verifyInclusion(index, size, leafHash, incl.slice(0, -1), root),
              );
            }
            // Binding: the proof verifies at another index exactly when it is that index's
            // proof of the same leaf hash (the random leaves repeat often).
            const other = (index + 1 + (bit % size)) % size;
            if (other !== index) {
              const expected =
                hashesEqual(leafHashes[other]!, leafHash) &&
                hexes(path(t, other, 0, size)).join() === hexes(incl).join();
              expect(passes(() => verifyInclusion(other, size, leafHash, incl, root))).toBe(
                expected,
              );
            }

            const m = 1 + (b % size);
            const cons = consistencyPlan(m, size).assemble(hashOf);
            expect(hexes(cons)).toEqual(hexes(proof(t, m, size)));
            verifyConsistency(m, size, roots[m]!, root, cons);
            cons.forEach((_, i) => {
              const bad = cons.map((h, j) => (j === i ? flipped(h, bit) : h));
              expectProofError(() => verifyConsistency(m, size, roots[m]!, root, bad));
            });
            expectProofError(() => verifyConsistency(m, size, flipped(roots[m]!, bit), root, cons));
            expectProofError(() => verifyConsistency(m, size, roots[m]!, flipped(root, bit), cons));
            expectProofError(() => verifyConsistency(m, size, roots[m]!, root, [...cons, root]));
            expectProofError(() => verifyConsistency(m, size, roots[m]!, root, [root, ...cons]));
            if (cons.length > 0) {
              expectProofError(() =>
                verifyConsistency(m, size, roots[m]!, root, cons.slice(0, -1)),
              );
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('every proof of every tree up to 64 leaves equals the naive one', () => {
    const leafHashes = Array.from({ length: 64 }, (_, i) =>
      hashLeaf(new Uint8Array([i, Math.floor(i / 2)])),
    );
    const t: NaiveTree = { leaf: (i) => leafHashes[i]!, memo: new Map() };
    const { hashOf } = build(leafHashes, t);
    for (let size = 1; size <= 64; size++) {
      const root = mth(t, 0, size);
      for (let index = 0; index < size; index++) {
        const got = inclusionPlan(index, size).assemble(hashOf);
        expect(hexes(got)).toEqual(hexes(path(t, index, 0, size)));
        verifyInclusion(index, size, leafHashes[index]!, got, root);
      }
      for (let m = 1; m <= size; m++) {
        const got = consistencyPlan(m, size).assemble(hashOf);
        expect(hexes(got)).toEqual(hexes(proof(t, m, size)));
        verifyConsistency(m, size, mth(t, 0, m), root, got);
      }
    }
  });
});

function passes(f: () => void): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof ProofError) return false;
    throw e;
  }
}

describe('(b) huge trees with synthetic perfect-subtree hashes', () => {
  // A stand-in for a stored node: not derived from children, which is the point (2^45 leaves).
  const synthetic = (level: number, index: number): Hash =>
    new Uint8Array(createHash('sha256').update(`${level}/${index}`).digest());
  const hashOf = (id: NodeId): Hash => synthetic(id.level, id.index);
  const t: NaiveTree = { leaf: (i) => synthetic(0, i), perfect: synthetic };
  /**
   * The tree a verifier sees when it starts from node (level, index): that node and everything
   * off its path keep their synthetic hashes, its ancestors are hashed from their children.
   */
  const seenFrom = (level: number, index: number): NaiveTree => ({
    leaf: (i) => synthetic(0, i),
    perfect: (l, i) =>
      l > level && Math.floor(index / 2 ** (l - level)) === i ? undefined : synthetic(l, i),
  });

  const foldRoot = (size: number): Hash => {
    const hs = rangeNodes(0, size).map(hashOf);
    let root = hs[hs.length - 1]!;
    for (let i = hs.length - 2; i >= 0; i--) root = hashChildren(hs[i]!, root);
    return root;
  };

  /** A size in [min, max], an index in it and an older size, often near the edges. */
  const caseIn = (min: bigint, max: bigint) =>
    fc
      .record({
        size: fc.bigInt({ min, max }),
        a: fc.bigInt({ min: 0n, max }),
        b: fc.bigInt({ min: 0n, max }),
        nearEnd: fc.boolean(),
        leaf: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      })
      .map(({ size, a, b, nearEnd, leaf }) => {
        const n = Number(size);
        const pick = (x: bigint) => Number(nearEnd ? size - 1n - (x % 64n) : x % size);
        return { size: n, index: Math.max(0, pick(a)), old: Math.max(1, pick(b) + 1), leaf };
      });

  function check({
    size,
    index,
    old,
    leaf,
  }: {
    size: number;
    index: number;
    old: number;
    leaf: Uint8Array;
  }) {
    const root = mth(t, 0, size);
    expect(hex(foldRoot(size))).toBe(hex(root));
    const frontier = rangeNodes(0, size).map(hashOf);
    const range = CompactRange.of(size, frontier);
    expect(range.size).toBe(size);
    expect(hex(range.root())).toBe(hex(root));

    const incl = inclusionPlan(index, size);
    checkPlanIds(incl, size);
    const inclProof = incl.assemble(hashOf);
    expect(hexes(inclProof)).toEqual(hexes(path(t, index, 0, size)));
    const inclTree = seenFrom(0, index);
    expect(hexes(inclProof)).toEqual(hexes(path(inclTree, index, 0, size)));
    const inclRoot = mth(inclTree, 0, size);
    verifyInclusion(index, size, synthetic(0, index), inclProof, inclRoot);
    expectProofError(() =>
      verifyInclusion(index, size, synthetic(0, index), inclProof, flipped(inclRoot, index)),
    );

    const cons = consistencyPlan(old, size);
    checkPlanIds(cons, size);
    const consProof = cons.assemble(hashOf);
    expect(hexes(consProof)).toEqual(hexes(proof(t, old, size)));
    // The verifier starts from the old tree's smallest frontier subtree, the one ending at `old`.
    let level = 0;
    while (old % 2 ** (level + 1) === 0) level++;
    const consTree = seenFrom(level, old / 2 ** level - 1);
    expect(hexes(consProof)).toEqual(hexes(proof(consTree, old, size)));
    const [root1, root2] = [mth(consTree, 0, old), mth(consTree, 0, size)];
    expect(hex(root1)).toBe(hex(mth(t, 0, old)));
    verifyConsistency(old, size, root1, root2, consProof);
    expectProofError(() => verifyConsistency(old, size, root1, flipped(root2, old), consProof));
    if (consProof.length > 0) {
      expectProofError(() => verifyConsistency(old, size, root1, root2, consProof.slice(1)));
    }

    // One more leaf on the huge frontier: the completed nodes are the ones the size says, and the
    // new root is the naive one once those nodes replace their synthetic stand-ins.
    if (size < 2 ** 53) {
      const completed = range.append(hashLeaf(leaf));
      const overrides = new Map(completed.map(({ id, hash }) => [nodeKey(id), hash]));
      let trailingOnes = 0;
      for (let s = size; s % 2 === 1; s = (s - 1) / 2) trailingOnes++;
      expect(completed.map((c) => c.id)).toEqual(
        Array.from({ length: trailingOnes + 1 }, (_, level) => ({
          level,
          index: Math.floor(size / 2 ** level),
        })),
      );
      const after: NaiveTree = {
        leaf: (i) => overrides.get(`0/${i}`) ?? synthetic(0, i),
        perfect: (level, i) => overrides.get(`${level}/${i}`) ?? synthetic(level, i),
      };
      expect(range.size).toBe(size + 1);
      expect(hex(range.root())).toBe(hex(mth(after, 0, size + 1)));
    }
  }

  it('sizes from 2^31 to 2^45', () => {
    fc.assert(fc.property(caseIn(2n ** 31n, 2n ** 45n), check), { numRuns: 300 });
  });

  it('sizes from 1 to 2^53', () => {
    fc.assert(fc.property(caseIn(1n, 2n ** 53n), check), { numRuns: 300 });
  });

  it.each([
    { size: 2 ** 40 + 12345, index: 2 ** 40 + 12344, old: 2 ** 40 + 1, leaf: new Uint8Array([1]) },
    { size: 2 ** 40 + 12345, index: 12345, old: 12345, leaf: new Uint8Array([2]) },
    { size: 2 ** 32 + 1, index: 2 ** 32, old: 2 ** 32, leaf: new Uint8Array([3]) },
    { size: 2 ** 31, index: 2 ** 31 - 1, old: 2 ** 31 - 1, leaf: new Uint8Array([4]) },
    { size: 2 ** 53, index: 2 ** 53 - 1, old: 2 ** 53 - 1, leaf: new Uint8Array([5]) },
    { size: 2 ** 53 - 1, index: 2 ** 52, old: 2 ** 52, leaf: new Uint8Array([6]) },
  ])('size $size, index $index, from $old', (c) => {
    check(c);
  });
});
