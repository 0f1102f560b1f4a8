import type pg from 'pg';
import { PRIORITIES, type CaseState, type StoredEvent } from '../../domain/index.ts';
import { rowToCase, rowToEvent, type CaseRow, type EventRow } from './case.repository.ts';
import { inTransaction } from './transaction.ts';

/**
 * Which cases a reader may list, as data: the app layer derives it from the actor with the
 * same rule as canSeeCase, and this file only turns it into SQL.
 */
export type CaseScope = { all: true } | { all: false; submittedBy: string | null; receivedOrVerifiedBy: string | null };

export type CaseFilter = {
  stage?: string;
  outcome?: string;
  platform?: string;
  category?: string;
  verdict?: string;
  /** A topic's code. */
  topic?: string;
  /** The code of the authority the case was referred to (or that decided its penalty). */
  authority?: string;
  /** A verifier who holds the case's claim or recorded its verdict. */
  assignee?: string;
  /** First and last calendar day of receipt (YYYY-MM-DD, inclusive) in the query's time zone. */
  from?: string;
  to?: string;
  /**
   * Words matched, without case or diacritics, in the reference, decision number, URL, claim,
   * account handle and name, content, penalty subject and notes; every word must occur.
   * Holds no LIKE wildcard (the API refuses % and _).
   */
  q?: string;
};

export type CreatedCursor = { createdAt: string; id: string };
/** A search's position: its rank, then newest first. */
export type SearchCursor = { rank: number; createdAt: string; id: string };
export type WorklistCursor = { rank: number; createdAt: string; id: string };

export type PersonalDataRow = {
  accountHandle: string | null;
  accountName: string | null;
  content: string | null;
  subjectHandle: string | null;
  subjectName: string | null;
};

export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The condition on a `cases` row (its columns unqualified) that keeps the cases of the scope. */
export function scopeSql(scope: CaseScope, params: Params): string {
  if (scope.all) return 'TRUE';
  const parts: string[] = [];
  if (scope.submittedBy !== null) parts.push(`submitted_by = ${params.add(scope.submittedBy)}`);
  if (scope.receivedOrVerifiedBy !== null) {
    parts.push(`stage = 'received'`, `verified_by = ${params.add(scope.receivedOrVerifiedBy)}`);
  }
  return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
}

/** The folded LIKE pattern of a text anywhere (the text holds no % or _; a backslash is escaped). */
function containsSql(text: string, params: Params): string {
  return `'%' || casetrail_fold(${params.add(text.replace(/\\/gu, '\\\\'))}) || '%'`;
}

/** At most this many words of a query are matched (the API bounds q to 200 characters). */
const MAX_WORDS = 12;

/** The conditions of the filters beside the search, on `cases` columns (unqualified). */
function filterSql(filter: CaseFilter, timeZone: string, params: Params): string[] {
  const where: string[] = [];
  const columns = {
    stage: 'stage',
    outcome: 'outcome',
    platform: 'platform',
    category: 'category',
    verdict: 'verdict_code',
    authority: 'authority_code',
  } as const;
  for (const [key, column] of Object.entries(columns) as [keyof typeof columns, string][]) {
    const value = filter[key];
    if (value !== undefined) where.push(`${column} = ${params.add(value)}`);
  }
  if (filter.topic !== undefined) where.push(`topics @> ARRAY[${params.add(filter.topic)}]::text[]`);
  if (filter.assignee !== undefined) {
    const who = params.add(filter.assignee);
    where.push(`(claimed_by = ${who}::uuid OR verified_by = ${who}::uuid)`);
  }
  // Calendar days of the zone: the first instant of `from` up to the first instant after `to`.
  const zone = filter.from !== undefined || filter.to !== undefined ? params.add(timeZone) : null;
  if (filter.from !== undefined) {
    where.push(`received_at >= (${params.add(filter.from)}::date::timestamp AT TIME ZONE ${zone})`);
  }
  if (filter.to !== undefined) {
    where.push(`received_at < ((${params.add(filter.to)}::date + 1)::timestamp AT TIME ZONE ${zone})`);
  }
  return where;
}

type ListQuery = { scope: CaseScope; filter: CaseFilter; timeZone: string; limit: number };

/**
 * A page's query, without parallel workers: a page stops after a few dozen rows read in
 * index order, which workers only delay (starting two and merging their rows took a list
 * by topic from 10 ms to 76 ms at a million cases).
 */
function pageQuery<R extends pg.QueryResultRow>(pool: pg.Pool, sql: string, values: unknown[]) {
  return inTransaction(pool, (client) => client.query<R>(sql, values), {
    readOnly: true,
    local: { max_parallel_workers_per_gather: 0 },
  });
}

/**
 * The cases of the scope and filters in list order (newest first), as a FROM clause and its
 * order: with a topic, read from case_topics, whose key is in that order, so that the page
 * stops after its rows instead of gathering every case of the topic and sorting them.
 */
