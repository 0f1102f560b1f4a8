import type pg from 'pg';
import type { ProjectionInput } from './projection.repository.ts';

/**
 * The outbox row's life: inserted with its command or event (published_at null) → the
 * relay publishes it (published_at set, attempts + 1) → the worker that finished its job
 * deletes it. A writer that publishes its rows itself right after commit (createHandoff)
 * inserts them already published (attempts 1) and hands failures back to the relay. A row still there long after publishing is work that never finished (Redis
 * lost it, or the job failed for good): the reconciler publishes it again.
 */
export type OutboxRow = {
  id: string;
  queue: string;
  jobName: string;
  payload: unknown;
  attempts: number;
  /** The trace context of its writer (see traceMetadata), carried into its job. */
  traceContext?: string | null;
  /** An event row fresh from its write: what its projections read, so that projecting it there needs no query. */
  projection?: ProjectionInput;
};

export type StaleOutboxRow = OutboxRow & {
  /** Status of the command a command row carries; null for event rows or a missing command. */
  commandStatus: string | null;
};

/** An outbox row as the database returns it. */
export type OutboxRecord = {
  id: string;
  queue: string;
  job_name: string;
  payload: unknown;
  attempts: number;
  trace_context?: string | null;
};

type Row = OutboxRecord & { command_status?: string | null };

export const toOutboxRow = (row: OutboxRecord): OutboxRow => ({
  id: row.id,
  queue: row.queue,
  jobName: row.job_name,
  payload: row.payload,
  attempts: row.attempts,
  traceContext: row.trace_context ?? null,
});

/** Locks up to limit unpublished rows, oldest first, skipping rows another relay holds. */
export async function claimUnpublished(client: pg.ClientBase, limit: number): Promise<OutboxRow[]> {
  const { rows } = await client.query<Row>(
    `SELECT id, queue, job_name, payload, attempts, trace_context FROM outbox
     WHERE published_at IS NULL
     ORDER BY created_at
     LIMIT $1
     FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map(toOutboxRow);
}

/**
 * Locks up to limit rows published more than afterMs ago and not yet finished. Each
 * republish doubles the wait before the next (up to 32 times afterMs), so work that keeps
 * failing is retried ever more slowly instead of in a storm.
 */
export async function claimStale(client: pg.ClientBase, afterMs: number, limit: number): Promise<StaleOutboxRow[]> {
  const { rows } = await client.query<Row>(
    `SELECT o.id, o.queue, o.job_name, o.payload, o.attempts, o.trace_context, c.status AS command_status
     FROM outbox o
     LEFT JOIN commands c ON c.id = CASE
       WHEN o.payload->>'commandId' ~ '^[0-9a-fA-F-]{36}$' THEN (o.payload->>'commandId')::uuid
     END
     WHERE o.published_at < statement_timestamp() - make_interval(secs => $1::float8 / 1000)
       AND o.published_at < statement_timestamp()
         - make_interval(secs => $1::float8 / 1000 * power(2, least(greatest(o.attempts - 1, 0), 5)))
     ORDER BY o.published_at
     LIMIT $2
     FOR UPDATE OF o SKIP LOCKED`,
    [afterMs, limit],
  );
  return rows.map((row) => ({ ...toOutboxRow(row), commandStatus: row.command_status ?? null }));
}

/** Records a publication (first or repeated): its time, and one more attempt. */
export async function markPublished(client: pg.ClientBase, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query(
    'UPDATE outbox SET published_at = statement_timestamp(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])',
    [ids],
  );
}

/** Rows a hand-off could not publish: unpublished again, and the relay woken for them. */
export async function returnToRelay(client: pg.ClientBase | pg.Pool, ids: readonly string[]): Promise<void> {
  await client.query(
    `WITH returned AS (UPDATE outbox SET published_at = NULL, attempts = greatest(attempts - 1, 0) WHERE id = ANY($1::uuid[]))
     SELECT pg_notify('casetrail_outbox', '')`,
    [ids],
  );
}

/** Finished work leaves the outbox. */
export async function deleteOutboxRows(client: pg.ClientBase | pg.Pool, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await client.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [ids]);
  return result.rowCount ?? 0;
}

/**
 * Gives a pending command that has no outbox row at all (deleted by hand, or stored by a
 * path that skipped the outbox) a new one, so the relay hands it to its queue. The outbox
 * holds only unfinished work, so the anti-join stays small.
 */
export async function restoreOrphanedCommands(
  client: pg.ClientBase | pg.Pool,
  routes: readonly { type: string; queue: string }[],
  olderThanMs: number,
  limit: number,
): Promise<string[]> {
  const { rows } = await client.query<{ command_id: string }>(
    `INSERT INTO outbox (id, queue, job_name, payload)
     SELECT gen_random_uuid(), r.queue, c.type, jsonb_build_object('commandId', c.id, 'caseId', c.case_id)
     FROM commands c
     JOIN unnest($1::text[], $2::text[]) AS r(type, queue) ON r.type = c.type
     WHERE c.status = 'pending'
       AND c.created_at < statement_timestamp() - make_interval(secs => $3::float8 / 1000)
       AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.payload->>'commandId' = c.id::text)
     ORDER BY c.created_at
     LIMIT $4
     RETURNING payload->>'commandId' AS command_id`,
    [routes.map((r) => r.type), routes.map((r) => r.queue), olderThanMs, limit],
  );
  return rows.map((row) => row.command_id);
}
