import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import {
  COMMANDS,
  chainEvents,
  decide,
  decisionNoKey,
  evolve,
  intakeDigests,
  headOf,
  itemPersonalData,
  personalDigest,
  personalValueDigest,
  protectDrafts,
  subjectPersonalData,
  type CaseState,
  type Command,
  type CommandType,
  type DecisionContext,
  type OpenStage,
  type PersonalValue,
  type Protector,
  type Rejection,
  type StoredEvent,
} from '../domain/index.ts';
import { drawReference, lockIntakeMatches } from '../infra/db/case.repository.ts';
import type { CommandRecord, PersonalDataPatch } from '../infra/db/command.repository.ts';
import type { OutboxRow } from '../infra/db/outbox.repository.ts';
import {
  loadManyForApply,
  writeTransitions,
  type CommandOutcome,
  type FilePersonalData,
  type LoadedForApply,
} from '../infra/db/transition.repository.ts';
import { inTransaction, isRetryable } from '../infra/db/transaction.ts';
import { findAssignee } from '../infra/db/user.repository.ts';
import { perTurnBatcher } from '../infra/batch.ts';
import { lazyChild, type Logger } from '../infra/logger.ts';
import type { Handoff } from '../infra/queue/publish.ts';

export type ApplyDeps = {
  pool: pg.Pool;
  hmacKey: Uint8Array;
  sla: Record<OpenStage, number>;
  claimLeaseMs: number;
  /** CASETRAIL_CLOCK_SKEW: the tolerance of the guards that compare a person's date with the server's. */
  clockSkewMs?: number;
  log: Logger;
  /** Publishes the events' jobs right after commit; without it, the outbox relay does. */
  handoff?: Handoff;
};

export type ApplyOutcome =
  | { status: 'applied'; caseId: string; version: number; events: number; replayed: boolean }
  | { status: 'rejected'; caseId: string; problem: Rejection; replayed: boolean }
  | { status: 'missing' };

/**
 * Applies one command from the inbox, exactly once, in one transaction: lock the command
 * (a second delivery waits here, then finds it done), lock the cases it touches, decide,
 * append the events to each case's hash chain, save the folded state, mark the command,
 * and write the outbox rows that carry the events on.
 */
export async function applyCommand(deps: ApplyDeps, commandId: string): Promise<ApplyOutcome> {
  const { outcome, outbox } = await inTransaction(deps.pool, async (client) => {
    const written: OutboxRow[] = [];
    return { outcome: await applyIn(client, deps, commandId, written), outbox: written };
  });
  if (outbox.length > 0) await deps.handoff?.(outbox);
  if (outcome.status !== 'missing' && !outcome.replayed) {
    const log = lazyChild(deps.log, { commandId, caseId: outcome.caseId });
    if (outcome.status === 'applied') log.debug({ version: outcome.version }, 'command applied');
    else log.info({ code: outcome.problem.code }, 'command rejected');
  }
  return outcome;
}

async function applyIn(
  client: pg.ClientBase,
  deps: ApplyDeps,
  commandId: string,
  outbox: OutboxRow[],
): Promise<ApplyOutcome> {
  const loaded = await loadManyForApply(client, [commandId]);
  const record = loaded.commands.get(commandId.toLowerCase());
  if (record === undefined) return { status: 'missing' };
  const { now } = loaded;
  const replay = replayOf(record);
  if (replay !== null) return replay;

  const reject = async (problem: Rejection): Promise<ApplyOutcome> => {
    await writeTransitions(client, {
      cases: [],
      events: [],
      outcomes: [{ commandId: record.id, caseId: record.caseId, status: 'rejected', problem }],
    });
    return { status: 'rejected', caseId: record.caseId, problem, replayed: false };
  };

  const command = commandOf(record);
  if (command === null) return reject(INVALID_PAYLOAD);

  const ctx: DecisionContext = {
    actor: record.actor,
    now,
    sla: deps.sla,
    claimLeaseMs: deps.claimLeaseMs,
    ...(deps.clockSkewMs === undefined ? {} : { clockSkewMs: deps.clockSkewMs }),
  };
  const states = await gatherContext(client, deps, { command, reference: record.reference }, ctx, loaded);

  const decided = decideAndChain(record, command, states, ctx, protectorOf(deps));
  if (!decided.ok) return reject(decided.problem);
  const { events, next, values } = decided;
  const version = next.get(command.caseId)?.version ?? 0;
  outbox.push(
    ...(await writeTransitions(client, {
      cases: [...next.values()],
      events,
      outcomes: [{ commandId: record.id, caseId: record.caseId, status: 'applied', resultVersion: version }],
      personal: personalOf(command),
      filePersonal: filePersonalOf(command),
      personalValues: values,
      handedOff: deps.handoff !== undefined,
    })),
  );
  return { status: 'applied', caseId: command.caseId, version, events: events.length, replayed: false };
}

