import type pg from 'pg';
import {
  SYSTEM_ACTOR,
  chainEvents,
  decideErasure,
  evolve,
  headOf,
  type Actor,
  type PersonalField,
} from '../domain/index.ts';
import { lockCases } from '../infra/db/case.repository.ts';
import { databaseNow } from '../infra/db/checkpoint.repository.ts';
import {
  deletePersonalData,
  personalFieldsHeld,
  redactPersonalValues,
  scrubCommandPayloads,
} from '../infra/db/erasure.repository.ts';
import { eraseCaseFiles } from '../infra/db/file.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import type { FileStore } from '../infra/files/file-store.ts';
import { writeTransitions } from '../infra/db/transition.repository.ts';
import type { Logger } from '../infra/logger.ts';
import { releaseObjects } from './file-objects.ts';

export type EraseDeps = {
  pool: pg.Pool;
  log: Logger;
  /** Where the case's files are: their bytes go too, unless another case holds them. */
  store?: FileStore;
};

export type ErasureResult =
  | {
      ok: true;
      caseId: string;
      fields: PersonalField[];
      event: { seq: number; hash: string } | null;
      /** How many stored objects (file bytes) were deleted: those no other case holds. */
      objectsDeleted: number;
    }
  | { ok: false; code: 'not_found' | 'forbidden'; detail: string };

/**
 * Erases a case's personal data (retention, a court order): deletes its personal-data row,
 * removes the personal fields from its stored commands (a command still pending loses them
 * too: erasure wins), and appends case.personal_data_erased with the fields and the reason,
 * all in one transaction. The trail only ever held HMAC digests of these fields, so every
 * chain and checkpoint stays verifiable. Admins (API) or the operator (command line, as the
 * system actor). Erasing again when nothing is left changes nothing and appends nothing.
 * The case's files lose their names and descriptions and are marked erased (downloads
 * answer 410); after commit, the bytes that no other case holds are deleted from the store
 * (their hashes stay in the trail). Bytes a failure left behind are the sweeper's.
 * With references, a redaction: only those values of format 2 payloads go (and the stored
 * command members that hold them); the event lists the references.
 */
export async function erasePersonalData(
  deps: EraseDeps,
  actor: Actor,
  input: { caseId: string; reason: string; references?: readonly string[] },
): Promise<ErasureResult> {
  if (actor.id !== SYSTEM_ACTOR.id && !actor.roles.includes('admin')) {
    return { ok: false, code: 'forbidden', detail: 'erasing personal data needs the admin role' };
  }
  let released: string[] = [];
  const result = await inTransaction(deps.pool, async (client): Promise<ErasureResult> => {
    const state = (await lockCases(client, [input.caseId])).get(input.caseId) ?? null;
    if (state === null) return { ok: false, code: 'not_found', detail: `no case ${input.caseId}` };
    const references = input.references === undefined ? undefined : [...new Set(input.references)];
    const fields =
      references === undefined
        ? await personalFieldsHeld(client, input.caseId)
        : await redactPersonalValues(
            client,
            input.caseId,
            references.map((r) => r.slice('pd:'.length)),
          );
    if (fields.length === 0) return { ok: true, caseId: input.caseId, fields, event: null, objectsDeleted: 0 };

    const reason = input.reason.trim();
    const drafts = decideErasure(state, references === undefined ? { fields, reason } : { fields, reason, references });
    const events = chainEvents(drafts, {
      heads: { [state.id]: headOf(state) },
      actor: { id: actor.id, roles: [...actor.roles] },
      commandId: null,
      occurredAt: await databaseNow(client),
    });
    await writeTransitions(client, { cases: [events.reduce(evolve, state)], events, outcomes: [] });
    if (references === undefined) {
      await deletePersonalData(client, input.caseId);
      await scrubCommandPayloads(client, input.caseId);
      released = await eraseCaseFiles(client, input.caseId);
    }
    const last = events.at(-1);
    return {
      ok: true,
      caseId: input.caseId,
      fields,
      event: last === undefined ? null : { seq: last.seq, hash: last.hash },
      objectsDeleted: 0,
    };
  });
  if (result.ok && released.length > 0 && deps.store !== undefined) {
    const deleted = await releaseObjects({ pool: deps.pool, log: deps.log, store: deps.store }, released);
    result.objectsDeleted = deleted.length;
  }
  if (result.ok && result.event !== null) {
    deps.log.info(
      {
        caseId: result.caseId,
        fields: result.fields,
        seq: result.event.seq,
        actorId: actor.id,
        objectsDeleted: result.objectsDeleted,
      },
      'personal data erased',
    );
  }
  return result;
}
