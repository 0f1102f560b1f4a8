import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createCommandInbox } from '../infra/db/command-inbox.ts';
import { createCommandWaiter } from '../infra/db/command-waiter.ts';
import { openDatabase } from '../infra/db/database.ts';
import type { Logger } from '../infra/logger.ts';
import { createHandoff } from '../infra/queue/publish.ts';
import type { QueueBackendKind } from '../infra/queue/queue-factory.ts';
import { PIPELINE_STEPS } from './bench-bodies.ts';
import { benchQueues, createBenchDatabase, dropQueues, progress, round } from './bench-services.ts';
import { fillHistory, historyCopies } from './history.ts';
import { benchPrefix } from './leftovers.ts';
import { driveCases, latencies, range, warmupCases, type Intake } from './pipeline.bench.ts';

export type ScalingBenchOptions = {
  backend: QueueBackendKind;
  adminUrl: string;
  redisUrl?: string;
  cases: number;
  inflight: number;
  /** Worker process counts to run, e.g. [1, 2, 4]. */
  workers: number[];
  log: Logger;
  tty: boolean;
};

export type ScalingRow = { workers: number; commandsPerSec: number; p50Ms: number; p99Ms: number; seconds: number };
export type ScalingBenchResult = { scenario: 'scaling'; backend: QueueBackendKind; cases: number; rows: ScalingRow[] };

const CASETRAIL_BIN = fileURLToPath(new URL('../../bin/casetrail.mjs', import.meta.url));

/**
 * The pipeline scenario with its workers as separate `casetrail worker --queues all`
 * processes, 1, 2, 4... of them, each run on a database and queue prefix of its own; this
 * process plays the API (stores, hands off, waits). Scaling past the machine's cores only
 * shows what the machine has left: the table says how throughput follows the processes.
 */
export async function runScalingBench(options: ScalingBenchOptions): Promise<ScalingBenchResult> {
  const rows: ScalingRow[] = [];
  for (const count of options.workers) rows.push(await runWith(count, options));
  return { scenario: 'scaling', backend: options.backend, cases: options.cases, rows };
}

async function runWith(count: number, options: ScalingBenchOptions): Promise<ScalingRow> {
  const db = await createBenchDatabase(options.adminUrl);
  const prefix = benchPrefix('scale');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-scaling-'));
  const database = openDatabase(db.url, { poolSize: 20, log: options.log });
  const factory = await benchQueues({ ...options, databaseUrl: db.url, prefix });
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    CASETRAIL_QUEUE_BACKEND: options.backend,
    ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }),
    CASETRAIL_REDIS_PREFIX: prefix,
    CASETRAIL_DATA_DIR: dataDir,
    CASETRAIL_HMAC_KEY: randomBytes(32).toString('hex'),
    CASETRAIL_SIGNING_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'der' })
      .toString('base64'),
    LOG_LEVEL: 'info',
  };
  const workers: ChildProcess[] = [];
  const waiter = createCommandWaiter({ pool: database.pool, log: options.log, pollMs: 250 });
  try {
    await Promise.all(range(count).map(() => startWorker(env, workers)));
    await waiter.start();
    const intake: Intake = {
      pool: database.pool,
      inbox: createCommandInbox(database.pool),
      handoff: createHandoff({ factory, pool: database.pool, log: options.log }),
    };
    // Measured warm, on a database with history, as the pipeline scenario is (see fillHistory).
    const warmup = warmupCases(options.cases);
    await driveCases(intake, waiter, range(warmup, options.cases), {
      inflight: options.inflight,
      onCommand: () => undefined,
    });
    await fillHistory(db.url, 'casetrail', historyCopies(options.cases, warmup));
    const total = options.cases * PIPELINE_STEPS.length;
    const bar = progress(`${count} worker process${count === 1 ? '' : 'es'}`, total, options.tty);
    const since = new Date();
    const started = performance.now();
    await driveCases(intake, waiter, range(options.cases), { inflight: options.inflight, onCommand: () => bar.tick() });
    const seconds = (performance.now() - started) / 1000;
    bar.done();
    const latency = await latencies(database.pool, since);
    return {
      workers: count,
      commandsPerSec: round(total / seconds, 1),
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      seconds: round(seconds),
    };
  } finally {
    await waiter.close();
    await Promise.all(workers.map(stopWorker));
    await dropQueues(factory);
    await factory.close();
    await database.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Starts `casetrail worker --queues all` and waits for its "workers started" line. Its IPC
 * channel ties it to this process: should the bench die, even by kill -9, the worker stops.
 */
function startWorker(env: NodeJS.ProcessEnv, workers: ChildProcess[]): Promise<void> {
  const child = spawn(process.execPath, [CASETRAIL_BIN, 'worker', '--queues', 'all'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  workers.push(child);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a worker process did not start within 60 s')), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a worker process exited with status ${code} while starting`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('"casetrail workers started"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Every worker process started and not yet exited, of whichever run. */
const running = new Set<ChildProcess>();

/**
 * Kills (SIGKILL) every worker process still running: a run interrupted removes its queue
 * keys after this, so that no worker writes them again meanwhile.
 */
export async function killWorkerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
