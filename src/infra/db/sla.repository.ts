import type pg from 'pg';
import type { OpenStage, SlaTimer } from '../../domain/index.ts';

/** The database clock: deadlines and breaches never use a worker's clock. */
export async function databaseNow(client: pg.ClientBase | pg.Pool): Promise<Date> {
  const { rows } = await client.query<{ now: Date }>('SELECT statement_timestamp() AS now');
  const now = rows[0]?.now;
  if (now === undefined) throw new Error('the database returned no time');
  return now;
}

/**
 * Claims the breach of one stage visit. The primary key (case, stage, stage entered at) is
 * what makes `case.sla_breached` once per visit: false when the visit was already breached.
 */
export async function claimSlaBreach(client: pg.ClientBase, visit: SlaTimer): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO sla_breaches (case_id, stage, stage_entered_at, deadline_at, breached_at)
     VALUES ($1, $2, $3, $4, statement_timestamp())
     ON CONFLICT DO NOTHING`,
    [visit.caseId, visit.stage, visit.stageEnteredAt, visit.deadlineAt],
  );
  return (rowCount ?? 0) > 0;
}

/** Breaches an import brings (the record's own lateness), each at its deadline. */
export async function recordPastBreaches(
  client: pg.ClientBase,
  rows: readonly { caseId: string; stage: string; stageEnteredAt: string; deadlineAt: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO sla_breaches (case_id, stage, stage_entered_at, deadline_at, breached_at)
     SELECT case_id, stage, stage_entered_at, deadline_at, deadline_at
     FROM jsonb_to_recordset($1::jsonb) AS b(case_id uuid, stage text, stage_entered_at timestamptz, deadline_at timestamptz)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({
          case_id: r.caseId,
          stage: r.stage,
          stage_entered_at: r.stageEnteredAt,
          deadline_at: r.deadlineAt,
        })),
      ),
    ],
  );
}

/** A case's current stage and when it entered it, with the database clock's now. */
export type StageVisit = { stage: string; stageEnteredAt: string; now: Date };

type VisitRow = { case_id: string; stage: OpenStage; stage_entered_at: Date; deadline_at: Date };

/** Open cases past their deadline (database clock) whose current visit has no breach yet, most overdue first. */
export async function findOverdueVisits(client: pg.ClientBase | pg.Pool, limit: number): Promise<SlaTimer[]> {
  const { rows } = await client.query<VisitRow>(
    `SELECT c.id AS case_id, c.stage, c.stage_entered_at, c.deadline_at
     FROM cases c
     WHERE c.deadline_at <= statement_timestamp() AND c.stage <> 'closed'
       AND NOT EXISTS (
         SELECT 1 FROM sla_breaches b
         WHERE b.case_id = c.id AND b.stage = c.stage AND b.stage_entered_at = c.stage_entered_at
       )
     ORDER BY c.deadline_at, c.id
     LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    caseId: row.case_id,
    stage: row.stage,
    stageEnteredAt: row.stage_entered_at.toISOString(),
    deadlineAt: row.deadline_at.toISOString(),
  }));
}

/** The event types that put a case in a stage (closed included): each ends the visit before it. */
const STAGE_CHANGING_TYPES = ['case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed'];

/**
 * The stage visit an event at `seq` ended: when the case entered the stage it was in before
 * (the newest stage-changing event before seq), or null for a case's first event. Read by
 * (case_id, seq), which the unique key indexes.
 */
export async function visitEndedAt(
  client: pg.ClientBase | pg.Pool,
  caseId: string,
  seq: number,
): Promise<{ type: string; stageEnteredAt: string } | null> {
  const { rows } = await client.query<{ type: string; occurred_at: string }>({
    name: 'sla-visit-ended',
    text: `SELECT type, occurred_at FROM events
           WHERE case_id = $1 AND seq < $2 AND type = ANY($3::text[])
           ORDER BY seq DESC LIMIT 1`,
    values: [caseId, seq, STAGE_CHANGING_TYPES],
  });
  const row = rows[0];
  return row === undefined ? null : { type: row.type, stageEnteredAt: row.occurred_at };
}

/** The current stage visit of each case asked about (missing: no such case). */
export async function currentVisits(
  client: pg.ClientBase | pg.Pool,
  caseIds: readonly string[],
): Promise<Map<string, { stage: string; stageEnteredAt: string }>> {
  const { rows } = await client.query<{ id: string; stage: string; stage_entered_at: Date }>(
    'SELECT id, stage, stage_entered_at FROM cases WHERE id = ANY($1::uuid[])',
    [caseIds],
  );
  return new Map(rows.map((r) => [r.id, { stage: r.stage, stageEnteredAt: r.stage_entered_at.toISOString() }]));
}
