import { sweepOverdueVisits, type SlaDeps, type SweepResult } from '../src/app/sla-breach.ts';
import { sweepOrphanSlaTimers, type TimerDeps } from '../src/app/sla-timers.ts';
import { startPeriodic } from '../src/infra/queue/periodic.ts';

export interface SlaSweeperOptions {
  deps: SlaDeps;
  /** The producers: with them, each round also removes one page of timers whose visit is over. */
  queues?: TimerDeps['queues'];
  intervalMs: number;
  /** Visits breached per round; a full round starts the next one at once. */
  batchSize: number;
}

type SlaSweepRound = SweepResult & { orphanTimersRemoved?: number };

export interface SlaSweeper {
  /** One round now (what the timer runs); for tools and tests. */
  runOnce(): Promise<SlaSweepRound>;
  close(): Promise<void>;
}

/**
 * The safety net under the SLA timers: the delayed jobs live in the queue backend, and a
 * Redis that loses its keys loses them. Every intervalMs this breaches, from Postgres alone,
 * every overdue visit that has no breach yet, so a lost timer is late by at most one
 * interval. With the queues, it also walks the delayed timers a page per round and removes
 * those whose visit is over, so none outlives its visit by long. Runs next to the outbox
 * relay in every pipeline process (breaches are claimed once, so several sweepers agree).
 */
export function startSlaSweeper(options: SlaSweeperOptions): SlaSweeper {
  const log = options.deps.log.child({ component: 'sla-sweeper' });
  const deps = { ...options.deps, log };
  const queues = options.queues;
  let offset = 0;
  const round = async (): Promise<SlaSweepRound> => {
    const overdue = await sweepOverdueVisits(deps, options.batchSize);
    if (queues === undefined) return overdue;
    const orphans = await sweepOrphanSlaTimers({ pool: deps.pool, queues }, offset, options.batchSize);
    offset = orphans.next;
    return { ...overdue, orphanTimersRemoved: orphans.removed };
  };
  return startPeriodic({
    log,
    messages: { down: 'sla sweep failed, will retry', up: 'sla sweep recovered' },
    intervalMs: options.intervalMs,
    run: round,
    after: (result) => {
      if (result.breached > 0) log.info(result, 'sla sweeper breached overdue visits');
      if ((result.orphanTimersRemoved ?? 0) > 0) log.info(result, 'sla sweeper removed timers of ended visits');
      return result.overdue >= options.batchSize && result.breached > 0;
    },
  });
}
