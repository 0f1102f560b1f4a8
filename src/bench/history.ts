import pg from 'pg';

/** 64 random hex digits: what the hash and fingerprint columns accept, never equal to a real one. */
const RANDOM_HEX = 'md5(random()::text) || md5(random()::text)';

/**
 * The history a live database has: before a pipeline side is measured, its tables get
 * copies of what its warm-up wrote, under new ids, and statistics (ANALYZE). A database
 * made for the run starts empty, and a statement prepared while its tables were small keeps
 * a plan that reads them whole (they are tiny to PostgreSQL then) while the run grows them
 * tenfold: without a history, a run measures more and more of those reads, and a longer
 * run measures more of them. The copies are ballast for size and statistics, not a trail:
 * the events are of no case (random case ids and hashes), nothing reads or checks them.
 */
const HISTORY = {
  casetrail: [
    `INSERT INTO cases (id, reference, stage, outcome, version, priority, category, platform, claim, url, fingerprint,
       content_hash, item, report, submitted_by, claimed_by, claimed_until, verified_by, verdict, referral, penalty,
       penalty_recorded_by, appeal, merged_reports, related_cases, stage_entered_at, deadline_at, head_hash, created_at, updated_at)
     SELECT gen_random_uuid(), c.reference || '-h' || g, c.stage, c.outcome, c.version, c.priority, c.category, c.platform, c.claim,
       c.url, ${RANDOM_HEX}, ${RANDOM_HEX}, c.item, c.report, c.submitted_by, c.claimed_by, c.claimed_until, c.verified_by,
       c.verdict, c.referral, c.penalty, c.penalty_recorded_by, c.appeal, 0, '{}', c.stage_entered_at, c.deadline_at,
       c.head_hash, c.created_at, c.updated_at
     FROM cases c, generate_series(1, $1::int) g`,
    `INSERT INTO commands (id, type, case_id, actor_id, actor_roles, payload, status, problem, result_version, created_at, applied_at)
     SELECT gen_random_uuid(), type, gen_random_uuid(), actor_id, actor_roles, payload, status, problem, result_version, created_at, applied_at
     FROM commands, generate_series(1, $1::int)`,
    `INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash)
     SELECT gen_random_uuid(), seq, type, payload, actor_id, actor_roles, NULL, occurred_at, prev_hash, ${RANDOM_HEX}
     FROM events, generate_series(1, $1::int)`,
  ],
  baseline: [
    'INSERT INTO bench_rows (id, version) SELECT gen_random_uuid(), version FROM bench_rows, generate_series(1, $1::int)',
    'INSERT INTO bench_events (row_id, seq, payload) SELECT gen_random_uuid(), seq, payload FROM bench_events, generate_series(1, $1::int)',
  ],
} as const;

/** How many copies of the warm-up make a history of about ten times the measured cases. */
export const historyCopies = (cases: number, warmup: number) =>
  Math.max(1, Math.ceil((10 * cases) / Math.max(1, warmup)));

/** Gives one side's tables their history (`copies` of what is in them now) and statistics; returns the case rows (or baseline rows) now there. */
export async function fillHistory(databaseUrl: string, side: keyof typeof HISTORY, copies: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const statement of HISTORY[side]) await client.query(statement, [copies]);
    await client.query('ANALYZE');
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${side === 'casetrail' ? 'cases' : 'bench_rows'}`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}
