import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { auditFailure, type AuditFailure } from './audit-report.ts';
import {
  bundleSchema,
  BUNDLE_FORMAT,
  type Bundle,
  type BundleEvent,
  type BundlePublicKey,
  type InclusionProof,
} from './bundle-schema.ts';
import type { CaseState } from './case-state.ts';
import {
  checkSignature,
  isValidSignature,
  publicKeyId,
  rawPublicKey,
  type SealedLeaf,
  type SignedCheckpoint,
} from './checkpoint.ts';
import type { StoredEvent } from './events.ts';
import { evolve } from './evolve.ts';
import { canonicalJson, createChainVerifier } from './hashing.ts';
import { eventLeaf, inclusionProofs, verifyInclusion } from './merkle.ts';

export type BundleReport =
  | {
      ok: true;
      caseId: string;
      reference: string;
      events: number;
      sealedEvents: number;
      unsealedEvents: number;
      checkpoints: number;
      keyId: string;
    }
  | { ok: false; failure: AuditFailure };

export function bundlePublicKey(publicKey: KeyObject): BundlePublicKey {
  return {
    algorithm: 'Ed25519',
    keyId: publicKeyId(publicKey),
    raw: rawPublicKey(publicKey).toString('hex'),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A checkpoint with every leaf of its range, in id order: what a proof is computed from. */
export type CoveringCheckpoint = { checkpoint: SignedCheckpoint; leaves: readonly SealedLeaf[] };

export function buildBundle(input: {
  state: CaseState;
  events: readonly (StoredEvent & { id: string })[];
  covering: readonly CoveringCheckpoint[];
  exportedAt: string;
  signingKey: KeyObject;
  publicKey: KeyObject;
}): Bundle {
  const proofs: InclusionProof[] = [];
  for (const { checkpoint, leaves } of input.covering) {
    const position = new Map(leaves.map((leaf, i) => [leaf.id, i]));
    const mine = input.events.flatMap((e) => {
      const index = position.get(e.id);
      return index === undefined ? [] : [{ seq: e.seq, index }];
    });
    const paths = inclusionProofs(
      leaves.map((leaf) => eventLeaf(leaf.hash)),
      mine.map((m) => m.index),
    );
    mine.forEach((m, i) => {
      proofs.push({
        seq: m.seq,
        checkpoint: checkpoint.seq,
        leafIndex: m.index,
        path: (paths[i] ?? []).map((p) => p.toString('hex')),
      });
    });
  }
  const unsigned = {
    format: BUNDLE_FORMAT,
    exportedAt: input.exportedAt,
    case: input.state as unknown as Record<string, unknown>,
    events: input.events.map(bundleEvent),
    checkpoints: input.covering.map((c) => c.checkpoint),
    proofs: proofs.sort((a, b) => a.seq - b.seq),
    publicKey: bundlePublicKey(input.publicKey),
  } as const;
  const signature = sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), input.signingKey).toString('hex');
  return { ...unsigned, signature };
}

function bundleEvent(e: StoredEvent & { id: string }): BundleEvent {
  return {
    id: e.id,
    caseId: e.caseId,
    seq: e.seq,
    type: e.type,
    payload: e.payload as Record<string, unknown>,
    actor: { id: e.actor.id, roles: [...e.actor.roles] },
    commandId: e.commandId,
    occurredAt: e.occurredAt,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/**
 * Verifies a bundle offline, in the order docs/audit-format.md gives: its shape, its key,
 * the case's chain, the case against the fold of its events, the checkpoints, the inclusion
 * proofs, and last the signature over the whole bundle (which catches any other edit).
 */
export function verifyBundle(document: unknown, options: { trustedKeyId?: string } = {}): BundleReport {
  const fail = (at: Parameters<typeof auditFailure>[0], reason: string): BundleReport => ({
    ok: false,
    failure: auditFailure(at, reason),
  });
  const parsed = bundleSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      {},
      `not a ${BUNDLE_FORMAT} document: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const bundle = parsed.data;
  const key = publicKeyOf(bundle.publicKey);
  if (typeof key === 'string') return fail({}, key);
  if (options.trustedKeyId !== undefined && bundle.publicKey.keyId !== options.trustedKeyId) {
    return fail(
      {},
      `signed with key ${bundle.publicKey.keyId.slice(0, 16)}…, not the trusted key ${options.trustedKeyId.slice(0, 16)}…`,
    );
  }

  const caseId = typeof bundle.case.id === 'string' ? bundle.case.id : null;
  if (caseId === null) return fail({}, 'the case has no id');
  const verifyLink = createChainVerifier();
  let state: CaseState | null = null;
  for (const event of bundle.events) {
    if (event.caseId !== caseId) return fail({ caseId, seq: event.seq }, `event of another case (${event.caseId})`);
    const verdict = verifyLink(event);
    if (!verdict.ok) return fail({ caseId, seq: verdict.seq }, verdict.reason);
    try {
      state = evolve(state, event as unknown as StoredEvent);
    } catch (error) {
      return fail(
        { caseId, seq: event.seq },
        `the event cannot follow the case's history: ${(error as Error).message}`,
      );
    }
  }
  const differing = differingFields(state, bundle.case);
  if (differing.length > 0) {
    return fail(
      { caseId, seq: bundle.events.at(-1)?.seq ?? null },
      `the case differs from the fold of its events in ${differing.join(', ')}`,
    );
  }

  const checkpoints = new Map<number, SignedCheckpoint>();
  let previous: SignedCheckpoint | undefined;
  for (const checkpoint of bundle.checkpoints) {
    const at = { checkpoint: checkpoint.seq };
    if (previous !== undefined && checkpoint.seq <= previous.seq)
      return fail(at, 'checkpoints are not in increasing seq order');
    const verdict = checkSignature(checkpoint, key.keyId, key.key);
    if (!verdict.ok) return fail(at, verdict.reason);
    if (previous !== undefined && checkpoint.seq === previous.seq + 1) {
      if (checkpoint.prevHash !== previous.hash) return fail(at, 'prevHash is not the hash of the previous checkpoint');
      if (BigInt(checkpoint.fromEventId) !== BigInt(previous.toEventId) + 1n)
        return fail(at, 'range does not follow the previous checkpoint');
    }
    checkpoints.set(checkpoint.seq, checkpoint);
    previous = checkpoint;
  }

  const proofFailure = checkProofs(bundle, checkpoints, caseId);
  if (proofFailure !== null) return { ok: false, failure: proofFailure };

  const { signature, ...unsigned } = document as Record<string, unknown>;
  if (!isValidSignature(Buffer.from(canonicalJson(unsigned), 'utf8'), String(signature), key.key)) {
    return fail({ caseId }, 'the bundle signature is not valid: the bundle was changed after export');
  }
  const sealed = bundle.proofs.length;
  return {
    ok: true,
    caseId,
    reference: String(bundle.case.reference),
    events: bundle.events.length,
    sealedEvents: sealed,
    unsealedEvents: bundle.events.length - sealed,
    checkpoints: bundle.checkpoints.length,
    keyId: key.keyId,
  };
}

