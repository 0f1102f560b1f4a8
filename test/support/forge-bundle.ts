// What an attacker (or a dishonest exporter) can do to a casetrail-bundle/2: rewrite the
// events and rebuild everything that hangs on them, re-signed with a key they hold.
import { sign, type KeyObject } from 'node:crypto';
import {
  TREE_HEAD_FORMAT,
  buildBundleV2,
  canonicalJson,
  caseHeadLeaf,
  describeKey,
  eventLeaf,
  fold,
  hashEvent,
  inclusionProofs,
  merkleRoot,
  publicKeyId,
  signTreeHead,
  type BundleV2,
  type CaseState,
  type StoredEvent,
} from '../../src/domain/index.ts';

type Keys = { signingKey: KeyObject; publicKey: KeyObject };
type Event = BundleV2['events'][number];

/** The events re-chained after an edit: each hash recomputed, each prevHash the one before. */
function rechain(events: readonly Event[]): Event[] {
  let prevHash = '0'.repeat(64);
  return events.map((e) => {
    const { hash: _old, id, ...envelope } = { ...e, prevHash };
    const hash = hashEvent(envelope);
    prevHash = hash;
    return { ...envelope, id, hash };
  });
}

const caseOf = (events: readonly Event[]): Record<string, unknown> =>
  fold(events as unknown as StoredEvent[]) as CaseState as unknown as Record<string, unknown>;

/** A whole new history of the case: edited events, their own log and heads, signed by `keys`. */
export function rewriteHistory(bundle: BundleV2, edit: (events: Event[]) => Event[], keys: Keys): BundleV2 {
  const events = rechain(edit(structuredClone(bundle.events)));
  const leaves = events.map((e) => eventLeaf(e.hash));
  const paths = inclusionProofs(
    leaves,
    events.map((_, i) => i),
  );
  const last = events.at(-1) as Event;
  const headLeaf = caseHeadLeaf({ caseId: last.caseId, lastSeq: last.seq, headHash: last.hash });
  const treeHead = signTreeHead(
    {
      format: TREE_HEAD_FORMAT,
      treeSize: events.length,
      rootHash: merkleRoot(leaves).toString('hex'),
      headsRoot: merkleRoot([headLeaf]).toString('hex'),
      caseCount: 1,
      timestamp: bundle.treeHead?.timestamp ?? bundle.exportedAt,
      keyId: publicKeyId(keys.publicKey),
    },
    keys.signingKey,
  );
  return buildBundleV2({
    state: caseOf(events) as unknown as CaseState,
    events,
    treeHead,
    proofs: events.map((e, i) => ({ seq: e.seq, leafIndex: i, path: (paths[i] ?? []).map((p) => p.toString('hex')) })),
    headsProof: { leafIndex: 0, path: [] },
    keys: [describeKey(keys.publicKey, bundle.exportedAt)],
    exportedAt: bundle.exportedAt,
    signingKey: keys.signingKey,
    keyId: publicKeyId(keys.publicKey),
  });
}

/**
 * The case cut short to its first `keep` events by someone holding the bundle key: the case
 * refolded, the dropped events' proofs removed, the signed tree head and heads proof kept.
 */
export function truncate(bundle: BundleV2, keep: number, keys: Keys): BundleV2 {
  const events = bundle.events.slice(0, keep);
  const { signature: _old, ...unsigned } = {
    ...bundle,
    events,
    case: caseOf(events),
    proofs: bundle.proofs.filter((p) => p.seq <= keep),
  };
  return {
    ...unsigned,
    signature: sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), keys.signingKey).toString('hex'),
  };
}
