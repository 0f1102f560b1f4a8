import { UnrecoverableError, type Job } from 'bullmq';
import { createCommandApplier } from '../src/app/apply-command.ts';
import { QUEUE_NAMES, type QueueName } from '../src/domain/index.ts';
import { routedQueues } from '../src/infra/queue/catalog.ts';
import { createOutboxAcker } from '../src/infra/queue/outbox-acker.ts';
import { createHandoff } from '../src/infra/queue/publish.ts';
import type { AppWorker, JobProcessor, QueueFactory } from '../src/infra/queue/queue-factory.ts';
import { createSemaphore } from '../src/infra/queue/semaphore.ts';
import { withTimeout } from '../src/infra/queue/time-limit.ts';
import { closureProcessor } from './closure.processor.ts';
import { eventsProcessor, projectInline } from './events.processor.ts';
import { intakeProcessor } from './intake.processor.ts';
import { penaltyProcessor } from './penalty.processor.ts';
import type { ProcessorDefinition, ProcessorDeps } from './processor.ts';
import { referralProcessor } from './referral.processor.ts';
import { slaProcessor } from './sla.processor.ts';
import { verificationProcessor } from './verification.processor.ts';
import { webhooksProcessor } from './webhooks.processor.ts';

export const PROCESSORS: readonly ProcessorDefinition[] = [
  intakeProcessor,
  verificationProcessor,
  referralProcessor,
  penaltyProcessor,
  closureProcessor,
  eventsProcessor,
  slaProcessor,
  webhooksProcessor,
];

/** Pool connections the workers leave to the relay, the reconciler, the acker and the API. */
const DB_RESERVED_CONNECTIONS = 4;

export class WorkerSetupError extends Error {
  override readonly name = 'WorkerSetupError';
}

/**
 * Fails loudly at start when the processors and the job catalog disagree: a queue that
 * gets jobs with no processor, or with two, or a processor for a queue that gets none.
 */
export function checkProcessors(processors: readonly ProcessorDefinition[] = PROCESSORS): void {
  const problems: string[] = [];
  const routed = new Set(routedQueues());
  for (const queue of routed) {
    const count = processors.filter((p) => p.queue === queue).length;
    if (count !== 1) problems.push(`queue ${queue} has ${count === 0 ? 'no processor' : `${count} processors`}`);
  }
  for (const processor of processors) {
    if (!routed.has(processor.queue))
      problems.push(`queue ${processor.queue} has a processor but no job in the catalog`);
  }
  if (problems.length > 0) throw new WorkerSetupError(`worker setup is inconsistent: ${problems.join('; ')}`);
}

/** Validates a --queues selection (names separated by commas, or 'all'). */
export function parseQueueSelection(value: string): QueueName[] | 'all' {
  if (value.trim() === 'all') return 'all';
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(QUEUE_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new WorkerSetupError(
      `unknown queue ${unknown.join(', ') || '(none given)'}; expected some of ${QUEUE_NAMES.join(', ')} or all`,
    );
  }
  return [...new Set(names)] as QueueName[];
}

export interface StartWorkersOptions {
  deps: ProcessorDeps;
  factory: QueueFactory;
  queues: readonly QueueName[] | 'all';
  concurrency: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long close() waits for running jobs before it stops waiting (they return after the stall check). */
  closeTimeoutMs?: number;
  processors?: readonly ProcessorDefinition[];
}

export interface RunningWorkers {
  queues: QueueName[];
  close(): Promise<void>;
}

