// A queue pipeline on a fresh test database and (for redis) its own BullMQ key prefix,
// with short timings, logs captured for assertions, and everything removed by close().
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { QUEUE_NAMES, type CommandType, type QueueName } from '../../src/domain/index.ts';
import { COMMANDS } from '../../src/domain/index.ts';
import { insertCommand } from '../../src/infra/db/command.repository.ts';
import type { Logger } from '../../src/infra/logger.ts';
import {
  createQueueFactory,
  type QueueBackendKind,
  type QueueFactory,
  type QueueFactoryOptions,
} from '../../src/infra/queue/queue-factory.ts';
import { traceIds } from '../../src/infra/tracing.ts';
import type { StoredEvent } from '../../src/domain/index.ts';
import { createEventsProcessor, eventsProcessor } from '../../workers/events.processor.ts';
import type { EventProjection } from '../../workers/projections/projection.ts';
import {
  PROCESSORS,
  startPipeline,
  type Pipeline,
  type PipelineSettings,
  type ProcessorDefinition,
  type ProcessorDeps,
} from '../../workers/index.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { CLERK, submitBody } from './fixtures.ts';

const FAST: PipelineSettings = {
  concurrency: 8,
  lockDurationMs: 3_000,
  stalledIntervalMs: 1_000,
  closeTimeoutMs: 5_000,
  relayPollIntervalMs: 200,
  relayBatchSize: 200,
  reconcileIntervalMs: 300,
  reconcileAfterMs: 1_000,
};

/** Webhook receivers of the tests listen on 127.0.0.1: allowed the way an in-house receiver is. */
export const LOOPBACK_RECEIVERS = '127.0.0.1/32';

type LogLine = { level: string; msg: string; [key: string]: unknown };

export interface QueueHarness {
  backend: QueueBackendKind;
  db: TestDatabase;
  /** An application pool sized for the workers (the test database's own pool is small). */
  pool: pg.Pool;
  factory: QueueFactory;
  prefix: string;
  log: Logger;
  logs: LogLine[];
  deps: ProcessorDeps;
  /** The checkpoint key pair of this harness (the audit sealer runs with `start({ signing: true })`). */
  signing: { signingKey: KeyObject; publicKey: KeyObject };
  start(options?: {
    settings?: Partial<PipelineSettings>;
    queues?: QueueName[] | 'all';
    relay?: boolean;
    processors?: readonly ProcessorDefinition[];
    signing?: boolean;
  }): Promise<Pipeline>;
  submit(n?: number): Promise<string>;
  insert(type: CommandType, caseId: string, actor: { id: string; roles: string[] }, payload: unknown): Promise<string>;
  close(): Promise<void>;
}

export async function createQueueHarness(
  backend: QueueBackendKind,
  options: {
    redisUrl?: string;
    redisClusterNodes?: string[];
    jobs?: { attempts: number; backoffMs: number };
    /** Split the stage queues (CASETRAIL_QUEUE_SHARDS). */
    shards?: number;
    /** BullMQ's telemetry, with tracing started by the test. */
    telemetry?: QueueFactoryOptions['telemetry'];
  } = {},
): Promise<QueueHarness> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 12, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const log = pino(
    { level: 'debug', formatters: { level: (label) => ({ level: label }) }, mixin: () => traceIds() ?? {} },
    sink,
  );
  const prefix = `${inject('bullmqPrefix')}-${randomBytes(3).toString('hex')}`;
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const factory = await createQueueFactory({
    backend,
    redisUrl,
    ...(options.redisClusterNodes === undefined ? {} : { redisClusterNodes: options.redisClusterNodes }),
    databaseUrl: db.url,
    prefix,
    log,
    jobs: options.jobs ?? { attempts: 5, backoffMs: 200 },
    postgresPoolSize: 6,
    ...(options.shards === undefined ? {} : { shards: options.shards }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
  });
  const deps: ProcessorDeps = {
    pool,
    log,
    hmacKey: Buffer.from('test-hmac-key-of-at-least-32-characters!'),
    claimLeaseMs: 30 * 60_000,
    sla: { received: 86_400_000, verified: 172_800_000, referred: 30 * 86_400_000, penalty_issued: 60 * 86_400_000 },
    webhooks: { allowCidrs: [LOOPBACK_RECEIVERS], secretsKey: randomBytes(32) },
  };
  const pipelines: Pipeline[] = [];
  const keyPair = generateKeyPairSync('ed25519');
  const signing = { signingKey: keyPair.privateKey, publicKey: keyPair.publicKey };
  const insert: QueueHarness['insert'] = (type, caseId, actor, payload) =>
    insertCommand(pool, { type, caseId, actor: actor as never, payload }, COMMANDS[type].queue).then(
      (stored) => stored.id,
    );

  return {
    backend,
    db,
    pool,
    factory,
    prefix,
    log,
    logs,
    deps,
    signing,
    async start(start = {}) {
      const pipeline = await startPipeline({
        deps,
        databaseUrl: db.url,
        factory,
        queues: start.queues ?? 'all',
        settings: { ...FAST, ...start.settings },
        ...(start.relay === undefined ? {} : { relay: start.relay }),
        ...(start.processors === undefined ? {} : { processors: start.processors }),
        ...(start.signing === true ? { signing } : {}),
      });
      pipelines.push(pipeline);
      return pipeline;
    },
    submit(n = Math.floor(Math.random() * 1e9)) {
      const body = submitBody({
        url: `https://www.facebook.com/groups/77/posts/${n}`,
        content: `Claim number ${n} ${randomUUID()}`,
      });
      return insert('submit', randomUUID(), CLERK, body);
    },
    insert,
    async close() {
      await Promise.all(pipelines.map((p) => p.close()));
      await Promise.all(
        QUEUE_NAMES.flatMap((name) =>
          factory.queues(name).map((queue) => queue.obliterate({ force: true }).catch(() => undefined)),
        ),
      );
      await factory.close();
      if (backend === 'redis' && options.redisClusterNodes === undefined) await deleteKeys(redisUrl, `${prefix}:*`);
      await pool.end();
      await db.drop();
    },
  };
}

/** Deletes every key matching the pattern (SCAN + DEL): a FLUSHALL of what one test owns. */
export async function deleteKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** The real processors, with one more projection on the events queue that records what reached it. */
export function recordingEvents(): { seen: (StoredEvent & { id: string })[]; processors: ProcessorDefinition[] } {
  const seen: (StoredEvent & { id: string })[] = [];
  const recorder: EventProjection = {
    name: 'recorder',
    handles: 'all',
    project: async (event) => void seen.push(event),
  };
  const events: ProcessorDefinition = { queue: 'events', create: (deps) => createEventsProcessor(deps, [recorder]) };
  return { seen, processors: [...PROCESSORS.filter((p) => p !== eventsProcessor), events] };
}

/** Polls until check returns a value other than false/undefined (or stops throwing), within timeoutMs. */
export async function eventually<T>(
  check: () => Promise<T | false | undefined>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${options.what ?? 'a condition'}${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function commandStatuses(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM commands GROUP BY status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function outboxCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
  return rows[0]?.n ?? 0;
}

/** The case of a command, once the command is applied (waits for it, within the bound of eventually). */
export async function caseOfApplied(h: Pick<QueueHarness, 'pool'>, commandId: string): Promise<string> {
  return eventually(
    async () => {
      const { rows } = await h.pool.query<{ case_id: string }>(
        "SELECT case_id FROM commands WHERE id = $1 AND status = 'applied'",
        [commandId],
      );
      return rows[0]?.case_id;
    },
    { what: `command ${commandId} applied` },
  );
}
