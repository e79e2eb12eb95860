import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  EMPTY_ROOT,
  HASH_SIZE,
  ProofError,
  consistencyPlan,
  hashLeaf,
  hashesEqual,
  inclusionPlan,
  nodeKey,
  rangeNodes,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeId,
} from './merkle.js';

const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');
const keys = (ids: readonly NodeId[]): string[] => ids.map(nodeKey);

/** A small real tree: its leaf hashes, the store of its perfect nodes and its roots by size. */
function tree(n: number) {
  const leaves = Array.from({ length: n }, (_, i) => hashLeaf(new Uint8Array([i])));
  const nodes = new Map<string, Hash>();
  const range = CompactRange.empty();
  const roots = [range.root()];
  for (const leaf of leaves) {
    for (const { id, hash } of range.append(leaf)) nodes.set(nodeKey(id), hash);
    roots.push(range.root());
  }
  const hashOf = (id: NodeId): Hash => nodes.get(nodeKey(id))!;
  return { leaves, roots, hashOf };
}

describe('rangeNodes', () => {
  it.each([
    [0, 0, []],
    [5, 5, []],
    [0, 1, ['0/0']],
    [0, 8, ['3/0']],
    [0, 7, ['2/0', '1/2', '0/6']],
    [0, 6, ['2/0', '1/2']],
    [3, 13, ['0/3', '2/1', '2/2', '0/12']],
    [1, 16, ['0/1', '1/1', '2/1', '3/1']],
    [4, 6, ['1/2']],
    [7, 8, ['0/7']],
    [2 ** 31 - 1, 2 ** 31 + 1, ['0/2147483647', '0/2147483648']],
    [
      0,
      2 ** 40 + 12345,
      [
        '40/0',
        '13/134217728',
        '12/268435458',
        '5/34359738752',
        '4/68719477506',
        '3/137438955014',
        '0/1099511640120',
      ],
    ],
    [0, 2 ** 53, ['53/0']],
    [2 ** 53 - 1, 2 ** 53, ['0/9007199254740991']],
  ])('[%d, %d) → %j', (begin, end, want) => {
    expect(keys(rangeNodes(begin, end))).toEqual(want);
  });

  it.each([
    [-1, 3],
    [3, 2],
    [0.5, 2],
    [0, 2 ** 53 + 2],
    [0, Number.NaN],
    [0, Infinity],
  ])('refuses [%d, %d) with a RangeError', (begin, end) => {
    expect(() => rangeNodes(begin, end)).toThrow(RangeError);
  });
});

describe('nodeKey', () => {
  it('is level/index, with no exponent for big indexes', () => {
    expect(nodeKey({ level: 0, index: 0 })).toBe('0/0');
    expect(nodeKey({ level: 3, index: 2 ** 50 })).toBe('3/1125899906842624');
  });
});

