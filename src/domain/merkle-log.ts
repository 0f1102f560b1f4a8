import { hash } from 'node:crypto';
import { nodeHash as nodeOf, split as largestPowerOfTwoBelow } from './merkle.ts';

// The append-only Merkle log of RFC 9162 §2.1 over stored nodes. Every tree of every size
// is built from aligned perfect subtrees: node (level, index) covers the leaves
// [index·2^level, (index+1)·2^level). Storing each such node once it is complete is enough to
// give the root of any size, an inclusion proof (§2.1.3.1) and a consistency proof
// (§2.1.4.1) between any two sizes, without reading the leaves again.

const sha256 = (data: Uint8Array): Buffer => hash('sha256', data, 'buffer');

/** A complete node by its place; throws when the store lacks it. */
export type NodeGetter = (level: number, index: number) => Buffer;

/** `level:index`, the key of a node in a map. */
export const nodeKey = (level: number, index: number): string => `${level}:${index}`;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** MTH(D[start:start+size]); start is a multiple of the subtree's split, as in every RFC 9162 recursion. */
function subtreeHash(get: NodeGetter, start: number, size: number): Buffer {
  if (size === 0) return sha256(new Uint8Array(0));
  if (isPowerOfTwo(size) && start % size === 0) return get(Math.log2(size), start / size);
  const k = largestPowerOfTwoBelow(size);
  return nodeOf(subtreeHash(get, start, k), subtreeHash(get, start + k, size - k));
}

/** The root of the first `size` leaves. */
export function rootOf(get: NodeGetter, size: number): Buffer {
  return subtreeHash(get, 0, size);
}

/** PATH(m, D[0:n]) of RFC 9162 §2.1.3.1, deepest sibling first. */
export function inclusionPath(get: NodeGetter, index: number, size: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= size)
    throw new Error(`leaf ${index} is not in a tree of ${size}`);
  const path: Buffer[] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      path.push(subtreeHash(get, start + k, n - k));
      n = k;
    } else {
      path.push(subtreeHash(get, start, k));
      start += k;
      n -= k;
      m -= k;
    }
  }
  return path.reverse();
}

/** PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1 (empty when m = n or m = 0). */
export function consistencyProof(get: NodeGetter, m: number, n: number): Buffer[] {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || m > n) throw new Error(`no proof from ${m} to ${n}`);
  if (m === 0 || m === n) return [];
  return subproof(get, m, 0, n, true);
}

function subproof(get: NodeGetter, m: number, start: number, n: number, complete: boolean): Buffer[] {
  if (m === n) return complete ? [] : [subtreeHash(get, start, n)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...subproof(get, m, start, k, complete), subtreeHash(get, start + k, n - k)];
  return [...subproof(get, m - k, start + k, n - k, false), subtreeHash(get, start, k)];
}

/** The consistency check of RFC 9162 §2.1.4.2: the tree of size `second` extends the one of size `first`. */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Buffer,
  secondRoot: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (!Number.isInteger(first) || !Number.isInteger(second) || first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  let path = [...proof];
  if (isPowerOfTwo(first)) path = [firstRoot, ...path];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const [head, ...rest] = path;
  if (head === undefined) return false;
  let fr = head;
  let sr = head;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeOf(c, fr);
      sr = nodeOf(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeOf(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

/**
 * The nodes a computation reads, found by running it once against a getter that records
 * instead of answering: the shape of every proof depends on the sizes alone, never on hashes.
 */
export function nodesRead(compute: (get: NodeGetter) => unknown): Array<{ level: number; index: number }> {
  const seen = new Map<string, { level: number; index: number }>();
  const dummy = Buffer.alloc(32);
  compute((level, index) => {
    seen.set(nodeKey(level, index), { level, index });
    return dummy;
  });
  return [...seen.values()];
}

/** A getter over fetched nodes. */
export function getterOf(nodes: ReadonlyMap<string, Buffer>): NodeGetter {
  return (level, index) => {
    const node = nodes.get(nodeKey(level, index));
    if (node === undefined) throw new Error(`merkle node ${level}:${index} is missing`);
    return node;
  };
}

/**
 * The complete nodes to write after setting leaves (appended or replaced) in a tree of
 * `size` leaves: the leaves themselves and every complete ancestor of one, level by level.
 * `fetch` reads the untouched siblings it needs from the store, one call per level.
 */
export async function nodesAfterSettingLeaves(
  size: number,
  leaves: ReadonlyMap<number, Buffer>,
  fetch: (wanted: Array<{ level: number; index: number }>) => Promise<ReadonlyMap<string, Buffer>>,
): Promise<Map<string, { level: number; index: number; hash: Buffer }>> {
  const written = new Map<string, { level: number; index: number; hash: Buffer }>();
  let dirty = new Set<number>();
  for (const [index, hash] of leaves) {
    written.set(nodeKey(0, index), { level: 0, index, hash });
    dirty.add(index);
  }
  for (let level = 1; 2 ** level <= size; level++) {
    const parents = new Set<number>();
    for (const child of dirty) {
      const parent = Math.floor(child / 2);
      if ((parent + 1) * 2 ** level <= size) parents.add(parent);
    }
    if (parents.size === 0) break;
    const missing = [...parents]
      .flatMap((p) => [2 * p, 2 * p + 1])
      .filter((i) => !written.has(nodeKey(level - 1, i)))
      .map((index) => ({ level: level - 1, index }));
    const fetched = missing.length === 0 ? new Map<string, Buffer>() : await fetch(missing);
    const child = (index: number): Buffer => {
      const hash = written.get(nodeKey(level - 1, index))?.hash ?? fetched.get(nodeKey(level - 1, index));
      if (hash === undefined) throw new Error(`merkle node ${level - 1}:${index} is missing`);
      return hash;
    };
    for (const p of parents)
      written.set(nodeKey(level, p), { level, index: p, hash: nodeOf(child(2 * p), child(2 * p + 1)) });
    dirty = parents;
  }
  return written;
}
