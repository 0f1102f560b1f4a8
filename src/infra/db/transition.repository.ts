import type pg from 'pg';
import {
  decisionNoKey,
  type AttachedFile,
  type CaseState,
  type PersonalValue,
  type Rejection,
  type StoredEvent,
} from '../../domain/index.ts';
import { CASE_COLUMNS, caseToRecord, rowToCase, type CaseRow } from './case.repository.ts';
import {
  commandNotice,
  rowToCommand,
  type CommandRecord,
  type CommandRow,
  type PersonalDataPatch,
} from './command.repository.ts';
import { toOutboxRow, type OutboxRecord, type OutboxRow } from './outbox.repository.ts';
import { webhookSubscribersSql, type ProjectionInput } from './projection.repository.ts';
import { traceMetadata } from '../tracing.ts';

const UPDATE_SET = CASE_COLUMNS.filter((c) => c !== 'id')
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');

/**
 * Everything applied commands write, in ONE statement (round trips are what the apply path
 * spends its time on): the folded cases, the events, the commands marked with their
 * outcomes, the personal data they brought (kept apart from the trail, so that erasing it
 * breaks no chain), one outbox row per event for the events queue, and the wake-up of
 * ?wait=true requests. It also reads what the events' projections need beyond the event
 * and its case (webhook subscribers per type), so that projecting them right after commit
 * takes no further query. Data-modifying CTEs all run to completion whether or not the
 * final SELECT reads them.
 *
 * Guarded, so that it may run on its own, without a transaction or locks taken when the
 * state was read: a case is saved only over the version it was decided on ($6), a command
 * is marked only while pending, and an event's (case, seq) is unique. When another writer
 * got there first, the statement aborts whole (casetrail_write_conflict, SQLSTATE 40001,
 * or the unique violation).
 */
