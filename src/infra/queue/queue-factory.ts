import {
  Queue,
  UnrecoverableError,
  Worker,
  createPostgresBackend,
  SchemaMigrationRequiredError,
  SchemaVersionMismatchError,
  assertSchemaCompatibility,
  runMigrations,
  type DefaultJobOptions,
  type Job,
  type Telemetry,
} from 'bullmq';
import pg from 'pg';
import type { QueueName } from '../../domain/index.ts';
import { CLOSE_WAIT_MS, countConnections, guardCheckedOutClients } from '../db/database.ts';
import { queueBackend, type Config } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import { errorInfo } from '../error-info.ts';
import { createOutageLog, createThrottledLog } from './outage-log.ts';
import {
  closeRedis,
  evictionPolicies,
  openRedis,
  redisQueuePrefix,
  redisTarget,
  type RedisClient,
} from './redis-connection.ts';
import { queueNamesOf, routedQueues, shardOf } from './catalog.ts';
import { checkQueues } from './queue-health.ts';
import { withTimeout } from './time-limit.ts';

export type QueueBackendKind = 'redis' | 'postgres';

export interface QueueFactoryOptions {
  backend: QueueBackendKind;
  /** The redis backend needs this or redisClusterNodes. */
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster (URLs), instead of redisUrl. */
  redisClusterNodes?: readonly string[];
  /** The casetrail database; the postgres backend keeps its tables in its `bullmq` schema. */
  databaseUrl: string;
  /** Redis key prefix (CASETRAIL_REDIS_PREFIX); each queue adds its own hash tag under it. */
  prefix: string;
  log: Logger;
  jobs?: { attempts: number; backoffMs: number };
  /** Retry settings of queues that differ from `jobs` (webhook deliveries wait out a receiver's outage). */
  queueJobs?: Partial<Record<string, { attempts: number; backoffMs: number }>>;
  /** Connections of the postgres backend's pool, before the one each worker holds for LISTEN. */
  postgresPoolSize?: number;
  /** How many queues each stage queue is split into, by case id (CASETRAIL_QUEUE_SHARDS; default 1). */
  shards?: number;
  /** BullMQ's OpenTelemetry add-on, when tracing is on: add and process spans, the context carried in each job. */
  telemetry?: Telemetry;
}

interface WorkerSettings {
  concurrency: number;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
}

export type JobProcessor = (job: Job) => Promise<unknown>;
// The classes are the same on both backends; only their connection type differs.
export type AppQueue = Queue;
export type AppWorker = Worker;

/** A queue outside the pipeline, used only by the benchmark's bare-jobs baseline. */
export const BASELINE_QUEUE = 'bench-baseline';
type FactoryQueueName = QueueName | typeof BASELINE_QUEUE;

export interface QueueFactory {
  readonly backend: QueueBackendKind;
  /** The producer of a queue that is not split (a split stage queue: its first shard), created once and cached. */
  queue(name: FactoryQueueName): AppQueue;
  /** The producer that takes a case's jobs for a queue: the case's shard of a split stage queue. */
  queueFor(name: QueueName, caseId: string | undefined): AppQueue;
  /** Every queue a queue's jobs live in: the queue itself, or its shards. */
  queues(name: FactoryQueueName): AppQueue[];
  /** The names of those queues, to start one worker each. */
  queueNames(name: FactoryQueueName): string[];
  worker(name: string, processor: JobProcessor, settings: WorkerSettings): AppWorker;
  /**
   * Active jobs no worker holds (their lock expired with a killed worker, or was released or
   * lost) go back to wait at once, instead of after two passes of the stall check; returns
   * their ids. Redis only: the PostgreSQL backend's stall check is left to do it there.
   */
  releaseAbandoned(name: FactoryQueueName): Promise<string[]>;
  /**
   * For /readyz and the start-up wait: the backend answers within a second, and on Redis
   * every queue's node answers and, on a cluster, says the cluster is up (see checkQueues).
   */
  ping(): Promise<boolean>;
  /** Closes the producers and connections; close the workers first. */
  close(): Promise<void>;
}

