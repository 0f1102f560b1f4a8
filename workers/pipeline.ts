import type { QueueName } from '../src/domain/index.ts';
import type { Config } from '../src/infra/config/config.ts';
import { startOutboxRelay, type OutboxRelay } from '../src/infra/queue/outbox-relay.ts';
import type { QueueFactory } from '../src/infra/queue/queue-factory.ts';
import { startReconciler, type Reconciler } from '../src/infra/queue/reconciler.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { BARRIER_TIMEOUT_MS } from '../src/app/seal-checkpoint.ts';
import { startAuditSealer, type AuditSealer } from './audit-sealer.ts';
import { startWorkers, type RunningWorkers } from './start-workers.ts';
import { startFileSweeper, type FileSweeper } from './file-sweeper.ts';
import { startSlaSweeper, type SlaSweeper } from './sla-sweeper.ts';
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
  /** How often the reconciler puts active jobs no worker holds back to wait (default 2 s). */
  abandonedCheckIntervalMs?: number;
  /** Audit checkpoints: every N events or T ms (defaults 1000 and 30 s). */
  checkpointEvents?: number;
  checkpointIntervalMs?: number;
  /** How often the SLA sweeper breaches overdue visits whose timer was lost (default 60 s). */
  slaSweepIntervalMs?: number;
  /** The file sweeper (with a store in the deps): how often, and the age of what it removes (default 1 h, 24 h). */
  fileSweepIntervalMs?: number;
  fileSweepGraceMs?: number;
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
  /** The checkpoint key: given, the audit sealer runs where the relay runs (safe in several processes). */
  signing?: Pick<Runtime['secrets'], 'signingKey' | 'publicKey'>;
}

export interface Pipeline {
  workers: RunningWorkers;
  reconciler: Reconciler | null;
  sealer: AuditSealer | null;
  slaSweeper: SlaSweeper | null;
  fileSweeper: FileSweeper | null;
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
    abandonedCheckIntervalMs: config.CASETRAIL_ABANDONED_CHECK_INTERVAL,
    checkpointEvents: config.CASETRAIL_CHECKPOINT_EVENTS,
    checkpointIntervalMs: config.CASETRAIL_CHECKPOINT_INTERVAL,
    slaSweepIntervalMs: config.CASETRAIL_SLA_SWEEP_INTERVAL,
    fileSweepIntervalMs: config.CASETRAIL_FILE_SWEEP_INTERVAL,
    fileSweepGraceMs: config.CASETRAIL_FILE_SWEEP_GRACE,
  };
}

export function pipelineDeps(runtime: Pick<Runtime, 'config' | 'log' | 'secrets' | 'db'>): ProcessorDeps {
  const { config } = runtime;
  return {
    pool: runtime.db.pool,
    log: runtime.log,
    hmacKey: runtime.secrets.hmacKey,
    claimLeaseMs: config.CASETRAIL_CLAIM_LEASE,
    clockSkewMs: config.CASETRAIL_CLOCK_SKEW,
    sla: {
      received: config.CASETRAIL_SLA_RECEIVED,
      verified: config.CASETRAIL_SLA_VERIFIED,
      referred: config.CASETRAIL_SLA_REFERRED,
      penalty_issued: config.CASETRAIL_SLA_PENALTY_ISSUED,
    },
    webhooks: { timeoutMs: config.CASETRAIL_WEBHOOK_TIMEOUT, allowCidrs: config.CASETRAIL_WEBHOOK_ALLOW_CIDRS },
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
  let sealer: AuditSealer | null = null;
  let slaSweeper: SlaSweeper | null = null;
  let fileSweeper: FileSweeper | null = null;
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
      ...(settings.abandonedCheckIntervalMs === undefined
        ? {}
        : { abandonedIntervalMs: settings.abandonedCheckIntervalMs }),
      batchSize: settings.relayBatchSize,
    });
    if (options.signing !== undefined) sealer = startSealerFor(deps, options.signing, settings);
    slaSweeper = startSlaSweeper({
      deps,
      queues: factory,
      intervalMs: settings.slaSweepIntervalMs ?? 60_000,
      batchSize: settings.relayBatchSize,
    });
    if (deps.store !== undefined) {
      fileSweeper = startFileSweeper({
        deps: { pool: deps.pool, log: deps.log, store: deps.store },
        intervalMs: settings.fileSweepIntervalMs ?? 3_600_000,
        graceMs: settings.fileSweepGraceMs ?? 86_400_000,
        batchSize: settings.relayBatchSize,
      });
    }
  }
  let closing: Promise<void> | undefined;
  return {
    workers,
    reconciler,
    sealer,
    slaSweeper,
    fileSweeper,
    close() {
      closing ??= (async () => {
        await Promise.all([
          relay?.close(),
          reconciler?.close(),
          sealer?.close(),
          slaSweeper?.close(),
          fileSweeper?.close(),
        ]);
        await workers.close();
      })();
      return closing;
    },
  };
}

function startSealerFor(
  deps: ProcessorDeps,
  signing: NonNullable<PipelineOptions['signing']>,
  settings: PipelineSettings,
): AuditSealer {
  const maxAgeMs = settings.checkpointIntervalMs ?? 30_000;
  return startAuditSealer({
    deps: { pool: deps.pool, log: deps.log, signingKey: signing.signingKey, publicKey: signing.publicKey },
    policy: { maxEvents: settings.checkpointEvents ?? 1000, maxAgeMs, barrierTimeoutMs: BARRIER_TIMEOUT_MS },
    // Looks often enough that no event waits much longer than T, and at most once a second.
    pollMs: Math.min(1_000, Math.max(50, Math.floor(maxAgeMs / 4))),
  });
}
