import type pg from 'pg';
import { BUSINESS_AT, type StatsWindow } from './stats.repository.ts';

export type StageDeltaRow = { day: string | null; stage: string; n: number };

/**
 * How many cases entered (+1) and left (-1) each stage, per UTC day of the window, from
 * the trail: an event that enters a stage moves its case out of the stage of the previous
 * such event. Rows with a null day sum up everything before the window: the starting point.
 */
export async function stageDeltas(db: pg.Pool, window: StatsWindow): Promise<StageDeltaRow[]> {
  const { rows } = await db.query<StageDeltaRow>(
    `WITH entries AS (
       SELECT case_id, seq, ${BUSINESS_AT} AS at,
              CASE type WHEN 'case.received' THEN 'received' WHEN 'case.verified' THEN 'verified'
                        WHEN 'case.referred' THEN 'referred' WHEN 'case.penalty_issued' THEN 'penalty_issued'
                        ELSE 'closed' END AS stage
       FROM events
       WHERE type IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed')
     ), moves AS (
       SELECT at, stage, lag(stage) OVER (PARTITION BY case_id ORDER BY seq) AS left_stage FROM entries
     ), deltas AS (
       SELECT at, stage, 1 AS d FROM moves
       UNION ALL
       SELECT at, left_stage, -1 FROM moves WHERE left_stage IS NOT NULL
     )
     SELECT CASE WHEN at < $1 THEN NULL ELSE to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') END AS day, stage, sum(d)::int AS n
     FROM deltas WHERE at <= $2
     GROUP BY 1, 2`,
    [window.from, window.to],
  );
  return rows;
}

/** SLA breaches recorded per UTC day of the window and stage. */
export async function breachesByDay(
  db: pg.Pool,
  window: StatsWindow,
): Promise<{ day: string; stage: string; n: number }[]> {
  const { rows } = await db.query<{ day: string; stage: string; n: number }>(
    `SELECT to_char(breached_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, stage, count(*)::int AS n
     FROM sla_breaches WHERE breached_at >= $1 AND breached_at <= $2 GROUP BY 1, 2`,
    [window.from, window.to],
  );
  return rows;
}
