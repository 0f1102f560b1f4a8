// The outbox relay: woken by NOTIFY (and reconnecting its LISTEN), several relays sharing
// the rows without publishing one twice; and workers that stop within their grace period.
import { afterEach, describe, expect, it } from 'vitest';
import { startOutboxRelay, type OutboxRelay } from '../../src/infra/queue/outbox-relay.ts';
import { PROCESSORS, type ProcessorDefinition } from '../../workers/index.ts';
import { createQueueHarness, eventually, type QueueHarness } from '../support/queue-harness.ts';

describe.each(['redis', 'postgres'] as const)('outbox relay on the %s backend', (backend) => {
  let h: QueueHarness | undefined;
  let relays: OutboxRelay[] = [];
  afterEach(async () => {
    await Promise.all(relays.map((relay) => relay.close()));
    relays = [];
    await h?.close();
    h = undefined;
  });

  const relay = (harness: QueueHarness, pollIntervalMs: number, batchSize = 50) => {
    const started = startOutboxRelay({
      pool: harness.pool,
      databaseUrl: harness.db.url,
      factory: harness.factory,
      log: harness.log,
      pollIntervalMs,
      batchSize,
    });
    relays.push(started);
    return started;
  };

  it('publishes each row exactly once with three relays at work, under the row id', async () => {
    h = await createQueueHarness(backend);
    const harness = h;
    for (let i = 0; i < 3; i++) relay(harness, 100, 25);
    const ids = await Promise.all(Array.from({ length: 300 }, (_, i) => harness.submit(i)));
    await eventually(async () => (await harness.factory.queue('intake').getWaitingCount()) === 300, {
      what: '300 jobs waiting',
    });
    // A job can be visible in its queue a moment before the relay's own transaction that
    // marks its row published commits (on the PostgreSQL backend they are two connections).
    await eventually(
      async () =>
        (await h?.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL'))
          ?.rows[0]?.n === 0,
      { what: 'every row marked published' },
    );

    const { rows } = await h.pool.query<{ id: string; attempts: number; published: boolean; command_id: string }>(
      "SELECT id, attempts, published_at IS NOT NULL AS published, payload->>'commandId' AS command_id FROM outbox",
    );
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.attempts === 1 && r.published)).toBe(true);
    expect(rows.map((r) => r.command_id).sort()).toEqual([...ids].sort());
    const jobs = await h.factory.queue('intake').getWaiting(0, 299);
    expect(jobs.map((job) => job.id).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('is woken by NOTIFY, and listens again after its connection is killed', async () => {
    h = await createQueueHarness(backend);
    const harness = h;
    // Polling once a minute: anything published within the bounds below came from NOTIFY.
    relay(harness, 60_000);
    const waiting = () => harness.factory.queue('intake').getWaitingCount();
    await eventually(async () => (await listeners(harness)) === 1, { what: 'the relay listening' });
    await harness.submit(1);
    await eventually(async () => (await waiting()) === 1, { timeoutMs: 10_000, what: 'the first job published' });

    await h.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'casetrail-relay' AND datname = current_database()",
    );
    await harness.submit(2);
    await eventually(async () => (await waiting()) === 2, { timeoutMs: 10_000, what: 'the second job published' });
    expect(h.logs.filter((l) => l.msg === 'listen connection lost')).toHaveLength(1);
    await eventually(async () => h?.logs.some((l) => l.msg === 'listen connection restored'), {
      what: 'the listener back',
    });
  });

  it('stops its workers within the grace period even when a job hangs', async () => {
    h = await createQueueHarness(backend);
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const processors: ProcessorDefinition[] = PROCESSORS.map((p) =>
      p.queue !== 'intake'
        ? p
        : {
            queue: 'intake',
            create: () => async () => {
              started = true;
              await hanging;
              return null;
            },
          },
    );
    const pipeline = await h.start({ processors, settings: { closeTimeoutMs: 300 } });
    await h.submit();
    await eventually(async () => started, { what: 'the job running' });
    const closing = performance.now();
    await pipeline.close();
    expect(performance.now() - closing).toBeLessThan(5_000);
    expect(h.logs.some((l) => l.msg === 'worker did not stop in time, closing anyway' && l.queue === 'intake')).toBe(
      true,
    );
    // Let the abandoned job end before the harness removes the queues under it.
    release();
    const intake = h.factory.queue('intake');
    await eventually(async () => (await intake.getActiveCount()) === 0, { what: 'the released job finished' });
  });
});

async function listeners(h: QueueHarness): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'casetrail-relay' AND datname = current_database()",
  );
  return rows[0]?.n ?? 0;
}
