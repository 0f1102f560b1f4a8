import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import {
  TREE_HEAD_FORMAT,
  caseHeadLeaf,
  eventLeaf,
  getterOf,
  nodesAfterSettingLeaves,
  nodesRead,
  publicKeyId,
  rootOf,
  signTreeHead,
  type NodeGetter,
  type SealedLeaf,
  type SignedTreeHead,
} from '../domain/index.ts';
import { databaseNow, leavesBetween } from '../infra/db/checkpoint.repository.ts';
import {
  caseHeadCount,
  caseHeadsOf,
  fetchNodes,
  insertLogEntries,
  insertTreeHead,
  logEnd,
  writeCaseHeads,
  writeNodes,
  type StoredCaseHead,
  type TreeTable,
} from '../infra/db/merkle-log.repository.ts';
import { inTransactionOn } from '../infra/db/transaction.ts';
import { publishedKeys } from './signing-keys.ts';

// The one Merkle log over every event in id order (docs/audit-format.md). The sealer extends
// it with the events it has sealed (so no late commit is skipped: see the commit barrier) and
// signs a tree head per extension, in the transaction that writes the extension.

export type LogKeys = { signingKey: KeyObject; publicKey: KeyObject };

/** Events appended per transaction (and per signed head) while catching up. */
const CHUNK = 10_000;

/**
 * Appends every event up to `throughEventId` that is not in the log yet, in id order, and
 * signs a head after each chunk. The caller holds the sealer lock: one writer at a time.
 * A trail that predates the log enters it this way, oldest event first.
 */
export async function extendLog(
  client: pg.PoolClient,
  keys: LogKeys,
  throughEventId: string,
): Promise<SignedTreeHead[]> {
  const signed: SignedTreeHead[] = [];
  for (;;) {
    const end = await logEnd(client);
    if (BigInt(end.lastEventId) >= BigInt(throughEventId)) return signed;
    // Every head's key is listed in /.well-known/casetrail-keys.json and in bundles.
    if (signed.length === 0) await publishedKeys(client, keys.publicKey);
    const leaves = await leavesBetween(client, end.lastEventId, throughEventId, CHUNK);
    if (leaves.length === 0) return signed;
    signed.push(await inTransactionOn(client, () => appendChunk(client, keys, end.size, leaves), { retry: false }));
  }
}

async function appendChunk(
  client: pg.PoolClient,
  keys: LogKeys,
  size: number,
  leaves: readonly SealedLeaf[],
): Promise<SignedTreeHead> {
  const treeSize = size + leaves.length;
  await insertLogEntries(
    client,
    size,
    leaves.map((l) => l.id),
  );
  const logLeaves = new Map(leaves.map((l, i) => [size + i, eventLeaf(l.hash)]));
  await writeNodes(
    client,
    'log_nodes',
    (await nodesAfterSettingLeaves(treeSize, logLeaves, (w) => fetchNodes(client, 'log_nodes', w))).values(),
  );

  // Each case's newest event of the chunk; a case new to the log takes the next heads leaf.
  const newest = new Map<string, SealedLeaf>();
  for (const leaf of leaves) {
    const known = newest.get(leaf.caseId);
    if (known === undefined || leaf.seq > known.seq) newest.set(leaf.caseId, leaf);
  }
  const stored = await caseHeadsOf(client, [...newest.keys()]);
  let caseCount = await caseHeadCount(client);
  const heads: StoredCaseHead[] = [];
  for (const leaf of newest.values()) {
    const index = stored.get(leaf.caseId)?.index ?? caseCount++;
    heads.push({ caseId: leaf.caseId, index, lastSeq: leaf.seq, headHash: leaf.hash });
  }
  await writeCaseHeads(client, heads);
  const headLeaves = new Map(heads.map((h) => [h.index, caseHeadLeaf(h)]));
  await writeNodes(
    client,
    'heads_nodes',
    (await nodesAfterSettingLeaves(caseCount, headLeaves, (w) => fetchNodes(client, 'heads_nodes', w))).values(),
  );

  const head = signTreeHead(
    {
      format: TREE_HEAD_FORMAT,
      treeSize,
      rootHash: (await readTree(client, 'log_nodes', (get) => rootOf(get, treeSize))).toString('hex'),
      headsRoot: (await readTree(client, 'heads_nodes', (get) => rootOf(get, caseCount))).toString('hex'),
      caseCount,
      timestamp: (await databaseNow(client)).toISOString(),
      keyId: publicKeyId(keys.publicKey),
    },
    keys.signingKey,
  );
  await insertTreeHead(client, head, leaves.at(-1)?.id as string);
  return head;
}

/** Runs a computation over a tree's stored nodes, fetching exactly the nodes it reads in one query. */
export async function readTree<T>(
  client: pg.ClientBase | pg.Pool,
  table: TreeTable,
  compute: (get: NodeGetter) => T,
): Promise<T> {
  return compute(getterOf(await fetchNodes(client, table, nodesRead(compute))));
}