/** Locks every case the command may touch and fills the lookups decide needs. */
async function gatherContext(
  client: pg.ClientBase,
  deps: ApplyDeps,
  { command, reference }: { command: Command; reference: string | null },
  ctx: DecisionContext,
  loaded: LoadedForApply,
): Promise<Map<string, CaseState>> {
  if (command.type === 'submit') {
    const { item } = command.payload;
    const digests = intakeDigests(deps.hmacKey, item);
    const [fp] = digests.itemKeys;
    const [hash] = digests.contentHashes;
    // Two reports of one item at once must not both become originals: serialize on the
    // fingerprint, and on the content hash for the related links.
    await client.query(
      'SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))',
      [`fp:${fp}`, `ch:${hash}`],
    );
    const { openIds, relatedIds, earlierIds, states } = await lockIntakeMatches(
      client,
      digests.itemKeys,
      digests.contentHashes,
    );
    ctx.intake = {
      // Drawn when the command was accepted; a submit stored without one draws it now.
      reference: reference ?? (await drawReference(client)),
      personalDigest: personalDigest(deps.hmacKey, itemPersonalData(item)),
      digests,
      duplicateOf: openIds[0] !== undefined ? (states.get(openIds[0]) ?? null) : null,
      related: relatedIds.flatMap((id) => states.get(id) ?? []),
      earlier: earlierIds.flatMap((id) => states.get(id) ?? []),
    };
    return states;
  }
  const locked = loaded.cases.get(command.caseId);
  addPenaltyContext(deps, command, ctx, loaded);
  if (command.type === 'assign') ctx.assignee = await findAssignee(client, command.payload.verifierId);
  return new Map(locked === undefined ? [] : [[locked.id, locked] as const]);
}

/** What deciding a penalty needs beyond its case: the subject's digest, and whether its decision number is taken. */
function addPenaltyContext(
  deps: Pick<ApplyDeps, 'hmacKey'>,
  command: Command,
  ctx: DecisionContext,
  loaded: LoadedForApply,
): void {
  if (command.type !== 'record-penalty') return;
  const subject = subjectPersonalData(command.payload.subject);
  ctx.penalty = {
    subjectDigest: subject === null ? null : personalDigest(deps.hmacKey, subject),
    decisionNoTaken: loaded.takenDecisionKeys.has(decisionNoKey(command.payload.decisionNo)),
    files: loaded.filesByCase.get(command.caseId) ?? [],
  };
}

/** The personal data of a file an applied attach-file brings (its name and description). */
function filePersonalOf(command: Command): FilePersonalData[] {
  if (command.type !== 'attach-file') return [];
  const { fileId, name, description } = command.payload;
  if (name === undefined && description === undefined) return [];
  return [
    {
      fileId,
      caseId: command.caseId,
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
    },
  ];
}

/** Each personal value gets a fresh random salt: its reference confirms nothing once erased. */
export function protectorOf(deps: Pick<ApplyDeps, 'hmacKey'>): Protector {
  return (caseId, field, value) => {
    const salt = randomBytes(16).toString('hex');
    return { caseId, field, value, salt, digest: personalValueDigest(deps.hmacKey, salt, value) };
  };
}

/**
 * What both apply paths do between reading and writing: decide the command against the
 * states read, take the personal values out of its events (format 2), place them in their
 * cases' hash chains, and fold them.
 */
