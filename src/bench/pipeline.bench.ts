import { generateKeyPairSync, randomBytes, createPublicKey } from 'node:crypto';
import { Redis } from 'ioredis';
import { pipelineDeps, pipelineSettings, startPipeline } from '../../workers/index.ts';
import { submitCommand } from '../app/submit-command.ts';
import type { Config } from '../infra/config/config.ts';
import { createCommandInbox } from '../infra/db/command-inbox.ts';
import { createCommandWaiter, type CommandWaiter } from '../infra/db/command-waiter.ts';
import { openDatabase } from '../infra/db/database.ts';
import type { Logger } from '../infra/logger.ts';
import { createHandoff } from '../infra/queue/publish.ts';
import type { QueueBackendKind, QueueFactory } from '../infra/queue/queue-factory.ts';
import { runBaseline } from './baseline.bench.ts';
import { PIPELINE_STEPS, parsedPayload } from './bench-bodies.ts';
import {
  benchQueues,
  createBenchDatabase,
  dropQueues,
  percentile,
  progress,
  round,
  rssSampler,
  startCpuMeter,
  cpuPer,
  type CpuUse,
} from './bench-services.ts';
import { fillHistory, historyCopies } from './history.ts';
import { benchPrefix } from './leftovers.ts';

export type PipelineBenchOptions = {
  backend: QueueBackendKind;
  adminUrl: string;
  redisUrl?: string;
  cases: number;
  /** Cases in flight at once during the peak run. */
  inflight: number;
  config: Config;
  log: Logger;
  tty: boolean;
};

