import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  consistencyPlan,
  hashLeaf,
  inclusionPlan,
  nodeKey,
  type Hash,
} from './merkle.js';
import { ProofFileError, checkProofFile } from './proof-file.js';

const b64 = (h: Uint8Array): string => Buffer.from(h).toString('base64');

// A 5-leaf tree and good files about it, to corrupt one field at a time.
const leaves = Array.from({ length: 5 }, (_, i) => hashLeaf(new Uint8Array([i])));
const nodes = new Map<string, Hash>();
const range = CompactRange.empty();
const roots: Hash[] = [range.root()];
for (const leaf of leaves) {
  for (const { id, hash } of range.append(leaf)) nodes.set(nodeKey(id), hash);
  roots.push(range.root());
}
const hashOf = (id: { level: number; index: number }) => nodes.get(nodeKey(id))!;

const inclusion = {
  leafIdx: 1,
  treeSize: 5,
  root: b64(roots[5]!),
  leafHash: b64(leaves[1]!),
  proof: inclusionPlan(1, 5).assemble(hashOf).map(b64),
  desc: 'good',
  wantErr: false,
};
const consistency = {
  size1: 3,
  size2: 5,
  root1: b64(roots[3]!),
  root2: b64(roots[5]!),
  proof: consistencyPlan(3, 5).assemble(hashOf).map(b64),
};

describe('checkProofFile', () => {
  it('checks good files of both kinds; proof null is the empty proof', () => {
    expect(checkProofFile(inclusion)).toEqual({ kind: 'inclusion', valid: true });
    expect(checkProofFile(consistency)).toEqual({ kind: 'consistency', valid: true });
    const one = { leafIdx: 0, treeSize: 1, root: b64(leaves[0]!), leafHash: b64(leaves[0]!) };
    expect(checkProofFile({ ...one, proof: null })).toEqual({ kind: 'inclusion', valid: true });
    const same = { size1: 5, size2: 5, root1: b64(roots[5]!), root2: b64(roots[5]!) };
    expect(checkProofFile({ ...same, proof: null })).toEqual({ kind: 'consistency', valid: true });
  });

  it.each([
    ['a wrong root', { ...inclusion, root: b64(roots[4]!) }, /leads to root/],
    ['a wrong index', { ...inclusion, leafIdx: 2 }, /leads to root/],
    ['an index beyond the tree', { ...inclusion, leafIdx: 5 }, /not below the tree size/],
    ['a size beyond 2^53', { ...inclusion, treeSize: 2 ** 60 }, /size must be/],
    ['root not base64', { ...inclusion, root: 'not base64!' }, /^root is not valid base64$/],
    [
      'URL-safe base64',
      {
        ...inclusion,
        root: b64(roots[5]!).replace(/\+/g, '-').replace(/\//g, '_').padEnd(44, '-'),
      },
      /^root is not valid base64$/,
    ],
    [
      'missing padding',
      { ...inclusion, leafHash: b64(leaves[1]!).replace(/=+$/, '') },
      /^leafHash is not valid base64$/,
    ],
    [
      'a newline inside',
      { ...inclusion, leafHash: `${b64(leaves[1]!).slice(0, 8)}\n${b64(leaves[1]!).slice(8)}` },
      /^leafHash is not valid base64$/,
    ],
    [
      'a short leaf hash',
      { ...inclusion, leafHash: b64(leaves[1]!.subarray(1)) },
      /^leafHash is 31 bytes, not a 32-byte hash$/,
    ],
    [
      'an empty proof element',
      { ...inclusion, proof: [...inclusion.proof, ''] },
      /^proof\[3\] is 0 bytes/,
    ],
    [
      'a bad proof element',
      { ...inclusion, proof: ['@@@@', ...inclusion.proof] },
      /^proof\[0\] is not valid base64$/,
    ],
    [
      'a missing proof element',
      { ...inclusion, proof: inclusion.proof.slice(1) },
      /has 2 hashes.*needs 3/,
    ],
    [
      '12-byte roots of equal sizes that differ',
      { size1: 1, size2: 1, root1: 'ZG9uJ3QgY2FyZSAy', root2: 'ZG9uJ3QgY2FyZSAx', proof: [] },
      /root1 and root2 differ/,
    ],
    ['size1 = 0', { ...consistency, size1: 0 }, /empty tree/],
    [
      'swapped roots',
      { ...consistency, root1: consistency.root2, root2: consistency.root1 },
      /leads to root1/,
    ],
    ['a root2 that is not a hash', { ...consistency, root2: 'V3JvbmdSb290' }, /^root2 is 9 bytes/],
  ])('%s: valid false, with the reason', (_name, file, error) => {
    const result = checkProofFile(file);
    expect(result.valid).toBe(false);
    expect(result.error).toMatch(error);
    expect(result.kind).toBe('leafIdx' in file ? 'inclusion' : 'consistency');
  });

  it.each([
    ['not an object', 42, /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['an array', [inclusion], /must be a JSON object/],
    [
      'no known field',
      { desc: 'x', proof: [] },
      /not a proof file: expected the fields of inclusion \(leafIdx, treeSize, root, leafHash, proof\) or consistency/,
    ],
    ['both kinds', { ...inclusion, size1: 1 }, /of one kind only/],
    [
      'treeSize missing',
      { ...inclusion, treeSize: undefined },
      /^treeSize must be a non-negative integer$/,
    ],
    [
      'treeSize as a string',
      { ...inclusion, treeSize: '5' },
      /^treeSize must be a non-negative integer$/,
    ],
    ['leafIdx negative', { ...inclusion, leafIdx: -1 }, /^leafIdx must be a non-negative integer$/],
    [
      'leafIdx fractional',
      { ...inclusion, leafIdx: 1.5 },
      /^leafIdx must be a non-negative integer$/,
    ],
    ['root missing', { ...inclusion, root: undefined }, /^root must be a base64 string$/],
    ['leafHash as bytes', { ...inclusion, leafHash: [1, 2] }, /^leafHash must be a base64 string$/],
    [
      'proof missing',
      { ...inclusion, proof: undefined },
      /^proof must be null or an array of base64 strings$/,
    ],
    ['proof a string', { ...inclusion, proof: 'abc=' }, /^proof must be null or an array/],
    [
      'proof element a number',
      { ...inclusion, proof: [1] },
      /^proof\[0\] must be a base64 string$/,
    ],
    [
      'size2 missing',
      { ...consistency, size2: undefined },
      /^size2 must be a non-negative integer$/,
    ],
    ['root1 null', { ...consistency, root1: null }, /^root1 must be a base64 string$/],
    [
      'a subtree inclusion file',
      { leafIdx: 0, start: 0, end: 1, root: '', leafHash: '', proof: null },
      /^treeSize must be a non-negative integer$/,
    ],
  ])('%s: throws ProofFileError naming the field', (_name, value, message) => {
    expect(() => checkProofFile(value)).toThrow(ProofFileError);
    expect(() => checkProofFile(value)).toThrow(message);
  });

  it('names the error ProofFileError', () => {
    expect(() => checkProofFile({})).toThrow(expect.objectContaining({ name: 'ProofFileError' }));
  });
});
