// Test harness, not a test: the worked example of docs/audit-format.md, computed by the code
// itself, so that the page and the implementation cannot drift apart (audit-format-doc.test.ts).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import {
  CHECKPOINT_FORMAT,
  GENESIS_HASH,
  buildBundle,
  canonicalJson,
  createRangeDigest,
  eventLeaf,
  hashEvent,
  headsHash,
  inclusionProofs,
  publicKeyId,
  signCheckpoint,
  type Bundle,
  type EventEnvelope,
  type SealedLeaf,
  type StoredEvent,
} from '../../src/domain/index.ts';
import { createWorld } from './domain-world.ts';
import { BODIES, SUPERVISOR, VERIFIER, verifyBody } from './domain-world.ts';

/** The secret key of RFC 8032 §7.1 TEST 1: public, for examples only. */
export const EXAMPLE_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

export function exampleKeys(): { signingKey: KeyObject; publicKey: KeyObject } {
  // PKCS#8 wrapping of a raw Ed25519 seed: a fixed 16-byte prefix, then the 32 bytes.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(EXAMPLE_SEED, 'hex')]);
  const signingKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { signingKey, publicKey: createPublicKey(signingKey) };
}

const CASE_A = '3f1c2a9e-0b7d-4c11-9a52-6d8e4f0a1b2c';
const CASE_B = '8b0e6d4a-5c3f-4e21-b7a9-0d1c2e3f4a5b';

/** Three events from two cases, as ids 101, 102, 103 of the trail (prevHash of the earlier links given). */
export const EXAMPLE_ENVELOPES: (EventEnvelope & { id: string })[] = [
  {
    id: '101',
    caseId: CASE_A,
    seq: 4,
    type: 'case.note_added',
    payload: { text: 'Đã gọi người báo tin để lấy ảnh chụp gốc.' },
    actor: { id: '7d2e5b10-1c3a-4e8f-b6a4-2f9c0d1e3a57', roles: ['supervisor'] },
    commandId: 'c0ffee00-0000-4000-8000-000000000004',
    occurredAt: '2026-11-28T09:30:00.000Z',
    prevHash: 'a'.repeat(64),
  },
  {
    id: '102',
    caseId: CASE_B,
    seq: 2,
    type: 'case.claimed',
    payload: { claimedUntil: '2026-11-28T10:00:01.250Z' },
    actor: { id: '1b4f9e3c-2d5a-4c6b-8e7f-9a0b1c2d3e4f', roles: ['verifier'] },
    commandId: 'c0ffee00-0000-4000-8000-000000000005',
    occurredAt: '2026-11-28T09:30:01.250Z',
    prevHash: 'b'.repeat(64),
  },
  {
    id: '103',
    caseId: CASE_A,
    seq: 5,
    type: 'case.sla_breached',
    payload: { stage: 'referred', deadlineAt: '2026-11-28T09:30:02.000Z' },
    actor: { id: 'system', roles: [] },
    commandId: null,
    occurredAt: '2026-11-28T09:30:02.000Z',
    prevHash: '', // the hash of id 101, filled in below
  },
];
(EXAMPLE_ENVELOPES[2] as EventEnvelope).prevHash = hashEvent(EXAMPLE_ENVELOPES[0] as EventEnvelope);

/** Every intermediate value of the worked example. */
export function workedExample() {
  const keys = exampleKeys();
  const hashes = EXAMPLE_ENVELOPES.map((e) => hashEvent(e));
  const leaves: SealedLeaf[] = EXAMPLE_ENVELOPES.map((e, i) => ({
    id: e.id,
    caseId: e.caseId,
    seq: e.seq,
    hash: hashes[i] as string,
  }));
  const digest = createRangeDigest();
  for (const leaf of leaves) digest.add(leaf);
  const heads = digest.heads();
  const envelope = {
    format: CHECKPOINT_FORMAT,
    seq: 7,
    fromEventId: '101',
    toEventId: '103',
    eventCount: 3,
    root: digest.root(),
    headsHash: headsHash(heads),
    prevHash: 'c'.repeat(64),
    createdAt: '2026-11-28T09:30:05.000Z',
    keyId: publicKeyId(keys.publicKey),
  } as const;
  const checkpoint = signCheckpoint(envelope, keys.signingKey);
  const leafHashes = hashes.map((h) => eventLeaf(h));
  const [proofOf103 = []] = inclusionProofs(leafHashes, [2]);
  return {
    canonical: EXAMPLE_ENVELOPES.map(({ id: _id, ...e }) => canonicalJson(e)),
    hashes,
    leafHashes: leafHashes.map((l) => l.toString('hex')),
    heads,
    headsCanonical: canonicalJson(heads),
    checkpointCanonical: canonicalJson(envelope),
    checkpoint,
    proofOf103: proofOf103.map((p) => p.toString('hex')),
    publicKeyRaw: keys.publicKey.export({ format: 'jwk' }).x as string,
  };
}

/** A complete bundle of a real case (received → claimed → verified → referred), sealed in two checkpoints. */
export function exampleBundle(): Bundle {
  const keys = exampleKeys();
  const world = createWorld();
  const caseId = world.submit();
  world.must('claim', caseId, BODIES.claim, VERIFIER);
  world.must('verify', caseId, verifyBody(), VERIFIER);
  world.must('refer', caseId, BODIES.refer, SUPERVISOR);
  const events = world.eventsOf(caseId).map((e, i) => ({ ...(e as StoredEvent), id: String(i + 1) }));
  const ranges = [events.slice(0, 3), events.slice(3)];
  let previous: { hash: string; toEventId: string } = { hash: GENESIS_HASH, toEventId: '0' };
  const covering = ranges.map((range, i) => {
    const leaves = range.map((e) => ({ id: e.id, caseId: e.caseId, seq: e.seq, hash: e.hash }));
    const digest = createRangeDigest();
    for (const leaf of leaves) digest.add(leaf);
    const checkpoint = signCheckpoint(
      {
        format: CHECKPOINT_FORMAT,
        seq: i + 1,
        fromEventId: String(BigInt(previous.toEventId) + 1n),
        toEventId: leaves.at(-1)?.id as string,
        eventCount: digest.count,
        root: digest.root(),
        headsHash: headsHash(digest.heads()),
        prevHash: previous.hash,
        createdAt: `2026-11-28T10:0${i}:00.000Z`,
        keyId: publicKeyId(keys.publicKey),
      },
      keys.signingKey,
    );
    previous = checkpoint;
    return { checkpoint, leaves };
  });
  return buildBundle({ state: world.state(caseId), events, covering, exportedAt: '2026-11-28T10:05:00.000Z', ...keys });
}
