import type pg from 'pg';
import type { CaseState, StoredEvent } from '../../domain/index.ts';
import { rowToCase, type CaseRow } from './case.repository.ts';

// Keyset-paginated reads of the whole trail for `audit verify`: memory stays flat however
// long the trail grows, and each page is one short query (no transaction held open).

/**
 * Reads keyset pages one ahead: the query for the next page runs while the current one is
 * checked. peek() and advance() are synchronous; at the end of a page peek() gives
 * undefined and more() moves on (undefined from more(): the read is over).
 */
export type PageCursor<T> = { peek(): T | undefined; advance(): void; more(): Promise<T | undefined> };

export function pageCursor<T>(fetchPage: (last: T | undefined) => Promise<T[]>, pageSize: number): PageCursor<T> {
  let page: (T | undefined)[] = [];
  let index = 0;
  const prefetch = (last: T | undefined): Promise<T[]> => {
    const pending = fetchPage(last);
    // A failure surfaces where the page is awaited, not as an unhandled rejection meanwhile.
    pending.catch(() => undefined);
    return pending;
  };
  let next: Promise<T[]> | null = prefetch(undefined);
  return {
    peek: () => page[index],
    advance() {
      // Let go of what has been read: a garbage collection in the middle of a page then
      // keeps (and promotes to the old generation) only what is left to check.
      page[index] = undefined;
      index += 1;
    },
    async more() {
      if (index < page.length) return page[index];
      if (next === null) return undefined;
      const read = await next;
      next = read.length < pageSize ? null : prefetch(read.at(-1));
      page = read;
      index = 0;
      return page[0];
    },
  };
}

/** Case rows in id order: every case, or the one given. */
export function caseRowPages(pool: pg.Pool, options: { caseId?: string; pageSize: number }): PageCursor<CaseState> {
  return pageCursor(async (last) => {
    const { rows } = await pool.query<CaseRow>(
      'SELECT * FROM cases WHERE ($1::uuid IS NULL OR id > $1) AND ($2::uuid IS NULL OR id = $2) ORDER BY id LIMIT $3',
      [last?.id ?? null, options.caseId ?? null, options.pageSize],
    );
    return rows.map(rowToCase);
  }, options.pageSize);
}

type EventTuple = [
  caseId: string,
  seq: number,
  type: string,
  payload: unknown,
  actorId: string,
  actorRoles: string[],
  commandId: string | null,
  occurredAt: string,
  prevHash: string,
  hash: string,
];

/**
 * Events in (case id, seq) order, the order their chains are checked in: the columns their
 * hashes cover and no more (no storage id, no recorded_at to parse), read as arrays.
 */
export function caseEventPages(pool: pg.Pool, options: { caseId?: string; pageSize: number }): PageCursor<StoredEvent> {
  return pageCursor(async (last) => {
    const after = last ?? (options.caseId === undefined ? null : { caseId: options.caseId, seq: 0 });
    const { rows } = await pool.query<EventTuple>({
      text: `SELECT case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash FROM events
              WHERE ($1::uuid IS NULL OR (case_id, seq) > ($1::uuid, $2::int)) AND ($3::uuid IS NULL OR case_id = $3)
              ORDER BY case_id, seq LIMIT $4`,
      values: [after?.caseId ?? null, after?.seq ?? 0, options.caseId ?? null, options.pageSize],
      rowMode: 'array',
    });
    return rows.map(
      ([caseId, seq, type, payload, actorId, actorRoles, commandId, occurredAt, prevHash, hash]) =>
        ({
          caseId,
          seq,
          type,
          payload,
          actor: { id: actorId, roles: actorRoles },
          commandId,
          occurredAt,
          prevHash,
          hash,
        }) as StoredEvent,
    );
  }, options.pageSize);
}

/** The highest seq the trail holds for a case (0 when none). */
export async function lastSeqOf(pool: pg.Pool, caseId: string): Promise<number> {
  const { rows } = await pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM events WHERE case_id = $1', [
    caseId,
  ]);
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
