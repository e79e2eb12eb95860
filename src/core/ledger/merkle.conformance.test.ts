// eslint-disable-next-line no-restricted-imports -- the test reads fixture files; the module stays pure
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  EMPTY_ROOT,
  consistencyPlan,
  hashChildren,
  hashLeaf,
  inclusionPlan,
  nodeKey,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeId,
} from './merkle.js';
import { checkProofFile } from './proof-file.js';

/*
 * transparency-dev/merkle's test vectors (test/fixtures/merkle, see SOURCE.md there) through
 * checkProofFile, and the 8-leaf Certificate Transparency tree they were generated from, built
 * with CompactRange and proved with inclusionPlan / consistencyPlan.
 */

const MERKLE = new URL('../../../test/fixtures/merkle/', import.meta.url);

interface Vector {
  file: string;
  value: Record<string, unknown>;
  wantErr: boolean;
}

function vectors(kind: 'inclusion' | 'consistency'): Vector[] {
  return readdirSync(new URL(`${kind}/`, MERKLE), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = `${kind}/${f}`;
      const value = JSON.parse(readFileSync(new URL(file, MERKLE), 'utf8')) as Record<
        string,
        unknown
      >;
      return { file, value, wantErr: value.wantErr === true };
    });
}

const inclusion = vectors('inclusion');
const consistency = vectors('consistency');

const b64 = (s: string): Hash => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');
const unhex = (s: string): Hash => new Uint8Array(Buffer.from(s, 'hex'));

describe('transparency-dev/merkle test vectors through checkProofFile', () => {
  it('has every case copied (a missing folder fails here)', () => {
    expect(inclusion.length).toBe(65);
    expect(inclusion.filter((v) => v.wantErr).length).toBe(59);
    expect(consistency.length).toBe(66);
    expect(consistency.filter((v) => v.wantErr).length).toBe(63);
    const folders = (vs: Vector[]) => [...new Set(vs.map((v) => v.file.split('/')[1]))].sort();
    expect(folders(inclusion)).toEqual(['0', '1', '2', '3', '4', 'additional', 'single-entry']);
    expect(folders(consistency)).toEqual(['0', '1', '2', '3', '4', 'additional']);
  });

  it.each([...inclusion, ...consistency].map((v) => [v.file, v] as const))(
    '%s',
    (file, { value, wantErr }) => {
      const result = checkProofFile(value);
      expect(result.kind).toBe(file.split('/')[0]);
      expect(result.valid).toBe(!wantErr);
      if (wantErr) expect(result.error).toMatch(/\S/);
      else expect(result.error).toBeUndefined();
    },
  );

  it('compares the roots of equal sizes as byte strings, as upstream (any length), and hashes otherwise', () => {
    const root = Buffer.from(hashLeaf(new Uint8Array())).toString('base64');
    const short = Buffer.from("don't care").toString('base64');
    expect(checkProofFile({ size1: 1, size2: 1, root1: root, root2: root, proof: [] })).toEqual({
      kind: 'consistency',
      valid: true,
    });
    expect(checkProofFile({ size1: 1, size2: 1, root1: short, root2: root, proof: [] }).valid).toBe(
      false,
    );
    expect(
      checkProofFile({ size1: 1, size2: 2, root1: short, root2: root, proof: [root] }),
    ).toMatchObject({
      valid: false,
      error: expect.stringMatching(/root1 is 10 bytes/) as string,
    });
  });
});

describe('RFC 6962 hasher (upstream rfc6962/rfc6962_test.go)', () => {
  const text = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['empty tree', EMPTY_ROOT, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    [
      'empty leaf',
      hashLeaf(new Uint8Array()),
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    ],
    [
      'leaf "L123456"',
      hashLeaf(text('L123456')),
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    ],
    [
      'node "N123" "N456"',
      hashChildren(text('N123'), text('N456')),
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    ],
  ])('%s', (_name, got, want) => {
    expect(hex(got)).toBe(want);
  });

  it('keeps leaves, nodes and order apart', () => {
    const [h1, h2] = [hashLeaf(text('Hello')), hashLeaf(text('World'))];
    expect(hex(h1)).not.toBe(hex(h2));
    const node = hashChildren(h1, h2);
    expect(hex(node)).not.toBe(hex(hashLeaf(new Uint8Array([...h1, ...h2]))));
    expect(hex(node)).not.toBe(hex(hashChildren(h2, h1)));
  });
});

