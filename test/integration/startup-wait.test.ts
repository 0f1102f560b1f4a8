// A server or worker started before its PostgreSQL and Redis waits for them with backoff,
// saying so in its log, and starts once they answer; it gives up, exiting 2, only after
// CASETRAIL_STARTUP_WAIT.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCasetrail, type CasetrailProcess, type ProcessLogLine } from '../support/child-process.ts';
import { TEST_HMAC_KEY } from '../support/child-system.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from '../support/redis-server.ts';

const waiting = (service: string, attempt: number) => (line: ProcessLogLine) =>
  line.msg === 'service unreachable, waiting' && line.service === service && Number(line.attempt) >= attempt;

describe.skipIf(!hasRedisServer())('start-up while PostgreSQL and Redis are down', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let databaseUrl: string;
  let dataDir: string;
  const processes: CasetrailProcess[] = [];

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    databaseUrl = await postgres.createMigratedDatabase('startup_wait');
    redis = await startPrivateRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-startup-'));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await redis?.stop();
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    CASETRAIL_QUEUE_BACKEND: 'redis',
    CASETRAIL_REDIS_PREFIX: `${inject('bullmqPrefix')}-startup-${randomBytes(3).toString('hex')}`,
    CASETRAIL_DATA_DIR: dataDir,
    CASETRAIL_HMAC_KEY: TEST_HMAC_KEY,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  });

  it('a worker and an API wait for PostgreSQL, then for Redis, and start once both answer', async () => {
    await postgres.down();
    await redis.stop();
    const worker = startCasetrail('worker', ['worker', '--queues', 'all'], env());
    const api = startCasetrail('api', ['start', '--no-workers'], env());
    processes.push(worker, api);
    // Several refusals each, with a growing pause, and neither has exited.
    for (const p of [worker, api]) await p.waitForLog(waiting('postgresql', 3), 30_000);
    const pauses = worker.logs.filter(waiting('postgresql', 1)).map((line) => Number(line.retryInMs));
    expect(pauses.slice(0, 3)).toEqual([250, 500, 1_000]);
    expect(worker.exitStatus).toBeNull();
    expect(api.exitStatus).toBeNull();

    await postgres.up();
    for (const p of [worker, api]) {
      await p.waitForLog((line) => line.msg === 'service up' && line.service === 'postgresql', 30_000);
      await p.waitForLog(waiting('redis', 2), 30_000);
    }
    expect(worker.exitStatus).toBeNull();

    await redis.restart();
    await worker.waitForLog((line) => line.msg === 'casetrail workers started', 30_000);
    await api.waitForLog((line) => line.msg === 'casetrail started', 30_000);
    expect(worker.logs.some((line) => line.msg === 'service up' && line.service === 'redis')).toBe(true);
    expect([...worker.logs, ...api.logs].filter((line) => line.level === 'fatal')).toEqual([]);
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    expect(await api.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('gives up after CASETRAIL_STARTUP_WAIT, exiting 2', async () => {
    await postgres.down();
    try {
      const worker = startCasetrail('worker', ['worker', '--queues', 'all'], env({ CASETRAIL_STARTUP_WAIT: '1s' }));
      processes.push(worker);
      await worker.waitForLog((line) => line.msg === 'service unreachable, giving up', 20_000);
      expect(await worker.exited).toEqual({ code: 2, signal: null });
      expect(worker.logs.filter(waiting('postgresql', 1)).length).toBeGreaterThanOrEqual(2);
    } finally {
      await postgres.up();
    }
  }, 60_000);
});
