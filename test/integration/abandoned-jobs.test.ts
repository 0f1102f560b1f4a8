// Work left in `active` with no worker to finish it is done again within seconds, not after
// a lock duration and two stall checks (30 s each here, as in production): a worker stopped
// past its grace hands its running jobs back, and the reconciler puts back an active job
// whose lock is gone. The command is applied once all the same.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { listEvents } from '../../src/infra/db/case.repository.ts';
import { redisQueuePrefix } from '../../src/infra/queue/redis-connection.ts';
import { PROCESSORS } from '../../workers/index.ts';
import type { ProcessorDefinition } from '../../workers/processor.ts';
import { verificationProcessor } from '../../workers/verification.processor.ts';
import { VERIFIER, verifyBody } from '../support/fixtures.ts';
import { caseOfApplied, createQueueHarness, eventually, type QueueHarness } from '../support/queue-harness.ts';

/** As in production: a lost job waits out its lock and two stall checks without the fix. */
const SLOW_RECOVERY = { lockDurationMs: 30_000, stalledIntervalMs: 30_000 };

/**
 * The real processors, but verification hangs on the deliveries `hang` says so (until the
 * test ends), telling the test the job id it holds.
 */
function hangingVerification(hang: (delivery: number) => boolean) {
  let deliveries = 0;
  const held: string[] = [];
  let unblock: () => void = () => undefined;
  const blocked = new Promise<void>((resolve) => {
    unblock = resolve;
  });
  const verification: ProcessorDefinition = {
    queue: 'verification',
    create: (deps) => {
      const real = verificationProcessor.create(deps);
      return async (job) => {
        // Only verify hangs: the claim before it goes through.
        if (job.name !== 'verify') return real(job);
        deliveries += 1;
        if (!hang(deliveries)) return real(job);
        held.push(job.id as string);
        await blocked;
        throw new Error('released at the end of the test');
      };
    },
  };
  const processors = PROCESSORS.map((p) => (p.queue === 'verification' ? verification : p));
  return { processors, held, unblock };
}

async function appliedStatus(h: QueueHarness, commandId: string): Promise<string | undefined> {
  const { rows } = await h.pool.query<{ status: string }>('SELECT status FROM commands WHERE id = $1', [commandId]);
  return rows[0]?.status === 'pending' ? undefined : rows[0]?.status;
}

describe('work abandoned in active', () => {
  let h: QueueHarness | undefined;
  let unblock: (() => void) | undefined;
  afterEach(async () => {
    unblock?.();
    await h?.close();
    h = undefined;
  });

  it('a worker stopped past its grace hands its job back: another worker applies it within 10 s', async () => {
    h = await createQueueHarness('redis');
    const harness = h;
    const hanging = hangingVerification(() => true);
    unblock = hanging.unblock;
    const first = await h.start({
      processors: hanging.processors,
      settings: { ...SLOW_RECOVERY, closeTimeoutMs: 500 },
    });
    const caseId = await caseOfApplied(harness, await harness.submit());
    await caseOfApplied(harness, await harness.insert('claim', caseId, VERIFIER, {}));
    const verify = await h.insert('verify', caseId, VERIFIER, verifyBody());
    await eventually(async () => hanging.held.length === 1, { what: 'the verify job held by the first worker' });
    const second = await h.start({ settings: SLOW_RECOVERY });

    const stoppedAt = Date.now();
    await first.close();
    expect(h.logs.some((l) => l.msg === 'worker did not stop in time, closing anyway' && l.released === 1)).toBe(true);
    expect(
      await eventually(() => appliedStatus(harness, verify), { what: 'the verify applied', timeoutMs: 10_000 }),
    ).toBe('applied');
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect((await listEvents(h.pool, caseId)).map((e) => e.type)).toEqual([
      'case.received',
      'case.claimed',
      'case.verified',
    ]);
    await second.close();
  }, 60_000);

  it('the reconciler puts back an active job whose lock is lost, within seconds, and it is applied once', async () => {
    h = await createQueueHarness('redis');
    const harness = h;
    // Only the first delivery hangs: the job, once released, is applied by the same process.
    const hanging = hangingVerification((delivery) => delivery === 1);
    unblock = hanging.unblock;
    await h.start({ processors: hanging.processors, settings: SLOW_RECOVERY });
    const caseId = await caseOfApplied(harness, await harness.submit());
    await caseOfApplied(harness, await harness.insert('claim', caseId, VERIFIER, {}));
    const verify = await h.insert('verify', caseId, VERIFIER, verifyBody());
    await eventually(async () => hanging.held.length === 1, { what: 'the verify job held' });
    const jobId = hanging.held[0] as string;
    // The lock goes as it would with its worker killed: nothing renews or deletes it.
    const lockKey = `${redisQueuePrefix(h.prefix, 'verification')}:verification:${jobId}:lock`;
    const redis = new Redis(inject('redisUrl'));
    try {
      expect(await redis.del(lockKey)).toBe(1);
    } finally {
      redis.disconnect();
    }

    const lostAt = Date.now();
    expect(
      await eventually(() => appliedStatus(harness, verify), { what: 'the verify applied', timeoutMs: 10_000 }),
    ).toBe('applied');
    expect(Date.now() - lostAt).toBeLessThan(10_000);
    expect(h.logs.some((l) => l.msg === 'abandoned jobs released' && (l.jobIds as string[]).includes(jobId))).toBe(
      true,
    );
    expect((await listEvents(h.pool, caseId)).map((e) => e.type)).toEqual([
      'case.received',
      'case.claimed',
      'case.verified',
    ]);
  }, 60_000);
});
