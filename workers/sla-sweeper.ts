import { sweepOverdueVisits, type SlaDeps, type SweepResult } from '../src/app/sla-breach.ts';
import { startPeriodic } from '../src/infra/queue/periodic.ts';

export interface SlaSweeperOptions {
  deps: SlaDeps;
  intervalMs: number;
  /** Visits breached per round; a full round starts the next one at once. */
  batchSize: number;
}

export interface SlaSweeper {
  /** One round now (what the timer runs); for tools and tests. */
  runOnce(): Promise<SweepResult>;
  close(): Promise<void>;
}

/**
 * The safety net under the SLA timers: the delayed jobs live in the queue backend, and a
 * Redis that loses its keys loses them. Every intervalMs this breaches, from Postgres alone,
 * every overdue visit that has no breach yet, so a lost timer is late by at most one
 * interval. Runs next to the outbox relay in every pipeline process (breaches are claimed
 * once, so several sweepers agree).
 */
export function startSlaSweeper(options: SlaSweeperOptions): SlaSweeper {
  const log = options.deps.log.child({ component: 'sla-sweeper' });
  const deps = { ...options.deps, log };
  return startPeriodic({
    log,
    messages: { down: 'sla sweep failed, will retry', up: 'sla sweep recovered' },
    intervalMs: options.intervalMs,
    run: () => sweepOverdueVisits(deps, options.batchSize),
    after: (round) => {
      if (round.breached > 0) log.info(round, 'sla sweeper breached overdue visits');
      return round.overdue >= options.batchSize && round.breached > 0;
    },
  });
}
