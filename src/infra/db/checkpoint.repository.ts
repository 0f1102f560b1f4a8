import type pg from 'pg';
import { CHECKPOINT_FORMAT, type CaseHead, type SealedLeaf, type SignedCheckpoint } from '../../domain/index.ts';
import { pageCursor, type PageCursor } from './audit-stream.repository.ts';
import { inTransactionOn } from './transaction.ts';

type Queryable = pg.ClientBase | pg.Pool;

/** Session advisory lock key held by the one sealer at work (any number of processes run one). */
const SEALER_LOCK_KEY = 'casetrail:audit-sealer';

type CheckpointRow = {
  id: string;
  from_event_id: string;
  to_event_id: string;
  event_count: number;
  root: string;
  heads: CaseHead[];
  heads_hash: string;
  prev_hash: string;
  hash: string;
  signature: string;
  key_id: string;
  created_at: string;
};

export type StoredCheckpoint = { checkpoint: SignedCheckpoint; heads: CaseHead[] };

function rowToCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return {
    checkpoint: {
      format: CHECKPOINT_FORMAT,
      seq: Number(row.id),
      fromEventId: String(row.from_event_id),
      toEventId: String(row.to_event_id),
      eventCount: row.event_count,
      root: row.root,
      headsHash: row.heads_hash,
      prevHash: row.prev_hash,
      createdAt: row.created_at,
      keyId: row.key_id,
      hash: row.hash,
      signature: row.signature,
    },
    heads: row.heads,
  };
}

export async function tryLockSealer(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
    [SEALER_LOCK_KEY],
  );
  return rows[0]?.locked === true;
}

/** Waits for the sealer lock at most timeoutMs; false when another sealer kept it. */
export async function lockSealer(client: pg.ClientBase, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await tryLockSealer(client)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function unlockSealer(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [SEALER_LOCK_KEY]);
}

/**
 * The highest event id below which every event is committed (see casetrail_event_barrier in
 * the audit migration). Its lock blocks new events until this short transaction ends.
 */
export async function eventBarrier(client: pg.ClientBase, lockTimeoutMs: number): Promise<string> {
  return inTransactionOn(
    client,
    async () => {
      const { rows } = await client.query<{ barrier: string }>('SELECT casetrail_event_barrier() AS barrier');
      return String(rows[0]?.barrier ?? '0');
    },
    { local: { lock_timeout: Math.max(1, Math.floor(lockTimeoutMs)) }, retry: false },
  );
}

export async function lastCheckpoint(client: Queryable): Promise<StoredCheckpoint | null> {
  const { rows } = await client.query<CheckpointRow>('SELECT * FROM checkpoints ORDER BY id DESC LIMIT 1');
  return rows[0] ? rowToCheckpoint(rows[0]) : null;
}

/** Unsealed events after the given id (counted up to cap), and the age of the first one. */
export async function pendingAfter(
  client: Queryable,
  afterId: string,
  cap: number,
): Promise<{ count: number; oldestAgeMs: number }> {
  const { rows } = await client.query<{ count: number; age_ms: number | null }>(
    `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM events WHERE id > $1 LIMIT $2) p) AS count,
            (SELECT (extract(epoch FROM statement_timestamp() - recorded_at) * 1000)::float8
               FROM events WHERE id > $1 ORDER BY id LIMIT 1) AS age_ms`,
    [afterId, cap],
  );
  return { count: rows[0]?.count ?? 0, oldestAgeMs: rows[0]?.age_ms ?? 0 };
}

type LeafRow = { id: string; case_id: string; seq: number; hash: string };
const toLeaf = (r: LeafRow): SealedLeaf => ({ id: String(r.id), caseId: r.case_id, seq: r.seq, hash: r.hash });

/** Up to limit events with afterId < id <= toId, in id order. */
export async function leavesBetween(
  client: Queryable,
  afterId: string,
  toId: string,
  limit: number,
): Promise<SealedLeaf[]> {
  const { rows } = await client.query<LeafRow>(
    'SELECT id, case_id, seq, hash FROM events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3',
    [afterId, toId, limit],
  );
  return rows.map(toLeaf);
}

/** Every event of a checkpoint's range in id order, read as arrays a page ahead (`audit verify`). */
export function leafPages(
  pool: Queryable,
  range: { fromId: string; toId: string },
  pageSize: number,
): PageCursor<SealedLeaf> {
  return pageCursor(async (last) => {
    const { rows } = await pool.query<[id: string, caseId: string, seq: number, hash: string]>({
      text: 'SELECT id, case_id, seq, hash FROM events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3',
      values: [last?.id ?? (BigInt(range.fromId) - 1n).toString(), range.toId, pageSize],
      rowMode: 'array',
    });
    return rows.map(([id, caseId, seq, hash]) => ({ id: String(id), caseId, seq, hash }));
  }, pageSize);
}

export async function databaseNow(client: Queryable): Promise<Date> {
  const { rows } = await client.query<{ now: Date }>('SELECT statement_timestamp() AS now');
  return rows[0]?.now ?? new Date();
}

export async function insertCheckpoint(
  client: Queryable,
  signed: SignedCheckpoint,
  heads: readonly CaseHead[],
): Promise<void> {
  await client.query(
    `INSERT INTO checkpoints (id, from_event_id, to_event_id, event_count, root, heads, heads_hash, prev_hash, hash, signature, key_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      signed.seq,
      signed.fromEventId,
      signed.toEventId,
      signed.eventCount,
      signed.root,
      JSON.stringify(heads),
      signed.headsHash,
      signed.prevHash,
      signed.hash,
      signed.signature,
      signed.keyId,
      signed.createdAt,
    ],
  );
}

/** Every checkpoint in seq order, a page at a time. */
export async function* streamCheckpoints(pool: pg.Pool, pageSize: number): AsyncGenerator<StoredCheckpoint> {
  let after = 0;
  for (;;) {
    const { rows } = await pool.query<CheckpointRow>('SELECT * FROM checkpoints WHERE id > $1 ORDER BY id LIMIT $2', [
      after,
      pageSize,
    ]);
    for (const row of rows) yield rowToCheckpoint(row);
    if (rows.length < pageSize) return;
    after = Number(rows.at(-1)?.id);
  }
}

/** Newest first, for the API; seqs below `before` when given. */
export async function selectCheckpoints(
  pool: pg.Pool,
  query: { before: number | null; limit: number },
): Promise<SignedCheckpoint[]> {
  const { rows } = await pool.query<CheckpointRow>(
    'SELECT * FROM checkpoints WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2',
    [query.before, query.limit + 1],
  );
  return rows.map((row) => rowToCheckpoint(row).checkpoint);
}

/** Seqs of the checkpoints that sealed events of the case, by their (signed) heads. */
export async function checkpointSeqsOfCase(pool: pg.Pool, caseId: string): Promise<Set<number>> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM checkpoints WHERE heads @> $1::jsonb', [
    JSON.stringify([{ caseId }]),
  ]);
  return new Set(rows.map((r) => Number(r.id)));
}
