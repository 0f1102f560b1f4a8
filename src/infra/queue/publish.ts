import type { JobsOptions } from 'bullmq';
import type pg from 'pg';
import type { QueueName } from '../../domain/index.ts';
import { perTurnBatcher } from '../batch.ts';
import { returnToRelay, type OutboxRow } from '../db/outbox.repository.ts';
import type { Logger } from '../logger.ts';
import { deduplicationId, jobIdFor, parseJob } from './catalog.ts';
import type { AppQueue, QueueFactory } from './queue-factory.ts';
import { withTimeout } from './time-limit.ts';

export type PublishResult = {
  /** Rows whose job is now in its queue (or was already there). */
  published: string[];
  /** Rows whose queue could not be reached; they stay for a later round. */
  failed: string[];
  /** Rows the catalog refuses: a programming error, logged and dropped. */
  invalid: string[];
  firstError?: unknown;
};

/**
 * Publishes outbox rows to their queues, one addBulk per queue. The job id is the row id
 * (with `-r<n>` when republished) and the deduplication id names the command or event, so
 * publishing the same work twice while its job lives adds nothing.
 */
export async function publishRows(
  factory: Pick<QueueFactory, 'queueFor'>,
  rows: readonly OutboxRow[],
  options: { log: Logger; timeoutMs: number; republish?: boolean },
): Promise<PublishResult> {
  const result: PublishResult = { published: [], failed: [], invalid: [] };
  const groups = new Map<AppQueue, { ids: string[]; jobs: { name: string; data: unknown; opts: JobsOptions }[] }>();
  for (const row of rows) {
    const parsed = parseJob(row.queue, row.jobName, row.payload);
    if (!parsed.ok) {
      options.log.error(
        { outboxId: row.id, queue: row.queue, jobName: row.jobName, reason: parsed.reason },
        'outbox row does not match the job catalog',
      );
      result.invalid.push(row.id);
      continue;
    }
    // parseJob checked that the row's queue is the one the catalog routes its job to; a
    // command goes to its case's shard when the stage queue is split.
    const queue = factory.queueFor(row.queue as QueueName, parsed.kind === 'command' ? parsed.data.caseId : undefined);
    const group = groups.get(queue) ?? { ids: [], jobs: [] };
    group.ids.push(row.id);
    group.jobs.push({
      name: row.jobName,
      data: parsed.data,
      opts: {
        jobId: jobIdFor(row.id, options.republish ? row.attempts : 0),
        deduplication: { id: deduplicationId(parsed) },
        // The job's consumer span continues the trace of the row's writer (bullmq-otel).
        ...(row.traceContext ? { telemetry: { metadata: row.traceContext } } : {}),
      },
    });
    groups.set(queue, group);
  }
  await Promise.all(
    [...groups].map(async ([queue, group]) => {
      try {
        await withTimeout(queue.addBulk(group.jobs), options.timeoutMs, `publish to ${queue.name}`);
        result.published.push(...group.ids);
      } catch (error) {
        result.failed.push(...group.ids);
        result.firstError ??= error;
      }
    }),
  );
  return result;
}

/**
 * Hands outbox rows straight to their queues right after the transaction that wrote them
 * committed (the rows were inserted already marked published), so the common path needs no
 * relay round. The outbox stays the safety net: rows that could not be published go back
 * to the relay (published_at cleared, relay woken), and a process that dies between its
 * commit and the hand-off leaves rows the reconciler republishes once they are stale.
 * Never throws: the work is committed whatever happens here.
 */
export type Handoff = (rows: readonly OutboxRow[]) => Promise<void>;

/** A hand-off whose callers need not wait for it (the API answers once the command is stored); drain() awaits those under way. */
export type DetachedHandoff = Handoff & { drain(): Promise<void> };

export function createHandoff(options: {
  factory: Pick<QueueFactory, 'queueFor'>;
  pool: pg.Pool;
  log: Logger;
  timeoutMs?: number;
}): DetachedHandoff {
  const log = options.log.child({ component: 'outbox-handoff' });
  const publish = async (rows: readonly OutboxRow[]): Promise<true[]> => {
    const result = await publishRows(options.factory, rows, { log, timeoutMs: options.timeoutMs ?? 5_000 });
    const returned = [...result.failed, ...result.invalid];
    if (returned.length === 0) return rows.map(() => true);
    log.warn(
      { rows: returned.length, err: { message: (result.firstError as Error | undefined)?.message ?? 'invalid rows' } },
      'hand-off to the queues failed, the outbox relay takes over',
    );
    try {
      await returnToRelay(options.pool, returned);
    } catch (error) {
      log.warn(
        { err: { message: (error as Error).message } },
        'outbox rows stay marked published; the reconciler republishes them',
      );
    }
    return rows.map(() => true);
  };
  // Rows handed off within one turn of the event loop share an addBulk per queue.
  const batch = perTurnBatcher(publish, { maxBatch: 500 });
  const underWay = new Set<Promise<unknown>>();
  const handoff = async (rows: readonly OutboxRow[]) => {
    if (rows.length === 0) return;
    const publishing = batch.loadMany(rows);
    underWay.add(publishing);
    try {
      await publishing;
    } finally {
      underWay.delete(publishing);
    }
  };
  return Object.assign(handoff, {
    async drain() {
      await Promise.all([...underWay]);
    },
  });
}