describe('plans: what they refuse, and that they never enumerate leaves', () => {
  it.each([
    ['index = size', () => inclusionPlan(3, 3)],
    ['size 0', () => inclusionPlan(0, 0)],
    ['negative index', () => inclusionPlan(-1, 3)],
    ['fractional index', () => inclusionPlan(1.5, 3)],
    ['size beyond 2^53', () => inclusionPlan(0, 2 ** 54)],
    ['size1 = 0', () => consistencyPlan(0, 3)],
    ['0 → 0', () => consistencyPlan(0, 0)],
    ['size1 > size2', () => consistencyPlan(4, 3)],
    ['fractional size1', () => consistencyPlan(1.5, 3)],
    ['NaN size2', () => consistencyPlan(1, Number.NaN)],
  ])('%s: RangeError', (_name, f) => {
    expect(f).toThrow(RangeError);
  });

  it('gives the empty plan for equal sizes and for a one-leaf tree', () => {
    expect(consistencyPlan(5, 5).ids).toEqual([]);
    expect(consistencyPlan(5, 5).assemble(() => new Uint8Array(32))).toEqual([]);
    expect(inclusionPlan(0, 1).ids).toEqual([]);
  });

  it.each([
    // Leaf 2 of 7: sibling leaf 3, subtree [0,2), then the ephemeral [4,7) = 1/2 + 0/6.
    [inclusionPlan(2, 7), ['0/3', '1/0', '1/2', '0/6'], 3],
    // Leaf 4 of 5: only the left subtree [0,4).
    [inclusionPlan(4, 5), ['2/0'], 1],
    // Leaf 0 of 6: leaf 1, [2,4), then [4,6) which is perfect although on the border.
    [inclusionPlan(0, 6), ['0/1', '1/1', '1/2'], 3],
    // 6 → 8: [4,6) itself, then [6,8), then [0,4).
    [consistencyPlan(6, 8), ['1/2', '1/3', '2/0'], 3],
    // 4 → 7: the old root is implicit, then the ephemeral [4,7).
    [consistencyPlan(4, 7), ['1/2', '0/6'], 1],
  ] as const)('ids and proof length %#', (plan, want, length) => {
    expect(keys(plan.ids)).toEqual(want);
    expect(plan.assemble(() => new Uint8Array(32)).length).toBe(length);
  });

  it('plans proofs of 2^40 + 12345 leaves from a few dozen stored nodes', () => {
    const size = 2 ** 40 + 12345;
    const incl = inclusionPlan(size - 1, size);
    const cons = consistencyPlan(2 ** 39 + 3, size);
    expect(incl.ids.length).toBeLessThan(60);
    expect(cons.ids.length).toBeLessThan(60);
    for (const { level, index } of [...incl.ids, ...cons.ids]) {
      expect((index + 1) * 2 ** level).toBeLessThanOrEqual(size);
    }
  });

  it('freezes the ids assemble reads', () => {
    expect(Object.isFrozen(inclusionPlan(2, 7).ids)).toBe(true);
    expect(Object.isFrozen(consistencyPlan(3, 7).ids)).toBe(true);
  });

  it('assemble asks for each id once, in order, and refuses a hash of the wrong size', () => {
    const plan = inclusionPlan(2, 7);
    const asked: string[] = [];
    plan.assemble((id) => {
      asked.push(nodeKey(id));
      return new Uint8Array(32);
    });
    expect(asked).toEqual(keys(plan.ids));
    expect(() => plan.assemble(() => new Uint8Array(31))).toThrow(/node 0\/3 .*31 bytes/);
  });
});

describe('verifyInclusion and rootFromInclusionProof: every way to fail', () => {
  const { leaves, roots, hashOf } = tree(7);
  const proofOf = (i: number, n: number) => inclusionPlan(i, n).assemble(hashOf);
  const good = proofOf(2, 7);
  const leaf = leaves[2]!;
  const root = roots[7]!;
  const h32 = new Uint8Array(HASH_SIZE);

  it('accepts the good proof', () => {
    verifyInclusion(2, 7, leaf, good, root);
    expect(hex(rootFromInclusionProof(2, 7, leaf, good))).toBe(hex(root));
    verifyInclusion(0, 1, leaves[0]!, [], roots[1]!);
  });

  it.each([
    ['index = size', () => verifyInclusion(7, 7, leaf, good, root), /index 7 is not below/],
    ['index > size', () => verifyInclusion(9, 7, leaf, good, root), /not below the tree size/],
    ['empty tree', () => verifyInclusion(0, 0, leaf, [], EMPTY_ROOT), /not below the tree size 0/],
    ['negative index', () => verifyInclusion(-1, 7, leaf, good, root), /index must be an integer/],
    ['fractional size', () => verifyInclusion(2, 7.5, leaf, good, root), /size must be/],
    ['size beyond 2^53', () => verifyInclusion(2, 2 ** 60, leaf, good, root), /size must be/],
    ['short leaf hash', () => verifyInclusion(2, 7, leaf.subarray(1), good, root), /leafHash.*31/],
    ['empty root', () => verifyInclusion(2, 7, leaf, good, new Uint8Array()), /root .*0 bytes/],
    [
      'empty proof element',
      () => verifyInclusion(2, 7, leaf, [good[0]!, new Uint8Array(), good[2]!], root),
      /proof\[1\] .*0 bytes/,
    ],
    [
      'a proof that is not an array',
      () => verifyInclusion(2, 7, leaf, 'x' as unknown as Hash[], root),
      /proof must be an array/,
    ],
    [
      'trailing garbage',
      () => verifyInclusion(2, 7, leaf, [...good, h32], root),
      /has 4 hashes.*needs 3/,
    ],
    [
      'preceding root',
      () => verifyInclusion(2, 7, leaf, [root, ...good], root),
      /has 4 hashes.*needs 3/,
    ],
    [
      'removed element',
      () => verifyInclusion(2, 7, leaf, good.slice(0, 2), root),
      /has 2 hashes.*needs 3/,
    ],
    [
      'one leaf, a proof',
      () => verifyInclusion(0, 1, leaves[0]!, [h32], roots[1]!),
      /has 1 hashes.*needs 0/,
    ],
    [
      'wrong root',
      () => verifyInclusion(2, 7, leaf, good, roots[6]!),
      /leads to root [0-9a-f]{64}, not/,
    ],
    ['wrong leaf', () => verifyInclusion(2, 7, leaves[3]!, good, root), /leads to root/],
    ['wrong index', () => verifyInclusion(3, 7, leaf, good, root), /leads to root/],
    [
      'swapped elements',
      () => verifyInclusion(2, 7, leaf, [good[1]!, good[0]!, good[2]!], root),
      /leads to root/,
    ],
    ['size too small', () => verifyInclusion(2, 4, leaf, good, root), /has 3 hashes.*needs 2/],
    [
      'root of an empty tree',
      () => verifyInclusion(0, 1, leaves[0]!, [], EMPTY_ROOT),
      /leads to root/,
    ],
  ])('%s', (_name, f, message) => {
    expect(f).toThrow(ProofError);
    expect(f).toThrow(message);
  });

  it('rootFromInclusionProof fails the same way on lengths and sizes', () => {
    expect(() => rootFromInclusionProof(2, 7, leaf, good.slice(1))).toThrow(ProofError);
    expect(() => rootFromInclusionProof(7, 7, leaf, good)).toThrow(ProofError);
  });

  it('names the error ProofError', () => {
    try {
      verifyInclusion(7, 7, leaf, good, root);
    } catch (e) {
      expect((e as Error).name).toBe('ProofError');
    }
    expect.assertions(1);
  });
});

