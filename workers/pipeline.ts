import type { QueueName } from '../src/domain/index.ts';
import type { Config } from '../src/infra/config/config.ts';
import { startOutboxRelay, type OutboxRelay } from '../src/infra/queue/outbox-relay.ts';
import type { QueueFactory } from '../src/infra/queue/queue-factory.ts';
import { startReconciler, type Reconciler } from '../src/infra/queue/reconciler.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { startWorkers, type RunningWorkers } from './index.ts';
import type { ProcessorDeps, ProcessorDefinition } from './processor.ts';

export interface PipelineSettings {
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  closeTimeoutMs: number;
  relayPollIntervalMs: number;
  relayBatchSize: number;
  reconcileIntervalMs: number;
  reconcileAfterMs: number;
}

export interface PipelineOptions {
  deps: ProcessorDeps;
  /** For the relay's LISTEN connection. */
  databaseUrl: string;
  factory: QueueFactory;
  /** Queues to work on; the relay and the reconciler serve every queue regardless. */
  queues: readonly QueueName[] | 'all';
  settings: PipelineSettings;
  /** Run the outbox relay and the reconciler here (default true; both are safe in several processes). */
  relay?: boolean;
  processors?: readonly ProcessorDefinition[];
}

export interface Pipeline {
  workers: RunningWorkers;
  reconciler: Reconciler | null;
  /** Stops publishing first, then the workers (letting running jobs finish), then flushes. */
  close(): Promise<void>;
}

export function pipelineSettings(config: Config): PipelineSettings {
  return {
    concurrency: config.CASETRAIL_WORKER_CONCURRENCY,
    lockDurationMs: config.CASETRAIL_JOB_LOCK_DURATION,
    stalledIntervalMs: config.CASETRAIL_JOB_STALLED_INTERVAL,
    closeTimeoutMs: config.CASETRAIL_WORKER_CLOSE_TIMEOUT,
    relayPollIntervalMs: config.CASETRAIL_RELAY_POLL_INTERVAL,
    relayBatchSize: config.CASETRAIL_RELAY_BATCH_SIZE,
    reconcileIntervalMs: config.CASETRAIL_RECONCILE_INTERVAL,
    reconcileAfterMs: config.CASETRAIL_RECONCILE_AFTER,
  };
}

export function pipelineDeps(runtime: Pick<Runtime, 'config' | 'log' | 'secrets' | 'db'>): ProcessorDeps {
  const { config } = runtime;
  return {
    pool: runtime.db.pool,
    log: runtime.log,
    hmacKey: runtime.secrets.hmacKey,
    claimLeaseMs: config.CASETRAIL_CLAIM_LEASE,
    sla: {
      received: config.CASETRAIL_SLA_RECEIVED,
      verified: config.CASETRAIL_SLA_VERIFIED,
      referred: config.CASETRAIL_SLA_REFERRED,
      penalty_issued: config.CASETRAIL_SLA_PENALTY_ISSUED,
    },
  };
}

/** Workers, outbox relay and reconciler together, as `casetrail start` and `casetrail worker` run them. */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const { deps, factory, settings } = options;
  const workers = await startWorkers({
    deps,
    factory,
    queues: options.queues,
    concurrency: settings.concurrency,
    lockDurationMs: settings.lockDurationMs,
    stalledIntervalMs: settings.stalledIntervalMs,
    closeTimeoutMs: settings.closeTimeoutMs,
    ...(options.processors === undefined ? {} : { processors: options.processors }),
  });
  let relay: OutboxRelay | null = null;
  let reconciler: Reconciler | null = null;
  if (options.relay ?? true) {
    relay = startOutboxRelay({
      pool: deps.pool,
      databaseUrl: options.databaseUrl,
      factory,
      log: deps.log,
      pollIntervalMs: settings.relayPollIntervalMs,
      batchSize: settings.relayBatchSize,
    });
    reconciler = startReconciler({
      pool: deps.pool,
      factory,
      log: deps.log,
      intervalMs: settings.reconcileIntervalMs,
      afterMs: settings.reconcileAfterMs,
      batchSize: settings.relayBatchSize,
    });
  }
  let closing: Promise<void> | undefined;
  return {
    workers,
    reconciler,
    close() {
      closing ??= (async () => {
        await Promise.all([relay?.close(), reconciler?.close()]);
        await workers.close();
      })();
      return closing;
    },
  };
}
