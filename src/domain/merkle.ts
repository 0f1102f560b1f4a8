import { createHash } from 'node:crypto';

// Merkle Tree Hash of RFC 6962 §2.1 (restated in RFC 9162 §2.1). The 0x00 and 0x01 prefixes
// keep a leaf from ever passing for an inner node (second-preimage resistance). Hashes are
// raw 32-byte Buffers here; the trail and the bundle write them as lower-case hex.

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The leaf of an event: its hash as 32 raw bytes (not the 64 hex characters). */
export function eventLeaf(eventHashHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/u.test(eventHashHex)) throw new Error('an event hash is 64 lower-case hex characters');
  return leafHash(Buffer.from(eventHashHex, 'hex'));
}

/** The largest power of two strictly below n (n >= 2): where RFC 6962 splits a tree. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) from the leaf hashes; the empty tree hashes the empty string. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  return subtree(leaves, 0, leaves.length, new Map());
}

function subtree(leaves: readonly Buffer[], start: number, size: number, memo: Map<string, Buffer>): Buffer {
  if (size === 1) return leaves[start] as Buffer;
  const key = `${start}:${size}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const k = split(size);
  const hash = nodeHash(subtree(leaves, start, k, memo), subtree(leaves, start + k, size - k, memo));
  memo.set(key, hash);
  return hash;
}

/**
 * Builds MTH one leaf at a time with O(log n) memory: a stack of perfect subtrees, merged as
 * they fill. Folding the stack from the right at the end gives the RFC 6962 root, since its
 * tree is exactly those perfect subtrees, largest first.
 */
export function createRootBuilder(): { add(leaf: Buffer): void; readonly size: number; root(): Buffer } {
  const stack: { size: number; hash: Buffer }[] = [];
  let count = 0;
  return {
    add(leaf) {
      let node = { size: 1, hash: leaf };
      for (let top = stack.at(-1); top !== undefined && top.size === node.size; top = stack.at(-1)) {
        stack.pop();
        node = { size: top.size * 2, hash: nodeHash(top.hash, node.hash) };
      }
      stack.push(node);
      count += 1;
    },
    get size() {
      return count;
    },
    root() {
      if (stack.length === 0) return createHash('sha256').digest();
      let acc = (stack.at(-1) as { hash: Buffer }).hash;
      for (let i = stack.length - 2; i >= 0; i--) acc = nodeHash((stack[i] as { hash: Buffer }).hash, acc);
      return acc;
    },
  };
}

/**
 * Audit paths PATH(m, D[n]) of RFC 6962 §2.1.1 for several leaves of one tree, deepest
 * sibling first. Subtree hashes are shared between the paths.
 */
export function inclusionProofs(leaves: readonly Buffer[], indices: readonly number[]): Buffer[][] {
  const memo = new Map<string, Buffer>();
  return indices.map((index) => {
    if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new Error(`leaf ${index} is not in a tree of ${leaves.length}`);
    const path: Buffer[] = [];
    let start = 0;
    let size = leaves.length;
    let m = index;
    // Walk down from the root, noting each sibling; the path lists them bottom-up.
    while (size > 1) {
      const k = split(size);
      if (m < k) {
        path.push(subtree(leaves, start + k, size - k, memo));
        size = k;
      } else {
        path.push(subtree(leaves, start, k, memo));
        start += k;
        size -= k;
        m -= k;
      }
    }
    return path.reverse();
  });
}

/** Checks an audit path against a root: the algorithm of RFC 9162 §2.1.3.2. */
export function verifyInclusion(leaf: Buffer, index: number, treeSize: number, path: readonly Buffer[], root: Buffer): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}