function publicKeyOf(publicKey: BundlePublicKey): { key: KeyObject; keyId: string } | string {
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.raw, 'hex').toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return 'the public key is not an Ed25519 key';
  }
  const keyId = publicKeyId(key);
  if (keyId !== publicKey.keyId) return 'the public key does not match its keyId';
  try {
    if (!rawPublicKey(createPublicKey(publicKey.pem)).equals(rawPublicKey(key)))
      return 'the PEM public key is not the raw key';
  } catch {
    return 'the PEM public key is not an Ed25519 key';
  }
  return { key, keyId };
}

/** Every event has at most one proof; every proof holds; an unproved event is newer than every checkpoint. */
function checkProofs(
  bundle: Bundle,
  checkpoints: ReadonlyMap<number, SignedCheckpoint>,
  caseId: string,
): AuditFailure | null {
  const events = new Map(bundle.events.map((e) => [e.seq, e]));
  const proved = new Set<number>();
  for (const proof of bundle.proofs) {
    const at = { caseId, seq: proof.seq, checkpoint: proof.checkpoint };
    const event = events.get(proof.seq);
    if (event === undefined) return auditFailure(at, 'a proof for an event the bundle does not hold');
    if (proved.has(proof.seq)) return auditFailure(at, 'two proofs for one event');
    proved.add(proof.seq);
    const checkpoint = checkpoints.get(proof.checkpoint);
    if (checkpoint === undefined) return auditFailure(at, 'the proof names a checkpoint the bundle does not hold');
    const id = BigInt(event.id);
    if (id < BigInt(checkpoint.fromEventId) || id > BigInt(checkpoint.toEventId))
      return auditFailure(at, "the event is outside the checkpoint's range");
    const path = proof.path.map((p) => Buffer.from(p, 'hex'));
    if (
      !verifyInclusion(
        eventLeaf(event.hash),
        proof.leafIndex,
        checkpoint.eventCount,
        path,
        Buffer.from(checkpoint.root, 'hex'),
      )
    ) {
      return auditFailure(at, "the inclusion proof does not lead to the checkpoint's root");
    }
  }
  const lastSealed = [...checkpoints.values()].reduce(
    (max, c) => (BigInt(c.toEventId) > max ? BigInt(c.toEventId) : max),
    0n,
  );
  for (const event of bundle.events) {
    if (!proved.has(event.seq) && BigInt(event.id) <= lastSealed) {
      return auditFailure({ caseId, seq: event.seq }, 'the event lies in a sealed range but has no inclusion proof');
    }
  }
  return null;
}

/** Top-level fields where the stated case and the fold disagree (compared as canonical JSON). */
export function differingFields(folded: CaseState | null, stated: Record<string, unknown>): string[] {
  if (folded === null) return ['(no events)'];
  const fold = folded as unknown as Record<string, unknown>;
  // Bundles exported before topics existed state none: the fold of their events has none.
  if (!('topics' in stated)) stated = { ...stated, topics: [] };
  const keys = new Set([...Object.keys(fold), ...Object.keys(stated)]);
  return [...keys].filter((k) => canonicalJson(fold[k] ?? null) !== canonicalJson(stated[k] ?? null)).sort();
}
