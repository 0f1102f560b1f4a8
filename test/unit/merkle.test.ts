import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createRootBuilder,
  eventLeaf,
  inclusionProofs,
  leafHash,
  merkleRoot,
  verifyInclusion,
} from '../../src/domain/index.ts';
import { createEventRootBuilder } from '../../src/domain/merkle.ts';

// The test vectors of the RFC 6962 reference implementation (certificate-transparency
// merkle_tree_test): eight leaves and the root of each prefix of them.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (hex) => leafHash(Buffer.from(hex, 'hex')),
);
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

describe('RFC 6962 Merkle tree hash', () => {
  it('hashes the empty tree to SHA-256 of nothing', () => {
    expect(merkleRoot([]).toString('hex')).toBe(createHash('sha256').digest('hex'));
  });

  it.each(ROOTS.map((root, i) => [i + 1, root] as const))(
    'gives the reference root of the first %i leaves',
    (n, root) => {
      expect(merkleRoot(LEAVES.slice(0, n)).toString('hex')).toBe(root);
    },
  );

  it('builds the same root one leaf at a time, for every size up to 70', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from([i])));
    const builder = createRootBuilder();
    for (let n = 1; n <= leaves.length; n++) {
      builder.add(leaves[n - 1] as Buffer);
      expect(builder.root().equals(merkleRoot(leaves.slice(0, n))), `size ${n}`).toBe(true);
    }
  });

  it('builds the same root from event hashes, for every size up to 70 and for none', () => {
    const hashes = Array.from({ length: 70 }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
    const builder = createEventRootBuilder();
    expect(builder.rootHex()).toBe(merkleRoot([]).toString('hex'));
    for (let n = 1; n <= hashes.length; n++) {
      builder.add(hashes[n - 1] as string);
      expect(builder.rootHex(), `size ${n}`).toBe(merkleRoot(hashes.slice(0, n).map(eventLeaf)).toString('hex'));
    }
    expect(eventLeaf(hashes[0] as string).equals(leafHash(Buffer.from(hashes[0] as string, 'hex')))).toBe(true);
    expect(() => builder.add('A'.repeat(64))).toThrow('an event hash is 64 lower-case hex characters');
  });

  it('gives the reference audit path of leaf 0 in the tree of 8', () => {
    const [path] = inclusionProofs(LEAVES, [0]);
    expect(path?.map((p) => p.toString('hex'))).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });

  it('proves every leaf of every tree up to 33 leaves, and nothing else', () => {
    const leaves = Array.from({ length: 33 }, (_, i) => leafHash(Buffer.from([i, 7])));
    for (let size = 1; size <= leaves.length; size++) {
      const tree = leaves.slice(0, size);
      const root = merkleRoot(tree);
      const indices = tree.map((_, i) => i);
      inclusionProofs(tree, indices).forEach((path, index) => {
        const leaf = tree[index] as Buffer;
        expect(verifyInclusion(leaf, index, size, path, root), `leaf ${index} of ${size}`).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('other')), index, size, path, root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaf, (index + 1) % size, size, path, root)).toBe(false);
      });
    }
  });

  it('refuses an index outside the tree and a path longer than the tree is deep', () => {
    const root = merkleRoot(LEAVES);
    const [path = []] = inclusionProofs(LEAVES, [3]);
    expect(verifyInclusion(LEAVES[3] as Buffer, 8, 8, path, root)).toBe(false);
    expect(verifyInclusion(LEAVES[3] as Buffer, 3, 8, [...path, LEAVES[0] as Buffer], root)).toBe(false);
  });
});
