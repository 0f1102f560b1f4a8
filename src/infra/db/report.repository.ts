import type pg from 'pg';
import { inTransaction } from './transaction.ts';

// The figures of a report for superiors (docs/design.md §11), read from the record: the case
// rows (whose milestone columns the database derives from them), the trail and the SLA
// breaches. Every query takes a period as instants [start, end) and reads index ranges.

export type Period = { start: Date; end: Date };
export type Durations = { cases: number; medianSeconds: number | null; p90Seconds: number | null };
export type Counted = { key: string; n: number };

/** The instants where calendar days `from` and `to` (inclusive) begin and end in the zone. */
export async function periodBounds(pool: pg.Pool, from: string, to: string, timeZone: string): Promise<Period> {
  const { rows } = await pool.query<{ start: Date; end: Date }>(
    `SELECT ($1::date::timestamp AT TIME ZONE $3) AS start, (($2::date + 1)::timestamp AT TIME ZONE $3) AS "end"`,
    [from, to, timeZone],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('no period bounds');
  return row;
}

/**
 * A query that sorts a period's values (percentiles, distinct counts, groups): with memory
 * enough to sort a year of a million cases in memory rather than in temporary files.
 */
function sortingQuery<R extends pg.QueryResultRow>(pool: pg.Pool, sql: string, values: unknown[]) {
  return inTransaction(pool, (client) => client.query<R>(sql, values), {
    readOnly: true,
    local: { work_mem: '64MB' },
  });
}

const DURATION_SQL = (column: string) =>
  `count(*)::int AS cases,
   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ${column} - received_at))::float8 AS median,
   percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ${column} - received_at))::float8 AS p90`;

async function counted(pool: pg.Pool, sql: string, values: unknown[]): Promise<Counted[]> {
  const { rows } = await pool.query<{ key: string | null; n: number }>(sql, values);
  return rows.map((r) => ({ key: r.key ?? '', n: r.n }));
}

async function durations(pool: pg.Pool, column: string, p: Period): Promise<Durations> {
  const { rows } = await sortingQuery<{ cases: number; median: number | null; p90: number | null }>(
    pool,
    `SELECT ${DURATION_SQL(column)} FROM cases WHERE ${column} >= $1 AND ${column} < $2`,
    [p.start, p.end],
  );
  const row = rows[0];
  return { cases: row?.cases ?? 0, medianSeconds: row?.median ?? null, p90Seconds: row?.p90 ?? null };
}

/** Cases received in the period (by their report's receivedAt), by platform, category, topic. */
export async function receivedFigures(pool: pg.Pool, p: Period) {
  const values = [p.start, p.end];
  const inPeriod = 'received_at >= $1 AND received_at < $2';
  const [byPlatform, byCategory, byTopic] = await Promise.all([
    counted(pool, `SELECT platform AS key, count(*)::int AS n FROM cases WHERE ${inPeriod} GROUP BY 1`, values),
    counted(pool, `SELECT category AS key, count(*)::int AS n FROM cases WHERE ${inPeriod} GROUP BY 1`, values),
    counted(pool, `SELECT topic AS key, count(*)::int AS n FROM case_topics WHERE ${inPeriod} GROUP BY 1`, values),
  ]);
  return { byPlatform, byCategory, byTopic };
}

/** Cases closed in the period by outcome, and the time from receipt to each milestone in it. */
export async function closureFigures(pool: pg.Pool, p: Period) {
  const [byOutcome, toVerdict, toReferral, toClose] = await Promise.all([
    counted(
      pool,
      'SELECT outcome AS key, count(*)::int AS n FROM cases WHERE closed_at >= $1 AND closed_at < $2 GROUP BY 1',
      [p.start, p.end],
    ),
    durations(pool, 'verified_at', p),
    durations(pool, 'referred_at', p),
    durations(pool, 'closed_at', p),
  ]);
  return { byOutcome, toVerdict, toReferral, toClose };
}

export type AuthorityRow = { code: string; name: string; referrals: number; penalties: number };

/**
 * Referrals made in the period per authority, and penalties issued (by their issuedAt) in
 * it: how many, per authority, fines per currency, distinct accounts (by the subject's
 * digest). The period's penalties are read once (the rows are spread over the table: each
 * further pass read them all again).
 */
export async function authorityAndPenaltyFigures(pool: pg.Pool, p: Period) {
  const [referrals, penalties] = await Promise.all([
    pool.query<{ code: string; name: string; n: number }>(
      `SELECT referral -> 'authority' ->> 'code' AS code, max(referral -> 'authority' ->> 'name') AS name, count(*)::int AS n
         FROM cases WHERE referred_at >= $1 AND referred_at < $2 GROUP BY 1`,
      [p.start, p.end],
    ),
    sortingQuery<{
      kind: 'total' | 'fine' | 'authority';
      key: string | null;
      name: string | null;
      n: number;
      amount: string | null;
    }>(
      pool,
      `WITH p AS MATERIALIZED (
         SELECT penalty -> 'authority' ->> 'code' AS code, penalty -> 'authority' ->> 'name' AS name,
                penalty -> 'fine' ->> 'currency' AS currency, (penalty -> 'fine' ->> 'amount')::numeric AS amount,
                penalty -> 'subject' ->> 'digest' AS subject
           FROM cases WHERE penalty_issued_at >= $1 AND penalty_issued_at < $2)
       SELECT 'total' AS kind, NULL AS key, NULL AS name, count(*)::int AS n, count(DISTINCT subject)::text AS amount FROM p
       UNION ALL
       SELECT 'fine', currency, NULL, count(*)::int, sum(amount)::text FROM p WHERE currency IS NOT NULL GROUP BY currency
       UNION ALL
       SELECT 'authority', code, max(name), count(*)::int, NULL FROM p GROUP BY code`,
      [p.start, p.end],
    ),
  ]);
  const byCode = new Map<string, AuthorityRow>();
  const row = (code: string, name: string | null) => {
    const found = byCode.get(code) ?? { code, name: name ?? code, referrals: 0, penalties: 0 };
    byCode.set(code, found);
    return found;
  };
  for (const r of referrals.rows) row(r.code, r.name).referrals = r.n;
  const total = penalties.rows.find((r) => r.kind === 'total');
  for (const r of penalties.rows.filter((x) => x.kind === 'authority')) row(r.key ?? '', r.name).penalties = r.n;
  return {
    authorities: [...byCode.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
    penalties: {
      count: total?.n ?? 0,
      accounts: Number(total?.amount ?? 0),
      fines: penalties.rows
        .filter((r) => r.kind === 'fine')
        .map((r) => ({ currency: r.key ?? '', amount: Number(r.amount) }))
        .sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    },
  };
}

/** Appeals filed (by their filedAt) and decided in the period, by decision. */
export async function appealFigures(pool: pg.Pool, p: Period) {
  const [filed, decided] = await Promise.all([
    pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events
        WHERE type = 'case.appeal_filed' AND casetrail_instant(payload ->> 'filedAt') >= $1
          AND casetrail_instant(payload ->> 'filedAt') < $2`,
      [p.start, p.end],
    ),
    counted(
      pool,
      `SELECT payload ->> 'decision' AS key, count(*)::int AS n FROM events
        WHERE type = 'case.appeal_decided' AND occurred_at >= $1 AND occurred_at < $2 GROUP BY 1`,
      [p.start.toISOString(), p.end.toISOString()],
    ),
  ]);
  return { filed: filed.rows[0]?.n ?? 0, decided };
}

export type SlaRow = { stage: string; visits: number; within: number; breaches: number };

/**
 * Stage visits that ended in the period and had a deadline, per stage, and how many ended
 * by it (the stage_visits projection of the trail); SLA breaches whose deadline fell in the
 * period.
 */
export async function slaFigures(pool: pg.Pool, p: Period): Promise<SlaRow[]> {
  const { rows } = await pool.query<SlaRow>(
    `WITH visits AS (
       SELECT stage, count(*)::int AS visits, count(*) FILTER (WHERE left_at <= deadline_at)::int AS within
         FROM stage_visits WHERE left_at >= $1 AND left_at < $2 AND deadline_at IS NOT NULL GROUP BY 1
     ), breaches AS (
       SELECT stage, count(*)::int AS breaches FROM sla_breaches WHERE deadline_at >= $1 AND deadline_at < $2 GROUP BY 1
     )
     SELECT stage, coalesce(v.visits, 0) AS visits, coalesce(v.within, 0) AS within, coalesce(b.breaches, 0) AS breaches
       FROM visits v FULL JOIN breaches b USING (stage)`,
    [p.start, p.end],
  );
  return rows;
}

export type VerifierRow = {
  id: string;
  name: string | null;
  claimed: number;
  verified: number;
  medianSeconds: number | null;
};

/** Per verifier: claims taken and verdicts recorded in the period, and the median time from receipt to verdict. */
export async function verifierFigures(pool: pg.Pool, p: Period): Promise<VerifierRow[]> {
  const { rows } = await sortingQuery<VerifierRow>(
    pool,
    `WITH claims AS (
       SELECT actor_id::uuid AS id, count(*)::int AS claimed FROM events
        WHERE type = 'case.claimed' AND occurred_at >= $3 AND occurred_at < $4 GROUP BY 1
     ), verdicts AS (
       SELECT verified_by AS id, count(*)::int AS verified,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM verified_at - received_at))::float8 AS median
         FROM cases WHERE verified_at >= $1 AND verified_at < $2 GROUP BY 1
     )
     SELECT id, u.name, coalesce(c.claimed, 0) AS claimed, coalesce(v.verified, 0) AS verified, v.median AS "medianSeconds"
       FROM claims c FULL JOIN verdicts v USING (id) LEFT JOIN users u USING (id)
      ORDER BY u.name, id`,
    [p.start, p.end, p.start.toISOString(), p.end.toISOString()],
  );
  return rows;
}

/** The names of these topics (a code of no topic is left out). */
export async function topicNames(pool: pg.Pool, codes: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ code: string; name: string }>(
    'SELECT code, name FROM topics WHERE code = ANY($1::text[])',
    [codes],
  );
  return new Map(rows.map((r) => [r.code, r.name]));
}
