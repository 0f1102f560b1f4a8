// Test harness, not a test: the test vectors of docs/audit-vectors/, built deterministically
// (fixed trail, RFC 8032 keys, fixed times; Ed25519 signatures are deterministic), so that the
// shipped files can be compared with what the code makes of them.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import {
  TREE_HEAD_FORMAT,
  buildBundleV2,
  canonicalJson,
  caseHeadLeaf,
  describeKey,
  eventLeaf,
  inclusionProofs,
  introduceKey,
  merkleRoot,
  publicKeyId,
  signTreeHead,
  type BundleV2,
  type PublishedKey,
  type StoredEvent,
} from '../../src/domain/index.ts';
import { rewriteHistory, truncate } from '../support/forge-bundle.ts';
import { exampleKeys } from './audit-example.ts';
import {
  BODIES,
  CLERK,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  createWorld,
  submitBody,
  verifyBody,
} from './domain-world.ts';

type Keys = { signingKey: KeyObject; publicKey: KeyObject };

/** The secret keys of RFC 8032 §7.1 TEST 2 and TEST 3: public, for examples only. */
const SECOND_SEED = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
const ATTACKER_SEED = 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7';

function keysOf(seed: string): Keys {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed, 'hex')]);
  const signingKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { signingKey, publicKey: createPublicKey(signingKey) };
}

const SEALED_AT = '2026-11-28T12:00:00.000Z';
const EXPORTED_AT = '2026-11-28T12:05:00.000Z';

/** Two cases on the world's fixed clock: A received, claimed, verified, referred; B received and noted. */
function twoCases() {
  const world = createWorld();
  const a = world.submit(submitBody({ url: 'https://example.vn/a', content: 'A' }));
  world.must('claim', a, BODIES.claim, VERIFIER);
  const b = world.submit(submitBody({ url: 'https://example.vn/b', content: 'B' }), CLERK);
  world.must('verify', a, verifyBody(), VERIFIER);
  world.must('refer', a, BODIES.refer, SUPERVISOR);
  world.must('add-note', b, BODIES['add-note'], SUPERVISOR_2);
  const seen = new Map<string, number>();
  const events = [a, a, b, a, a, b].map((caseId, i) => {
    const index = seen.get(caseId) ?? 0;
    seen.set(caseId, index + 1);
    return { ...(world.eventsOf(caseId)[index] as StoredEvent), id: String(i + 1) };
  });
  return { world, a, b, events };
}

/** Case A, all six events of both cases in the log, signed by `signer`. */
function genuine(signer: Keys, keys: readonly PublishedKey[]): BundleV2 {
  const { world, a, b, events } = twoCases();
  const leaves = events.map((e) => eventLeaf(e.hash));
  const ofA = events.flatMap((e, i) => (e.caseId === a ? [{ e, i }] : []));
  const paths = inclusionProofs(
    leaves,
    ofA.map((x) => x.i),
  );
  const lastOf = (caseId: string) => events.filter((e) => e.caseId === caseId).at(-1);
  const headLeaves = [a, b].map((caseId) => {
    const last = lastOf(caseId);
    return caseHeadLeaf({ caseId, lastSeq: last?.seq ?? 0, headHash: last?.hash ?? '' });
  });
  const [headsPath = []] = inclusionProofs(headLeaves, [0]);
  const treeHead = signTreeHead(
    {
      format: TREE_HEAD_FORMAT,
      treeSize: events.length,
      rootHash: merkleRoot(leaves).toString('hex'),
      headsRoot: merkleRoot(headLeaves).toString('hex'),
      caseCount: 2,
      timestamp: SEALED_AT,
      keyId: publicKeyId(signer.publicKey),
    },
    signer.signingKey,
  );
  return buildBundleV2({
    state: world.state(a),
    events: ofA.map(({ e }) => ({
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
    })),
    treeHead,
    proofs: ofA.map(({ e, i }, k) => ({
      seq: e.seq,
      leafIndex: i,
      path: (paths[k] ?? []).map((p) => p.toString('hex')),
    })),
    headsProof: { leafIndex: 0, path: headsPath.map((p) => p.toString('hex')) },
    keys: [...keys],
    exportedAt: EXPORTED_AT,
    signingKey: signer.signingKey,
    keyId: publicKeyId(signer.publicKey),
  });
}

/** The bundle with `edit` applied to its parsed form and re-signed by `keys` (or left with its old signature). */
function edited(bundle: BundleV2, edit: (b: BundleV2) => BundleV2, resignWith?: Keys): BundleV2 {
  const changed = edit(structuredClone(bundle));
  if (resignWith === undefined) return changed;
  const { signature: _old, ...unsigned } = changed;
  return {
    ...unsigned,
    signature: sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), resignWith.signingKey).toString('hex'),
  };
}

