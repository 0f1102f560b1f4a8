import type pg from 'pg';
import { TREE_HEAD_FORMAT, nodeKey, type SignedTreeHead, type StoredEvent } from '../../domain/index.ts';
import { rowToEvent, type EventRow } from './case.repository.ts';

// The Merkle log's storage (docs/audit-format.md): log entries (leaf index → event id), the
// complete nodes of the log tree and of the case heads tree, the case heads, and the signed
// tree heads.

type Queryable = pg.ClientBase | pg.Pool;

/** The two trees: the event log (append-only) and the case heads (changed in place). */
export type TreeTable = 'log_nodes' | 'heads_nodes';

type TreeHeadRow = {
  tree_size: string;
  last_event_id: string;
  root_hash: string;
  heads_root: string;
  case_count: number;
  timestamp: string;
  key_id: string;
  signature: string;
};

export type StoredTreeHead = { head: SignedTreeHead; lastEventId: string };

function rowToHead(row: TreeHeadRow): StoredTreeHead {
  return {
    head: {
      format: TREE_HEAD_FORMAT,
      treeSize: Number(row.tree_size),
      rootHash: row.root_hash,
      headsRoot: row.heads_root,
      caseCount: row.case_count,
      timestamp: row.timestamp,
      keyId: row.key_id,
      signature: row.signature,
    },
    lastEventId: String(row.last_event_id),
  };
}

export async function latestTreeHead(client: Queryable): Promise<StoredTreeHead | null> {
  const { rows } = await client.query<TreeHeadRow>('SELECT * FROM tree_heads ORDER BY tree_size DESC LIMIT 1');
  return rows[0] ? rowToHead(rows[0]) : null;
}

/** Newest first; sizes below `before` when given. */
export async function selectTreeHeads(
  client: Queryable,
  query: { before: number | null; limit: number },
): Promise<SignedTreeHead[]> {
  const { rows } = await client.query<TreeHeadRow>(
    'SELECT * FROM tree_heads WHERE ($1::bigint IS NULL OR tree_size < $1) ORDER BY tree_size DESC LIMIT $2',
    [query.before, query.limit + 1],
  );
  return rows.map((row) => rowToHead(row).head);
}

export async function insertTreeHead(client: Queryable, head: SignedTreeHead, lastEventId: string): Promise<void> {
  await client.query(
    `INSERT INTO tree_heads (tree_size, last_event_id, root_hash, heads_root, case_count, timestamp, key_id, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      head.treeSize,
      lastEventId,
      head.rootHash,
      head.headsRoot,
      head.caseCount,
      head.timestamp,
      head.keyId,
      head.signature,
    ],
  );
}

/** Log size and the id of its last event: what the log holds, whether or not a head signed it yet. */
export async function logEnd(client: Queryable): Promise<{ size: number; lastEventId: string }> {
  const { rows } = await client.query<{ idx: string; event_id: string }>(
    'SELECT idx, event_id FROM log_entries ORDER BY idx DESC LIMIT 1',
  );
  const last = rows[0];
  return last === undefined
    ? { size: 0, lastEventId: '0' }
    : { size: Number(last.idx) + 1, lastEventId: String(last.event_id) };
}

export async function insertLogEntries(
  client: Queryable,
  firstIndex: number,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await client.query(
    'INSERT INTO log_entries (idx, event_id) SELECT $1::bigint + o - 1, e FROM unnest($2::bigint[]) WITH ORDINALITY AS t(e, o)',
    [firstIndex, eventIds],
  );
}

/** The log index of an event, or null when it is not in the log yet. */
export async function logIndexOf(client: Queryable, eventId: string): Promise<number | null> {
  const { rows } = await client.query<{ idx: string }>('SELECT idx FROM log_entries WHERE event_id = $1', [eventId]);
  return rows[0] === undefined ? null : Number(rows[0].idx);
}

/** Log indexes of several events (those in the log). */
export async function logIndexesOf(client: Queryable, eventIds: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await client.query<{ idx: string; event_id: string }>(
    'SELECT idx, event_id FROM log_entries WHERE event_id = ANY($1::bigint[])',
    [eventIds],
  );
  return new Map(rows.map((r) => [String(r.event_id), Number(r.idx)]));
}

export async function fetchNodes(
  client: Queryable,
  table: TreeTable,
  wanted: ReadonlyArray<{ level: number; index: number }>,
): Promise<Map<string, Buffer>> {
  if (wanted.length === 0) return new Map();
  const { rows } = await client.query<{ level: number; idx: string; hash: Buffer }>(
    `SELECT n.level, n.idx, n.hash FROM ${table} n
       JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
    [wanted.map((w) => w.level), wanted.map((w) => w.index)],
  );
  return new Map(rows.map((r) => [nodeKey(r.level, Number(r.idx)), r.hash]));
}

