import type { Readable } from 'node:stream';
import { buildBundle, type Actor, type Bundle, type CoveringCheckpoint, type SealedLeaf } from '../domain/index.ts';
import { findCase, listEvents } from '../infra/db/case.repository.ts';
import { insertAccessLog } from '../infra/db/case-query.repository.ts';
import {
  checkpointsCoveringCase,
  databaseNow,
  lastCheckpoint,
  streamLeaves,
} from '../infra/db/checkpoint.repository.ts';
import { selectCaseFiles } from '../infra/db/file.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { errorInfo } from '../infra/error-info.ts';
import { writeBundleArchive, type ArchiveFile } from '../infra/files/bundle-archive.ts';
import type { FileStore } from '../infra/files/file-store.ts';
import { sealCheckpoints, type SealDeps, type SealPolicy } from './seal-checkpoint.ts';

export type ExportDeps = SealDeps & { sealPolicy: SealPolicy };

export type ExportResult =
  | { ok: true; bundle: Bundle }
  | { ok: false; code: 'not_found' | 'forbidden'; detail: string };

/** Reads of a checkpoint's range, a page at a time. */
const LEAF_PAGE = 5_000;

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

  // One snapshot, so that the case row is exactly the fold of the events read with it.
  const { state, events, covering, exportedAt } = await inTransaction(
    deps.pool,
    async (client) => {
      const state = await findCase(client, caseId);
      if (state === null) throw new Error(`case ${caseId} vanished during its export`);
      const events = await listEvents(client, caseId);
      const covering: CoveringCheckpoint[] = [];
      for (const { checkpoint } of await checkpointsCoveringCase(client, caseId)) {
        const leaves: SealedLeaf[] = [];
        for await (const leaf of streamLeaves(
          client,
          { fromId: checkpoint.fromEventId, toId: checkpoint.toEventId },
          LEAF_PAGE,
        ))
          leaves.push(leaf);
        covering.push({ checkpoint, leaves });
      }
      const exportedAt = (await databaseNow(client)).toISOString();
      return { state, events, covering, exportedAt };
    },
    { isolation: 'repeatable read', readOnly: true, retry: false },
  );
  const bundle = buildBundle({
    state,
    events,
    covering,
    exportedAt,
    signingKey: deps.signingKey,
    publicKey: deps.publicKey,
  });
  await insertAccessLog(deps.pool, {
    actorId: actor.id,
    action: 'case.export',
    caseId,
    purpose: options.purpose ?? null,
  });
  return { ok: true, bundle };
}

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
  { ok: true; bundle: Bundle; archive: Readable } | { ok: false; code: 'not_found' | 'forbidden'; detail: string }
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
  const sealedThrough = BigInt((await lastCheckpoint(deps.pool))?.checkpoint.toEventId ?? '0');
  const events = await listEvents(deps.pool, caseId);
  if (!events.some((e) => BigInt(e.id) > sealedThrough)) return;
  try {
    await sealCheckpoints(deps, deps.sealPolicy, { force: true });
  } catch (error) {
    // The bundle is still valid without proofs for its newest events; it says how many.
    deps.log.warn({ caseId, err: errorInfo(error) }, 'sealing before an export failed');
  }
}