function decideAndChain(
  record: CommandRecord,
  command: Command,
  states: ReadonlyMap<string, CaseState>,
  ctx: DecisionContext,
  protect: Protector,
):
  | { ok: false; problem: Rejection }
  | { ok: true; events: StoredEvent[]; next: Map<string, CaseState>; values: PersonalValue[] } {
  const decision = decide(states.get(command.caseId) ?? null, command, ctx);
  if (!decision.ok) return { ok: false, problem: decision.rejection };
  const { drafts, values } = protectDrafts(decision.events, protect);
  const heads = Object.fromEntries(drafts.map((e) => [e.caseId, headOf(states.get(e.caseId) ?? null)]));
  const events = chainEvents(drafts, {
    heads,
    actor: record.actor,
    commandId: record.id,
    occurredAt: ctx.now,
  });
  return { ok: true, events, next: foldInto(states, events), values };
}

function foldInto(states: ReadonlyMap<string, CaseState>, events: readonly StoredEvent[]): Map<string, CaseState> {
  const next = new Map<string, CaseState>();
  for (const event of events) {
    next.set(event.caseId, evolve(next.get(event.caseId) ?? states.get(event.caseId) ?? null, event));
  }
  return next;
}

/** The personal data an applied command brings, stored apart from the trail. */
function personalOf(command: Command): { caseId: string; patch: PersonalDataPatch }[] {
  if (command.type === 'submit') return [{ caseId: command.caseId, patch: itemPersonalData(command.payload.item) }];
  if (command.type === 'record-penalty') {
    const subject = subjectPersonalData(command.payload.subject);
    if (subject !== null) return [{ caseId: command.caseId, patch: subject }];
  }
  return [];
}

/** Applies a command, alone or batched with others arriving at the same moment. */
export type CommandApplier = (commandId: string, hint: { type: CommandType }) => Promise<ApplyOutcome>;

/**
 * Commands that write nothing but their own case (and its personal data) can be applied
 * together: a submit reads other cases (duplicates, related items) under advisory locks,
 * so it goes alone, and so does an assignment, which reads its assignee. A penalty's decision number is read with the batch; its uniqueness
 * across cases is the database's unique index, whose violation sends the batch back to
 * one-by-one application.
 */
const batchable = (type: CommandType) => type !== 'submit' && type !== 'assign';

/**
 * Group commit for the apply path: the batchable commands a process starts within a few
 * milliseconds of each other are applied together, optimistically: one read of the
 * commands and their cases (no transaction, no locks), each decided in order against the
 * state the ones before it left, and ONE guarded write statement (see writeTransitions).
 * If another writer changed one of the cases or finished one of the commands in between,
 * the write aborts whole, and each command is applied alone under locks (applyCommand), as
 * after any other failure of the batch.
 */
export function createCommandApplier(
  deps: ApplyDeps,
  options: { maxBatch?: number; windowMs?: number } = {},
): CommandApplier {
  const loader = perTurnBatcher(
    async (ids: readonly string[]): Promise<(ApplyOutcome | Error)[]> => {
      try {
        return await applyBatch(deps, ids);
      } catch (error) {
        const conflict = isWriteConflict(error);
        deps.log[conflict ? 'debug' : 'warn'](
          { commands: ids.length, err: { message: (error as Error).message } },
          conflict
            ? 'another writer came first, applying the commands one by one under locks'
            : 'batch not applied, applying its commands one by one',
        );
        return Promise.all(
          ids.map((id) =>
            applyCommand(deps, id).catch((failure: unknown) =>
              failure instanceof Error ? failure : new Error(String(failure)),
            ),
          ),
        );
      }
    },
    { maxBatch: options.maxBatch ?? 16, windowMs: options.windowMs ?? 2 },
  );
  return (commandId, hint) => (batchable(hint.type) ? loader.load(commandId) : applyCommand(deps, commandId));
}

/** A guard of the write found another writer first: a serialization failure, a deadlock, or an event seq taken. */
function isWriteConflict(error: unknown): boolean {
  return isRetryable(error) || (error as { code?: unknown }).code === '23505';
}

