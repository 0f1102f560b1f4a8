import type pg from 'pg';
import {
  COMMANDS,
  chainEvents,
  contentHash,
  decide,
  evolve,
  fingerprint,
  headOf,
  itemPersonalData,
  personalDigest,
  subjectPersonalData,
  type CaseState,
  type Command,
  type CommandType,
  type DecisionContext,
  type OpenStage,
  type Rejection,
  type StoredEvent,
} from '../domain/index.ts';
import { drawReference, findIdsByContentHash, findOpenIdsByFingerprint, isDecisionNoTaken, lockCases, nextReference } from '../infra/db/case.repository.ts';
import { finishCommand, savePersonalData, type CommandRecord } from '../infra/db/command.repository.ts';
import type { OutboxRow } from '../infra/db/outbox.repository.ts';
import { loadForApply, writeTransition } from '../infra/db/transition.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import type { Logger } from '../infra/logger.ts';
import type { Handoff } from '../infra/queue/publish.ts';

export type ApplyDeps = {
  pool: pg.Pool;
  hmacKey: Uint8Array;
  sla: Record<OpenStage, number>;
  claimLeaseMs: number;
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
export async function applyCommand(deps: ApplyDeps, commandId: string, hint: { type?: CommandType } = {}): Promise<ApplyOutcome> {
  // A submit's reference is drawn before its transaction (see drawReference); the job's
  // name tells the type. Without the hint, it is drawn inside, holding the counter longer.
  const reference = hint.type === 'submit' ? await drawReference(deps.pool) : undefined;
  const { outcome, outbox } = await inTransaction(deps.pool, async (client) => {
    const written: OutboxRow[] = [];
    return { outcome: await applyIn(client, { ...deps, reference }, commandId, written), outbox: written };
  });
  if (outbox.length > 0) await deps.handoff?.(outbox);
  if (outcome.status !== 'missing' && !outcome.replayed) {
    const log = deps.log.child({ commandId, caseId: outcome.caseId });
    if (outcome.status === 'applied') log.debug({ version: outcome.version }, 'command applied');
    else log.info({ code: outcome.problem.code }, 'command rejected');
  }
  return outcome;
}

type ApplyInDeps = ApplyDeps & { reference: string | undefined };

async function applyIn(client: pg.ClientBase, deps: ApplyInDeps, commandId: string, outbox: OutboxRow[]): Promise<ApplyOutcome> {
  const loaded = await loadForApply(client, commandId);
  if (loaded === null) return { status: 'missing' };
  const { record, now } = loaded;
  if (record.status === 'applied') {
    return { status: 'applied', caseId: record.caseId, version: record.resultVersion ?? 0, events: 0, replayed: true };
  }
  if (record.status === 'rejected' && record.problem !== null) {
    return { status: 'rejected', caseId: record.caseId, problem: record.problem, replayed: true };
  }

  const reject = async (problem: Rejection): Promise<ApplyOutcome> => {
    await finishCommand(client, record, { status: 'rejected', problem });
    return { status: 'rejected', caseId: record.caseId, problem, replayed: false };
  };

  const parsed = COMMANDS[record.type].payload.safeParse(record.payload);
  if (!parsed.success) return reject({ code: 'validation_failed', detail: 'the stored command payload is not valid' });
  const command = {
    id: record.id,
    type: record.type,
    caseId: record.caseId,
    payload: parsed.data,
    ...(record.expectedVersion === null ? {} : { expectedVersion: record.expectedVersion }),
  } as Command;

  const ctx: DecisionContext = { actor: record.actor, now, sla: deps.sla, claimLeaseMs: deps.claimLeaseMs };
  const states = await gatherContext(client, deps, command, ctx, loaded.state);

  const decision = decide(states.get(command.caseId) ?? null, command, ctx);
  if (!decision.ok) return reject(decision.rejection);

  const heads = Object.fromEntries(decision.events.map((e) => [e.caseId, headOf(states.get(e.caseId) ?? null)]));
  const events = chainEvents(decision.events, { heads, actor: record.actor, commandId: record.id, occurredAt: now });
  const next = foldInto(states, events);
  const version = next.get(command.caseId)?.version ?? 0;
  outbox.push(
    ...(await writeTransition(client, {
      cases: [...next.values()],
      events,
      commandId: record.id,
      caseId: record.caseId,
      resultVersion: version,
      handedOff: deps.handoff !== undefined,
    })),
  );
  await savePersonal(client, command, record);
  return { status: 'applied', caseId: command.caseId, version, events: events.length, replayed: false };
}

/** Locks every case the command may touch and fills the lookups decide needs. */
async function gatherContext(
  client: pg.ClientBase,
  deps: ApplyInDeps,
  command: Command,
  ctx: DecisionContext,
  locked: CaseState | null,
): Promise<Map<string, CaseState>> {
  if (command.type === 'submit') {
    const { item } = command.payload;
    const fp = fingerprint(item.platform, item.url);
    const hash = contentHash(item.content);
    // Two reports of one item at once must not both become originals: serialize on the
    // fingerprint, and on the content hash for the related links.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))', [
      `fp:${fp}`,
      `ch:${hash}`,
    ]);
    const openIds = await findOpenIdsByFingerprint(client, fp);
    const relatedIds = openIds.length > 0 ? [] : await findIdsByContentHash(client, hash, fp);
    const states = await lockCases(client, [...openIds.slice(0, 1), ...relatedIds]);
    ctx.intake = {
      reference: deps.reference ?? (await nextReference(client, ctx.now.getUTCFullYear())),
      personalDigest: personalDigest(deps.hmacKey, itemPersonalData(item)),
      duplicateOf: openIds[0] !== undefined ? (states.get(openIds[0]) ?? null) : null,
      related: relatedIds.flatMap((id) => states.get(id) ?? []),
    };
    return states;
  }
  const states = new Map(locked === null ? [] : [[locked.id, locked] as const]);
  if (command.type === 'record-penalty') {
    const subject = subjectPersonalData(command.payload.subject);
    ctx.penalty = {
      subjectDigest: subject === null ? null : personalDigest(deps.hmacKey, subject),
      decisionNoTaken: await isDecisionNoTaken(client, command.payload.decisionNo),
    };
  }
  return states;
}

function foldInto(states: ReadonlyMap<string, CaseState>, events: readonly StoredEvent[]): Map<string, CaseState> {
  const next = new Map<string, CaseState>();
  for (const event of events) {
    next.set(event.caseId, evolve(next.get(event.caseId) ?? states.get(event.caseId) ?? null, event));
  }
  return next;
}

async function savePersonal(client: pg.ClientBase, command: Command, record: CommandRecord): Promise<void> {
  if (command.type === 'submit') await savePersonalData(client, record.caseId, itemPersonalData(command.payload.item));
  if (command.type === 'record-penalty') {
    const subject = subjectPersonalData(command.payload.subject);
    if (subject !== null) await savePersonalData(client, record.caseId, subject);
  }
}