describe('verifyConsistency: every way to fail', () => {
  const { roots, hashOf } = tree(8);
  const proofOf = (m: number, n: number) => consistencyPlan(m, n).assemble(hashOf);
  const good = proofOf(3, 7);
  const [r3, r7] = [roots[3]!, roots[7]!];
  const h32 = new Uint8Array(HASH_SIZE);

  it('accepts good proofs, and equal sizes with equal roots and no proof', () => {
    verifyConsistency(3, 7, r3, r7, good);
    verifyConsistency(4, 8, roots[4]!, roots[8]!, proofOf(4, 8));
    verifyConsistency(7, 7, r7, r7, []);
    verifyConsistency(1, 1, roots[1]!, roots[1]!, []);
  });

  it.each([
    ['size1 = 0', () => verifyConsistency(0, 7, EMPTY_ROOT, r7, good), /from the empty tree/],
    ['0 → 0', () => verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, []), /from the empty tree/],
    ['size1 > size2', () => verifyConsistency(7, 3, r7, r3, good), /size2 \(3\) is smaller/],
    ['negative size', () => verifyConsistency(-1, 7, r3, r7, good), /size1 must be/],
    ['fractional size2', () => verifyConsistency(3, 7.5, r3, r7, good), /size2 must be/],
    ['short root1', () => verifyConsistency(3, 7, r3.subarray(2), r7, good), /root1 .*30 bytes/],
    [
      '12-byte roots of equal sizes that differ (compared as byte strings, as upstream)',
      () => verifyConsistency(1, 1, new Uint8Array(12), new Uint8Array(12).fill(1), []),
      /root1 and root2 differ/,
    ],
    [
      'short proof element',
      () => verifyConsistency(3, 7, r3, r7, [good[0]!.subarray(1), ...good.slice(1)]),
      /proof\[0\] .*31 bytes/,
    ],
    ['equal sizes, a proof', () => verifyConsistency(7, 7, r7, r7, [h32]), /not empty/],
    [
      'equal sizes, other roots',
      () => verifyConsistency(7, 7, r7, r3, []),
      /root1 and root2 differ/,
    ],
    ['empty proof', () => verifyConsistency(3, 7, r3, r7, []), /has 0 hashes.*needs 4/],
    [
      'trailing garbage',
      () => verifyConsistency(3, 7, r3, r7, [...good, h32]),
      /has 5 hashes.*needs 4/,
    ],
    [
      'preceding root',
      () => verifyConsistency(3, 7, r3, r7, [r3, ...good]),
      /has 5 hashes.*needs 4/,
    ],
    [
      'truncated',
      () => verifyConsistency(3, 7, r3, r7, good.slice(0, -1)),
      /has 3 hashes.*needs 4/,
    ],
    ['wrong root1', () => verifyConsistency(3, 7, roots[2]!, r7, good), /leads to root1/],
    ['wrong root2', () => verifyConsistency(3, 7, r3, roots[6]!, good), /leads to root2/],
    ['swapped roots', () => verifyConsistency(3, 7, r7, r3, good), /leads to root1/],
    ['size2 too large', () => verifyConsistency(3, 8, r3, roots[8]!, good), /leads to root2/],
    [
      'power-of-two size1, root in the proof',
      () => verifyConsistency(4, 8, roots[4]!, roots[8]!, [roots[4]!, ...proofOf(4, 8)]),
      /has 2 hashes.*needs 1/,
    ],
  ])('%s', (_name, f, message) => {
    expect(f).toThrow(ProofError);
    expect(f).toThrow(message);
  });
});