const POSTGRES_QUEUE_SCHEMA = 'bullmq';

/** The factory options the configuration describes. */
export function queueFactoryOptions(config: Config, databaseUrl: string, log: Logger): QueueFactoryOptions {
  return {
    backend: queueBackend(config),
    ...(config.REDIS_URL === undefined ? {} : { redisUrl: config.REDIS_URL }),
    ...(config.CASETRAIL_REDIS_CLUSTER_NODES === undefined
      ? {}
      : { redisClusterNodes: config.CASETRAIL_REDIS_CLUSTER_NODES }),
    databaseUrl,
    prefix: config.CASETRAIL_REDIS_PREFIX,
    log,
    jobs: { attempts: config.CASETRAIL_JOB_ATTEMPTS, backoffMs: config.CASETRAIL_JOB_BACKOFF },
    queueJobs: {
      webhooks: { attempts: config.CASETRAIL_WEBHOOK_ATTEMPTS, backoffMs: config.CASETRAIL_WEBHOOK_BACKOFF },
    },
    postgresPoolSize: config.CASETRAIL_QUEUE_DB_POOL_SIZE,
    shards: config.CASETRAIL_QUEUE_SHARDS,
  };
}

function defaultJobOptions(
  jobs: { attempts: number; backoffMs: number } = { attempts: 10, backoffMs: 1_000 },
): DefaultJobOptions {
  return {
    attempts: jobs.attempts,
    backoff: { type: 'exponential', delay: jobs.backoffMs },
    // Postgres is the record: finished jobs are only kept for inspection, bounded.
    removeOnComplete: { age: 3_600, count: 1_000 },
    removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
  };
}

