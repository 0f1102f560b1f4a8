import type pg from 'pg';
import type { CaseState, StoredEvent } from '../../domain/index.ts';
import { rowToCase, rowToEvent, type CaseRow, type EventRow } from './case.repository.ts';

// Keyset-paginated reads of the whole trail for `audit verify`: memory stays flat however
// long the trail grows, and each page is one short query (no transaction held open).

/** Case rows in id order: every case, or the one given. */
export async function* streamCaseRows(pool: pg.Pool, options: { caseId?: string; pageSize: number }): AsyncGenerator<CaseState> {
  if (options.caseId !== undefined) {
    const { rows } = await pool.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [options.caseId]);
    yield* rows.map(rowToCase);
    return;
  }
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: CaseRow[] } = await pool.query<CaseRow>(
      'SELECT * FROM cases WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2',
      [after, options.pageSize],
    );
    yield* rows.map(rowToCase);
    if (rows.length < options.pageSize) return;
    after = rows.at(-1)?.id as string;
  }
}

/** Events in (case id, seq) order: the order their chains are checked in. */
export async function* streamCaseEvents(
  pool: pg.Pool,
  options: { caseId?: string; pageSize: number },
): AsyncGenerator<StoredEvent & { id: string }> {
  let after: { caseId: string; seq: number } | null = options.caseId === undefined ? null : { caseId: options.caseId, seq: 0 };
  for (;;) {
    const { rows }: { rows: EventRow[] } = await pool.query<EventRow>(
      `SELECT * FROM events
        WHERE ($1::uuid IS NULL OR (case_id, seq) > ($1::uuid, $2::int)) AND ($3::uuid IS NULL OR case_id = $3)
        ORDER BY case_id, seq LIMIT $4`,
      [after?.caseId ?? null, after?.seq ?? 0, options.caseId ?? null, options.pageSize],
    );
    yield* rows.map(rowToEvent);
    if (rows.length < options.pageSize) return;
    const last = rows.at(-1) as EventRow;
    after = { caseId: last.case_id, seq: last.seq };
  }
}

/** The highest seq the trail holds for a case (0 when none). */
export async function lastSeqOf(pool: pg.Pool, caseId: string): Promise<number> {
  const { rows } = await pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM events WHERE case_id = $1', [caseId]);
  return rows[0]?.seq ?? 0;
}

/** Events no checkpoint covers yet: those after the last sealed id. */
export async function countEventsAfter(pool: pg.Pool, afterId: string, caseId?: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM events WHERE id > $1 AND ($2::uuid IS NULL OR case_id = $2)',
    [afterId, caseId ?? null],
  );
  return rows[0]?.n ?? 0;
}
