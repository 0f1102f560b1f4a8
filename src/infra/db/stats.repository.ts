import type pg from 'pg';

type Queryable = pg.ClientBase | pg.Pool;

export type StatsWindow = { from: Date; to: Date };

/** The window of the last `days` UTC calendar days, today included, ending now (database clock). */
export async function statsWindow(db: Queryable, days: number): Promise<StatsWindow> {
  const { rows } = await db.query<{ from: Date; to: Date }>(
    `SELECT (date_trunc('day', statement_timestamp() AT TIME ZONE 'UTC') - make_interval(days => $1 - 1)) AT TIME ZONE 'UTC' AS "from",
            statement_timestamp() AS "to"`,
    [days],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('the database returned no time');
  return row;
}

export async function countCasesByStageAndOutcome(
  db: Queryable,
): Promise<{ stage: string; outcome: string | null; n: number }[]> {
  const { rows } = await db.query<{ stage: string; outcome: string | null; n: number }>(
    'SELECT stage, outcome, count(*)::int AS n FROM cases GROUP BY stage, outcome',
  );
  return rows;
}

/** Open cases whose stage deadline has passed at `at`, per stage. */
export async function countOverdueByStage(db: Queryable, at?: Date): Promise<{ stage: string; n: number }[]> {
  const { rows } = await db.query<{ stage: string; n: number }>(
    `SELECT stage, count(*)::int AS n FROM cases
     WHERE deadline_at < COALESCE($1::timestamptz, statement_timestamp()) AND stage <> 'closed'
     GROUP BY stage`,
    [at ?? null],
  );
  return rows;
}

export async function countBreachesByStage(
  db: Queryable,
  window: StatsWindow,
): Promise<{ stage: string; n: number }[]> {
  const { rows } = await db.query<{ stage: string; n: number }>(
    'SELECT stage, count(*)::int AS n FROM sla_breaches WHERE breached_at >= $1 AND breached_at <= $2 GROUP BY stage',
    [window.from, window.to],
  );
  return rows;
}

/**
 * When an event happened by the record, in SQL: the time an imported record gives
 * (payload.imported.at), else when it was appended (see businessTime in the domain).
 */
export const BUSINESS_AT = "coalesce(payload #>> '{imported,at}', occurred_at)::timestamptz";

export type StageTimeRow = { stage: string; visits: number; median: number | null; p90: number | null };

/**
 * Time spent in each open stage, over the visits that ended in the window, from the trail:
 * a visit runs from the event that enters a stage to the next one that enters another.
 * A visit entered and left by one command (a duplicate closed at intake, a dismissing
 * verification) was never worked on and is left out.
 */
export async function stageTimes(db: Queryable, window: StatsWindow): Promise<StageTimeRow[]> {
  const { rows } = await db.query<StageTimeRow>(
    `WITH entries AS (
       SELECT case_id, seq, command_id, ${BUSINESS_AT} AS at,
              CASE type WHEN 'case.received' THEN 'received' WHEN 'case.verified' THEN 'verified'
                        WHEN 'case.referred' THEN 'referred' WHEN 'case.penalty_issued' THEN 'penalty_issued'
                        ELSE 'closed' END AS stage
       FROM events
       WHERE type IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed')
     ), visits AS (
       SELECT stage, at AS entered_at, command_id, lead(at) OVER w AS left_at, lead(command_id) OVER w AS left_by
       FROM entries WINDOW w AS (PARTITION BY case_id ORDER BY seq)
     )
     SELECT stage, count(*)::int AS visits,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - entered_at))::float8 AS median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - entered_at))::float8 AS p90
     FROM visits
     -- Imported history has no commands: each of its visits counts.
     WHERE stage <> 'closed' AND left_at >= $1 AND left_at <= $2 AND (left_by IS DISTINCT FROM command_id OR command_id IS NULL)
     GROUP BY stage`,
    [window.from, window.to],
  );
  return rows;
}

/** Cases received and closed per UTC day of the window, days without any included. */
export async function dailyThroughput(
  db: Queryable,
  window: StatsWindow,
): Promise<{ day: string; received: number; closed: number }[]> {
  const { rows } = await db.query<{ day: string; received: number; closed: number }>(
    `WITH days AS (
       SELECT generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'),
                              date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC'), interval '1 day') AS day
     ), counts AS (
       SELECT date_trunc('day', ${BUSINESS_AT} AT TIME ZONE 'UTC') AS day,
              count(*) FILTER (WHERE type = 'case.received')::int AS received,
              count(*) FILTER (WHERE type = 'case.closed')::int AS closed
       FROM events
       WHERE type IN ('case.received', 'case.closed') AND ${BUSINESS_AT} >= $1 AND ${BUSINESS_AT} <= $2
       GROUP BY 1
     )
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, COALESCE(counts.received, 0) AS received, COALESCE(counts.closed, 0) AS closed
     FROM days LEFT JOIN counts USING (day)
     ORDER BY days.day`,
    [window.from, window.to],
  );
  return rows;
}

/** The outbox at a glance: rows not yet published, rows published and unfinished, and the age of the oldest unpublished one. */
export async function outboxBacklog(
  db: Queryable,
): Promise<{ unpublished: number; inFlight: number; lagSeconds: number }> {
  const { rows } = await db.query<{ unpublished: number; in_flight: number; lag: number }>(
    `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished,
            count(*) FILTER (WHERE published_at IS NOT NULL)::int AS in_flight,
            COALESCE(extract(epoch FROM statement_timestamp() - min(created_at) FILTER (WHERE published_at IS NULL)), 0)::float8 AS lag
     FROM outbox`,
  );
  const row = rows[0];
  return { unpublished: row?.unpublished ?? 0, inFlight: row?.in_flight ?? 0, lagSeconds: Math.max(0, row?.lag ?? 0) };
}
