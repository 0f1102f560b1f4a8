import { sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { auditFailure } from './audit-report.ts';
import { bundleEventSchema, hex128, hex64, signedTreeHeadSchema, type BundleEvent } from './bundle-schema.ts';
import type { CaseState } from './case-state.ts';
import { isValidSignature } from './checkpoint.ts';
import { canonicalJson } from './hashing.ts';
import { eventLeaf, verifyInclusion } from './merkle.ts';
import { publishedKeySchema, resolveKeys, type PublishedKey } from './signing-keys.ts';
import { caseHeadLeaf, treeHeadProblem, type SignedTreeHead } from './tree-head.ts';
import { checkCaseHistory, type BundleReport } from './bundle-history.ts';

// casetrail-bundle/2 (docs/audit-format.md): the case, its events, an inclusion proof of
// each sealed event in the one Merkle log and the case's heads proof, both against one
// signed tree head, and the keys that signed it. The heads proof shows the case was not cut
// short: its leaf names the case's last sealed seq and hash.

export const BUNDLE_V2_FORMAT = 'casetrail-bundle/2';

const path = z.array(hex64).max(64);

export const bundleV2Schema = z.strictObject({
  format: z.literal(BUNDLE_V2_FORMAT),
  exportedAt: z.string(),
  case: z.record(z.string(), z.unknown()),
  events: z.array(bundleEventSchema).min(1),
  /** The head every proof leads to; null only when nothing of the trail was sealed yet. */
  treeHead: signedTreeHeadSchema.nullable(),
  /** One per event in the head's tree: its leaf index in the log and its audit path. */
  proofs: z.array(z.strictObject({ seq: z.int().min(1), leafIndex: z.int().min(0), path })),
  /** The case's leaf in the heads tree of the head; null when no event of the case is in it. */
  headsProof: z.strictObject({ leafIndex: z.int().min(0), path }).nullable(),
  /** Every key needed: the bundle's, the head's, and the introductions between them. */
  keys: z.array(publishedKeySchema).min(1),
  /** The key that signs the bundle. */
  keyId: hex64,
  /** The RFC 3161 time stamp of the tree head (DER TimeStampResp, base64), when it has one. */
  anchor: z.base64().optional(),
  signature: hex128,
});

export type BundleV2 = z.output<typeof bundleV2Schema>;
type Proof = BundleV2['proofs'][number];

export function buildBundleV2(input: {
  state: CaseState;
  events: readonly BundleEvent[];
  treeHead: SignedTreeHead | null;
  proofs: readonly Proof[];
  headsProof: BundleV2['headsProof'];
  keys: readonly PublishedKey[];
  exportedAt: string;
  signingKey: KeyObject;
  keyId: string;
  anchor?: Buffer | null;
}): BundleV2 {
  const unsigned: Omit<BundleV2, 'signature'> = {
    format: BUNDLE_V2_FORMAT,
    exportedAt: input.exportedAt,
    case: input.state as unknown as Record<string, unknown>,
    events: [...input.events],
    treeHead: input.treeHead,
    proofs: [...input.proofs].sort((a, b) => a.seq - b.seq),
    headsProof: input.headsProof,
    keys: [...input.keys],
    keyId: input.keyId,
    ...(input.anchor ? { anchor: input.anchor.toString('base64') } : {}),
  };
  const signature = sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), input.signingKey).toString('hex');
  return { ...unsigned, signature };
}

/**
 * Verifies a casetrail-bundle/2 in the order of docs/audit-format.md §10: shape, keys, chain,
 * fold, tree head, inclusion proofs, heads proof, bundle signature. With `trustedKeyIds`, the
 * head and the bundle must be signed by a pinned key or one introduced from it; without, the
 * report says `pinned: false` and no caller may call it verified.
 */
