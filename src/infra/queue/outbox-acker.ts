import type pg from 'pg';
import { deleteOutboxRows } from '../db/outbox.repository.ts';
import type { Logger } from '../logger.ts';
import { outboxIdOf } from './catalog.ts';
import { createOutageLog } from './outage-log.ts';

export interface OutboxAcker {
  /** Notes that the job's work is done; its outbox row goes in the next batch delete. */
  ack(jobId: string | undefined): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Above this many pending deletions (Postgres away for long), drop them: the reconciler replays those jobs harmlessly. */
const MAX_PENDING = 50_000;

/**
 * Deletes the outbox rows of finished jobs in batches, off the job's path: one DELETE per
 * flush instead of one per job. A lost ack only means the reconciler republishes the
 * work later, and applying it again is a no-op.
 */
export function createOutboxAcker(options: {
  pool: pg.Pool;
  log: Logger;
  flushMs?: number;
  batchSize?: number;
}): OutboxAcker {
  const log = options.log.child({ component: 'outbox-acker' });
  const outage = createOutageLog(log, {
    down: 'outbox cleanup is failing, will retry',
    up: 'outbox cleanup recovered',
  });
  const batchSize = options.batchSize ?? 500;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> = Promise.resolve();

  const flushNow = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    flushing = flushing.then(async () => {
      while (pending.length > 0) {
        const batch = pending.slice(0, batchSize);
        try {
          await deleteOutboxRows(options.pool, batch);
          pending = pending.slice(batch.length);
          outage.recovered();
        } catch (error) {
          outage.failed(error);
          if (pending.length > MAX_PENDING) pending = pending.slice(pending.length - MAX_PENDING);
          schedule();
          return;
        }
      }
    });
    return flushing;
  };

  const schedule = () => {
    timer ??= setTimeout(() => void flushNow(), options.flushMs ?? 100);
    timer.unref();
  };

  return {
    ack(jobId) {
      const id = outboxIdOf(jobId);
      if (id === null) return;
      pending.push(id);
      if (pending.length >= batchSize) void flushNow();
      else schedule();
    },
    flush: flushNow,
    async close() {
      await flushNow();
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
