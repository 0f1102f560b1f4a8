import type pg from 'pg';

export type AccessLogEntry = {
  id: string;
  actorId: string;
  action: string;
  caseId: string | null;
  /** The case's reference, for people to read (null: no case, or none any more). */
  caseReference: string | null;
  purpose: string | null;
  at: string;
};

type AccessLogRow = {
  case_reference: string | null;
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
  query: { caseId?: string; actorId?: string; from?: Date; to?: Date; before: string | null; limit: number },
): Promise<AccessLogEntry[]> {
  const { rows } = await pool.query<AccessLogRow>(
    `SELECT a.*, c.reference AS case_reference FROM access_log a LEFT JOIN cases c ON c.id = a.case_id
      WHERE ($1::uuid IS NULL OR a.case_id = $1) AND ($2::uuid IS NULL OR a.actor_id = $2) AND ($3::bigint IS NULL OR a.id < $3)
        AND ($5::timestamptz IS NULL OR a.at >= $5) AND ($6::timestamptz IS NULL OR a.at < $6)
      ORDER BY a.id DESC LIMIT $4`,
    [query.caseId ?? null, query.actorId ?? null, query.before, query.limit + 1, query.from ?? null, query.to ?? null],
  );
  return rows.map((r) => ({
    id: String(r.id),
    actorId: r.actor_id,
    action: r.action,
    caseId: r.case_id,
    caseReference: r.case_reference,
    purpose: r.purpose,
    at: r.at.toISOString(),
  }));
}
