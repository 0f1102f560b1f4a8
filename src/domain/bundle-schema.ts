import { z } from 'zod';
import { CHECKPOINT_FORMAT } from './checkpoint.ts';
import { EVENT_TYPES } from './events.ts';
import { TREE_HEAD_FORMAT } from './tree-head.ts';

// The export bundle, casetrail-bundle/1 (docs/audit-format.md is its specification). Strict
// wherever a field is not covered by a hash or a signature, so that no byte of a bundle can
// change unnoticed; event payloads and the case are checked by hashes and the fold instead.

export const BUNDLE_FORMAT = 'casetrail-bundle/1';

export const hex64 = z.string().regex(/^[0-9a-f]{64}$/u, 'must be 64 lower-case hex characters');
export const hex128 = z.string().regex(/^[0-9a-f]{128}$/u, 'must be 128 lower-case hex characters');
const eventId = z.string().regex(/^[1-9]\d{0,18}$/u, 'must be a positive decimal integer');

export const bundleEventSchema = z.strictObject({
  id: eventId,
  caseId: z.string(),
  seq: z.int().min(1),
  type: z.enum(EVENT_TYPES),
  payload: z.record(z.string(), z.unknown()),
  actor: z.strictObject({ id: z.string(), roles: z.array(z.string()) }),
  commandId: z.string().nullable(),
  occurredAt: z.string(),
  prevHash: hex64,
  hash: hex64,
});

export const signedCheckpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  seq: z.int().min(1),
  fromEventId: eventId,
  toEventId: eventId,
  eventCount: z.int().min(1),
  root: hex64,
  headsHash: hex64,
  prevHash: hex64,
  createdAt: z.string(),
  keyId: hex64,
  hash: hex64,
  signature: hex128,
});

export const signedTreeHeadSchema = z.strictObject({
  format: z.literal(TREE_HEAD_FORMAT),
  treeSize: z.int().min(1),
  rootHash: hex64,
  headsRoot: hex64,
  caseCount: z.int().min(1),
  timestamp: z.string(),
  keyId: hex64,
  signature: hex128,
});

const inclusionProofSchema = z.strictObject({
  /** The event's seq in its case. */
  seq: z.int().min(1),
  /** The seq of the checkpoint whose tree holds it. */
  checkpoint: z.int().min(1),
  leafIndex: z.int().min(0),
  /** Sibling hashes from the leaf up (RFC 6962 audit path). */
  path: z.array(hex64).max(64),
});

export const bundlePublicKeySchema = z.strictObject({
  algorithm: z.literal('Ed25519'),
  keyId: hex64,
  /** The 32 raw bytes of the key, in hex. */
  raw: hex64,
  /** The same key as a PEM SubjectPublicKeyInfo, for openssl and friends. */
  pem: z.string(),
});

export const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  exportedAt: z.string(),
  case: z.record(z.string(), z.unknown()),
  events: z.array(bundleEventSchema).min(1),
  checkpoints: z.array(signedCheckpointSchema),
  proofs: z.array(inclusionProofSchema),
  publicKey: bundlePublicKeySchema,
  /** Ed25519 over the canonical JSON of the whole bundle without this member. */
  signature: hex128,
});

export type Bundle = z.output<typeof bundleSchema>;
export type BundleEvent = z.output<typeof bundleEventSchema>;
export type InclusionProof = z.output<typeof inclusionProofSchema>;
export type BundlePublicKey = z.output<typeof bundlePublicKeySchema>;
