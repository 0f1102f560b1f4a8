// docs/design.md §3 and §9: Postgres is the record; when Redis loses every key (FLUSHALL, restart
// without persistence) or goes away, the relay and the reconciler republish what is
// unfinished and nothing is lost.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOutboxRelay } from '../../src/infra/queue/outbox-relay.ts';
import {
  commandStatuses,
  createQueueHarness,
  deleteKeys,
  eventually,
  outboxCount,
  recordingEvents,
  type QueueHarness,
} from '../support/queue-harness.ts';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from '../support/redis-server.ts';

async function unpublished(h: QueueHarness): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
  );
  return rows[0]?.n ?? 0;
}

/**
 * Commands published while no worker runs, then every key lost; the stage workers start
 * and the reconciler brings the commands back. Their events are published while no events
 * worker runs, every key is lost again, and the events come back the same way.
 */
async function loseEverythingTwice(h: QueueHarness, wipe: () => Promise<void>): Promise<void> {
  const { seen, processors } = recordingEvents();
  const relay = startOutboxRelay({
    pool: h.pool,
    databaseUrl: h.db.url,
    factory: h.factory,
    log: h.log,
    pollIntervalMs: 200,
    batchSize: 200,
  });
  const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => h.submit(i)));
  await eventually(
    async () => (await h.factory.queue('intake').getWaitingCount()) === 20 && (await unpublished(h)) === 0,
    {
      what: '20 command jobs waiting',
    },
  );
  await relay.close();
  await wipe();
  expect(await h.factory.queue('intake').getWaitingCount()).toBe(0);

  const stages = await h.start({ queues: ['intake'], processors });
  await eventually(async () => (await commandStatuses(h.pool)).applied === 20, {
    what: '20 commands applied after the loss',
  });
  await eventually(
    async () => (await h.factory.queue('events').getWaitingCount()) === 20 && (await unpublished(h)) === 0,
    {
      what: '20 event jobs waiting',
    },
  );
  await stages.close();
  await wipe();
  expect(await h.factory.queue('events').getWaitingCount()).toBe(0);
  expect(seen).toEqual([]);

  await h.start({ processors });
  await eventually(async () => new Set(seen.map((e) => e.id)).size === 20, {
    what: '20 events projected after the loss',
  });
  await eventually(async () => (await outboxCount(h.pool)) === 0, { what: 'an empty outbox' });

  expect(await commandStatuses(h.pool)).toEqual({ applied: 20 });
  const { rows } = await h.pool.query<{ command_id: string; types: string[] }>(
    'SELECT command_id, array_agg(type ORDER BY seq) AS types FROM events GROUP BY command_id',
  );
  expect(rows.map((r) => r.command_id).sort()).toEqual([...ids].sort());
  expect(rows.every((r) => r.types.length === 1 && r.types[0] === 'case.received')).toBe(true);
  expect(h.logs.filter((l) => l.msg === 'reconciler republished unfinished work').length).toBeGreaterThanOrEqual(2);
}

describe('losing every Redis key of the test (SCAN + DEL on the shared server)', () => {
  let h: QueueHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('republishes the lost commands and events from Postgres', async () => {
    h = await createQueueHarness('redis');
    const harness = h;
    await loseEverythingTwice(h, async () => {
      expect(await deleteKeys(inject('redisUrl'), `${harness.prefix}:*`)).toBeGreaterThan(0);
    });
  });
});

describe.skipIf(!hasRedisServer())('a private redis-server', () => {
  let redis: PrivateRedis;
  let h: QueueHarness | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(() => redis?.stop());

  it('after a real FLUSHALL, republishes the lost commands and events from Postgres', async () => {
    h = await createQueueHarness('redis', { redisUrl: redis.url });
    await loseEverythingTwice(h, () => redis.flushAll());
  });

  it('warns at start when Redis may evict queue keys', async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      h = await createQueueHarness('redis', { redisUrl: redis.url });
      const harness = h;
      await eventually(
        async () =>
          harness.logs.find((l) => l.msg === 'redis maxmemory-policy is not noeviction, queued jobs may be evicted'),
        {
          what: 'the eviction warning',
        },
      );
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  });

  it('keeps commands in the outbox while Redis is down, logs the outage once, and delivers them when it is back', async () => {
    h = await createQueueHarness('redis', { redisUrl: redis.url });
    const harness = h;
    await h.start();
    const before = await h.submit();
    await eventually(async () => (await commandStatuses(harness.pool)).applied === 1, {
      what: 'a first command applied',
    });

    await redis.stop();
    const during = await Promise.all(Array.from({ length: 5 }, (_, i) => harness.submit(1_000 + i)));
    await eventually(
      async () => harness.logs.some((l) => l.msg === 'publishing to the queues is failing, will retry'),
      { what: 'the outage logged' },
    );
    expect(await unpublished(h)).toBe(5);
    expect(await h.factory.ping()).toBe(false);

    await redis.restart();
    await eventually(async () => (await commandStatuses(harness.pool)).applied === 6, {
      timeoutMs: 40_000,
      what: 'every command applied',
    });
    expect(await h.factory.ping()).toBe(true);

    const down = h.logs.filter((l) => l.msg === 'publishing to the queues is failing, will retry');
    const up = h.logs.filter((l) => l.msg === 'publishing to the queues recovered');
    expect(down).toHaveLength(1);
    expect(up).toHaveLength(1);
    expect(up[0]?.failures).toBeGreaterThanOrEqual(1);
    const { rows } = await h.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE command_id = ANY($1::uuid[])',
      [[before, ...during]],
    );
    expect(rows[0]?.n).toBe(6);
  });
});
