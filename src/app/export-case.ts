import { buildBundle, type Actor, type Bundle, type CoveringCheckpoint, type SealedLeaf } from '../domain/index.ts';
import { findCase, listEvents } from '../infra/db/case.repository.ts';
import { insertAccessLog } from '../infra/db/case-query.repository.ts';
import {
  checkpointsCoveringCase,
  databaseNow,
  lastCheckpoint,
  streamLeaves,
} from '../infra/db/checkpoint.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { errorInfo } from '../infra/error-info.ts';
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
