import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  COMMANDS,
  DEFAULT_CLOCK_SKEW_MS,
  businessDateProblems,
  canonicalJson,
  describeDateProblems,
  mayRun,
  sha256Hex,
  type Actor,
  type CommandPayloads,
  type CommandType,
  type FieldProblem,
} from '../domain/index.ts';
import type { CommandInbox } from '../infra/db/command-inbox.ts';
import {
  IDEMPOTENCY_CONSTRAINT,
  findCommandByIdempotencyKey,
  insertCommand,
  type CommandStatus,
} from '../infra/db/command.repository.ts';
import type { Handoff } from '../infra/queue/publish.ts';

export type SubmitCommandDeps = {
  pool: pg.Pool;
  /** Stores concurrent commands together (one statement, one commit); without it, one by one. */
  inbox?: CommandInbox;
  /** Publishes the command's job right after it is stored; without it, the outbox relay does. */
  handoff?: Handoff;
  /** How far a client's clock may run ahead of this server's (CASETRAIL_CLOCK_SKEW). */
  clockSkewMs?: number;
};

export type SubmitCommandInput = {
  actor: Actor;
  type: CommandType;
  /** The case the command acts on; for submit, omitted (a new id is drawn) or the new case's id. */
  caseId?: string;
  /** Already validated against COMMANDS[type].payload (see parseRequest). */
  payload: unknown;
  expectedVersion?: number;
  idempotencyKey?: string;
};

export type AcceptedCommand = {
  commandId: string;
  caseId: string;
  type: CommandType;
  /** pending for a new command; a replay reports where the original command stands. */
  status: CommandStatus;
  /** True when an Idempotency-Key matched a command stored earlier. */
  replayed: boolean;
  /** A submit's case reference, drawn when the command was stored; null for other commands. */
  reference: string | null;
};

export type SubmitCommandResult =
  | ({ ok: true } & AcceptedCommand)
  | { ok: false; code: 'forbidden' | 'idempotency_mismatch'; detail: string }
  | { ok: false; code: 'guard_failed'; detail: string; errors: FieldProblem[] };

/**
 * The request an Idempotency-Key stands for. A submit's case id is drawn per request, so it
 * is left out: retrying a submit with the same key and body finds the first one.
 */
function requestHash(input: Pick<SubmitCommandInput, 'type' | 'caseId' | 'payload' | 'expectedVersion'>): string {
  return sha256Hex(
    canonicalJson({
      type: input.type,
      caseId: input.type === 'submit' ? null : (input.caseId ?? null),
      payload: input.payload,
      expectedVersion: input.expectedVersion ?? null,
    }),
  );
}

/**
 * Accepts a command for a worker to apply: the command and its outbox row are stored in
 * one statement, so a command is never stored without its way to a queue. The decision
 * itself (stage, guards, object-level access) is the worker's; only the role is checked
 * here, so that a forbidden command is never stored.
 */
export async function submitCommand(deps: SubmitCommandDeps, input: SubmitCommandInput): Promise<SubmitCommandResult> {
  const { actor, type } = input;
  if (!mayRun(type, actor.roles)) {
    return {
      ok: false,
      code: 'forbidden',
      detail: `${type} needs one of the roles ${COMMANDS[type].roles.join(', ')}`,
    };
  }
  // Business dates against this server's clock now, when the request arrives: the same
  // bound whenever a worker gets to the command. Their order in the case's history is a guard.
  const dates = businessDateProblems(
    type,
    input.payload as CommandPayloads[typeof type],
    new Date(),
    deps.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
  );
  if (dates.length > 0) return { ok: false, code: 'guard_failed', detail: describeDateProblems(dates), errors: dates };
  const caseId = input.caseId ?? (type === 'submit' ? randomUUID() : undefined);
  if (caseId === undefined) throw new Error(`${type} needs a caseId`);
  // Only a keyed request can be replayed, so only its hash is worth computing and storing.
  const hash = input.idempotencyKey === undefined ? undefined : requestHash({ ...input, caseId });
  const commandId = randomUUID();
  let stored: Awaited<ReturnType<typeof insertCommand>>;
  const item = {
    command: {
      id: commandId,
      type,
      caseId,
      actor,
      payload: input.payload,
      ...(input.expectedVersion === undefined ? {} : { expectedVersion: input.expectedVersion }),
      ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      ...(hash === undefined ? {} : { requestHash: hash }),
    },
    queue: COMMANDS[type].queue,
    handedOff: deps.handoff !== undefined,
  };
  try {
    stored =
      deps.inbox === undefined
        ? await insertCommand(deps.pool, item.command, item.queue, item)
        : await deps.inbox.store(item);
  } catch (error) {
    if (input.idempotencyKey === undefined || hash === undefined || !isIdempotencyConflict(error)) throw error;
    return replay(deps, actor, input.idempotencyKey, hash);
  }
  // Stored is accepted: the answer need not wait for the queue. The hand-off never throws
  // (what it cannot publish goes back to the relay), and the server drains it on close.
  void deps.handoff?.([stored.outbox]);
  return { ok: true, commandId, caseId, type, status: 'pending', replayed: false, reference: stored.reference };
}

/** The answer to a request whose Idempotency-Key was used before: the first command, or a mismatch. */
export async function replay(
  deps: Pick<SubmitCommandDeps, 'pool'>,
  actor: Actor,
  key: string,
  hash: string,
): Promise<SubmitCommandResult> {
  const existing = await findCommandByIdempotencyKey(deps.pool, actor.id, key);
  // The conflicting row committed before the unique index refused ours, so it is visible.
  if (existing === null) throw new Error('idempotency conflict without a stored command');
  if (existing.requestHash !== hash) {
    return {
      ok: false,
      code: 'idempotency_mismatch',
      detail: 'this Idempotency-Key was used with a different request; use a new key for a new request',
    };
  }
  const { command } = existing;
  return {
    ok: true,
    commandId: command.id,
    caseId: command.caseId,
    type: command.type,
    status: command.status,
    replayed: true,
    reference: command.reference,
  };
}

export function isIdempotencyConflict(error: unknown): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === IDEMPOTENCY_CONSTRAINT;
}
