import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Actor, CommandType, QueueName, Rejection, Role } from '../../domain/index.ts';
import type { OutboxRow } from './outbox.repository.ts';
import { traceMetadata } from '../tracing.ts';

export type CommandStatus = 'pending' | 'applied' | 'rejected';

export type CommandRecord = {
  id: string;
  type: CommandType;
  caseId: string;
  actor: Actor;
  payload: unknown;
  expectedVersion: number | null;
  status: CommandStatus;
  problem: Rejection | null;
  resultVersion: number | null;
  createdAt: string;
  appliedAt: string | null;
  /** A submit's case reference, drawn when it was accepted (null for other commands). */
  reference: string | null;
};

type CommandRow = {
  id: string;
  type: string;
  case_id: string;
  actor_id: string;
  actor_roles: string[];
  payload: unknown;
  expected_version: number | null;
  status: string;
  problem: Rejection | null;
  result_version: number | null;
  created_at: Date | string;
  applied_at: Date | string | null;
  reference: string | null;
};

export type { CommandRow };

export function rowToCommand(row: CommandRow): CommandRecord {
  return {
    id: row.id,
    type: row.type as CommandType,
    caseId: row.case_id,
    actor: { id: row.actor_id, roles: row.actor_roles as Role[] },
    payload: row.payload,
    expectedVersion: row.expected_version,
    status: row.status as CommandStatus,
    problem: row.problem,
    resultVersion: row.result_version,
    createdAt: new Date(row.created_at).toISOString(),
    appliedAt: row.applied_at === null ? null : new Date(row.applied_at).toISOString(),
    reference: row.reference,
  };
}

/** What a waiter learns of a finished command: from the notification itself, or a lookup. */
export type FinishedCommand = Pick<CommandRecord, 'id' | 'caseId' | 'status' | 'problem' | 'resultVersion'>;

/**
 * The notification a worker sends at commit (writeTransitions): the outcome
 * itself, so a waiting request needs no query to learn it.
 */
export function commandNotice(command: FinishedCommand): string {
  return JSON.stringify(command);
}

export async function findCommand(client: pg.ClientBase | pg.Pool, id: string): Promise<CommandRecord | null> {
  const { rows } = await client.query<CommandRow>('SELECT * FROM commands WHERE id = $1', [id]);
  return rows[0] ? rowToCommand(rows[0]) : null;
}

export type NewCommand = {
  id?: string;
  type: CommandType;
  caseId: string;
  actor: Actor;
  payload: unknown;
  expectedVersion?: number;
  idempotencyKey?: string;
  requestHash?: string;
};

/**
 * Records a command and the outbox row that hands it to its queue, in one statement (so
 * in one transaction): a command is never stored without its way to a worker. With
 * handedOff, the row is stored as published: the caller publishes it after this commit
 * (see createHandoff); otherwise the relay does. Throws the unique violation of the
 * actor's Idempotency-Key when it was used before.
 */
export async function insertCommand(
  client: pg.ClientBase | pg.Pool,
  command: NewCommand,
  queue: QueueName,
  options: { handedOff?: boolean } = {},
): Promise<{ id: string; reference: string | null; outbox: OutboxRow }> {
  const [stored] = await insertCommands(client, [{ command, queue, handedOff: options.handedOff === true }]);
  if (stored === undefined) throw new Error('no command stored');
  if (stored instanceof Error) throw stored;
  return stored;
}

export type CommandToStore = { command: NewCommand; queue: QueueName; handedOff: boolean };

export const IDEMPOTENCY_CONSTRAINT = 'commands_actor_id_idempotency_key_key';

