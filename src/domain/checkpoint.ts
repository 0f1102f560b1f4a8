import { sign, verify, type KeyObject } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, sha256 } from './hashing.ts';
import { createEventRootBuilder } from './merkle.ts';

// Signed checkpoints (docs/design.md §4, docs/audit-format.md). Checkpoint n covers every event whose
// storage id lies in [fromEventId, toEventId]; the ranges of consecutive checkpoints tile
// the ids from 1 with no gap or overlap, so a deleted event changes some checkpoint's root.

export const CHECKPOINT_FORMAT = 'casetrail-checkpoint/1';

/** The last event of one case inside a checkpoint's range. */
export type CaseHead = { caseId: string; seq: number; hash: string };

/** Exactly what is hashed and signed. Event ids are decimal strings: they are 64-bit. */
export type CheckpointEnvelope = {
  format: typeof CHECKPOINT_FORMAT;
  seq: number;
  fromEventId: string;
  toEventId: string;
  eventCount: number;
  /** RFC 6962 Merkle root over the event hashes of the range, in id order. */
  root: string;
  /** SHA-256 of the canonical JSON of the range's case heads, sorted by caseId. */
  headsHash: string;
  /** The previous checkpoint's hash; 64 zeros for the first. */
  prevHash: string;
  createdAt: string;
  /** SHA-256 of the raw 32-byte Ed25519 public key that signs. */
  keyId: string;
};

export type SignedCheckpoint = CheckpointEnvelope & { hash: string; signature: string };

/** A leaf as the sealer and the verifier read it from the trail. */
export type SealedLeaf = { id: string; caseId: string; seq: number; hash: string };

function checkpointEnvelope(c: CheckpointEnvelope): CheckpointEnvelope {
  return {
    format: c.format,
    seq: c.seq,
    fromEventId: c.fromEventId,
    toEventId: c.toEventId,
    eventCount: c.eventCount,
    root: c.root,
    headsHash: c.headsHash,
    prevHash: c.prevHash,
    createdAt: c.createdAt,
    keyId: c.keyId,
  };
}

/** The bytes that are hashed and signed: UTF-8 of the RFC 8785 canonical JSON of the envelope. */
export function checkpointBytes(c: CheckpointEnvelope): Buffer {
  return Buffer.from(canonicalJson(checkpointEnvelope(c)), 'utf8');
}

export function hashCheckpoint(c: CheckpointEnvelope): string {
  return sha256(checkpointBytes(c));
}

function sortHeads(heads: Iterable<CaseHead>): CaseHead[] {
  return [...heads]
    .map((h) => ({ caseId: h.caseId, seq: h.seq, hash: h.hash }))
    .sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
}

export function headsHash(heads: Iterable<CaseHead>): string {
  return sha256(canonicalJson(sortHeads(heads)));
}

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('expected an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export function publicKeyId(publicKey: KeyObject): string {
  return sha256(rawPublicKey(publicKey));
}

export function signCheckpoint(envelope: CheckpointEnvelope, signingKey: KeyObject): SignedCheckpoint {
  const bytes = checkpointBytes(envelope);
  return {
    ...checkpointEnvelope(envelope),
    hash: sha256(bytes),
    signature: sign(null, bytes, signingKey).toString('hex'),
  };
}

export function isValidSignature(bytes: Uint8Array, signatureHex: string, publicKey: KeyObject): boolean {
  if (!/^[0-9a-f]{128}$/u.test(signatureHex)) return false;
  return verify(null, bytes, publicKey, Buffer.from(signatureHex, 'hex'));
}

/** Merkle root, count and case heads of a range's leaves, fed one at a time in id order. */
export function createRangeDigest(): {
  add(leaf: SealedLeaf): void;
  readonly count: number;
  root(): string;
  heads(): CaseHead[];
} {
  const builder = createEventRootBuilder();
  const heads = new Map<string, CaseHead>();
  return {
    add(leaf) {
      builder.add(leaf.hash);
      const head = heads.get(leaf.caseId);
      if (head === undefined || leaf.seq > head.seq)
        heads.set(leaf.caseId, { caseId: leaf.caseId, seq: leaf.seq, hash: leaf.hash });
    },
    get count() {
      return builder.size;
    },
    root: () => builder.rootHex(),
    heads: () => sortHeads(heads.values()),
  };
}

export type CheckpointVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks signed checkpoints one at a time, in seq order: gapless seq from 1, ranges that
 * tile the event ids, each prevHash the previous hash, each hash recomputed, and each
 * signature valid under the given public key.
 */
export function createCheckpointChainVerifier(
  trusted: KeyObject | ReadonlyMap<string, KeyObject>,
): (c: SignedCheckpoint) => CheckpointVerdict {
  // Several keys after a rotation: each checkpoint is checked under the key it names.
  const keys = trusted instanceof Map ? trusted : new Map([[publicKeyId(trusted as KeyObject), trusted as KeyObject]]);
  const [firstId] = keys.keys();
  let previous: { seq: number; toEventId: bigint; hash: string } = { seq: 0, toEventId: 0n, hash: GENESIS_HASH };
  return (c) => {
    const key = keys.get(c.keyId);
    const verdict =
      key === undefined
        ? checkOne(c, previous, firstId ?? '', keys.get(firstId ?? '') as KeyObject)
        : checkOne(c, previous, c.keyId, key);
    // Each link is judged on its own: one broken checkpoint does not condemn all that follow.
    previous = {
      seq: c.seq,
      toEventId: /^\d+$/u.test(c.toEventId) ? BigInt(c.toEventId) : previous.toEventId,
      hash: c.hash,
    };
    return verdict;
  };
}

function checkOne(
  c: SignedCheckpoint,
  previous: { seq: number; toEventId: bigint; hash: string },
  keyId: string,
  publicKey: KeyObject,
): CheckpointVerdict {
  const fail = (reason: string): CheckpointVerdict => ({ ok: false, reason });
  if (c.format !== CHECKPOINT_FORMAT) return fail(`unknown format ${JSON.stringify(c.format)}`);
  if (c.seq !== previous.seq + 1) return fail(`expected checkpoint ${previous.seq + 1}, found ${c.seq}`);
  if (c.prevHash !== previous.hash) return fail('prevHash is not the hash of the previous checkpoint');
  if (!/^\d+$/u.test(c.fromEventId) || !/^\d+$/u.test(c.toEventId)) return fail('event ids are not decimal strings');
  if (BigInt(c.fromEventId) !== previous.toEventId + 1n) {
    return fail(`range starts at event ${c.fromEventId}, expected ${previous.toEventId + 1n}`);
  }
  if (BigInt(c.toEventId) < BigInt(c.fromEventId)) return fail('range ends before it starts');
  return checkSignature(c, keyId, publicKey);
}

/** Hash and signature of one checkpoint, on its own (a bundle carries only some of them). */
export function checkSignature(c: SignedCheckpoint, keyId: string, publicKey: KeyObject): CheckpointVerdict {
  const bytes = checkpointBytes(c);
  if (sha256(bytes) !== c.hash) return { ok: false, reason: 'hash does not match the checkpoint' };
  if (c.keyId !== keyId)
    return { ok: false, reason: `signed by key ${c.keyId.slice(0, 16)}…, not the trusted key ${keyId.slice(0, 16)}…` };
  if (!isValidSignature(bytes, c.signature, publicKey)) return { ok: false, reason: 'signature is not valid' };
  return { ok: true };
}
