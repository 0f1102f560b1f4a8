// casetrail as separate processes, the way it is scaled out: one `casetrail start
// --no-workers` (the API) and any number of `casetrail worker --queues all`, on a test
// database and a queue backend of the test's choosing. Workers can be killed with SIGKILL
// and replaced; every process's log lines stay available after it is gone.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createUser } from '../../src/app/users.ts';
import type { Role } from '../../src/domain/index.ts';
import { openDatabase, type Database } from '../../src/infra/db/database.ts';
import type { QueueBackendKind } from '../../src/infra/queue/queue-factory.ts';
import { startCasetrail, type CasetrailProcess, type ProcessLogLine } from './child-process.ts';

/** Recovery in seconds rather than minutes: short job locks, stall checks and reconciler ages. */
const FAST_RECOVERY_ENV: Record<string, string> = {
  CASETRAIL_JOB_LOCK_DURATION: '2s',
  CASETRAIL_JOB_STALLED_INTERVAL: '1s',
  CASETRAIL_JOB_BACKOFF: '200ms',
  CASETRAIL_JOB_ATTEMPTS: '6',
  CASETRAIL_RECONCILE_INTERVAL: '500ms',
  CASETRAIL_RECONCILE_AFTER: '2s',
  CASETRAIL_RELAY_POLL_INTERVAL: '200ms',
  CASETRAIL_WORKER_CLOSE_TIMEOUT: '3s',
  CASETRAIL_WORKER_CONCURRENCY: '4',
  CASETRAIL_DB_POOL_SIZE: '10',
};

export const TEST_HMAC_KEY = 'child-system-hmac-key-of-at-least-32-chars';

export type ChildSystemOptions = {
  databaseUrl: string;
  backend: QueueBackendKind;
  redisUrl?: string;
  /** CASETRAIL_REDIS_PREFIX: unique per test so runs never share queues. */
  prefix: string;
  workers: number;
  /** Extra or overriding environment for every process. */
  env?: Record<string, string>;
};

export type ChildUser = { id: string; name: string; roles: Role[]; token: string; tokenId: string };

export interface ChildSystem {
  baseUrl: string;
  env: Record<string, string>;
  api: CasetrailProcess;
  /** The running workers, in start order. */
  readonly workers: CasetrailProcess[];
  /** Every process started so far, killed ones included. */
  readonly processes: CasetrailProcess[];
  /** Log lines of every process, each with the name of its process. */
  logLines(): (ProcessLogLine & { process: string })[];
  startWorker(): Promise<CasetrailProcess>;
  /** kill -9 of one running worker; it is not replaced. */
  kill9Worker(worker: CasetrailProcess): Promise<void>;
  createUser(roles: Role[], name?: string): Promise<ChildUser>;
  close(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

export async function startChildSystem(options: ChildSystemOptions): Promise<ChildSystem> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-child-'));
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    CASETRAIL_QUEUE_BACKEND: options.backend,
    ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }),
    CASETRAIL_REDIS_PREFIX: options.prefix,
    CASETRAIL_DATA_DIR: dataDir,
    CASETRAIL_HMAC_KEY: TEST_HMAC_KEY,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    CASETRAIL_RATE_LIMIT_MAX: '100000',
    CASETRAIL_RATE_LIMIT_ADDRESS_MAX: '1000000',
    ...FAST_RECOVERY_ENV,
    ...options.env,
  };
  const processes: CasetrailProcess[] = [];
  const workers: CasetrailProcess[] = [];
  const database: Database = openDatabase(options.databaseUrl, { poolSize: 2, log: pino({ level: 'silent' }) });
  let workerCount = 0;

  const startWorker = async (): Promise<CasetrailProcess> => {
    workerCount += 1;
    const worker = startCasetrail(`worker-${workerCount}`, ['worker', '--queues', 'all'], env);
    processes.push(worker);
    workers.push(worker);
    await worker.waitForLog((line) => line.msg === 'casetrail workers started', STARTUP_TIMEOUT_MS);
    return worker;
  };

  const close = async () => {
    await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    // The API starts first: it applies the migrations the workers then find done.
    const api = startCasetrail('api', ['start', '--no-workers'], env);
    processes.push(api);
    const started = await api.waitForLog((line) => line.msg === 'casetrail started', STARTUP_TIMEOUT_MS);
    const baseUrl = String(started.url);
    await Promise.all(Array.from({ length: options.workers }, () => startWorker()));
    return {
      baseUrl,
      env,
      api,
      workers,
      processes,
      logLines: () => processes.flatMap((p) => p.logs.map((line) => ({ ...line, process: p.name }))),
      startWorker,
      async kill9Worker(worker) {
        const index = workers.indexOf(worker);
        if (index === -1) throw new Error(`${worker.name} is not a running worker`);
        workers.splice(index, 1);
        await worker.kill9();
      },
      async createUser(roles, name) {
        const created = await createUser(database, {
          name: name ?? `${roles.join('-')}-${randomBytes(4).toString('hex')}`,
          roles,
        });
        if (!created.ok) throw new Error(created.detail);
        const { id, token, tokenId } = created.user;
        return { id, name: created.user.name, roles, token, tokenId };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