export function verifyBundleV2(document: unknown, options: { trustedKeyIds?: ReadonlySet<string> } = {}): BundleReport {
  const fail = (at: Parameters<typeof auditFailure>[0], reason: string, step: string): BundleReport => ({
    ok: false,
    failure: { ...auditFailure(at, reason), step },
  });
  const parsed = bundleV2Schema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      {},
      `not a ${BUNDLE_V2_FORMAT} document: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      'shape',
    );
  }
  const bundle = parsed.data;
  const resolved = resolveKeys(bundle.keys, options.trustedKeyIds ?? null);
  if (typeof resolved === 'string') return fail({}, resolved, 'keys');
  const untrusted = (keyId: string) => resolved.trusted !== null && !resolved.trusted.has(keyId);
  if (!resolved.keys.has(bundle.keyId))
    return fail({}, `the bundle names key ${bundle.keyId}, which it does not list`, 'keys');
  if (untrusted(bundle.keyId))
    return fail(
      {},
      `signed with key ${bundle.keyId.slice(0, 16)}…, which is not pinned or introduced by a pinned key`,
      'keys',
    );

  const history = checkCaseHistory(bundle.case, bundle.events);
  if (!history.ok) return { ok: false, failure: history.failure };
  const caseId = history.caseId;

  const head = bundle.treeHead;
  if (head !== null) {
    const problem = treeHeadProblem(head, resolved.keys);
    if (problem !== null) return fail({ caseId }, problem, 'tree head');
    if (untrusted(head.keyId))
      return fail({ caseId }, `tree head ${head.treeSize} is signed by a key that is not pinned`, 'tree head');
  }
  const proofFailure = checkProofs(bundle, caseId);
  if (proofFailure !== null) return fail({ caseId, seq: proofFailure.seq }, proofFailure.reason, proofFailure.step);

  const { signature, ...unsigned } = bundle;
  const bundleKey = resolved.keys.get(bundle.keyId) as KeyObject;
  if (!isValidSignature(Buffer.from(canonicalJson(unsigned), 'utf8'), signature, bundleKey))
    return fail(
      { caseId },
      'the bundle signature is not valid: the bundle was changed after export',
      'bundle signature',
    );
  return {
    ok: true,
    caseId,
    reference: String(bundle.case.reference),
    events: bundle.events.length,
    sealedEvents: bundle.proofs.length,
    unsealedEvents: bundle.events.length - bundle.proofs.length,
    checkpoints: 0,
    keyId: bundle.keyId,
    format: BUNDLE_V2_FORMAT,
    treeSize: head?.treeSize ?? 0,
    pinned: resolved.trusted !== null,
  };
}

/** Proofs cover exactly the seqs 1..k, each leads to the head's root, and the heads proof names seq k. */
function checkProofs(bundle: BundleV2, caseId: string): { seq: number | null; reason: string; step: string } | null {
  const head = bundle.treeHead;
  if (head === null) {
    if (bundle.proofs.length > 0 || bundle.headsProof !== null)
      return { seq: null, reason: 'proofs without a tree head', step: 'inclusion proofs' };
    return null;
  }
  const root = Buffer.from(head.rootHash, 'hex');
  const indexes = new Set<number>();
  for (const [i, proof] of bundle.proofs.entries()) {
    const event = bundle.events[i];
    if (proof.seq !== i + 1 || event === undefined)
      return {
        seq: proof.seq,
        reason: 'proofs must cover seq 1, 2, … in order, one per sealed event',
        step: 'inclusion proofs',
      };
    if (indexes.has(proof.leafIndex))
      return { seq: proof.seq, reason: 'two events at one leaf', step: 'inclusion proofs' };
    indexes.add(proof.leafIndex);
    const path = proof.path.map((p) => Buffer.from(p, 'hex'));
    if (!verifyInclusion(eventLeaf(event.hash), proof.leafIndex, head.treeSize, path, root))
      return {
        seq: proof.seq,
        reason: "the inclusion proof does not lead to the tree head's root",
        step: 'inclusion proofs',
      };
  }
  const sealed = bundle.proofs.length;
  const last = bundle.events[sealed - 1];
  if (bundle.headsProof === null || last === undefined)
    return sealed === 0 && bundle.headsProof === null
      ? null
      : { seq: null, reason: 'sealed events need a heads proof', step: 'heads proof' };
  const leaf = caseHeadLeaf({ caseId, lastSeq: last.seq, headHash: last.hash });
  const path = bundle.headsProof.path.map((p) => Buffer.from(p, 'hex'));
  if (!verifyInclusion(leaf, bundle.headsProof.leafIndex, head.caseCount, path, Buffer.from(head.headsRoot, 'hex')))
    return {
      seq: last.seq,
      reason: `the heads proof does not hold for seq ${last.seq}: the tree head sealed another last event of the case (cut short or rewritten)`,
      step: 'heads proof',
    };
  return null;
}