interface Driver {
  queueOptions: Record<string, unknown>;
  workerOptions(): Record<string, unknown>;
  kind: QueueBackendKind;
  /** The producer connection of the redis backend, for what BullMQ's API does not offer. */
  redis?: RedisClient;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The only place that knows which queue backend runs (docs/design.md §3). */
export async function createQueueFactory(options: QueueFactoryOptions): Promise<QueueFactory> {
  const log = options.log.child({ component: 'queues', backend: options.backend });
  const driver = options.backend === 'redis' ? redisDriver(options, log) : await postgresDriver(options, log);
  const jobOptionsOf = (name: string) => defaultJobOptions(options.queueJobs?.[name] ?? options.jobs);
  const queues = new Map<string, AppQueue>();
  const workers = new Set<AppWorker>();
  const prefixFor = (name: string) =>
    driver.kind === 'redis' ? { prefix: redisQueuePrefix(options.prefix, name) } : {};
  const namesOf = queueNamesOf(options.shards ?? 1);
  const telemetry = options.telemetry === undefined ? {} : { telemetry: options.telemetry };

  const newQueue = (name: string): AppQueue => {
    const opts = {
      ...driver.queueOptions,
      ...prefixFor(name),
      ...telemetry,
      defaultJobOptions: jobOptionsOf(name),
    } as never;
    const queue =
      driver.kind === 'redis'
        ? new Queue(name, opts)
        : (new Queue(name, opts, createPostgresBackend) as unknown as AppQueue);
    queue.on('error', createThrottledLog(log.child({ queue: name }), 'queue error'));
    return queue;
  };

  const queueOf = (name: string): AppQueue => {
    let queue = queues.get(name);
    if (queue === undefined) {
      queue = newQueue(name);
      queues.set(name, queue);
    }
    return queue;
  };

  return {
    backend: options.backend,
    queue: (name) => queueOf(namesOf(name)[0] ?? name),
    queueFor: (name, caseId) => queueOf(namesOf(name)[shardOf(caseId, namesOf(name).length)] ?? name),
    queues: (name) => namesOf(name).map(queueOf),
    queueNames: namesOf,
    worker(name, processor, settings) {
      const opts = {
        ...driver.workerOptions(),
        ...prefixFor(name),
        ...telemetry,
        concurrency: settings.concurrency,
        lockDuration: settings.lockDuration ?? 30_000,
        stalledInterval: settings.stalledInterval ?? 30_000,
        maxStalledCount: settings.maxStalledCount ?? 1,
      } as never;
      const worker =
        driver.kind === 'redis'
          ? new Worker(name, processor, opts)
          : (new Worker(name, processor, opts, createPostgresBackend) as unknown as AppWorker);
      watchWorker(worker, log.child({ queue: name }));
      workers.add(worker);
      worker.on('closed', () => workers.delete(worker));
      return worker;
    },
    async releaseAbandoned(name) {
      // Not connected yet (or away): nothing can be checked now, and the next round will.
      if (driver.redis === undefined || driver.redis.status !== 'ready') return [];
      const redis = driver.redis;
      const released = await Promise.all(namesOf(name).map((physical) => releaseUnlocked(queueOf(physical), redis)));
      return released.flat();
    },
    ping: () => driver.ping(),
    async close() {
      // Workers are closed gracefully by their owner first (workers/start-workers.ts); this only
      // makes sure, briefly. A close that is still waiting for a hung job is left behind.
      await Promise.all(
        [...workers].map((worker) => withTimeout(worker.close(), 1_000, 'worker close').catch(() => undefined)),
      );
      const closing = [...queues.values()].map((queue) =>
        queue.close().catch((error: unknown) => log.warn({ err: errorInfo(error) }, 'queue close failed')),
      );
      await Promise.all(closing);
      queues.clear();
      await driver.close();
    },
  };
}

/**
 * BullMQ sets a job's lock in the same script that makes it active and deletes it in the one
 * that finishes it, so an active job without a lock is one no worker holds. Token '0' moves
 * it without a lock; a job that finished meanwhile is no longer in the active list and is
 * left alone. A worker that in fact still runs it (its lock lost to a blocked event loop)
 * applies it a second time, which changes nothing.
 */
async function releaseUnlocked(queue: AppQueue, client: RedisClient): Promise<string[]> {
  const active = await client.lrange(queue.keys.active as string, 0, -1);
  if (active.length === 0) return [];
  const locked = await Promise.all(active.map((id) => client.exists(`${queue.toKey(id)}:lock`)));
  const released: string[] = [];
  for (const [n, id] of active.entries()) {
    if (locked[n] !== 0) continue;
    try {
      // The job may have finished between the two reads above: then it is left alone.
      const job = await queue.getJob(id);
      if (job === undefined || !(await job.isActive())) continue;
      await job.moveToWait('0');
      released.push(id);
    } catch {
      // Finished or removed in between: nothing to release.
    }
  }
  return released;
}

function watchWorker(worker: AppWorker, log: Logger): void {
  worker.on('error', createThrottledLog(log, 'worker error'));
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    const final =
      error instanceof UnrecoverableError ||
      error.name === 'UnrecoverableError' ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    const context = { jobId: job.id, jobName: job.name, attemptsMade: job.attemptsMade, err: errorInfo(error) };
    if (final) log.error(context, 'job failed for good');
    else log.warn(context, 'job failed, will retry');
  });
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled'));
}

function redisDriver(options: QueueFactoryOptions, log: Logger): Driver {
  const target = redisTarget(options);
  const watch = (connection: RedisClient, role: string) => {
    const outage = createOutageLog(log.child({ connection: role }), {
      down: 'redis connection lost',
      up: 'redis connection restored',
    });
    connection.on('error', (error) => outage.failed(error));
    connection.on('ready', () => outage.recovered());
    return connection;
  };
  // Producers fail fast when Redis is away (the outbox keeps the work); workers wait for it.
  const producer = watch(openRedis(target, 'producer'), 'producer');
  producer.once('ready', () => void warnUnlessNoEviction(producer, log));
  // Shared by the workers of the process (BullMQ adds a blocking connection per worker);
  // opened with the first worker, so an API-only process holds none.
  let consumer: RedisClient | null = null;
  return {
    kind: 'redis',
    redis: producer,
    queueOptions: { connection: producer },
    workerOptions: () => {
      consumer ??= watch(openRedis(target, 'worker'), 'worker');
      return { connection: consumer };
    },
    async ping() {
      const served = routedQueues().flatMap(queueNamesOf(options.shards ?? 1));
      return (await checkQueues(producer, (queue) => redisQueuePrefix(options.prefix, queue), served)).ok;
    },
    async close() {
      const connections = consumer === null ? [producer] : [producer, consumer];
      await Promise.all(connections.map(closeRedis));
    },
  };
}