const flipHex = (hex: string, at = 10): string =>
  `${hex.slice(0, at)}${((parseInt(hex[at] as string, 16) + 1) % 16).toString(16)}${hex.slice(at + 1)}`;

export type Vector = {
  file: string;
  description: string;
  /** Key ids the verifier pins (--trusted-keys). */
  pinned: string[];
  expect: { ok: true } | { ok: false; step: string };
  /** The file's text, exactly. */
  text: string;
};

export function auditVectors(): Vector[] {
  const first = exampleKeys();
  const second = keysOf(SECOND_SEED);
  const attacker = keysOf(ATTACKER_SEED);
  const firstKey = describeKey(first.publicKey, '2026-11-01T00:00:00.000Z');
  const introduced = introduceKey(second.publicKey, first, '2026-11-20T00:00:00.000Z');
  const rotatedKeys = [{ ...firstKey, validUntil: introduced.validFrom }, introduced];
  const base = genuine(first, [firstKey]);
  const rotated = genuine(second, rotatedKeys);
  const pinned = [publicKeyId(first.publicKey)];
  const text = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const vector = (file: string, description: string, value: unknown, step: string | null): Vector => ({
    file,
    description,
    pinned,
    expect: step === null ? { ok: true } : { ok: false, step },
    text: typeof value === 'string' ? value : text(value),
  });
  const baseText = text(base);
  return [
    vector('genuine-two-cases.json', 'a case of a two-case log, signed by the pinned key', base, null),
    vector(
      'genuine-rotated-key.json',
      'the same, signed by a second key that the pinned key introduced',
      rotated,
      null,
    ),
    vector(
      'broken-duplicate-member.json',
      'the genuine bundle with a second "exportedAt" member',
      baseText.replace('"exportedAt": ', '"exportedAt": "2026-11-28T12:06:00.000Z",\n  "exportedAt": '),
      'shape',
    ),
    vector(
      'broken-upper-case-hex.json',
      'the genuine bundle with an event hash in upper case',
      edited(base, (b) => ({
        ...b,
        events: b.events.map((e, i) => (i === 0 ? { ...e, hash: e.hash.toUpperCase() } : e)),
      })),
      'shape',
    ),
    vector(
      'broken-other-key.json',
      'the history rewritten and re-signed, log, head and all, with a key that is not pinned',
      rewriteHistory(
        base,
        (events) => events.map((e) => (e.seq === 3 ? { ...e, payload: { ...e.payload, rationale: 'rewritten' } } : e)),
        attacker,
      ),
      'keys',
    ),
    vector(
      'broken-introduction.json',
      "the rotated bundle with one character of the second key's introduction changed",
      edited(rotated, (b) => ({
        ...b,
        keys: b.keys.map((k) => (k.introduction === null ? k : { ...k, introduction: flipHex(k.introduction) })),
      })),
      'keys',
    ),
    vector(
      'broken-payload.json',
      "one character of an event's payload changed, the bundle re-signed",
      edited(
        base,
        (b) => ({
          ...b,
          events: b.events.map((e) => (e.seq === 3 ? { ...e, payload: { ...e.payload, rationale: 'rewritten' } } : e)),
        }),
        first,
      ),
      'chain',
    ),
    vector(
      'broken-fold.json',
      "the case's priority changed, the bundle re-signed",
      edited(base, (b) => ({ ...b, case: { ...b.case, priority: 'urgent' } }), first),
      'fold',
    ),
    vector(
      'broken-tree-head.json',
      "the tree head's rootHash changed, the bundle re-signed",
      edited(
        base,
        (b) => ({ ...b, treeHead: b.treeHead && { ...b.treeHead, rootHash: flipHex(b.treeHead.rootHash) } }),
        first,
      ),
      'tree head',
    ),
    vector(
      'broken-inclusion-proof.json',
      'a sibling of an inclusion proof changed, the bundle re-signed',
      edited(
        base,
        (b) => ({
          ...b,
          proofs: b.proofs.map((p, i) =>
            i === 1 ? { ...p, path: p.path.map((h, j) => (j === 0 ? flipHex(h) : h)) } : p,
          ),
        }),
        first,
      ),
      'inclusion proofs',
    ),
    vector(
      'broken-truncated.json',
      'the case cut short to its first three events, refolded and re-signed: its signature is valid',
      truncate(base, 3, first),
      'heads proof',
    ),
    vector(
      'broken-bundle-signature.json',
      'the export time changed, the old signature kept',
      edited(base, (b) => ({ ...b, exportedAt: '2026-11-28T12:06:00.000Z' })),
      'bundle signature',
    ),
  ];
}
