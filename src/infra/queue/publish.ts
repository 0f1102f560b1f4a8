import type { JobsOptions } from 'bullmq';
import type { QueueName } from '../../domain/index.ts';
import type { OutboxRow } from '../db/outbox.repository.ts';
import type { Logger } from '../logger.ts';
import { deduplicationId, jobIdFor, parseJob } from './catalog.ts';
import type { QueueFactory } from './queue-factory.ts';
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
  factory: Pick<QueueFactory, 'queue'>,
  rows: readonly OutboxRow[],
  options: { log: Logger; timeoutMs: number; republish?: boolean },
): Promise<PublishResult> {
  const result: PublishResult = { published: [], failed: [], invalid: [] };
  const groups = new Map<QueueName, { ids: string[]; jobs: { name: string; data: unknown; opts: JobsOptions }[] }>();
  for (const row of rows) {
    const parsed = parseJob(row.queue, row.jobName, row.payload);
    if (!parsed.ok) {
      options.log.error({ outboxId: row.id, queue: row.queue, jobName: row.jobName, reason: parsed.reason }, 'outbox row does not match the job catalog');
      result.invalid.push(row.id);
      continue;
    }
    // parseJob checked that the row's queue is the one the catalog routes its job to.
    const queue = row.queue as QueueName;
    const group = groups.get(queue) ?? { ids: [], jobs: [] };
    group.ids.push(row.id);
    group.jobs.push({
      name: row.jobName,
      data: parsed.data,
      opts: { jobId: jobIdFor(row.id, options.republish ? row.attempts : 0), deduplication: { id: deduplicationId(parsed) } },
    });
    groups.set(queue, group);
  }
  await Promise.all(
    [...groups].map(async ([queue, group]) => {
      try {
        await withTimeout(factory.queue(queue).addBulk(group.jobs), options.timeoutMs, `publish to ${queue}`);
        result.published.push(...group.ids);
      } catch (error) {
        result.failed.push(...group.ids);
        result.firstError ??= error;
      }
    }),
  );
  return result;
}