function listSource(query: ListQuery, params: Params, after: CreatedCursor | null): { sql: string; order: string } {
  const { topic, ...rest } = query.filter;
  const where = [scopeSql(query.scope, params), ...filterSql(rest, query.timeZone, params)];
  const [from, key] =
    topic === undefined
      ? ['cases c', ['c.created_at', 'c.id']]
      : [
          `case_topics t JOIN cases c ON c.id = t.case_id AND t.topic = ${params.add(topic)}`,
          ['t.created_at', 't.case_id'],
        ];
  if (after !== null) {
    where.push(`(${key.join(', ')}) < (${params.add(after.createdAt)}::timestamptz, ${params.add(after.id)}::uuid)`);
  }
  return { sql: `${from} WHERE ${where.join(' AND ')}`, order: key.map((column) => `${column} DESC`).join(', ') };
}

/** Newest first, keyset-paginated on (created_at, id); returns up to limit + 1 rows to detect a next page. */
export async function selectCases(
  pool: pg.Pool,
  query: ListQuery & { after: CreatedCursor | null },
): Promise<CaseState[]> {
  const params = new Params();
  const source = listSource(query, params, query.after);
  const { rows } = await pageQuery<CaseRow>(
    pool,
    `SELECT c.* FROM ${source.sql} ORDER BY ${source.order} LIMIT ${params.add(query.limit + 1)}`,
    params.values,
  );
  return rows.map(rowToCase);
}

/** Cases of the list read before a search turns to the text indexes (docs/performance.md). */
const SEARCH_WINDOW = 4_000;

/**
 * The search row of one case, looked up by its key as `s` (OFFSET 0 keeps the lookup apart:
 * else the planner may read every case holding a frequent word from the trigram index to join
 * them to a handful of cases).
 */
const SEARCH_ROW = (caseId: string) =>
  `(SELECT s.keys, s.body FROM case_search s WHERE s.case_id = ${caseId} OFFSET 0) s`;

type Ranked = { id: string; createdAt: string; rank: number };
type Window = { matches: Ranked[]; full: boolean; edge: CreatedCursor | null };

/**
 * The cases whose folded text holds every word of q, best first: the whole phrase in an
 * identifier (reference, decision number, handle) and in the text ranks 3, in an identifier
 * only 2, in the text 1, the words apart 0; then newest first. Keyset-paginated on
 * (rank, created_at, id).
 *
 * Each rank is read newest first from a window: the newest SEARCH_WINDOW cases of the list
 * (scope and filters), joined to their search rows. A frequent word fills the page there. A
 * rank the window cannot fill is read from an index (trigrams, or word pairs for a long
 * phrase) among the cases older than the window: a rare word, which an index finds quickly. Neither read grows with the
 * history for a frequent word or a rare one.
 */
export async function searchCases(
  pool: pg.Pool,
  query: ListQuery & { q: string; after: SearchCursor | null; window?: number },
): Promise<(CaseState & { rank: number })[]> {
  const size = query.window ?? SEARCH_WINDOW;
  const words = query.q
    .split(/\s+/u)
    .filter((w) => w.length > 0)
    .slice(0, MAX_WORDS);
  // Four words or more hold pairs of whole words (casetrail_phrase_pairs): see searchOlder.
  const paired = words.length >= 4;
  const text = (params: Params) => {
    const joined = words.join(' ');
    const phrase = containsSql(joined, params);
    const [inKeys, inBody] = [`s.keys LIKE ${phrase}`, `s.body LIKE ${phrase}`];
    const all = words.map((word) => `s.body LIKE ${containsSql(word, params)}`).join(' AND ');
    return {
      all,
      rank: `(CASE WHEN ${inKeys} THEN 2 ELSE 0 END + CASE WHEN ${inBody} THEN 1 ELSE 0 END)`,
      // The same ranks as conditions.
      ofRank: (rank: number) => `${rank >= 2 ? '' : 'NOT '}${inKeys} AND ${rank % 2 === 1 ? '' : 'NOT '}${inBody}`,
      // What an index finds each rank's cases by: the identifiers' trigrams, the phrase's
      // word pairs (else its trigrams), the words' trigrams.
      driver: (rank: number) =>
        rank >= 2
          ? inKeys
          : rank === 1 && paired
            ? `casetrail_word_pairs(s.body) @> casetrail_phrase_pairs(casetrail_fold(${params.add(joined)}))`
            : rank === 1
              ? inBody
              : all,
    };
  };
  const windows = new Map<string, Promise<Window>>();
  const windowFrom = (after: CreatedCursor | null) => {
    const key = after === null ? '' : `${after.createdAt}/${after.id}`;
    let found = windows.get(key);
    if (found === undefined) {
      found = searchWindow(pool, query, text, after, size);
      windows.set(key, found);
    }
    return found;
  };
  const want = query.limit + 1;
  const page: Ranked[] = [];
  const after = query.after;
  for (let rank = Math.min(3, after?.rank ?? 3); rank >= 0 && page.length < want; rank--) {
    const from = after !== null && rank === after.rank ? { createdAt: after.createdAt, id: after.id } : null;
    const window = await windowFrom(from);
    const inWindow = window.matches.filter((m) => m.rank === rank).slice(0, want - page.length);
    page.push(...inWindow);
    if (page.length < want && window.full && window.edge !== null) {
      page.push(...(await searchOlder(pool, query, text, rank, window.edge, want - page.length)));
    }
  }
  const cases = new Map(
    (
      await selectCasesByIds(
        pool,
        page.map((m) => m.id),
      )
    ).map((c) => [c.id, c]),
  );
  return page.flatMap((m) => {
    const found = cases.get(m.id);
    return found === undefined ? [] : [{ ...found, rank: m.rank }];
  });
}