export type PipelineBenchResult = {
  scenario: 'pipeline';
  backend: QueueBackendKind;
  cases: number;
  commands: number;
  rejected: number;
  seconds: number;
  commandsPerSec: number;
  baselineHopsPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (this process, the database's backends, Redis) per command and per baseline hop. */
  cpuMsPerCommand: CpuUse;
  baselineCpuMsPerHop: CpuUse;
  /** Baseline CPU per hop over casetrail's per command: the ratio a quiet machine would show. */
  cpuRatio: number;
  halfRate: { commandsPerSec: number; p50Ms: number; p99Ms: number };
  peakRssMb: number;
  /** Case rows in the database while casetrail's side was measured (its history, see fillHistory, and the warm-up's). */
  historyCases: number;
  target: { ratio: number; p99Ms: number };
};

/**
 * N cases through submit → claim → verify → refer → penalty → close, each command
 * accepted as the API accepts it (command + outbox row) and awaited as ?wait=true awaits
 * it, against a bare-jobs baseline on the same backend over the same number of hops.
 */
export async function runPipelineBench(options: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const rss = rssSampler();
  const db = await createBenchDatabase(options.adminUrl);
  const prefix = benchPrefix('bench');
  try {
    const warmup = warmupCases(options.cases);
    const baselineRun = (cases: number, onHop?: () => void) =>
      runBaseline({
        backend: options.backend,
        databaseUrl: db.url,
        ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
        prefix: `${prefix}-base`,
        cases,
        hopsPerCase: PIPELINE_STEPS.length,
        concurrency: Math.max(1, options.config.CASETRAIL_DB_POOL_SIZE - 4),
        log: options.log,
        ...(onHop === undefined ? {} : { onHop }),
      });
    await baselineRun(warmup);
    const copies = historyCopies(options.cases, warmup);
    await fillHistory(db.url, 'baseline', copies);
    const baselineBar = progress(`baseline (${options.backend})`, options.cases * PIPELINE_STEPS.length, options.tty);
    const baseline = await baselineRun(options.cases, () => baselineBar.tick());
    baselineBar.done();

    const system = await startBenchSystem({ ...options, databaseUrl: db.url, prefix });
    const { database, intake, waiter, redis } = system;
    try {
      const halfCases = Math.max(1, Math.floor(options.cases / 2));
      await driveCases(intake, waiter, range(warmup, options.cases + halfCases), {
        inflight: options.inflight,
        onCommand: () => undefined,
      });
      const historyCases = await fillHistory(db.url, 'casetrail', copies);
      const total = options.cases * PIPELINE_STEPS.length;
      const bar = progress(`casetrail (${options.backend})`, total, options.tty);
      const peakStart = new Date();
      const cpu = await startCpuMeter({ pool: intake.pool, ...(redis === undefined ? {} : { redis }) });
      const started = performance.now();
      await driveCases(intake, waiter, range(options.cases), {
        inflight: options.inflight,
        onCommand: () => bar.tick(),
      });
      const seconds = (performance.now() - started) / 1000;
      const used = await cpu.stop();
      bar.done();
      const peak = await latencies(database.pool, peakStart);
      const commandsPerSec = total / seconds;

      // Half of peak throughput: start cases at a fixed rate, open loop.
      const caseRate = commandsPerSec / 2 / PIPELINE_STEPS.length;
      const halfBar = progress(`casetrail at half rate`, halfCases * PIPELINE_STEPS.length, options.tty);
      const halfStart = new Date();
      const halfStarted = performance.now();
      await driveAtRate(intake, waiter, range(halfCases, options.cases), caseRate, () => halfBar.tick());
      const halfSeconds = (performance.now() - halfStarted) / 1000;
      halfBar.done();
      const half = await latencies(database.pool, halfStart);

      return {
        scenario: 'pipeline',
        backend: options.backend,
        cases: options.cases,
        commands: total,
        rejected: peak.rejected + half.rejected,
        seconds: round(seconds),
        commandsPerSec: round(commandsPerSec, 1),
        baselineHopsPerSec: round(baseline.hopsPerSec, 1),
        ratio: round(commandsPerSec / baseline.hopsPerSec, 3),
        p50Ms: peak.p50,
        p99Ms: peak.p99,
        cpuMsPerCommand: cpuPer(used, total),
        baselineCpuMsPerHop: cpuPer(baseline.cpu, baseline.hops),
        cpuRatio: round(baseline.cpu.totalMs / baseline.hops / (used.totalMs / total), 3),
        halfRate: {
          commandsPerSec: round((halfCases * PIPELINE_STEPS.length) / halfSeconds, 1),
          p50Ms: half.p50,
          p99Ms: half.p99,
        },
        peakRssMb: rss.peakMb(),
        historyCases,
        target: { ratio: 0.5, p99Ms: 250 },
      };
    } finally {
      await system.close();
    }
  } finally {
    rss.stop();
    await db.drop();
  }
}

export type BenchSystem = {
  database: ReturnType<typeof openDatabase>;
  factory: QueueFactory;
  intake: Intake;
  waiter: CommandWaiter;
  redis: Redis | undefined;
  close(): Promise<void>;
};

/**
 * casetrail as a deployment runs it, in this process, on a bench database: every worker
 * with the relay and the reconciler, and an API side with its own pool that accepts
 * commands as the API does (command + outbox row, handed to its queue) and awaits them as
 * ?wait=true does.
 */
export async function startBenchSystem(options: {
  backend: QueueBackendKind;
  redisUrl?: string;
  databaseUrl: string;
  prefix: string;
  config: Config;
  log: Logger;
}): Promise<BenchSystem> {
  const db = { url: options.databaseUrl };
  const database = openDatabase(db.url, { poolSize: options.config.CASETRAIL_DB_POOL_SIZE, log: options.log });
  const factory = await benchQueues({
    ...options,
    databaseUrl: db.url,
    prefix: options.prefix,
    jobs: { attempts: options.config.CASETRAIL_JOB_ATTEMPTS, backoffMs: options.config.CASETRAIL_JOB_BACKOFF },
    postgresPoolSize: options.config.CASETRAIL_QUEUE_DB_POOL_SIZE,
  });
  const signingKey = generateKeyPairSync('ed25519').privateKey;
  const runtime = {
    config: options.config,
    log: options.log,
    db: database,
    secrets: {
      hmacKey: randomBytes(32),
      signingKey,
      publicKey: createPublicKey(signingKey),
      secretsKey: randomBytes(32),
    },
  };
  const pipeline = await startPipeline({
    deps: pipelineDeps(runtime),
    databaseUrl: db.url,
    factory,
    queues: 'all',
    settings: pipelineSettings(options.config),
  });
  // The clients' side (what the API does) has its own pool, as an API process would: the
  // workers' pool is sized to their concurrency.
  const api = openDatabase(db.url, { poolSize: options.config.CASETRAIL_DB_POOL_SIZE, log: options.log });
  const redis = options.redisUrl === undefined ? undefined : new Redis(options.redisUrl, { lazyConnect: true });
  const waiter = createCommandWaiter({ pool: api.pool, log: options.log, pollMs: 250 });
  await waiter.start();
  // Accepted as the API accepts a command: stored with its outbox row, then handed to its queue.
  const intake: Intake = {
    pool: api.pool,
    inbox: createCommandInbox(api.pool),
    handoff: createHandoff({ factory, pool: api.pool, log: options.log }),
  };
  return {
    database,
    factory,
    intake,
    waiter,
    redis,
    async close() {
      await waiter.close();
      redis?.disconnect();
      await api.close();
      await pipeline.close();
      // The run's queues go with it (its database is dropped by the caller).
      await dropQueues(factory);
      await factory.close();
      await database.close();
    },
  };
}

export const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/**
 * Cases each side runs untimed before it is measured, so that both are measured warm (JIT,
 * pools, prepared statements, queues): a tenth of the run, at least 20, never more than it.
 */
export const warmupCases = (cases: number) => Math.min(cases, Math.max(20, Math.round(cases / 10)));

export type Intake = Parameters<typeof submitCommand>[0];
type Pool = Intake['pool'];

async function runCase(intake: Intake, waiter: CommandWaiter, n: number, onCommand: () => void): Promise<void> {
  let caseId: string | undefined;
  for (const step of PIPELINE_STEPS) {
    const accepted = await submitCommand(intake, {
      actor: step.actor,
      type: step.type,
      ...(caseId === undefined ? {} : { caseId }),
      payload: parsedPayload(step.type, step.body(n)),
    });
    if (!accepted.ok) throw new Error(`bench command refused: ${accepted.code}`);
    caseId = accepted.caseId;
    const finished = await waiter.wait(accepted.commandId, 60_000, { justStored: !accepted.replayed });
    if (finished === null) throw new Error(`bench command ${accepted.commandId} still pending after 60 s`);
    onCommand();
  }
}

export async function driveCases(
  intake: Intake,
  waiter: CommandWaiter,
  cases: number[],
  options: { inflight: number; onCommand: () => void },
) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(options.inflight, cases.length) }, async () => {
    while (next < cases.length) {
      const n = cases[next++] as number;
      await runCase(intake, waiter, n, options.onCommand);
    }
  });
  await Promise.all(lanes);
}

async function driveAtRate(
  intake: Intake,
  waiter: CommandWaiter,
  cases: number[],
  casesPerSec: number,
  onCommand: () => void,
) {
  const interval = 1000 / Math.max(casesPerSec, 0.001);
  const start = performance.now();
  const running: Promise<void>[] = [];
  for (const [i, n] of cases.entries()) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    running.push(runCase(intake, waiter, n, onCommand));
  }
  await Promise.all(running);
}

/** Accepted → applied latency of the commands accepted since `since`, from the database clock. */
export async function latencies(pool: Pool, since: Date): Promise<{ p50: number; p99: number; rejected: number }> {
  const { rows } = await pool.query<{ ms: number; status: string }>(
    `SELECT extract(epoch FROM applied_at - created_at) * 1000 AS ms, status FROM commands WHERE created_at >= $1 AND status <> 'pending'`,
    [since],
  );
  const sorted = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50), 1),
    p99: round(percentile(sorted, 99), 1),
    rejected: rows.filter((r) => r.status === 'rejected').length,
  };
}
