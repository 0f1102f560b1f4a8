import { sign, type KeyObject } from 'node:crypto';
import { isValidSignature } from './checkpoint.ts';
import { canonicalJson } from './hashing.ts';
import { leafHash } from './merkle.ts';
import { verifyConsistency } from './merkle-log.ts';

// Signed tree heads of the one Merkle log over every event in id order (docs/audit-format.md).
// A head commits to the log's first `treeSize` leaves (rootHash) and to where every case's
// chain stood at that size (headsRoot), so a bundle can prove its case was not cut short.

export const TREE_HEAD_FORMAT = 'casetrail-tree-head/1';

/** Exactly what is signed. */
export type TreeHeadEnvelope = {
  format: typeof TREE_HEAD_FORMAT;
  /** Leaves of the event log: the first treeSize events in id order. */
  treeSize: number;
  /** RFC 9162 Merkle root of those leaves (leaf data: the 32 raw bytes of the event hash). */
  rootHash: string;
  /** RFC 9162 Merkle root of the case heads, in the order the cases entered the log. */
  headsRoot: string;
  /** How many cases (heads leaves) there are at this size. */
  caseCount: number;
  /** The database clock when signed (RFC 3339, UTC, ms). */
  timestamp: string;
  /** SHA-256 of the raw Ed25519 public key that signs. */
  keyId: string;
};

export type SignedTreeHead = TreeHeadEnvelope & { signature: string };

/** Where one case's chain stood at a tree head: a leaf of the heads tree. */
export type CaseHeadLeaf = { caseId: string; lastSeq: number; headHash: string };

function treeHeadBytes(h: TreeHeadEnvelope): Buffer {
  const envelope: TreeHeadEnvelope = {
    format: h.format,
    treeSize: h.treeSize,
    rootHash: h.rootHash,
    headsRoot: h.headsRoot,
    caseCount: h.caseCount,
    timestamp: h.timestamp,
    keyId: h.keyId,
  };
  return Buffer.from(canonicalJson(envelope), 'utf8');
}

export function signTreeHead(envelope: TreeHeadEnvelope, signingKey: KeyObject): SignedTreeHead {
  return { ...envelope, signature: sign(null, treeHeadBytes(envelope), signingKey).toString('hex') };
}

/** Null when the head's signature holds under the key it names; else why not. */
export function treeHeadProblem(head: SignedTreeHead, keys: ReadonlyMap<string, KeyObject>): string | null {
  if (head.format !== TREE_HEAD_FORMAT) return `unknown tree head format ${JSON.stringify(head.format)}`;
  const key = keys.get(head.keyId);
  if (key === undefined)
    return `tree head ${head.treeSize} is signed by key ${head.keyId.slice(0, 16)}…, which is not trusted`;
  if (!isValidSignature(treeHeadBytes(head), head.signature, key))
    return `the signature of tree head ${head.treeSize} is not valid`;
  return null;
}

/** What an RFC 3161 time stamp of a head covers: UTF-8(JCS(the signed head, signature included)). */
export function signedTreeHeadBytes(head: SignedTreeHead): Buffer {
  return Buffer.from(
    canonicalJson({ ...JSON.parse(treeHeadBytes(head).toString('utf8')), signature: head.signature }),
    'utf8',
  );
}

/** leaf = SHA-256(0x00 ‖ UTF-8(JCS({ caseId, headHash, lastSeq }))). */
export function caseHeadLeaf(head: CaseHeadLeaf): Buffer {
  return leafHash(
    Buffer.from(canonicalJson({ caseId: head.caseId, lastSeq: head.lastSeq, headHash: head.headHash }), 'utf8'),
  );
}

export type Succession = { ok: true } | { ok: false; kind: 'rollback' | 'fork'; reason: string };

/**
 * Whether `next` extends `previous` (both already checked signed): a smaller size is a
 * rollback; the same size with another root, or a larger one without a valid RFC 9162
 * consistency proof, is a fork. Both sizes are named.
 */
export function checkSuccession(
  previous: Pick<SignedTreeHead, 'treeSize' | 'rootHash'>,
  next: Pick<SignedTreeHead, 'treeSize' | 'rootHash'>,
  proof: readonly string[],
): Succession {
  const sizes = `size ${previous.treeSize} and size ${next.treeSize}`;
  if (next.treeSize < previous.treeSize)
    return {
      ok: false,
      kind: 'rollback',
      reason: `rollback: the log went from size ${previous.treeSize} back to size ${next.treeSize}`,
    };
  const consistent = verifyConsistency(
    previous.treeSize,
    next.treeSize,
    Buffer.from(previous.rootHash, 'hex'),
    Buffer.from(next.rootHash, 'hex'),
    proof.map((p) => Buffer.from(p, 'hex')),
  );
  return consistent
    ? { ok: true }
    : { ok: false, kind: 'fork', reason: `fork: the heads of ${sizes} are not consistent` };
}