type SearchText = (params: Params) => {
  all: string;
  rank: string;
  ofRank: (rank: number) => string;
  driver: (rank: number) => string;
};

const newestFirst = (a: Ranked, b: Ranked) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

const toRanked = (row: { id: string; created_at: Date; rank: number }): Ranked => ({
  id: row.id,
  createdAt: row.created_at.toISOString(),
  rank: row.rank,
});

/** The matches among the newest `size` cases of the list (after a position), and where the window ends. */
async function searchWindow(
  pool: pg.Pool,
  query: ListQuery,
  text: SearchText,
  after: CreatedCursor | null,
  size: number,
): Promise<Window> {
  const params = new Params();
  const source = listSource(query, params, after);
  const { all, rank } = text(params);
  const limit = params.add(size);
  const { rows } = await pageQuery<{ id: string; created_at: Date; rank: number; edge: boolean; n: number }>(
    pool,
    `WITH w AS MATERIALIZED (SELECT c.id, c.created_at FROM ${source.sql} ORDER BY ${source.order} LIMIT ${limit})
     SELECT w.id, w.created_at, ${rank} AS rank, false AS edge, 0 AS n
       FROM w CROSS JOIN LATERAL ${SEARCH_ROW('w.id')} WHERE ${all}
     UNION ALL
     SELECT * FROM (SELECT id, created_at, -1, true, (SELECT count(*)::int FROM w) FROM w ORDER BY created_at, id LIMIT 1) e`,
    params.values,
  );
  const edgeRow = rows.find((r) => r.edge);
  return {
    matches: rows
      .filter((r) => !r.edge)
      .map(toRanked)
      .sort(newestFirst),
    full: edgeRow !== undefined && edgeRow.n >= size,
    edge: edgeRow === undefined ? null : { createdAt: edgeRow.created_at.toISOString(), id: edgeRow.id },
  };
}

/**
 * The newest `limit` matches of one rank older than a position, found through the trigram
 * indexes first (a materialized set, so that the planner never walks the list in order
 * testing each row), then kept to the scope and filters.
 */
async function searchOlder(
  pool: pg.Pool,
  query: ListQuery,
  text: SearchText,
  rank: number,
  before: CreatedCursor,
  limit: number,
): Promise<Ranked[]> {
  const params = new Params();
  const { all, ofRank, driver } = text(params);
  const { scope } = query;
  const own = !scope.all && scope.receivedOrVerifiedBy === null && scope.submittedBy !== null;
  const found = [
    driver(rank),
    `(s.created_at, s.case_id) < (${params.add(before.createdAt)}::timestamptz, ${params.add(before.id)}::uuid)`,
    ...(own ? [`s.submitted_by = ${params.add(scope.submittedBy)}::uuid`] : []),
  ];
  const source = listSource(query, params, null);
  // The candidates the index finds, alone (materialized: the planner may not mix in the other
  // conditions' indexes, which a frequent word makes slow), then the rank's own conditions.
  const { rows } = await pageQuery<{ id: string; created_at: Date; rank: number }>(
    pool,
    `WITH d AS MATERIALIZED (SELECT s.case_id FROM case_search s WHERE ${found.join(' AND ')}),
          m AS (SELECT d.case_id FROM d CROSS JOIN LATERAL ${SEARCH_ROW('d.case_id')} WHERE ${all} AND ${ofRank(rank)})
     SELECT c.id, c.created_at, ${params.add(rank)}::int AS rank FROM ${source.sql} AND c.id IN (SELECT case_id FROM m)
      ORDER BY ${source.order} LIMIT ${params.add(limit)}`,
    params.values,
  );
  return rows.map(toRanked);
}