export async function writeNodes(
  client: Queryable,
  table: TreeTable,
  nodes: Iterable<{ level: number; index: number; hash: Buffer }>,
): Promise<void> {
  const list = [...nodes];
  if (list.length === 0) return;
  const upsert = table === 'heads_nodes' ? ' ON CONFLICT (level, idx) DO UPDATE SET hash = EXCLUDED.hash' : '';
  await client.query(
    `INSERT INTO ${table} (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])${upsert}`,
    [list.map((n) => n.level), list.map((n) => n.index), list.map((n) => n.hash)],
  );
}

export type StoredCaseHead = { caseId: string; index: number; lastSeq: number; headHash: string };

export async function caseHeadsOf(client: Queryable, caseIds: readonly string[]): Promise<Map<string, StoredCaseHead>> {
  const { rows } = await client.query<{ case_id: string; idx: string; last_seq: number; head_hash: string }>(
    'SELECT case_id, idx, last_seq, head_hash FROM case_heads WHERE case_id = ANY($1::uuid[])',
    [caseIds],
  );
  return new Map(
    rows.map((r) => [
      r.case_id,
      { caseId: r.case_id, index: Number(r.idx), lastSeq: r.last_seq, headHash: r.head_hash },
    ]),
  );
}

export async function caseHeadCount(client: Queryable): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM case_heads');
  return Number(rows[0]?.n ?? 0);
}

export async function writeCaseHeads(client: Queryable, heads: readonly StoredCaseHead[]): Promise<void> {
  if (heads.length === 0) return;
  await client.query(
    `INSERT INTO case_heads (case_id, idx, last_seq, head_hash)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::text[])
     ON CONFLICT (case_id) DO UPDATE SET last_seq = EXCLUDED.last_seq, head_hash = EXCLUDED.head_hash`,
    [heads.map((h) => h.caseId), heads.map((h) => h.index), heads.map((h) => h.lastSeq), heads.map((h) => h.headHash)],
  );
}

/** Signed heads larger than `size`, smallest first. */
export async function treeHeadsAfter(client: Queryable, size: number): Promise<StoredTreeHead[]> {
  const { rows } = await client.query<TreeHeadRow>('SELECT * FROM tree_heads WHERE tree_size > $1 ORDER BY tree_size', [
    size,
  ]);
  return rows.map(rowToHead);
}

/** The log's events from leaf `from` (inclusive) up to leaf `to` (exclusive), a page at a time, in log order. */
export async function logEventsBetween(
  client: Queryable,
  range: { from: number; to: number; limit: number },
): Promise<Array<StoredEvent & { id: string; index: number }>> {
  const { rows } = await client.query<EventRow & { idx: string }>(
    // LATERAL: one index lookup per leaf, whatever the planner thinks of the events table's
    // size, so that a page costs the same on any history.
    `SELECT l.idx, e.* FROM (SELECT idx, event_id FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx LIMIT $3) l
       CROSS JOIN LATERAL (SELECT * FROM events WHERE id = l.event_id) e ORDER BY l.idx`,
    [range.from, range.to, range.limit],
  );
  return rows.map((r) => ({ ...rowToEvent(r), index: Number(r.idx) }));
}

/** The hashes of the given (case, seq) events, keyed `caseId:seq`. */
export async function eventHashesAt(
  client: Queryable,
  wanted: ReadonlyArray<{ caseId: string; seq: number }>,
): Promise<Map<string, string>> {
  if (wanted.length === 0) return new Map();
  const { rows } = await client.query<{ case_id: string; seq: number; hash: string }>(
    `SELECT e.case_id, e.seq, e.hash FROM unnest($1::uuid[], $2::int[]) AS w(case_id, seq)
       CROSS JOIN LATERAL (SELECT case_id, seq, hash FROM events WHERE case_id = w.case_id AND seq = w.seq) e`,
    [wanted.map((w) => w.caseId), wanted.map((w) => w.seq)],
  );
  return new Map(rows.map((r) => [`${r.case_id}:${r.seq}`, r.hash]));
}

export async function insertAnchor(client: Queryable, treeSize: number, response: Buffer): Promise<void> {
  await client.query('INSERT INTO tree_head_anchors (tree_size, response) VALUES ($1, $2)', [treeSize, response]);
}

/** The kept time stamp of a head, or null. */
export async function anchorOf(client: Queryable, treeSize: number): Promise<Buffer | null> {
  const { rows } = await client.query<{ response: Buffer }>(
    'SELECT response FROM tree_head_anchors WHERE tree_size = $1',
    [treeSize],
  );
  return rows[0]?.response ?? null;
}