const WRITE_TRANSITIONS = `
WITH saved AS (
  INSERT INTO cases (${CASE_COLUMNS.join(', ')})
  SELECT ${CASE_COLUMNS.join(', ')} FROM jsonb_populate_recordset(NULL::cases, $1::jsonb)
  ON CONFLICT (id) DO UPDATE SET ${UPDATE_SET} WHERE cases.version = ($6::jsonb ->> cases.id::text)::int
  RETURNING id
), appended AS (
  INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash)
  SELECT case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash
  FROM jsonb_to_recordset($2::jsonb) AS e(case_id uuid, seq int, type text, payload jsonb, actor_id text, actor_roles text[],
                                          command_id uuid, occurred_at text, prev_hash text, hash text, n int)
  ORDER BY n
  RETURNING id, case_id, seq, type
), marked AS (
  -- Found by primary key ($8, the same ids as $3). Written as c.status = 'pending', the guard
  -- lets the planner read the commands through the (status, created_at) index instead, whose
  -- 'pending' entries include every command version not yet vacuumed: a cost that grows
  -- with the traffic. IS NOT DISTINCT FROM is the same test here (status is NOT NULL) and
  -- cannot use an index.
  UPDATE commands c SET status = x.status, problem = x.problem, result_version = x.result_version, applied_at = statement_timestamp()
  FROM jsonb_to_recordset($3::jsonb) AS x(id uuid, status text, problem jsonb, result_version int)
  WHERE c.id = ANY($8::uuid[]) AND c.id = x.id AND c.status IS NOT DISTINCT FROM 'pending'
  RETURNING c.id
), personal AS (
  INSERT INTO case_personal_data (case_id, account_handle, account_name, content, subject_handle, subject_name)
  SELECT case_id, account_handle, account_name, content, subject_handle, subject_name
  FROM jsonb_to_recordset($7::jsonb) AS p(case_id uuid, account_handle text, account_name text, content text, subject_handle text, subject_name text)
  ON CONFLICT (case_id) DO UPDATE SET
    account_handle = COALESCE(EXCLUDED.account_handle, case_personal_data.account_handle),
    account_name = COALESCE(EXCLUDED.account_name, case_personal_data.account_name),
    content = COALESCE(EXCLUDED.content, case_personal_data.content),
    subject_handle = COALESCE(EXCLUDED.subject_handle, case_personal_data.subject_handle),
    subject_name = COALESCE(EXCLUDED.subject_name, case_personal_data.subject_name),
    updated_at = statement_timestamp()
), attached AS (
  -- The case_files projection of the case.file_attached events appended above.
  INSERT INTO case_files (id, case_id, seq, command_id, sha256, size, media_type, kind, attached_by, attached_at)
  SELECT id, case_id, seq, command_id, sha256, size, media_type, kind, attached_by, attached_at
  FROM jsonb_to_recordset($9::jsonb) AS f(id uuid, case_id uuid, seq int, command_id uuid, sha256 text, size bigint,
                                          media_type text, kind text, attached_by uuid, attached_at timestamptz)
), file_personal AS (
  INSERT INTO case_file_personal_data (file_id, case_id, name, description)
  SELECT file_id, case_id, name, description
  FROM jsonb_to_recordset($10::jsonb) AS p(file_id uuid, case_id uuid, name text, description text)
), personal_values AS (
  INSERT INTO case_personal_values (case_id, digest, field, value, salt)
  SELECT case_id, digest, field, value, salt
  FROM jsonb_to_recordset($11::jsonb) AS v(case_id uuid, digest text, field text, value text, salt text)
), published AS (
  INSERT INTO outbox (id, queue, job_name, payload, published_at, attempts, trace_context)
  SELECT gen_random_uuid(), 'events', a.type, jsonb_build_object('eventId', a.id::text, 'caseId', a.case_id, 'seq', a.seq),
         CASE WHEN $4::boolean THEN statement_timestamp() END, CASE WHEN $4::boolean THEN 1 ELSE 0 END, $13::text
  FROM appended a
  WHERE NOT (a.case_id = ANY($12::uuid[]))
  RETURNING id, queue, job_name, payload, attempts, trace_context
)
SELECT (SELECT count(*)::int FROM appended) AS events, (SELECT count(*)::int FROM marked) AS commands,
       (SELECT coalesce(jsonb_agg(p), '[]') FROM published p) AS outbox,
       (SELECT count(*)::int FROM (SELECT pg_notify('casetrail_command', notice) FROM unnest($5::text[]) AS notice) notified) AS notified,
       (SELECT coalesce(jsonb_object_agg(t.type, ${webhookSubscribersSql('t.type')}), '{}')
        FROM (SELECT DISTINCT type FROM appended) t) AS subscribers,
       statement_timestamp() AS now,
       CASE WHEN (SELECT count(*) FROM saved) <> jsonb_array_length($1::jsonb) THEN casetrail_write_conflict('a case changed after it was read')
            WHEN (SELECT count(*) FROM marked) <> jsonb_array_length($3::jsonb) THEN casetrail_write_conflict('a command was finished by another writer')
       END AS conflict`;

/** One row per case, later patches over earlier ones field by field (a row may be upserted once per statement). */
function personalRows(
  patches: readonly { caseId: string; patch: PersonalDataPatch }[],
): Record<string, string | null>[] {
  const merged = new Map<string, PersonalDataPatch>();
  for (const { caseId, patch } of patches) {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    merged.set(caseId, { ...merged.get(caseId), ...defined });
  }
  return [...merged].map(([caseId, p]) => ({
    case_id: caseId,
    account_handle: p.accountHandle ?? null,
    account_name: p.accountName ?? null,
    content: p.content ?? null,
    subject_handle: p.subjectHandle ?? null,
    subject_name: p.subjectName ?? null,
  }));
}

export type FilePersonalData = { fileId: string; caseId: string; name?: string; description?: string };

/** The case_files rows of the case.file_attached events among these. */
function attachedFiles(events: readonly StoredEvent[]): Record<string, unknown>[] {
  return events.flatMap((e) =>
    e.type === 'case.file_attached'
      ? [
          {
            id: e.payload.fileId,
            case_id: e.caseId,
            seq: e.seq,
            command_id: e.commandId,
            sha256: e.payload.sha256,
            size: e.payload.size,
            media_type: e.payload.mediaType,
            kind: e.payload.kind,
            attached_by: e.actor.id,
            attached_at: e.occurredAt,
          },
        ]
      : [],
  );
}

/** How a command ended, as the commands table records it. */
export type CommandOutcome =
  | { commandId: string; caseId: string; status: 'applied'; resultVersion: number }
  | { commandId: string; caseId: string; status: 'rejected'; problem: Rejection };