/**
 * Received cases a verifier can take: unclaimed, claimed with a lapsed lease, or claimed
 * by the verifier; never the verifier's own submissions. Without a verifier (a supervisor
 * handing work out): every received case, whoever holds it. Most urgent first, then oldest.
 * One branch per priority, each read in order from the (stage, priority, created_at) index
 * and cut at the page size: the page never sorts the whole backlog.
 */
export async function selectWorklist(
  pool: pg.Pool,
  query: { verifierId: string | null; after: WorklistCursor | null; limit: number },
): Promise<(CaseState & { rank: number })[]> {
  const params = new Params();
  const limit = params.add(query.limit + 1);
  let available = `stage = 'received'`;
  if (query.verifierId !== null) {
    const me = params.add(query.verifierId);
    available += ` AND submitted_by <> ${me}
    AND (claimed_by IS NULL OR claimed_by = ${me} OR claimed_until IS NULL OR claimed_until <= statement_timestamp())`;
  }
  // urgent = 1 ... low = 4: the domain's priority order.
  const branches = [...PRIORITIES].reverse().flatMap((priority, i) => {
    const rank = i + 1;
    const after = query.after;
    if (after !== null && rank < after.rank) return [];
    const keyset =
      after !== null && rank === after.rank
        ? ` AND (created_at, id) > (${params.add(after.createdAt)}::timestamptz, ${params.add(after.id)}::uuid)`
        : '';
    return [
      `(SELECT *, ${rank} AS rank FROM cases WHERE ${available} AND priority = ${params.add(priority)}${keyset}
         ORDER BY created_at, id LIMIT ${limit})`,
    ];
  });
  if (branches.length === 0) return [];
  const { rows } = await pool.query<CaseRow & { rank: number }>(
    `SELECT * FROM (${branches.join(' UNION ALL ')}) page ORDER BY rank, created_at, id LIMIT ${limit}`,
    params.values,
  );
  return rows.map((row) => ({ ...rowToCase(row), rank: row.rank }));
}

/** The cases with these ids (an id of no case is left out). */
export async function selectCasesByIds(pool: pg.Pool, ids: readonly string[]): Promise<CaseState[]> {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<CaseRow>({
    name: 'cases-by-ids',
    text: 'SELECT * FROM cases WHERE id = ANY($1::uuid[])',
    values: [ids],
  });
  return rows.map(rowToCase);
}

/** Events of a case in seq order after the given seq; up to limit + 1. */
export async function selectEvents(
  pool: pg.Pool,
  query: { caseId: string; afterSeq: number; limit: number },
): Promise<(StoredEvent & { id: string })[]> {
  const { rows } = await pool.query<EventRow>(
    'SELECT * FROM events WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [query.caseId, query.afterSeq, query.limit + 1],
  );
  return rows.map(rowToEvent);
}

export async function selectPersonalData(pool: pg.Pool, caseId: string): Promise<PersonalDataRow | null> {
  const { rows } = await pool.query<{
    account_handle: string | null;
    account_name: string | null;
    content: string | null;
    subject_handle: string | null;
    subject_name: string | null;
  }>(
    'SELECT account_handle, account_name, content, subject_handle, subject_name FROM case_personal_data WHERE case_id = $1',
    [caseId],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    accountHandle: row.account_handle,
    accountName: row.account_name,
    content: row.content,
    subjectHandle: row.subject_handle,
    subjectName: row.subject_name,
  };
}

/**
 * The values of these references (format 2 payloads), per case: an erased one is missing.
 * One query for any number of cases.
 */
export async function selectPersonalValues(
  pool: pg.Pool | pg.ClientBase,
  refs: readonly { caseId: string; digests: readonly string[] }[],
): Promise<Map<string, Map<string, { value: string; salt: string }>>> {
  const wanted = refs.filter((r) => r.digests.length > 0);
  const found = new Map<string, Map<string, { value: string; salt: string }>>();
  if (wanted.length === 0) return found;
  const { rows } = await pool.query<{ case_id: string; digest: string; value: string; salt: string }>(
    `SELECT case_id, digest, value, salt FROM case_personal_values
      WHERE case_id = ANY($1::uuid[]) AND digest = ANY($2::text[])`,
    [wanted.map((r) => r.caseId), wanted.flatMap((r) => r.digests)],
  );
  for (const row of rows) {
    const values = found.get(row.case_id) ?? new Map<string, { value: string; salt: string }>();
    values.set(row.digest, { value: row.value, salt: row.salt });
    found.set(row.case_id, values);
  }
  return found;
}

export async function insertAccessLog(
  pool: pg.Pool,
  entry: { actorId: string; action: string; caseId: string; purpose: string | null },
): Promise<void> {
  await pool.query('INSERT INTO access_log (actor_id, action, case_id, purpose) VALUES ($1, $2, $3, $4)', [
    entry.actorId,
    entry.action,
    entry.caseId,
    entry.purpose,
  ]);
}
