import type pg from 'pg';
import { PRIORITIES, type CaseState, type StoredEvent } from '../../domain/index.ts';
import { rowToCase, rowToEvent, type CaseRow, type EventRow } from './case.repository.ts';

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
  /** Matched case-insensitively anywhere in the reference, the URL or the claim. */
  q?: string;
};

export type CreatedCursor = { createdAt: string; id: string };
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

/** A LIKE pattern matching the text literally: backslash, % and _ are escaped. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/gu, '\\$&')}%`;
}

/** Newest first, keyset-paginated on (created_at, id); returns up to limit + 1 rows to detect a next page. */
export async function selectCases(
  pool: pg.Pool,
  query: { scope: CaseScope; filter: CaseFilter; after: CreatedCursor | null; limit: number },
): Promise<CaseState[]> {
  const params = new Params();
  const where = [scopeSql(query.scope, params)];
  for (const column of ['stage', 'outcome', 'platform', 'category'] as const) {
    const value = query.filter[column];
    if (value !== undefined) where.push(`${column} = ${params.add(value)}`);
  }
  if (query.filter.q !== undefined) {
    const pattern = params.add(containsPattern(query.filter.q));
    // Format 2 cases hold references for their URL and claim: their values are in the store.
    where.push(
      `(reference ILIKE ${pattern} OR url ILIKE ${pattern} OR claim ILIKE ${pattern} OR EXISTS (
         SELECT 1 FROM case_personal_values v
         WHERE v.case_id = cases.id AND v.field IN ('url', 'claim') AND v.value ILIKE ${pattern}))`,
    );
  }
  if (query.after !== null) {
    where.push(
      `(created_at, id) < (${params.add(query.after.createdAt)}::timestamptz, ${params.add(query.after.id)}::uuid)`,
    );
  }
  const { rows } = await pool.query<CaseRow>(
    `SELECT * FROM cases WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${params.add(query.limit + 1)}`,
    params.values,
  );
  return rows.map(rowToCase);
}

/** urgent = 1 ... low = 4: the worklist's first sort key, from the domain's priority order. */
const RANK_SQL = (params: Params) => `array_position(${params.add([...PRIORITIES].reverse())}::text[], priority)`;

/**
 * Received cases a verifier can take: unclaimed, claimed with a lapsed lease, or claimed
 * by the verifier; never the verifier's own submissions. Without a verifier (a supervisor
 * handing work out): every received case, whoever holds it. Most urgent first, then oldest.
 */
export async function selectWorklist(
  pool: pg.Pool,
  query: { verifierId: string | null; after: WorklistCursor | null; limit: number },
): Promise<(CaseState & { rank: number })[]> {
  const params = new Params();
  const rank = RANK_SQL(params);
  const where = [`stage = 'received'`];
  if (query.verifierId !== null) {
    const me = params.add(query.verifierId);
    where.push(
      `submitted_by <> ${me}`,
      `(claimed_by IS NULL OR claimed_by = ${me} OR claimed_until IS NULL OR claimed_until <= statement_timestamp())`,
    );
  }
  if (query.after !== null) {
    const { rank: r, createdAt, id } = query.after;
    where.push(
      `(${rank}, created_at, id) > (${params.add(r)}::int, ${params.add(createdAt)}::timestamptz, ${params.add(id)}::uuid)`,
    );
  }
  const { rows } = await pool.query<CaseRow & { rank: number }>(
    `SELECT *, ${rank} AS rank FROM cases WHERE ${where.join(' AND ')}
      ORDER BY rank, created_at, id LIMIT ${params.add(query.limit + 1)}`,
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