/**
 * Writes the transitions of one or more commands; returns their events' outbox rows. With
 * handedOff they are stored as published, for the caller to publish after commit (see
 * createHandoff). Events are appended in the order given; each case given is saved over
 * the version before its first event here, and throws a write conflict otherwise.
 */
export async function writeTransitions(
  client: pg.ClientBase | pg.Pool,
  transition: {
    cases: readonly CaseState[];
    events: readonly StoredEvent[];
    outcomes: readonly CommandOutcome[];
    /** Personal data to store, merged into what a case has (a field not given is kept). */
    personal?: readonly { caseId: string; patch: PersonalDataPatch }[];
    /** The personal data of files attached by these events (their names and descriptions). */
    filePersonal?: readonly FilePersonalData[];
    /** The values the events' references stand for (format 2). */
    personalValues?: readonly PersonalValue[];
    handedOff?: boolean;
    /** Cases whose events get no outbox row: nothing projects them (imported history already closed). */
    unprojected?: readonly string[];
  },
): Promise<OutboxRow[]> {
  const events = transition.events.map((e, n) => ({
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
    n,
  }));
  const outcomes = transition.outcomes.map((o) => ({
    id: o.commandId,
    status: o.status,
    problem: o.status === 'rejected' ? o.problem : null,
    result_version: o.status === 'applied' ? o.resultVersion : null,
  }));
  const notices = transition.outcomes.map((o) =>
    commandNotice({
      id: o.commandId,
      caseId: o.caseId,
      status: o.status,
      problem: o.status === 'rejected' ? o.problem : null,
      resultVersion: o.status === 'applied' ? o.resultVersion : null,
    }),
  );
  const priors: Record<string, number> = {};
  for (const c of transition.cases) priors[c.id] = c.version;
  for (const e of transition.events) priors[e.caseId] = Math.min(priors[e.caseId] ?? e.seq, e.seq - 1);
  const { rows } = await client.query<{
    events: number;
    commands: number;
    outbox: OutboxRecord[];
    subscribers: Record<string, number>;
    now: Date;
  }>({
    name: 'write-transitions',
    text: WRITE_TRANSITIONS,
    values: [
      JSON.stringify(transition.cases.map(caseToRecord)),
      JSON.stringify(events),
      JSON.stringify(outcomes),
      transition.handedOff === true,
      notices,
      JSON.stringify(priors),
      JSON.stringify(personalRows(transition.personal ?? [])),
      outcomes.map((o) => o.id),
      JSON.stringify(attachedFiles(transition.events)),
      JSON.stringify(
        (transition.filePersonal ?? []).map((p) => ({
          file_id: p.fileId,
          case_id: p.caseId,
          name: p.name ?? null,
          description: p.description ?? null,
        })),
      ),
      JSON.stringify(
        (transition.personalValues ?? []).map((v) => ({
          case_id: v.caseId,
          digest: v.digest,
          field: v.field,
          value: v.value,
          salt: v.salt,
        })),
      ),
      transition.unprojected ?? [],
      // The job applying the commands: their events' projections join its trace.
      traceMetadata(),
    ],
  });
  const written = rows[0];
  if (written?.events !== events.length || written.commands !== outcomes.length) {
    throw new Error(`transitions of commands ${outcomes.map((o) => o.id).join(', ')} were not written whole`);
  }
  const appended = new Map(transition.events.map((e) => [`${e.caseId}#${e.seq}`, e]));
  const folded = new Map(transition.cases.map((c) => [c.id, c]));
  return written.outbox.map((record) => {
    const row = toOutboxRow(record);
    const { eventId, caseId, seq } = record.payload as { eventId: string; caseId: string; seq: number };
    const event = appended.get(`${caseId}#${seq}`);
    if (event === undefined) return row;
    const state = folded.get(caseId);
    // What loadProjectionInputs would read right after commit: the event, its case's visit
    // as this statement left it, and the subscribers this statement saw.
    const projection: ProjectionInput = {
      event: { ...event, id: eventId },
      visit:
        state === undefined ? null : { stage: state.stage, stageEnteredAt: state.stageEnteredAt, now: written.now },
      webhookSubscribers: written.subscribers[event.type] ?? 0,
    };
    return { ...row, projection };
  });
}