describe('CompactRange', () => {
  it('refuses a frontier of the wrong count or hash size, and a wrong leaf hash', () => {
    const h = new Uint8Array(32);
    expect(() => CompactRange.of(3, [h])).toThrow(RangeError);
    expect(() => CompactRange.of(3, [h, h, h])).toThrow(/2 frontier hashes, got 3/);
    expect(() => CompactRange.of(0, [h])).toThrow(RangeError);
    expect(() => CompactRange.of(-1, [])).toThrow(RangeError);
    expect(() => CompactRange.of(2, [new Uint8Array(31)])).toThrow(/31 bytes/);
    expect(() => CompactRange.empty().append(new Uint8Array(33))).toThrow(RangeError);
    expect(CompactRange.of(0, []).root()).toEqual(EMPTY_ROOT);
  });

  it('stops at 2^53 leaves', () => {
    const full = CompactRange.of(2 ** 53, [new Uint8Array(32)]);
    expect(() => full.append(new Uint8Array(32))).toThrow(/full/);
    const almost = CompactRange.of(
      2 ** 53 - 1,
      rangeNodes(0, 2 ** 53 - 1).map(() => new Uint8Array(32)),
    );
    const completed = almost.append(new Uint8Array(32));
    expect(completed.map((c) => nodeKey(c.id))).toEqual(
      Array.from({ length: 54 }, (_, l) => `${l}/${Math.floor((2 ** 53 - 1) / 2 ** l)}`),
    );
    expect(almost.size).toBe(2 ** 53);
    expect(keys(almost.frontier().map((f) => f.id))).toEqual(['53/0']);
  });

  it('hands out copies: changing a returned hash or an input changes nothing inside', () => {
    const empty = CompactRange.empty();
    const r0 = empty.root();
    expect(r0).not.toBe(EMPTY_ROOT);
    r0.fill(7);
    expect(hex(empty.root())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(EMPTY_ROOT)).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );

    const leaf = hashLeaf(new Uint8Array([1]));
    const range = CompactRange.empty();
    range.append(leaf);
    const before = hex(range.root());
    leaf.fill(0);
    range.root().fill(1);
    range.frontier()[0]!.hash.fill(2);
    expect(hex(range.root())).toBe(before);

    const frontier = [new Uint8Array(32).fill(9)];
    const rebuilt = CompactRange.of(1, frontier);
    frontier[0]!.fill(0);
    expect(hex(rebuilt.root())).toBe('09'.repeat(32));
  });

  it('does not depend on the exported EMPTY_ROOT object', () => {
    const saved = new Uint8Array(EMPTY_ROOT);
    try {
      EMPTY_ROOT.fill(0);
      expect(hex(CompactRange.empty().root())).toBe(hex(saved));
    } finally {
      EMPTY_ROOT.set(saved);
    }
  });

  it('returns plain Uint8Arrays of 32 bytes', () => {
    const h = hashLeaf(new Uint8Array());
    expect(Object.getPrototypeOf(h)).toBe(Uint8Array.prototype);
    expect(h.length).toBe(32);
  });
});

describe('hashesEqual', () => {
  it.each([
    [new Uint8Array([1, 2]), new Uint8Array([1, 2]), true],
    [new Uint8Array([1, 2]), new Uint8Array([1, 3]), false],
    [new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]), false],
    [new Uint8Array(), new Uint8Array(), true],
  ])('%j = %j: %s', (a, b, want) => {
    expect(hashesEqual(a, b)).toBe(want);
  });
});