export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  const processors = options.processors ?? PROCESSORS;
  checkProcessors(processors);
  const queues = options.queues === 'all' ? routedQueues() : [...options.queues];
  const missing = queues.filter((queue) => !processors.some((p) => p.queue === queue));
  if (queues.length === 0 || missing.length > 0) {
    throw new WorkerSetupError(`no processor for queue ${missing.join(', ') || '(none selected)'}`);
  }
  const log = options.deps.log.child({ component: 'workers' });
  // Every queue's concurrency adds up, but the database pool does not grow: past its size,
  // jobs would time out waiting for a connection. Jobs beyond the pool wait here instead,
  // and a few connections stay free for the relay, the reconciler and the API.
  const slots = Math.max(1, (options.deps.pool.options.max ?? 10) - DB_RESERVED_CONNECTIONS);
  const limit = createSemaphore(slots);
  const acker = createOutboxAcker({ pool: options.deps.pool, log });
  const toQueues = createHandoff({ factory: options.factory, pool: options.deps.pool, log });
  // A process that works the events queue projects the events it commits itself.
  const events = queues.includes('events') ? processors.find((p) => p.queue === 'events') : undefined;
  const handoff =
    events === undefined
      ? toQueues
      : projectInline({
          events: events.create({ queues: options.factory, ...options.deps }),
          ack: acker.ack,
          handOnRest: toQueues,
          log,
        });
  const apply = createCommandApplier({ ...options.deps, handoff });
  // The jobs each queue's worker is running, to hand back if it is stopped past its grace.
  const running = new Map<string, Set<Job>>();
  // One worker per queue, and per shard of a split stage queue (the shards share the processor).
  const workers: AppWorker[] = queues.flatMap((queue) => {
    const processor = processors
      .find((p) => p.queue === queue)
      ?.create({ queues: options.factory, handoff, apply, ...options.deps }) as JobProcessor;
    return options.factory.queueNames(queue).map((name) => {
      const held = new Set<Job>();
      running.set(name, held);
      return options.factory.worker(
        name,
        tracking(
          acknowledging((job) => limit(() => processor(job)), acker.ack),
          held,
        ),
        {
          concurrency: options.concurrency,
          ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
          ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
        },
      );
    });
  });
  log.info(
    { queues, concurrency: options.concurrency, databaseSlots: slots, backend: options.factory.backend },
    'workers started',
  );

  let closing: Promise<void> | undefined;
  return {
    queues,
    close() {
      closing ??= (async () => {
        const timeoutMs = options.closeTimeoutMs ?? 10_000;
        await Promise.all(
          workers.map(async (worker) => {
            try {
              // An idle worker has no job to wait for: closed with force, it drops its
              // blocking connection instead of sending QUIT, which after a Redis Cluster
              // outage can wait out the whole timeout on a connection still reconnecting.
              // On the PostgreSQL backend a forced close cuts the worker's query under it
              // ("Connection terminated"): it closes gracefully there, as it never waits.
              const idle = (running.get(worker.name)?.size ?? 0) === 0;
              const force = idle && options.factory.backend === 'redis';
              await withTimeout(worker.close(force), timeoutMs, 'worker close');
            } catch (error) {
              // BullMQ has no way to stop waiting once close() began (close(true) returns the
              // same promise): signal the running jobs, hand them back to wait under their own
              // lock tokens so another worker takes them now (not after their locks lapse and
              // the stall check runs), and move on. Applying twice is a no-op.
              worker.cancelAllJobs('worker shutting down');
              const released = await releaseRunning(running.get(worker.name));
              log.warn(
                { queue: worker.name, timeoutMs, released, err: { message: (error as Error).message } },
                'worker did not stop in time, closing anyway',
              );
            }
          }),
        );
        await acker.close();
        log.info({ queues }, 'workers stopped');
      })();
      return closing;
    },
  };
}

/** Finished work (done, or failed beyond any retry) lets its outbox row go. */
function acknowledging(processor: JobProcessor, ack: (jobId: string | undefined) => void): JobProcessor {
  return async (job) => {
    try {
      const result = await processor(job);
      ack(job.id);
      return result;
    } catch (error) {
      if (error instanceof UnrecoverableError) ack(job.id);
      throw error;
    }
  };
}

function tracking(processor: JobProcessor, running: Set<Job>): JobProcessor {
  return async (job) => {
    running.add(job);
    try {
      return await processor(job);
    } finally {
      running.delete(job);
    }
  };
}

/** Moves jobs still running here back to wait (each under its own lock); returns how many went. */
async function releaseRunning(jobs: Set<Job> | undefined): Promise<number> {
  const moved = await Promise.all(
    [...(jobs ?? [])].map((job) =>
      job.moveToWait(job.token).then(
        () => 1,
        () => 0,
      ),
    ),
  );
  return moved.reduce((sum: number, n) => sum + n, 0);
}
