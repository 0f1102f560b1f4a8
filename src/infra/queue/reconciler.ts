import type pg from 'pg';
import {
  claimStale,
  deleteOutboxRows,
  markPublished,
  restoreOrphanedCommands,
  type StaleOutboxRow,
} from '../db/outbox.repository.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Logger } from '../logger.ts';
import { commandRoutes, routedQueues } from './catalog.ts';
import { startPeriodic } from './periodic.ts';
import { publishRows } from './publish.ts';
import type { QueueFactory } from './queue-factory.ts';

export interface ReconcilerOptions {
  pool: pg.Pool;
  factory: Pick<QueueFactory, 'queueFor' | 'releaseAbandoned'>;
  log: Logger;
  intervalMs: number;
  /** How often active jobs no worker holds are put back to wait (default 2 s). */
  abandonedIntervalMs?: number;
  /** Age of a published, unfinished row before it is republished (then doubling per republish). */
  afterMs: number;
  batchSize: number;
  publishTimeoutMs?: number;
}

type ReconcileRound = {
  /** Rows published again (a no-op in the queue when their job is in fact still there). */
  republished: number;
  /** Rows whose command was already applied or rejected: only their deletion was missing. */
  finished: number;
  /** Pending commands that had no outbox row and got a new one. */
  restored: number;
  failed: number;
};

export interface Reconciler {
  /** One full pass now (what the timer runs); for tools and tests. */
  runOnce(): Promise<ReconcileRound>;
  /** One look for abandoned active jobs now; returns the ids put back to wait. */
  releaseAbandoned(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Postgres is the record, the queues only carry work. Every outbox row stays until the
 * worker that finished its job deletes it, so a row published long ago and still here is
 * work the queue lost (FLUSHALL, a restart without persistence, a job that failed for
 * good): the reconciler publishes it again, under a new job id (a failed job keeps its id)
 * and with the command's or event's deduplication id, so a job that is in fact still
 * waiting or running is not doubled. Runs at start and every intervalMs; several
 * reconcilers share the rows through SKIP LOCKED.
 */
export function startReconciler(options: ReconcilerOptions): Reconciler {
  const log = options.log.child({ component: 'reconciler' });
  // Work abandoned in `active` (a worker killed or stopped past its grace) would otherwise
  // wait for two passes of BullMQ's stall check, while its deduplication id makes every
  // republish below a no-op: it goes back to wait as soon as its lock is gone.
  const abandoned = startPeriodic({
    log,
    messages: { down: 'abandoned job check failed, will retry', up: 'abandoned job check recovered' },
    intervalMs: options.abandonedIntervalMs ?? 2_000,
    run: () => releaseAbandonedJobs(options.factory),
    after: (released) => {
      if (released.length > 0)
        log.warn({ jobIds: released.slice(0, 20), count: released.length }, 'abandoned jobs released');
      return false;
    },
  });
  const rounds = startPeriodic({
    log,
    messages: { down: 'reconciler round failed, will retry', up: 'reconciler recovered' },
    intervalMs: options.intervalMs,
    // Overlapping passes would only contend for the same rows: startPeriodic shares one.
    run: () => reconcile(options, log),
    after: (round) => {
      if (round.failed > 0) throw new Error(`${round.failed} rows could not be republished`);
      return false;
    },
  });
  return {
    runOnce: rounds.runOnce,
    releaseAbandoned: abandoned.runOnce,
    async close() {
      await Promise.all([rounds.close(), abandoned.close()]);
    },
  };
}

async function releaseAbandonedJobs(factory: Pick<QueueFactory, 'releaseAbandoned'>): Promise<string[]> {
  const released = await Promise.all(routedQueues().map((queue) => factory.releaseAbandoned(queue)));
  return released.flat();
}

async function reconcile(options: ReconcilerOptions, log: Logger): Promise<ReconcileRound> {
  const total: ReconcileRound = { republished: 0, finished: 0, restored: 0, failed: 0 };
  const restored = await restoreOrphanedCommands(options.pool, commandRoutes(), options.afterMs, options.batchSize);
  if (restored.length > 0)
    log.warn(
      { commandIds: restored.slice(0, 20), count: restored.length },
      'pending commands without outbox row restored',
    );
  total.restored = restored.length;
  for (;;) {
    const round = await reconcileBatch(options, log);
    total.republished += round.republished;
    total.finished += round.finished;
    total.failed += round.failed;
    const handled = round.republished + round.finished;
    if (round.failed > 0 || handled < options.batchSize) break;
  }
  if (total.republished > 0 || total.finished > 0) log.info(total, 'reconciler republished unfinished work');
  return total;
}

async function reconcileBatch(options: ReconcilerOptions, log: Logger): Promise<ReconcileRound> {
  const { done, result } = await inTransaction(
    options.pool,
    async (client) => {
      const rows = await claimStale(client, options.afterMs, options.batchSize);
      const done = rows.filter(isFinishedCommand);
      for (const row of done.filter((r) => r.commandStatus === null)) {
        log.error({ outboxId: row.id, payload: row.payload }, 'outbox row names a command that does not exist');
      }
      const open = rows.filter((row) => !isFinishedCommand(row));
      const result = await publishRows(options.factory, open, {
        log,
        timeoutMs: options.publishTimeoutMs ?? 5_000,
        republish: true,
      });
      await markPublished(client, result.published);
      await deleteOutboxRows(client, [...done.map((row) => row.id), ...result.invalid]);
      return { done, result };
    },
    // As the relay's rounds: locks bounded if the process hangs, a failed batch left to the next sweep.
    { local: { idle_in_transaction_session_timeout: '60s' }, retry: false },
  );
  if (result.published.length > 0) {
    log.debug({ outboxIds: result.published.slice(0, 20), count: result.published.length }, 'outbox rows republished');
  }
  return { republished: result.published.length, finished: done.length, restored: 0, failed: result.failed.length };
}

/** A command row whose command is no longer pending (or no longer exists) needs no job. */
function isFinishedCommand(row: StaleOutboxRow): boolean {
  const isCommandRow = typeof row.payload === 'object' && row.payload !== null && 'commandId' in row.payload;
  return isCommandRow && row.commandStatus !== 'pending';
}
