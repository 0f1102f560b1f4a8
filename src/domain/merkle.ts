import { hash } from 'node:crypto';

// Merkle Tree Hash of RFC 6962 §2.1 (restated in RFC 9162 §2.1). The 0x00 and 0x01 prefixes
// keep a leaf from ever passing for an inner node (second-preimage resistance). Hashes are
// raw 32-byte Buffers here (binary strings inside the root builders); the trail and the
// bundle write them as lower-case hex.

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// One-shot hashing of one buffer (crypto.hash): no Hash object per leaf or node.
const sha256 = (data: Uint8Array): Buffer => hash('sha256', data, 'buffer');

export function leafHash(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

const EVENT_HASH = /^[0-9a-f]{64}$/u;

/** The leaf of an event: its hash as 32 raw bytes (not the 64 hex characters). */
export function eventLeaf(eventHashHex: string): Buffer {
  return Buffer.from(binaryEventLeaf(eventHashHex), 'latin1');
}

/** SHA-256 of the empty string: the root of the empty tree. */
const emptyRoot = (): Buffer => sha256(new Uint8Array(0));

/** The largest power of two strictly below n (n >= 2): where RFC 6962 splits a tree. */
export function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) from the leaf hashes; the empty tree hashes the empty string. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRoot();
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
  const tree = binaryRootBuilder();
  return {
    add: (leaf) => tree.add(leaf.toString('latin1')),
    get size() {
      return tree.size;
    },
    root: () => Buffer.from(tree.root(), 'latin1'),
  };
}

/**
 * The same, over the trail's events: fed their hex hashes in id order; the root in hex. It
 * may resume from a frontier (the perfect subtrees of a tree of `size` leaves, largest first,
 * as `frontierHex` gives them): then its cost follows the leaves added, not the tree.
 */
export function createEventRootBuilder(from?: { size: number; frontier: readonly string[] }): {
  add(eventHashHex: string): void;
  readonly size: number;
  rootHex(): string;
  frontierHex(): string[];
} {
  const tree = binaryRootBuilder(from);
  return {
    add: (eventHashHex) => tree.add(binaryEventLeaf(eventHashHex)),
    get size() {
      return tree.size;
    },
    rootHex: () => Buffer.from(tree.root(), 'latin1').toString('hex'),
    frontierHex: () => tree.frontier().map((h) => Buffer.from(h, 'latin1').toString('hex')),
  };
}

// The builders hold hashes as binary strings, one latin1 character per byte ('binary' is
// Node's other name for latin1): crypto.hash gives those several times faster than a Buffer,
// and they are written into one input buffer reused for every 32-byte leaf or pair of children.

const LEAF_INPUT = Buffer.alloc(33, LEAF_PREFIX);
const NODE_INPUT = Buffer.alloc(65, NODE_PREFIX);

function binaryEventLeaf(eventHashHex: string): string {
  if (!EVENT_HASH.test(eventHashHex)) throw new Error('an event hash is 64 lower-case hex characters');
  LEAF_INPUT.write(eventHashHex, 1, 'hex');
  return hash('sha256', LEAF_INPUT, 'binary');
}

function binaryNode(left: string, right: string): string {
  if (left.length !== 32 || right.length !== 32)
    return nodeHash(Buffer.from(left, 'latin1'), Buffer.from(right, 'latin1')).toString('latin1');
  NODE_INPUT.write(left, 1, 'latin1');
  NODE_INPUT.write(right, 33, 'latin1');
  return hash('sha256', NODE_INPUT, 'binary');
}

function binaryRootBuilder(from?: { size: number; frontier: readonly string[] }): {
  add(leaf: string): void;
  readonly size: number;
  root(): string;
  frontier(): string[];
} {
  // The stack of perfect subtrees: their sizes and hashes (the set bits of the size, largest first).
  const sizes: number[] = [];
  const hashes: string[] = [];
  let count = 0;
  if (from !== undefined) {
    for (let bit = 2 ** 52; bit >= 1; bit /= 2) if (Math.floor(from.size / bit) % 2 === 1) sizes.push(bit);
    if (sizes.length !== from.frontier.length || from.frontier.some((h) => !EVENT_HASH.test(h)))
      throw new Error(`a frontier of a tree of ${from.size} leaves has ${sizes.length} hashes of 64 hex characters`);
    hashes.push(...from.frontier.map((h) => Buffer.from(h, 'hex').toString('latin1')));
    count = from.size;
  }
  return {
    frontier: () => [...hashes],
    add(leaf) {
      let size = 1;
      let node = leaf;
      while (sizes.length > 0 && sizes[sizes.length - 1] === size) {
        sizes.pop();
        node = binaryNode(hashes.pop() as string, node);
        size *= 2;
      }
      sizes.push(size);
      hashes.push(node);
      count += 1;
    },
    get size() {
      return count;
    },
    root() {
      if (hashes.length === 0) return emptyRoot().toString('latin1');
      let acc = hashes[hashes.length - 1] as string;
      for (let i = hashes.length - 2; i >= 0; i--) acc = binaryNode(hashes[i] as string, acc);
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
    if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
      throw new Error(`leaf ${index} is not in a tree of ${leaves.length}`);
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
export function verifyInclusion(
  leaf: Buffer,
  index: number,
  treeSize: number,
  path: readonly Buffer[],
  root: Buffer,
): boolean {
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
