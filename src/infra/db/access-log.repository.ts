import type pg from 'pg';

export type AccessLogEntry = {
  id: string;
  actorId: string;
  action: string;
  caseId: string | null;
  purpose: string | null;
  at: string;
};

type AccessLogRow = {
  id: string;
  actor_id: string;
  action: string;
  case_id: string | null;
  purpose: string | null;
  at: Date;
};

/** Newest first, keyset-paginated on id; returns up to limit + 1 rows to detect a next page. */
export async function selectAccessLog(
  pool: pg.Pool,
  query: { caseId?: string; actorId?: string; before: string | null; limit: number },
): Promise<AccessLogEntry[]> {
  const { rows } = await pool.query<AccessLogRow>(
    `SELECT * FROM access_log
      WHERE ($1::uuid IS NULL OR case_id = $1) AND ($2::uuid IS NULL OR actor_id = $2) AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4`,
    [query.caseId ?? null, query.actorId ?? null, query.before, query.limit + 1],
  );
  return rows.map((r) => ({
    id: String(r.id),
    actorId: r.actor_id,
    action: r.action,
    caseId: r.case_id,
    purpose: r.purpose,
    at: r.at.toISOString(),
  }));
}
