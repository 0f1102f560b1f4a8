import type { Readable } from 'node:stream';
import { buildBundleV2, bundleEvent, inclusionPath, publicKeyId, type Actor, type BundleV2 } from '../domain/index.ts';
import { findCase, listEvents } from '../infra/db/case.repository.ts';
import { insertAccessLog } from '../infra/db/case-query.repository.ts';
import { databaseNow } from '../infra/db/checkpoint.repository.ts';
import { anchorOf, caseHeadsOf, latestTreeHead, logIndexesOf } from '../infra/db/merkle-log.repository.ts';
import { listSigningKeys } from '../infra/db/signing-key.repository.ts';
import { selectCaseFiles } from '../infra/db/file.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { errorInfo } from '../infra/error-info.ts';
import { writeBundleArchive, type ArchiveFile } from '../infra/files/bundle-archive.ts';
import type { FileStore } from '../infra/files/file-store.ts';
import { readTree } from './merkle-log.ts';
import { publishedKeys } from './signing-keys.ts';
import { sealCheckpoints, type SealDeps, type SealPolicy } from './seal-checkpoint.ts';

export type ExportDeps = SealDeps & { sealPolicy: SealPolicy };

export type ExportResult =
  | { ok: true; bundle: BundleV2 }
  | { ok: false; code: 'not_found' | 'forbidden'; detail: string };

/**
 * A self-contained bundle of one case (docs/audit-format.md): the case, its events, the
 * checkpoints that cover them with an inclusion proof per event, and the public key, the
 * whole signed. Events not yet sealed are sealed first, so that every event of the bundle
 * carries a proof (unless a sealer elsewhere holds the lock past the wait). Supervisors
 * only; the export is written to the access log with its purpose.
 */
export async function exportCase(
  deps: ExportDeps,
  actor: Actor,
  caseId: string,
  options: { purpose?: string } = {},
): Promise<ExportResult> {
  if (!actor.roles.includes('supervisor'))
    return { ok: false, code: 'forbidden', detail: 'exporting a case needs the supervisor role' };
  if ((await findCase(deps.pool, caseId)) === null)
    return { ok: false, code: 'not_found', detail: `no case ${caseId}` };
  await sealIfNeeded(deps, caseId);
  await publishedKeys(deps.pool, deps.publicKey);

  // One snapshot, so that the case row is exactly the fold of the events read with it, and
  // the tree head, the log and the heads tree are as that head signed them.
  const bundle = await inTransaction(
    deps.pool,
    async (client) => {
      const state = await findCase(client, caseId);
      if (state === null) throw new Error(`case ${caseId} vanished during its export`);
      const events = await listEvents(client, caseId);
      const treeHead = (await latestTreeHead(client))?.head ?? null;
      const size = treeHead?.treeSize ?? 0;
      const indexes = await logIndexesOf(
        client,
        events.map((e) => e.id),
      );
      // Sealed events are a prefix of the case's history: the log takes events in id order.
      const sealed = events.flatMap((e) => {
        const leafIndex = indexes.get(e.id);
        return leafIndex !== undefined && leafIndex < size ? [{ seq: e.seq, leafIndex }] : [];
      });
      const paths = await readTree(client, 'log_nodes', (get) =>
        sealed.map((s) => inclusionPath(get, s.leafIndex, size)),
      );
      const proofs = sealed.map((s, i) => ({ ...s, path: (paths[i] ?? []).map(hex) }));
      const head = (await caseHeadsOf(client, [caseId])).get(caseId);
      const headsProof =
        treeHead === null || head === undefined || sealed.length === 0
          ? null
          : {
              leafIndex: head.index,
              path: (
                await readTree(client, 'heads_nodes', (get) => inclusionPath(get, head.index, treeHead.caseCount))
              ).map(hex),
            };
      return buildBundleV2({
        state,
        events: events.map(bundleEvent),
        treeHead,
        proofs,
        headsProof,
        keys: await listSigningKeys(client),
        exportedAt: (await databaseNow(client)).toISOString(),
        signingKey: deps.signingKey,
        keyId: publicKeyId(deps.publicKey),
        anchor: treeHead === null ? null : await anchorOf(client, treeHead.treeSize),
      });
    },
    { isolation: 'repeatable read', readOnly: true, retry: false },
  );
  await insertAccessLog(deps.pool, {
    actorId: actor.id,
    action: 'case.export',
    caseId,
    purpose: options.purpose ?? null,
  });
  return { ok: true, bundle };
}

const hex = (b: Buffer): string => b.toString('hex');

/**
 * The bundle and the case's files in one zip (docs/audit-format.md, "Archives"):
 * bundle.json and files/<sha256>, streamed; `casetrail audit verify --bundle` checks every
 * file against the SHA-256 its case.file_attached event holds. Files erased for this case
 * are left out (the trail says so); the same bytes attached twice are archived once.
 */
export async function exportCaseArchive(
  deps: ExportDeps & { store: FileStore },
  actor: Actor,
  caseId: string,
  options: { purpose?: string } = {},
): Promise<
  { ok: true; bundle: BundleV2; archive: Readable } | { ok: false; code: 'not_found' | 'forbidden'; detail: string }
> {
  const exported = await exportCase(deps, actor, caseId, options);
  if (!exported.ok) return exported;
  const files = new Map<string, ArchiveFile>();
  for (const file of await selectCaseFiles(deps.pool, caseId)) {
    if (file.erasedAt !== null || files.has(file.sha256)) continue;
    files.set(file.sha256, {
      sha256: file.sha256,
      size: file.size,
      open: async () => {
        const stream = await deps.store.read('objects', file.sha256);
        if (stream === null) throw new Error(`the bytes of file ${file.id} are missing from the store`);
        return stream;
      },
    });
  }
  const json = Buffer.from(`${JSON.stringify(exported.bundle, null, 2)}\n`);
  return { ok: true, bundle: exported.bundle, archive: writeBundleArchive(json, [...files.values()]) };
}

async function sealIfNeeded(deps: ExportDeps, caseId: string): Promise<void> {
  const sealedThrough = BigInt((await latestTreeHead(deps.pool))?.lastEventId ?? '0');
  const events = await listEvents(deps.pool, caseId);
  if (!events.some((e) => BigInt(e.id) > sealedThrough)) return;
  try {
    await sealCheckpoints(deps, deps.sealPolicy, { force: true });
  } catch (error) {
    // The bundle is still valid without proofs for its newest events; it says how many.
    deps.log.warn({ caseId, err: errorInfo(error) }, 'sealing before an export failed');
  }
}
