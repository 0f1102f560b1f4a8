// Test harness, not a test: a small trail of two cases sealed into checkpoints in memory,
// the way the sealer does it, with storage ids assigned in append order.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  CHECKPOINT_FORMAT,
  GENESIS_HASH,
  createRangeDigest,
  headsHash,
  publicKeyId,
  signCheckpoint,
  type CaseHead,
  type SealedLeaf,
  type SignedCheckpoint,
  type StoredEvent,
} from '../../src/domain/index.ts';
import {
  BODIES,
  CLERK,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  createWorld,
  penaltyBody,
  submitBody,
  verifyBody,
} from './domain-world.ts';

export type Sealed = { checkpoint: SignedCheckpoint; heads: CaseHead[]; leaves: SealedLeaf[] };

export function keyPair(): { signingKey: KeyObject; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signingKey: privateKey, publicKey };
}

/** Seals consecutive ranges of the leaves, `sizes` leaves at a time. */
export function seal(
  leaves: readonly SealedLeaf[],
  sizes: readonly number[],
  signingKey: KeyObject,
  publicKey: KeyObject,
): Sealed[] {
  const sealed: Sealed[] = [];
  let start = 0;
  for (const size of sizes) {
    const range = leaves.slice(start, start + size);
    const previous = sealed.at(-1)?.checkpoint;
    const digest = createRangeDigest();
    for (const leaf of range) digest.add(leaf);
    const heads = digest.heads();
    const checkpoint = signCheckpoint(
      {
        format: CHECKPOINT_FORMAT,
        seq: sealed.length + 1,
        fromEventId: previous === undefined ? '1' : String(BigInt(previous.toEventId) + 1n),
        toEventId: (range.at(-1) as SealedLeaf).id,
        eventCount: digest.count,
        root: digest.root(),
        headsHash: headsHash(heads),
        prevHash: previous?.hash ?? GENESIS_HASH,
        createdAt: `2026-11-28T10:0${sealed.length}:00.000Z`,
        keyId: publicKeyId(publicKey),
      },
      signingKey,
    );
    sealed.push({ checkpoint, heads, leaves: range });
    start += size;
  }
  return sealed;
}

/** Case A goes to penalty_issued; case B is submitted in between: 7 events, ids 1..7. */
export function twoCaseTrail() {
  const world = createWorld();
  const a = world.submit(submitBody({ url: 'https://example.vn/a', content: 'A' }));
  world.must('claim', a, BODIES.claim, VERIFIER);
  const b = world.submit(submitBody({ url: 'https://example.vn/b', content: 'B' }), CLERK);
  world.must('verify', a, verifyBody(), VERIFIER);
  world.must('refer', a, BODIES.refer, SUPERVISOR);
  world.must('add-note', b, BODIES['add-note'], SUPERVISOR_2);
  world.must('record-penalty', a, penaltyBody(), SUPERVISOR_2);
  const order = [a, a, b, a, a, b, a];
  const seen = new Map<string, number>();
  const events: (StoredEvent & { id: string })[] = order.map((caseId, i) => {
    const index = seen.get(caseId) ?? 0;
    seen.set(caseId, index + 1);
    return { ...(world.eventsOf(caseId)[index] as StoredEvent), id: String(i + 1) };
  });
  const leaves: SealedLeaf[] = events.map((e) => ({ id: e.id, caseId: e.caseId, seq: e.seq, hash: e.hash }));
  return { world, a, b, events, leaves };
}
