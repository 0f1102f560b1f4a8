import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  getterOf,
  inclusionPath,
  leafHash,
  merkleRoot,
  nodeKey,
  nodesAfterSettingLeaves,
  nodesRead,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/domain/index.ts';

const MAX = 64;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

/** The log's node store after appending every leaf one at a time, as the sealer does in batches. */
async function grownStore(count: number, batch: number): Promise<Map<string, Buffer>> {
  const store = new Map<string, Buffer>();
  for (let size = 0; size < count; ) {
    const next = Math.min(count, size + batch);
    const added = new Map<number, Buffer>();
    for (let i = size; i < next; i++) added.set(i, leaves[i] as Buffer);
    const written = await nodesAfterSettingLeaves(next, added, async (wanted) => {
      return new Map(wanted.map((w) => [nodeKey(w.level, w.index), store.get(nodeKey(w.level, w.index)) as Buffer]));
    });
    for (const [key, node] of written) store.set(key, node.hash);
    size = next;
  }
  return store;
}

const flip = (b: Buffer): Buffer => {
  const copy = Buffer.from(b);
  copy[0] = (copy[0] ?? 0) ^ 1;
  return copy;
};

describe('the append-only Merkle log (RFC 9162)', () => {
  it('gives the RFC 9162 root of every size from its stored nodes, however it was appended', async () => {
    for (const batch of [1, 3, 64]) {
      const get = getterOf(await grownStore(MAX, batch));
      for (let n = 1; n <= MAX; n++) expect(rootOf(get, n).equals(merkleRoot(leaves.slice(0, n)))).toBe(true);
    }
    expect(rootOf(getterOf(new Map()), 0).toString('hex')).toBe(createHash('sha256').digest('hex'));
  });

  it('proves consistency between every pair of 1..64-leaf trees, and a tampered proof fails', async () => {
    const get = getterOf(await grownStore(MAX, 5));
    let checked = 0;
    for (let m = 1; m <= MAX; m++) {
      for (let n = m; n <= MAX; n++) {
        const proof = consistencyProof(get, m, n);
        const first = rootOf(get, m);
        const second = rootOf(get, n);
        expect(verifyConsistency(m, n, first, second, proof), `${m} → ${n}`).toBe(true);
        if (proof.length > 0) {
          const k = (m * 7 + n) % proof.length;
          const tampered = proof.map((p, i) => (i === k ? flip(p) : p));
          expect(verifyConsistency(m, n, first, second, tampered), `${m} → ${n} tampered`).toBe(false);
          expect(verifyConsistency(m, n, first, second, proof.slice(0, -1)), `${m} → ${n} short`).toBe(false);
        }
        if (m < n) {
          // A fork: the same size m with a different last leaf is not consistent.
          expect(verifyConsistency(m, n, flip(first), second, proof), `${m} → ${n} other root`).toBe(false);
        }
        checked += 1;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('proves the inclusion of every leaf of every 1..64-leaf tree, and a tampered path fails', async () => {
    const get = getterOf(await grownStore(MAX, 7));
    for (let n = 1; n <= MAX; n++) {
      const root = rootOf(get, n);
      for (let i = 0; i < n; i++) {
        const path = inclusionPath(get, i, n);
        expect(verifyInclusion(leaves[i] as Buffer, i, n, path, root), `${i} of ${n}`).toBe(true);
        if (path.length > 0) {
          const tampered = path.map((p, j) => (j === i % path.length ? flip(p) : p));
          expect(verifyInclusion(leaves[i] as Buffer, i, n, tampered, root)).toBe(false);
        }
        expect(verifyInclusion(flip(leaves[i] as Buffer), i, n, path, root)).toBe(false);
      }
    }
  });

  it('reads the same nodes a proof needs without their hashes, so they can be fetched in one query', async () => {
    const store = await grownStore(MAX, 64);
    const wanted = nodesRead((get) => consistencyProof(get, 13, 57));
    const fetched = new Map(
      wanted.map((w) => [nodeKey(w.level, w.index), store.get(nodeKey(w.level, w.index)) as Buffer]),
    );
    expect(consistencyProof(getterOf(fetched), 13, 57)).toEqual(consistencyProof(getterOf(store), 13, 57));
  });

  it('recomputes the ancestors of a replaced leaf (the heads tree changes leaves in place)', async () => {
    const store = await grownStore(21, 21);
    const changed = leafHash(Buffer.from('another head'));
    const written = await nodesAfterSettingLeaves(21, new Map([[9, changed]]), async (wanted) => {
      return new Map(wanted.map((w) => [nodeKey(w.level, w.index), store.get(nodeKey(w.level, w.index)) as Buffer]));
    });
    for (const [key, node] of written) store.set(key, node.hash);
    const expected = leaves.slice(0, 21).map((l, i) => (i === 9 ? changed : l));
    expect(rootOf(getterOf(store), 21).equals(merkleRoot(expected))).toBe(true);
  });
});