async function applyBatch(deps: ApplyDeps, ids: readonly string[]): Promise<ApplyOutcome[]> {
  const loaded = await loadManyForApply(deps.pool, [...new Set(ids)], { lock: false });
  const states = new Map(loaded.cases);
  const touched = new Map<string, CaseState>();
  const events: StoredEvent[] = [];
  const written: CommandOutcome[] = [];
  const personal: { caseId: string; patch: PersonalDataPatch }[] = [];
  const filePersonal: FilePersonalData[] = [];
  const personalValues: PersonalValue[] = [];
  const protect = protectorOf(deps);
  const done = new Map<string, ApplyOutcome>();
  const decideOne = (id: string): ApplyOutcome => {
    const seen = done.get(id);
    // The same command twice in one batch (a job delivered twice): the second is a replay.
    if (seen !== undefined) return seen.status === 'missing' ? seen : { ...seen, replayed: true };
    const record = loaded.commands.get(id.toLowerCase());
    if (record === undefined) return { status: 'missing' };
    const replay = replayOf(record);
    if (replay !== null) return replay;
    if (!batchable(record.type)) throw new Error(`command ${id} (${record.type}) cannot be batched`);
    const reject = (problem: Rejection): ApplyOutcome => {
      written.push({ commandId: record.id, caseId: record.caseId, status: 'rejected', problem });
      return { status: 'rejected', caseId: record.caseId, problem, replayed: false };
    };
    const command = commandOf(record);
    if (command === null) return reject(INVALID_PAYLOAD);
    const ctx: DecisionContext = {
      actor: record.actor,
      now: loaded.now,
      sla: deps.sla,
      claimLeaseMs: deps.claimLeaseMs,
      ...(deps.clockSkewMs === undefined ? {} : { clockSkewMs: deps.clockSkewMs }),
    };
    addPenaltyContext(deps, command, ctx, loaded);
    const decided = decideAndChain(record, command, states, ctx, protect);
    if (!decided.ok) return reject(decided.problem);
    personal.push(...personalOf(command));
    personalValues.push(...decided.values);
    filePersonal.push(...filePersonalOf(command));
    // A penalty later in the batch may name a file attached earlier in it.
    for (const event of decided.events) {
      if (event.type !== 'case.file_attached') continue;
      const { fileId, kind, sha256 } = event.payload;
      loaded.filesByCase.set(event.caseId, [...(loaded.filesByCase.get(event.caseId) ?? []), { fileId, kind, sha256 }]);
    }
    for (const [caseId, state] of decided.next) {
      states.set(caseId, state);
      touched.set(caseId, state);
    }
    const chained = decided.events;
    events.push(...chained);
    const version = states.get(record.caseId)?.version ?? 0;
    written.push({ commandId: record.id, caseId: record.caseId, status: 'applied', resultVersion: version });
    return { status: 'applied', caseId: record.caseId, version, events: chained.length, replayed: false };
  };
  const outcomes = ids.map((id) => {
    const outcome = decideOne(id);
    done.set(id, outcome);
    return outcome;
  });
  const outbox =
    written.length === 0
      ? []
      : await writeTransitions(deps.pool, {
          // Saved in id order, as locking writers lock them: waits never form a cycle.
          cases: [...touched.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
          events,
          outcomes: written,
          personal,
          filePersonal,
          personalValues,
          handedOff: deps.handoff !== undefined,
        });
  if (outbox.length > 0) await deps.handoff?.(outbox);
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.status === 'rejected' && !outcome.replayed)
      deps.log.info({ commandId: ids[i], caseId: outcome.caseId, code: outcome.problem.code }, 'command rejected');
  }
  return outcomes;
}

/** A command already finished: what applying it again answers (nothing is written). */
function replayOf(record: CommandRecord): ApplyOutcome | null {
  if (record.status === 'applied')
    return { status: 'applied', caseId: record.caseId, version: record.resultVersion ?? 0, events: 0, replayed: true };
  if (record.status === 'rejected' && record.problem !== null)
    return { status: 'rejected', caseId: record.caseId, problem: record.problem, replayed: true };
  return null;
}

const INVALID_PAYLOAD: Rejection = { code: 'validation_failed', detail: 'the stored command payload is not valid' };

/** The stored command as the domain takes it; null when its payload no longer parses. */
function commandOf(record: CommandRecord): Command | null {
  const parsed = COMMANDS[record.type].payload.safeParse(record.payload);
  if (!parsed.success) return null;
  return {
    id: record.id,
    type: record.type,
    caseId: record.caseId,
    payload: parsed.data,
    ...(record.expectedVersion === null ? {} : { expectedVersion: record.expectedVersion }),
  } as Command;
}
