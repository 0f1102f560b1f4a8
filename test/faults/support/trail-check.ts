// The end-of-run accounting of a fault run, from the database alone: every command the
// clients sent is stored once and ended as they were told; every applied command left its
// events exactly once, on the cases it acts on, and no other event exists; every case is
// the fold of its chain, its chain verifies, and it ends in the stage its plan implies.
// This complements `casetrail audit verify` (which the runs call too): that command proves
// the trail is intact; this proves it holds exactly what the clients were told.
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import {
  fold,
  isDismissingVerdict,
  verifyChain,
  type CaseState,
  type CommandType,
  type StoredEvent,
  type Verdict,
} from '../../../src/domain/index.ts';
import { rowToCase, rowToEvent, type CaseRow, type EventRow } from '../../../src/infra/db/case.repository.ts';
import type { SentCommand } from './command-client.ts';
import type { ExpectedCase } from './lifecycle-plans.ts';

export type TrailReport = {
  cases: number;
  events: number;
  commands: { stored: number; applied: number; rejected: number; pending: number };
  /** Commands a client was told were accepted and that the database does not hold (or holds otherwise). */
  lost: number;
  problems: string[];
};

type CommandRow = {
  id: string;
  type: CommandType;
  case_id: string;
  actor_id: string;
  idempotency_key: string | null;
  status: string;
  code: string | null;
  payload: Record<string, unknown>;
};

const EVENTS_OF: Partial<Record<CommandType, string[]>> = {
  claim: ['case.claimed'],
  refer: ['case.referred'],
  'record-penalty': ['case.penalty_issued'],
  'record-no-violation': ['case.closed'],
  'file-appeal': ['case.appeal_filed'],
  close: ['case.closed'],
  withdraw: ['case.closed'],
  'add-note': ['case.note_added'],
  'add-evidence': ['case.evidence_added'],
};

/** The events one applied command must have appended to one case, in order. */
function expectedTypes(command: CommandRow, caseState: CaseState): string[] {
  const own = command.case_id === caseState.id;
  switch (command.type) {
    case 'submit':
      if (!own) return ['case.report_merged'];
      return caseState.outcome === 'duplicate'
        ? ['case.received', 'case.duplicate_detected', 'case.closed']
        : ['case.received'];
    case 'verify':
      return isDismissingVerdict(command.payload.verdict as Verdict)
        ? ['case.verified', 'case.closed']
        : ['case.verified'];
    case 'decide-appeal':
      return command.payload.decision === 'overturned'
        ? ['case.appeal_decided', 'case.closed']
        : ['case.appeal_decided'];
    default:
      return EVENTS_OF[command.type] ?? ['(no events known for this command)'];
  }
}

export async function checkTrail(
  pool: pg.Pool,
  ledger: readonly SentCommand[],
  expected: readonly ExpectedCase[],
): Promise<TrailReport> {
  const problems: string[] = [];
  const commands = (
    await pool.query<CommandRow>(
      "SELECT id, type, case_id, actor_id, idempotency_key, status, problem->>'code' AS code, payload FROM commands",
    )
  ).rows;
  const byId = new Map(commands.map((c) => [c.id, c]));
  const byKey = new Map(commands.map((c) => [`${c.actor_id}/${c.idempotency_key}`, c]));

  let lost = 0;
  for (const sent of ledger) {
    const row = byKey.get(`${sent.actorId}/${sent.key}`);
    const told = sent.outcome.status === 'applied' ? 'applied' : `rejected ${sent.outcome.code}`;
    const stored = row === undefined ? 'nothing' : row.status === 'rejected' ? `rejected ${row.code}` : row.status;
    if (row === undefined || told !== stored || row.case_id !== sent.caseId) {
      lost += 1;
      problems.push(
        `${sent.type} ${sent.key} on case ${sent.caseId}: the client was told ${told}, the database holds ${stored}`,
      );
    }
  }
  if (commands.length !== ledger.length) problems.push(`${commands.length} commands stored for ${ledger.length} sent`);
  const pending = commands.filter((c) => c.status === 'pending');
  if (pending.length > 0) problems.push(`${pending.length} commands still pending, e.g. ${pending[0]?.id}`);

  const events = (await pool.query<EventRow>('SELECT * FROM events ORDER BY case_id, seq')).rows.map(rowToEvent);
  const eventsByCase = new Map<string, (StoredEvent & { id: string })[]>();
  for (const event of events) eventsByCase.set(event.caseId, [...(eventsByCase.get(event.caseId) ?? []), event]);
  const cases = (await pool.query<CaseRow>('SELECT * FROM cases')).rows.map(rowToCase);
  const expectedById = new Map(expected.map((e) => [e.caseId, e]));

  const touched = new Set<string>();
  for (const state of cases) {
    const trail = eventsByCase.get(state.id) ?? [];
    const plan = expectedById.get(state.id);
    if (plan === undefined) problems.push(`case ${state.id} exists but no plan created it`);
    else if (plan.stage !== state.stage || plan.outcome !== state.outcome) {
      problems.push(
        `case ${state.id} (${plan.plan}) is ${state.stage}/${state.outcome}, its commands imply ${plan.stage}/${plan.outcome}`,
      );
    }
    const chain = verifyChain(trail);
    if (!chain.ok) problems.push(`case ${state.id}: chain broken at seq ${chain.seq}: ${chain.reason}`);
    else if (!isDeepStrictEqual(fold(trail), state))
      problems.push(`case ${state.id}: the stored case is not the fold of its events`);

    for (const group of groupByCommand(trail)) {
      const command = group.commandId === null ? undefined : byId.get(group.commandId);
      const pair = `${group.commandId}/${state.id}`;
      if (command === undefined || command.status !== 'applied') {
        problems.push(
          `case ${state.id}: events ${group.types.join(',')} of command ${group.commandId} that is ${command?.status ?? 'unknown'}`,
        );
        continue;
      }
      if (touched.has(pair))
        problems.push(`case ${state.id}: command ${command.id} (${command.type}) appended events twice`);
      touched.add(pair);
      const want = expectedTypes(command, state);
      if (!isDeepStrictEqual(group.types, want))
        problems.push(
          `case ${state.id}: ${command.type} appended ${group.types.join(',')}, expected ${want.join(',')}`,
        );
    }
  }
  for (const command of commands.filter((c) => c.status === 'applied')) {
    if (!touched.has(`${command.id}/${command.case_id}`))
      problems.push(`applied ${command.type} ${command.id} has no event on case ${command.case_id}`);
  }
  for (const plan of expected) {
    if (!cases.some((c) => c.id === plan.caseId)) problems.push(`case ${plan.caseId} (${plan.plan}) is missing`);
  }
  const outbox = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]?.n ?? 0;
  if (outbox !== 0) problems.push(`${outbox} outbox rows left: work that never finished`);

  return {
    cases: cases.length,
    events: events.length,
    commands: {
      stored: commands.length,
      applied: commands.filter((c) => c.status === 'applied').length,
      rejected: commands.filter((c) => c.status === 'rejected').length,
      pending: pending.length,
    },
    lost,
    problems,
  };
}

/** Consecutive events of one command, in seq order. */
function groupByCommand(trail: readonly StoredEvent[]): { commandId: string | null; types: string[] }[] {
  const groups: { commandId: string | null; types: string[] }[] = [];
  for (const event of trail) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.commandId === event.commandId) last.types.push(event.type);
    else groups.push({ commandId: event.commandId, types: [event.type] });
  }
  return groups;
}
