// docs/design.md §9 on the PostgreSQL queue backend, where PostgreSQL holds both the record and the
// queues: the API and two workers run as separate processes against a private PostgreSQL
// server (never the shared one) that is restarted cleanly, crashed (immediate shutdown, WAL
// recovery) and has its connections terminated, while workers are killed with SIGKILL and
// jobs are delivered twice under a load of racing, retrying clients.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueFactory, type QueueFactory } from '../../src/infra/queue/queue-factory.ts';
import { startChildSystem, type ChildSystem } from '../support/child-system.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
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
const MIN_RUNS = Number(process.env.FAULT_RUNS ?? 80);
/** Commands that must finish between two faults, and after the last. */
const GAP = 25;
/** How long the server stays down on each restart: clients and workers meet refused connections. */
const DOWN_MS = 2_000;

describe('faults on the postgres queue backend with PostgreSQL restarted, API and workers in their own processes', () => {
  let server: PrivatePostgres;
  let pool: pg.Pool;
  let system: ChildSystem;
  let producer: QueueFactory;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    const url = await server.createMigratedDatabase('casetrail_faults');
    pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
    // Its connections die with every restart, on purpose.
    pool.on('error', () => undefined);
    system = await startChildSystem({ databaseUrl: url, backend: 'postgres', prefix: 'faults', workers: 2 });
    producer = await createQueueFactory({
      backend: 'postgres',
      databaseUrl: url,
      prefix: 'faults',
      log: pino({ level: 'silent' }),
      postgresPoolSize: 2,
    });
  });
  afterAll(async () => {
    await producer?.close().catch(() => undefined);
    await system?.close();
    await pool?.end();
    await server?.stop();
  });

  it('applies or rejects every accepted command exactly once through PostgreSQL restarts and crashes, kill -9 and terminated connections', async () => {
    const people = await createPeople(system);
    const client = createCommandClient(system.baseUrl);
    const started = Date.now();
    const load = startLoad({
      client,
      people,
      minRuns: MIN_RUNS,
      maxRuns: MIN_RUNS * 4,
      lanes: 12,
      tag: randomBytes(4).toString('hex'),
    });
    const duplicates = startDuplicateDelivery({ pool, factory: producer, intervalMs: 400 });
    const stopProgress = startProgress(load, pool, system);
    const faults: Fault[] = [
      { kind: 'PostgreSQL restarted', inject: () => server.restart('fast', DOWN_MS) },
      killWorkers(system, pool, 1),
      terminateBackends(pool),
      { kind: 'PostgreSQL crashed and restarted', inject: () => server.restart('immediate', DOWN_MS) },
      killWorkers(system, pool, 1),
      { kind: 'PostgreSQL restarted', inject: () => server.restart('fast', DOWN_MS) },
    ];
    const injected = await injectDuring(load, faults, GAP);
    await load.done;
    const loadMs = Date.now() - started;
    stopProgress();
    const delivered = await duplicates.stop();
    expect(load.failures).toEqual([]);

    await awaitQuiescence(pool);
    const audit = await assertAuditVerifies(system);
    const report = await checkTrail(pool, load.ledger, load.expected);
    reportRun('postgres', system, { report, injected, delivered, stats: client.stats, loadMs, audit });

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