describe('the 8-leaf Certificate Transparency test tree', () => {
  const LEAVES = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ].map(unhex);
  // Upstream proof/verify_test.go: roots[n - 1] is the root of the first n leaves.
  const ROOTS = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];

  // Every perfect subtree, as append reports it: what a store of the ledger would keep.
  const nodes = new Map<string, Hash>();
  const range = CompactRange.empty();
  const roots = [hex(range.root())];
  for (const leaf of LEAVES) {
    for (const { id, hash } of range.append(hashLeaf(leaf))) nodes.set(nodeKey(id), hash);
    roots.push(hex(range.root()));
  }
  const hashOf = (id: NodeId): Hash => {
    const h = nodes.get(nodeKey(id));
    if (h === undefined) throw new Error(`no node ${nodeKey(id)}`);
    return h;
  };
  const hexes = (hs: readonly Hash[]) => hs.map(hex);

  it('has the upstream root at every size, and the empty root at 0', () => {
    expect(roots).toEqual([hex(EMPTY_ROOT), ...ROOTS]);
    expect(nodes.size).toBe(15);
  });

  // Upstream proof/verify_test.go inclusionProofs (leaf index made 0-based here).
  it.each([
    [0, 1, []],
    [
      0,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      5,
      8,
      [
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
    [
      1,
      5,
      [
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
  ] as const)('inclusion proof of leaf %i in %i is upstream’s', (index, size, want) => {
    const proof = inclusionPlan(index, size).assemble(hashOf);
    expect(hexes(proof)).toEqual(want);
    verifyInclusion(index, size, hashLeaf(LEAVES[index] as Hash), proof, unhex(ROOTS[size - 1]!));
  });

  // Upstream proof/verify_test.go consistencyProofs.
  it.each([
    [1, 1, []],
    [
      1,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      6,
      8,
      [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [
      2,
      5,
      [
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
    [
      6,
      7,
      [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
  ] as const)('consistency proof from %i to %i is upstream’s', (size1, size2, want) => {
    const proof = consistencyPlan(size1, size2).assemble(hashOf);
    expect(hexes(proof)).toEqual(want);
    verifyConsistency(size1, size2, unhex(ROOTS[size1 - 1]!), unhex(ROOTS[size2 - 1]!), proof);
  });

  it('every proof between sizes 1..8 verifies, and equals each valid vector about this tree', () => {
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        const proof = inclusionPlan(index, size).assemble(hashOf);
        verifyInclusion(index, size, hashLeaf(LEAVES[index]!), proof, unhex(ROOTS[size - 1]!));
      }
      for (let size1 = 1; size1 <= size; size1++) {
        const proof = consistencyPlan(size1, size).assemble(hashOf);
        verifyConsistency(size1, size, unhex(ROOTS[size1 - 1]!), unhex(ROOTS[size - 1]!), proof);
      }
    }

    const proofOf = (v: Vector) => hexes(((v.value.proof ?? []) as string[]).map(b64));
    const rootOf = (size: number) => ROOTS[size - 1];
    let applied = 0;
    for (const v of inclusion.filter((x) => !x.wantErr)) {
      const { leafIdx, treeSize, root, leafHash } = v.value as {
        leafIdx: number;
        treeSize: number;
        root: string;
        leafHash: string;
      };
      if (hex(b64(root)) !== rootOf(treeSize)) continue;
      expect(hex(b64(leafHash))).toBe(hex(hashLeaf(LEAVES[leafIdx]!)));
      expect(hexes(inclusionPlan(leafIdx, treeSize).assemble(hashOf))).toEqual(proofOf(v));
      applied++;
    }
    for (const v of consistency.filter((x) => !x.wantErr)) {
      const { size1, size2, root1, root2 } = v.value as {
        size1: number;
        size2: number;
        root1: string;
        root2: string;
      };
      if (hex(b64(root1)) !== rootOf(size1) || hex(b64(root2)) !== rootOf(size2)) continue;
      expect(hexes(consistencyPlan(size1, size2).assemble(hashOf))).toEqual(proofOf(v));
      applied++;
    }
    // Five inclusion happy paths and two consistency ones are about this tree.
    expect(applied).toBe(7);
  });
});
