import type pg from 'pg';

type Queryable = pg.ClientBase | pg.Pool;

export type VerifierLoadRow = {
  id: string;
  name: string;
  disabled: boolean;
  open_claims: number;
  verdicts_7d: number;
  verdicts_30d: number;
  median_seconds: number | null;
};

/**
 * Per user holding the verifier role (or holding a live claim): the received cases they hold
 * a live claim on (their own or assigned), their verdicts in the last 7 and 30 days, and the
 * median time from receipt to verdict over those 30 days. Database clock throughout.
 */
export async function verifierLoads(db: Queryable): Promise<VerifierLoadRow[]> {
  const { rows } = await db.query<VerifierLoadRow>(
    `WITH claims AS (
       SELECT claimed_by AS id, count(*)::int AS n FROM cases
        WHERE stage = 'received' AND claimed_by IS NOT NULL AND claimed_until > statement_timestamp()
        GROUP BY claimed_by
     ), verdicts AS (
       SELECT e.actor_id AS id,
              count(*) FILTER (WHERE e.occurred_at::timestamptz > statement_timestamp() - interval '7 days')::int AS n7,
              count(*)::int AS n30,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.occurred_at::timestamptz - c.created_at))::float8 AS median
         FROM events e JOIN cases c ON c.id = e.case_id
        WHERE e.type = 'case.verified' AND e.occurred_at::timestamptz > statement_timestamp() - interval '30 days'
        GROUP BY e.actor_id
     )
     SELECT u.id, u.name, u.disabled_at IS NOT NULL AS disabled,
            COALESCE(cl.n, 0) AS open_claims, COALESCE(v.n7, 0) AS verdicts_7d, COALESCE(v.n30, 0) AS verdicts_30d,
            v.median AS median_seconds
       FROM users u
       LEFT JOIN claims cl ON cl.id = u.id
       LEFT JOIN verdicts v ON v.id = u.id::text
      WHERE 'verifier' = ANY(u.roles) OR cl.n IS NOT NULL OR v.n30 IS NOT NULL
      ORDER BY COALESCE(cl.n, 0) DESC, u.name_key, u.name`,
  );
  return rows;
}

export type BacklogRow = { priority: string; age: string; n: number; oldest: Date };

/** Received cases nobody holds a live claim on, per priority and age band (from receipt). */
export async function unclaimedBacklog(db: Queryable): Promise<BacklogRow[]> {
  const { rows } = await db.query<BacklogRow>(
    `SELECT priority,
            CASE WHEN age < interval '1 hour' THEN 'underHour'
                 WHEN age < interval '1 day' THEN 'underDay'
                 WHEN age < interval '3 days' THEN 'underThreeDays'
                 ELSE 'older' END AS age,
            count(*)::int AS n, min(created_at) AS oldest
       FROM (SELECT priority, created_at, statement_timestamp() - created_at AS age FROM cases
              WHERE stage = 'received' AND (claimed_by IS NULL OR claimed_until <= statement_timestamp())) received
      GROUP BY 1, 2`,
  );
  return rows;
}