const INSERT_COMMANDS = `
WITH input AS (
  -- A submit's reference number, drawn once per row (the CTE is materialized).
  SELECT *, CASE WHEN i.type = 'submit' THEN nextval('case_references') END AS reference_no FROM jsonb_to_recordset($1::jsonb) AS i(
    id uuid, type text, case_id uuid, actor_id uuid, actor_roles text[], payload jsonb, expected_version int,
    idempotency_key text, request_hash text, outbox_id uuid, queue text, handed_off boolean, trace_context text, n int)
), stored AS (
  INSERT INTO commands (id, type, case_id, actor_id, actor_roles, payload, expected_version, idempotency_key, request_hash, reference)
  SELECT id, type, case_id, actor_id, actor_roles, payload, expected_version, idempotency_key, request_hash,
         casetrail_format_reference(reference_no)
  FROM input ORDER BY n
  ON CONFLICT (actor_id, idempotency_key) DO NOTHING
  RETURNING id, reference
), queued AS (
  INSERT INTO outbox (id, queue, job_name, payload, published_at, attempts, trace_context)
  SELECT i.outbox_id, i.queue, i.type, jsonb_build_object('commandId', i.id, 'caseId', i.case_id),
         CASE WHEN i.handed_off THEN statement_timestamp() END, CASE WHEN i.handed_off THEN 1 ELSE 0 END, i.trace_context
  FROM input i JOIN stored ON stored.id = i.id
)
-- Every stored command gets its outbox row above: a data-modifying CTE runs to completion
-- whether or not this SELECT reads it.
SELECT id AS command_id, reference FROM stored`;

/**
 * Stores many commands with their outbox rows in one statement (one commit for all). Each
 * gets its outbox row back, or the unique violation of an Idempotency-Key already used
 * (by an earlier command, or by one before it in the same list).
 */
export async function insertCommands(
  client: pg.ClientBase | pg.Pool,
  list: readonly CommandToStore[],
): Promise<({ id: string; reference: string | null; outbox: OutboxRow } | Error)[]> {
  // The request storing the commands: their jobs, and the work they lead to, join its trace.
  const traceContext = traceMetadata();
  const input = list.map(({ command, queue, handedOff }, n) => ({
    id: command.id ?? randomUUID(),
    type: command.type,
    case_id: command.caseId,
    actor_id: command.actor.id,
    actor_roles: command.actor.roles,
    payload: command.payload,
    expected_version: command.expectedVersion ?? null,
    idempotency_key: command.idempotencyKey ?? null,
    request_hash: command.requestHash ?? null,
    outbox_id: randomUUID(),
    queue,
    handed_off: handedOff,
    trace_context: traceContext,
    n,
  }));
  const { rows } = await client.query<{ command_id: string; reference: string | null }>({
    name: 'insert-commands',
    text: INSERT_COMMANDS,
    values: [JSON.stringify(input)],
  });
  const stored = new Map(rows.map((row) => [row.command_id.toLowerCase(), row.reference]));
  return input.map((i) => {
    const reference = stored.get(i.id.toLowerCase());
    return reference !== undefined
      ? {
          id: i.id,
          reference,
          outbox: {
            id: i.outbox_id,
            queue: i.queue,
            jobName: i.type,
            payload: { commandId: i.id, caseId: i.case_id },
            attempts: i.handed_off ? 1 : 0,
            traceContext,
          },
        }
      : Object.assign(new Error('this Idempotency-Key was used before'), {
          code: '23505',
          constraint: IDEMPOTENCY_CONSTRAINT,
        });
  });
}

export type PersonalDataPatch = {
  accountHandle?: string;
  accountName?: string;
  content?: string;
  subjectHandle?: string;
  subjectName?: string;
};

/** The command an actor already stored under an Idempotency-Key, with the hash of that request. */
export async function findCommandByIdempotencyKey(
  client: pg.ClientBase | pg.Pool,
  actorId: string,
  idempotencyKey: string,
): Promise<{ command: CommandRecord; requestHash: string | null } | null> {
  const { rows } = await client.query<CommandRow & { request_hash: string | null }>(
    'SELECT * FROM commands WHERE actor_id = $1 AND idempotency_key = $2',
    [actorId, idempotencyKey],
  );
  const row = rows[0];
  return row ? { command: rowToCommand(row), requestHash: row.request_hash } : null;
}