/**
 * The commands locked in id order (a second delivery of one waits here, then finds it
 * done), the cases they act on locked in id order (two transactions never wait on each
 * other in a cycle) and the database clock: one round trip, for one command or a batch.
 * Without lock (outside a transaction): the same, read as they stand, for a write that
 * guards itself (see WRITE_TRANSITIONS). Penalties among them take a second one: which of
 * their decision numbers' keys a case already holds (the key is computed here, not in SQL).
 */
const LOAD_MANY_FOR_APPLY = (lock: string) => `
WITH cmd AS (SELECT * FROM commands WHERE id = ANY($1::uuid[]) ORDER BY id ${lock}),
k AS (SELECT * FROM cases WHERE id IN (SELECT case_id FROM cmd) ORDER BY id ${lock})
SELECT (SELECT coalesce(jsonb_agg(to_jsonb(cmd)), '[]') FROM cmd) AS commands,
       (SELECT coalesce(jsonb_agg(to_jsonb(k)), '[]') FROM k) AS cases,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('caseId', f.case_id, 'fileId', f.id, 'kind', f.kind, 'sha256', f.sha256)), '[]')
          FROM case_files f WHERE f.case_id IN (SELECT case_id FROM cmd WHERE cmd.type = 'record-penalty')) AS files,
       statement_timestamp() AS now`;
const LOAD_LOCKED = { name: 'load-many-for-apply', text: LOAD_MANY_FOR_APPLY('FOR UPDATE') };
const LOAD_UNLOCKED = { name: 'load-many-unlocked', text: LOAD_MANY_FOR_APPLY('') };

export type LoadedForApply = {
  commands: Map<string, CommandRecord>;
  cases: Map<string, CaseState>;
  /** Keys (decisionNoKey) of the loaded penalties' decision numbers that a case already holds. */
  takenDecisionKeys: Set<string>;
  /** The files of the cases of the loaded penalties, by case (which their documents may name). */
  filesByCase: Map<string, AttachedFile[]>;
  now: Date;
};

function groupFiles(files: readonly (AttachedFile & { caseId: string })[]): Map<string, AttachedFile[]> {
  const byCase = new Map<string, AttachedFile[]>();
  for (const { caseId, ...file } of files) byCase.set(caseId, [...(byCase.get(caseId) ?? []), file]);
  return byCase;
}

export async function loadManyForApply(
  client: pg.ClientBase | pg.Pool,
  commandIds: readonly string[],
  options: { lock: boolean } = { lock: true },
): Promise<LoadedForApply> {
  const { rows } = await client.query<{
    commands: CommandRow[];
    cases: CaseRow[];
    files: (AttachedFile & { caseId: string })[];
    now: Date;
  }>({
    ...(options.lock ? LOAD_LOCKED : LOAD_UNLOCKED),
    values: [commandIds],
  });
  const row = rows[0];
  if (row === undefined) throw new Error('no row from the batch load');
  const commands = new Map(row.commands.map((c) => [c.id.toLowerCase(), rowToCommand(c)]));
  return {
    commands,
    cases: new Map(row.cases.map((c) => [c.id as string, rowToCase(c)])),
    takenDecisionKeys: await takenDecisionKeys(client, [...commands.values()]),
    filesByCase: groupFiles(row.files),
    now: row.now,
  };
}

const TAKEN_DECISION_KEYS = {
  name: 'taken-decision-keys',
  text: 'SELECT decision_key FROM cases WHERE decision_key = ANY($1::text[])',
};

async function takenDecisionKeys(client: pg.ClientBase | pg.Pool, commands: CommandRecord[]): Promise<Set<string>> {
  const keys = commands.flatMap((c) => {
    const decisionNo = c.type === 'record-penalty' ? (c.payload as { decisionNo?: unknown }).decisionNo : undefined;
    return typeof decisionNo === 'string' ? [decisionNoKey(decisionNo)] : [];
  });
  if (keys.length === 0) return new Set();
  const { rows } = await client.query<{ decision_key: string }>({ ...TAKEN_DECISION_KEYS, values: [keys] });
  return new Set(rows.map((r) => r.decision_key));
}
