import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { COMMAND_TYPES, OPEN_STAGES, QUEUE_NAMES, type CommandType, type OpenStage } from '../domain/index.ts';
import { countOverdueByStage, outboxBacklog } from './db/stats.repository.ts';
import type { Logger } from './logger.ts';
import type { QueueFactory } from './queue/queue-factory.ts';
import { withTimeout } from './queue/time-limit.ts';

// One registry per process: counters count what this process did (workers and API run in
// one process by default); gauges are read from Postgres and the queues at each scrape.

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

const commandsTotal = new Counter({
  name: 'casetrail_commands_total',
  help: 'Commands applied or rejected by this process, by command type and result',
  labelNames: ['type', 'result'] as const,
  registers,
});

const commandRejectionsTotal = new Counter({
  name: 'casetrail_command_rejections_total',
  help: 'Commands rejected by this process, by command type and problem code',
  labelNames: ['type', 'code'] as const,
  registers,
});

const transitionLatency = new Histogram({
  name: 'casetrail_transition_latency_seconds',
  help: "From a command's job entering its stage queue to the command applied (the wait before is casetrail_outbox_lag_seconds)",
  labelNames: ['type'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers,
});

export const slaBreachesTotal = new Counter({
  name: 'casetrail_sla_breaches_total',
  help: 'case.sla_breached events appended by this process, by stage',
  labelNames: ['stage'] as const,
  registers,
});

export const webhookAttemptsTotal = new Counter({
  name: 'casetrail_webhook_attempts_total',
  help: 'Webhook POSTs made by this process, by result (delivered, retry, failed, blocked)',
  labelNames: ['result'] as const,
  registers,
});

const queueJobs = new Gauge({
  name: 'casetrail_queue_jobs',
  help: 'Jobs in each queue by state (waiting, active, delayed, failed), read at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers,
});

const outboxRows = new Gauge({
  name: 'casetrail_outbox_rows',
  help: 'Outbox rows: unpublished (not yet in a queue) and in_flight (published, work not finished)',
  labelNames: ['state'] as const,
  registers,
});

const outboxLag = new Gauge({
  name: 'casetrail_outbox_lag_seconds',
  help: 'Age of the oldest outbox row not yet published (0 when none waits)',
  registers,
});

const casesOverdue = new Gauge({
  name: 'casetrail_cases_overdue',
  help: 'Open cases past their stage deadline, by stage',
  labelNames: ['stage'] as const,
  registers,
});

// Every known series starts at zero, so a rate() sees the first increment and a dashboard
// shows the stage that never breached.
for (const type of COMMAND_TYPES) for (const result of ['applied', 'rejected']) commandsTotal.inc({ type, result }, 0);
for (const stage of OPEN_STAGES) slaBreachesTotal.inc({ stage }, 0);
for (const result of ['delivered', 'retry', 'failed', 'blocked']) webhookAttemptsTotal.inc({ result }, 0);

export function recordCommandOutcome(
  type: CommandType,
  outcome: { status: 'applied'; latencyMs: number } | { status: 'rejected'; code: string },
): void {
  commandsTotal.inc({ type, result: outcome.status });
  if (outcome.status === 'applied') transitionLatency.observe({ type }, Math.max(0, outcome.latencyMs) / 1000);
  else commandRejectionsTotal.inc({ type, code: outcome.code });
}

export function countSlaBreach(stage: OpenStage): void {
  slaBreachesTotal.inc({ stage });
}

export type GaugeSources = { pool: pg.Pool; queues?: Pick<QueueFactory, 'queues'>; log: Logger };

const SCRAPE_TIMEOUT_MS = 2_000;

/**
 * Reads the gauges' current values. A source that does not answer in time leaves its
 * series out of this scrape (a missing series is what alerting on absence is for) rather
 * than holding the scrape or reporting a stale value.
 */
export async function refreshGauges(sources: GaugeSources): Promise<void> {
  queueJobs.reset();
  outboxRows.reset();
  outboxLag.reset();
  casesOverdue.reset();
  const queues = sources.queues;
  await Promise.all([
    ...(queues === undefined ? [] : QUEUE_NAMES.map((name) => readQueue(queues, name, sources.log))),
    withTimeout(outboxBacklog(sources.pool), SCRAPE_TIMEOUT_MS, 'outbox metrics').then(
      (backlog) => {
        outboxRows.set({ state: 'unpublished' }, backlog.unpublished);
        outboxRows.set({ state: 'in_flight' }, backlog.inFlight);
        outboxLag.set(backlog.lagSeconds);
      },
      (error: unknown) =>
        sources.log.warn({ err: { message: (error as Error).message } }, 'outbox metrics unavailable'),
    ),
    withTimeout(countOverdueByStage(sources.pool), SCRAPE_TIMEOUT_MS, 'overdue metrics').then(
      (rows) => {
        for (const stage of OPEN_STAGES) casesOverdue.set({ stage }, rows.find((r) => r.stage === stage)?.n ?? 0);
      },
      (error: unknown) =>
        sources.log.warn({ err: { message: (error as Error).message } }, 'overdue metrics unavailable'),
    ),
  ]);
}

async function readQueue(
  queues: Pick<QueueFactory, 'queues'>,
  name: (typeof QUEUE_NAMES)[number],
  log: Logger,
): Promise<void> {
  try {
    // A split stage queue counts as one: the sum of its shards.
    const shards = await withTimeout(
      Promise.all(
        queues.queues(name).map((queue) => queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed')),
      ),
      SCRAPE_TIMEOUT_MS,
      `job counts of ${name}`,
    );
    const sum = (state: string) => shards.reduce((total, counts) => total + (counts[state] ?? 0), 0);
    queueJobs.set({ queue: name, state: 'waiting' }, sum('wait') + sum('prioritized'));
    for (const state of ['active', 'delayed', 'failed'] as const) queueJobs.set({ queue: name, state }, sum(state));
  } catch (error) {
    log.warn({ queue: name, err: { message: (error as Error).message } }, 'queue metrics unavailable');
  }
}
