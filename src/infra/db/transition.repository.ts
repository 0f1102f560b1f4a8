import type pg from 'pg';
import type { CaseState, StoredEvent } from '../../domain/index.ts';
import { CASE_COLUMNS, caseToRecord, rowToCase, type CaseRow } from './case.repository.ts';
import { commandNotice, rowToCommand, type CommandRecord, type CommandRow } from './command.repository.ts';
import { toOutboxRow, type OutboxRecord, type OutboxRow } from './outbox.repository.ts';

const UPDATE_SET = CASE_COLUMNS.filter((c) => c !== 'id')
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');

/**
 * Everything an applied command writes, in ONE statement (round trips are what the apply
 * path spends its time on): the folded cases, the events, the command marked applied,
 * one outbox row per event for the events queue, and the wake-up of ?wait=true requests.
 * Data-modifying CTEs all run to completion whether or not the final SELECT reads them.
 */
const WRITE_TRANSITION = `
WITH saved AS (
  INSERT INTO cases (${CASE_COLUMNS.join(', ')})
  SELECT ${CASE_COLUMNS.join(', ')} FROM jsonb_populate_recordset(NULL::cases, $1::jsonb)
  ON CONFLICT (id) DO UPDATE SET ${UPDATE_SET}
  RETURNING id
), appended AS (
  INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash)
  SELECT case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash
  FROM jsonb_to_recordset($2::jsonb) AS e(case_id uuid, seq int, type text, payload jsonb, actor_id text, actor_roles text[],
                                          command_id uuid, occurred_at text, prev_hash text, hash text)
  RETURNING id, case_id, seq, type
), marked AS (
  UPDATE commands SET status = 'applied', problem = NULL, result_version = $3, applied_at = statement_timestamp()
  WHERE id = $4
  RETURNING id
), published AS (
  INSERT INTO outbox (id, queue, job_name, payload, published_at, attempts)
  SELECT gen_random_uuid(), 'events', a.type, jsonb_build_object('eventId', a.id::text, 'caseId', a.case_id, 'seq', a.seq),
         CASE WHEN $5::boolean THEN statement_timestamp() END, CASE WHEN $5::boolean THEN 1 ELSE 0 END
  FROM appended a
  RETURNING id, queue, job_name, payload, attempts
)
SELECT (SELECT count(*)::int FROM appended) AS events, (SELECT count(*)::int FROM marked) AS commands,
       (SELECT coalesce(jsonb_agg(p), '[]') FROM published p) AS outbox,
       pg_notify('casetrail_command', $6)`;

/**
 * Writes the transition; returns its events' outbox rows. With handedOff they are stored as
 * published, for the caller to publish after commit (see createHandoff).
 */
export async function writeTransition(
  client: pg.ClientBase,
  transition: { cases: readonly CaseState[]; events: readonly StoredEvent[]; commandId: string; caseId: string; resultVersion: number; handedOff?: boolean },
): Promise<OutboxRow[]> {
  const events = transition.events.map((e) => ({
    case_id: e.caseId,
    seq: e.seq,
    type: e.type,
    payload: e.payload,
    actor_id: e.actor.id,
    actor_roles: e.actor.roles,
    command_id: e.commandId,
    occurred_at: e.occurredAt,
    prev_hash: e.prevHash,
    hash: e.hash,
  }));
  const { rows } = await client.query<{ events: number; commands: number; outbox: OutboxRecord[] }>({
    name: 'write-transition',
    text: WRITE_TRANSITION,
    values: [
      JSON.stringify(transition.cases.map(caseToRecord)),
      JSON.stringify(events),
      transition.resultVersion,
      transition.commandId,
      transition.handedOff === true,
      commandNotice({ id: transition.commandId, caseId: transition.caseId, status: 'applied', problem: null, resultVersion: transition.resultVersion }),
    ],
  });
  const written = rows[0];
  if (written?.events !== events.length || written.commands !== 1) {
    throw new Error(`transition of command ${transition.commandId} was not written whole`);
  }
  return written.outbox.map(toOutboxRow);
}

/**
 * The command locked (a second delivery waits here, then finds it done), the database
 * clock, and, for a command on an existing case, that case locked: one round trip.
 */
const LOAD_FOR_APPLY = `
WITH cmd AS (SELECT * FROM commands WHERE id = $1 FOR UPDATE)
SELECT to_jsonb(cmd) AS command, statement_timestamp() AS now, to_jsonb(k) AS case_row
FROM cmd LEFT JOIN LATERAL (SELECT * FROM cases WHERE cases.id = cmd.case_id AND cmd.type <> 'submit' FOR UPDATE) k ON true`;

export async function loadForApply(
  client: pg.ClientBase,
  commandId: string,
): Promise<{ record: CommandRecord; now: Date; state: CaseState | null } | null> {
  const { rows } = await client.query<{ command: CommandRow; now: Date; case_row: CaseRow | null }>({
    name: 'load-for-apply',
    text: LOAD_FOR_APPLY,
    values: [commandId],
  });
  const row = rows[0];
  if (row === undefined) return null;
  return { record: rowToCommand(row.command), now: row.now, state: row.case_row === null ? null : rowToCase(row.case_row) };
}