/** BullMQ's keys must never be evicted: a lost job is recovered only by the reconciler. */
async function warnUnlessNoEviction(redis: RedisClient, log: Logger): Promise<void> {
  try {
    const policy = (await evictionPolicies(redis)).find((p) => p !== 'noeviction');
    if (policy !== undefined) {
      log.warn({ maxmemoryPolicy: policy }, 'redis maxmemory-policy is not noeviction, queued jobs may be evicted');
    }
  } catch (error) {
    log.debug({ err: errorInfo(error) }, 'redis eviction policy unknown');
  }
}

async function queueSchemaReady(client: pg.ClientBase): Promise<boolean> {
  try {
    await assertSchemaCompatibility(client, POSTGRES_QUEUE_SCHEMA);
    return true;
  } catch (error) {
    if (error instanceof SchemaMigrationRequiredError || error instanceof SchemaVersionMismatchError) return false;
    throw error;
  }
}

/**
 * The PostgreSQL queue backend's schema, migrated by the schema's owner, and the rights the
 * application role needs to work its queues there (docs/operations.md): every row of the
 * queue tables, their sequences and functions, and new objects in that schema. None of it
 * is the record: the application still owns no table of casetrail's own schema.
 */
export async function prepareQueueSchema(client: pg.ClientBase, appRole: string): Promise<void> {
  await runMigrations(client, POSTGRES_QUEUE_SCHEMA);
  const grants = [
    'GRANT USAGE, CREATE ON SCHEMA %1$I TO %2$I',
    'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA %1$I TO %2$I',
    'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %1$I TO %2$I',
    'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %1$I TO %2$I',
  ];
  for (const grant of grants) {
    const { rows } = await client.query<{ text: string }>('SELECT format($1, $2::text, $3::text) AS text', [
      grant,
      POSTGRES_QUEUE_SCHEMA,
      appRole,
    ]);
    await client.query((rows[0] as { text: string }).text);
  }
}

async function postgresDriver(options: QueueFactoryOptions, log: Logger): Promise<Driver> {
  // One pool for every queue and worker of the process. BullMQ takes one connection of a
  // caller's pool per worker for LISTEN and keeps it, so each worker widens the pool by one.
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.postgresPoolSize ?? 10,
    options: `-c search_path=${POSTGRES_QUEUE_SCHEMA}`,
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'casetrail-queues',
  });
  pool.setMaxListeners(0);
  const outage = createOutageLog(log, {
    down: 'queue database connection lost',
    up: 'queue database connection restored',
  });
  pool.on('error', (error) => outage.failed(error));
  pool.on('connect', () => outage.recovered());
  guardCheckedOutClients(pool, log);
  const connections = countConnections(pool);
  try {
    const client = await pool.connect();
    try {
      // Made (or upgraded) by the owner where the application may not create schemas
      // (prepareQueueSchema); migrated here only when it is not ready.
      if (!(await queueSchemaReady(client))) {
        const version = await runMigrations(client, POSTGRES_QUEUE_SCHEMA);
        log.debug({ schema: POSTGRES_QUEUE_SCHEMA, version }, 'queue schema ready');
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    kind: 'postgres',
    queueOptions: { connection: pool },
    workerOptions: () => {
      pool.options.max += 1;
      return { connection: pool };
    },
    async ping() {
      return withTimeout(pool.query('SELECT 1'), 1_000).then(
        () => true,
        () => false,
      );
    },
    async close() {
      await pool.end();
      // An embedded PostgreSQL stopped right after would end them itself, with an error each.
      await connections.gone(CLOSE_WAIT_MS);
    },
  };
}
