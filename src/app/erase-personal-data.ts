import type pg from 'pg';
import {
  SYSTEM_ACTOR,
  chainEvents,
  decideErasure,
  evolve,
  headOf,
  type Actor,
  type CaseState,
  type PersonalField,
} from '../domain/index.ts';
import { lockCases } from '../infra/db/case.repository.ts';
import { databaseNow } from '../infra/db/checkpoint.repository.ts';
import {
  deletePersonalData,
  itemCaseIds,
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
      /**
       * How many other cases of the same item lost personal data (each records its own
       * case.personal_data_erased); a count, not ids, since the eraser may not read them.
       */
      otherCases: number;
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
 * system actor). Erasure covers every case of the item: the same item key, its merged
 * duplicates and their original, reports linked as the same item; each case that held any
 * records its own case.personal_data_erased, so every chain stays whole. Erasing again when
 * nothing is left changes nothing and appends nothing.
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
  const released: string[] = [];
  const result = await inTransaction(deps.pool, async (client): Promise<ErasureResult> => {
    if (input.references !== undefined) {
      // A redaction: only these values of the case, and the stored command members holding them.
      const state = (await lockCases(client, [input.caseId])).get(input.caseId);
      if (state === undefined) return { ok: false, code: 'not_found', detail: `no case ${input.caseId}` };
      const references = [...new Set(input.references)];
      const digests = references.map((r) => r.slice('pd:'.length));
      const fields = await redactPersonalValues(client, input.caseId, digests);
      if (fields.length === 0)
        return { ok: true, caseId: input.caseId, fields, event: null, otherCases: 0, objectsDeleted: 0 };
      const events = chainEvents(decideErasure(state, { fields, reason: input.reason.trim(), references }), {
        heads: { [state.id]: headOf(state) },
        actor: { id: actor.id, roles: [...actor.roles] },
        commandId: null,
        occurredAt: await databaseNow(client),
      });
      await writeTransitions(client, { cases: [events.reduce(evolve, state)], events, outcomes: [] });
      const last = events.at(-1);
      return {
        ok: true,
        caseId: input.caseId,
        fields,
        event: last === undefined ? null : { seq: last.seq, hash: last.hash },
        otherCases: 0,
        objectsDeleted: 0,
      };
    }
    if (!(await lockCases(client, [input.caseId])).has(input.caseId))
      return { ok: false, code: 'not_found', detail: `no case ${input.caseId}` };
    // The item's other cases hold its personal data too (a merged duplicate, a later report).
    const states = await lockCases(client, await itemCaseIds(client, input.caseId));
    const erasures: { state: CaseState; fields: PersonalField[] }[] = [];
    for (const state of states.values()) {
      const fields = await personalFieldsHeld(client, state.id);
      if (fields.length > 0) erasures.push({ state, fields });
    }
    const events = chainEvents(
      erasures.flatMap(({ state, fields }) => decideErasure(state, { fields, reason: input.reason.trim() })),
      {
        heads: Object.fromEntries(erasures.map(({ state }) => [state.id, headOf(state)])),
        actor: { id: actor.id, roles: [...actor.roles] },
        commandId: null,
        occurredAt: await databaseNow(client),
      },
    );
    const cases = erasures.map(({ state }) => events.filter((e) => e.caseId === state.id).reduce(evolve, state));
    await writeTransitions(client, { cases, events, outcomes: [] });
    for (const { state } of erasures) {
      await deletePersonalData(client, state.id);
      await scrubCommandPayloads(client, state.id);
      released.push(...(await eraseCaseFiles(client, state.id)));
    }
    const own = erasures.find(({ state }) => state.id === input.caseId);
    const last = events.filter((e) => e.caseId === input.caseId).at(-1);
    return {
      ok: true,
      caseId: input.caseId,
      fields: own?.fields ?? [],
      event: last === undefined ? null : { seq: last.seq, hash: last.hash },
      otherCases: erasures.filter(({ state }) => state.id !== input.caseId).length,
      objectsDeleted: 0,
    };
  });
  if (result.ok && released.length > 0 && deps.store !== undefined) {
    const deleted = await releaseObjects({ pool: deps.pool, log: deps.log, store: deps.store }, released);
    result.objectsDeleted = deleted.length;
  }
  if (result.ok && (result.event !== null || result.otherCases > 0)) {
    deps.log.info(
      {
        caseId: result.caseId,
        fields: result.fields,
        seq: result.event?.seq ?? null,
        otherCases: result.otherCases,
        actorId: actor.id,
        objectsDeleted: result.objectsDeleted,
      },
      'personal data erased',
    );
  }
  return result;
}
