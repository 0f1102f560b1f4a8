// docs/design.md §9 on the Redis queue backend: the API and two workers run as separate processes
// (`casetrail start --no-workers`, `casetrail worker --queues all`) against a real
// PostgreSQL and a private redis-server. While clients drive a few hundred cases through
// their lifecycles, workers are killed with SIGKILL mid-transaction, Redis is flushed and
// restarted, PostgreSQL connections are terminated and jobs are delivered twice; races and
// client retries run all along. At the end nothing is lost, doubled or out of place.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createQueueFactory, type QueueFactory } from '../../src/infra/queue/queue-factory.ts';
import { startChildSystem, type ChildSystem } from '../support/child-system.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from '../support/redis-server.ts';
import { createCommandClient } from './support/command-client.ts';
import {
  injectDuring,
  killWorkers,
  startDuplicateDelivery,
  startLoad,
  terminateBackends,
  type Fault,
} from './support/fault-injection.ts';
import {
  assertAuditVerifies,
  assertNoCrash,
  assertNoLeaks,
  awaitQuiescence,
  createPeople,
  reportRun,
  startProgress,
} from './support/fault-run.ts';
import { checkTrail } from './support/trail-check.ts';

/** Plans driven at the least (about 1.1 cases and 5 commands each); more while faults remain. */
const MIN_RUNS = Number(process.env.FAULT_RUNS ?? 120);
/** Commands that must finish between two faults, and after the last. */
const GAP = 25;

describe.skipIf(!hasRedisServer())('faults on the redis queue backend, API and workers in their own processes', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let system: ChildSystem;
  let producer: QueueFactory;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startPrivateRedis();
    const prefix = `${inject('bullmqPrefix')}-faults-${randomBytes(3).toString('hex')}`;
    system = await startChildSystem({ databaseUrl: db.url, backend: 'redis', redisUrl: redis.url, prefix, workers: 2 });
    producer = await createQueueFactory({
      backend: 'redis',
      redisUrl: redis.url,
      databaseUrl: db.url,
      prefix,
      log: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await producer?.close();
    await system?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('applies or rejects every accepted command exactly once through kill -9, FLUSHALL, a Redis restart and terminated connections', async () => {
    const people = await createPeople(system);
    const client = createCommandClient(system.baseUrl);
    const started = Date.now();
    const load = startLoad({
      client,
      people,
      minRuns: MIN_RUNS,
      maxRuns: MIN_RUNS * 4,
      lanes: 16,
      tag: randomBytes(4).toString('hex'),
    });
    const duplicates = startDuplicateDelivery({ pool: db.pool, factory: producer, intervalMs: 300 });
    const stopProgress = startProgress(load, db.pool, system);
    const faults: Fault[] = [
      killWorkers(system, db.pool, 1),
      { kind: 'Redis FLUSHALL', inject: () => redis.flushAll() },
      killWorkers(system, db.pool, 1),
      terminateBackends(db.pool),
      { kind: 'Redis restarted empty', inject: () => redis.restart() },
      killWorkers(system, db.pool, 2),
      { kind: 'Redis FLUSHALL', inject: () => redis.flushAll() },
      terminateBackends(db.pool),
      killWorkers(system, db.pool, 1),
    ];
    const injected = await injectDuring(load, faults, GAP);
    await load.done;
    const loadMs = Date.now() - started;
    stopProgress();
    const delivered = await duplicates.stop();
    expect(load.failures).toEqual([]);

    await awaitQuiescence(db.pool);
    const audit = await assertAuditVerifies(system);
    const report = await checkTrail(db.pool, load.ledger, load.expected);
    reportRun('redis', system, { report, injected, delivered, stats: client.stats, loadMs, audit });

    expect(report.problems).toEqual([]);
    // An outage answers 503 (retry), never 500 (a bug).
    expect(client.stats.serverErrors).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.cases).toBe(load.expected.length);
    expect(injected.map((f) => f.kind)).toEqual(faults.map((f) => f.kind));
    assertNoCrash(system);
    assertNoLeaks(system, people);
  });
});
