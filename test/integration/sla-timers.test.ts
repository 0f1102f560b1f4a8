// docs/design.md §2 SLA timers, with short durations: a case still in its stage at the deadline gets
// exactly one case.sla_breached per stage visit; one that moved on gets none; the deadline
// is read on the database clock; a timer Redis lost is caught by the sweeper.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { fold, verifyChain, type OpenStage, type StoredEvent } from '../../src/domain/index.ts';
import { findCase, listEvents } from '../../src/infra/db/case.repository.ts';
import { slaBreachesTotal } from '../../src/infra/metrics.ts';
import { SLA_TIMER_JOB, slaTimerJobId } from '../../src/infra/queue/catalog.ts';
import { BODIES, SUPERVISOR, VERIFIER, verifyBody } from '../support/fixtures.ts';
import {
  caseOfApplied,
  createQueueHarness,
  deleteKeys,
  eventually,
  outboxCount,
  type QueueHarness,
} from '../support/queue-harness.ts';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from '../support/redis-server.ts';

const DAY = 86_400_000;
/** No sweep during the test unless it asks for one: the timers alone must do the work. */
const NO_SWEEP = { slaSweepIntervalMs: 10 * 60_000 };

function withSla(h: QueueHarness, sla: Partial<Record<OpenStage, number>>): void {
  h.deps.sla = { received: DAY, verified: DAY, referred: DAY, penalty_issued: DAY, ...sla };
}

const typesOf = (events: readonly StoredEvent[]) => events.map((e) => e.type);

async function breachRows(h: QueueHarness): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sla_breaches');
  return rows[0]?.n ?? 0;
}

async function breachesCounted(stage: OpenStage): Promise<number> {
  return (await slaBreachesTotal.get()).values.find((v) => v.labels.stage === stage)?.value ?? 0;
}

async function timerResult(h: QueueHarness, jobId: string): Promise<unknown> {
  const job = await h.factory.queue('sla').getJob(jobId);
  if (job === undefined || (await job.getState()) !== 'completed') return undefined;
  // The PostgreSQL backend can report the state a moment before the return value is readable.
  const done = await h.factory.queue('sla').getJob(jobId);
  return done?.returnvalue ?? undefined;
}

describe.each(['redis', 'postgres'] as const)('SLA timers on the %s queue backend', (backend) => {
  let h: QueueHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('appends exactly one case.sla_breached to a case left in its stage, at its deadline by the database clock', async () => {
    h = await createQueueHarness(backend);
    const harness = h;
    withSla(h, { received: 1_500 });
    const pipeline = await h.start({ settings: NO_SWEEP });
    const counted = await breachesCounted('received');
    const caseId = await caseOfApplied(h, await h.submit());
    const received = (await listEvents(h.pool, caseId))[0];
    if (received?.type !== 'case.received') throw new Error('no case.received');
    const visit = {
      caseId,
      stage: 'received' as const,
      stageEnteredAt: received.occurredAt,
      deadlineAt: received.payload.deadlineAt,
    };
    // A timer delivered early (a worker clock running ahead) must wait for the database's deadline.
    await h.factory.queue('sla').add(SLA_TIMER_JOB, visit, { jobId: 'early-timer' });

    const events = await eventually(
      async () => {
        const all = await listEvents(harness.pool, caseId);
        return all.length >= 2 && all;
      },
      { what: 'the breach', timeoutMs: 30_000 },
    );
    const breach = events[1];
    expect(typesOf(events)).toEqual(['case.received', 'case.sla_breached']);
    expect(breach).toMatchObject({
      seq: 2,
      type: 'case.sla_breached',
      payload: { stage: 'received', deadlineAt: visit.deadlineAt },
      actor: { id: 'system', roles: [] },
      commandId: null,
      prevHash: received.hash,
    });
    expect(Date.parse(breach?.occurredAt ?? '')).toBeGreaterThanOrEqual(Date.parse(visit.deadlineAt));
    const outcomes = await eventually(
      async () => {
        const both = await Promise.all([
          timerResult(harness, slaTimerJobId(visit)),
          timerResult(harness, 'early-timer'),
        ]);
        return both.every((r) => r !== undefined) && both;
      },
      { what: 'both timers done' },
    );
    expect(outcomes.map((o) => (o as { status: string }).status).sort()).toEqual(['already_breached', 'breached']);

    // Replays change nothing: the timer again, the event projected again, a sweep.
    await h.factory.queue('sla').add(SLA_TIMER_JOB, visit, { jobId: 'replayed-timer' });
    await h.factory
      .queue('events')
      .add('case.received', { eventId: received.id, caseId, seq: 1 }, { jobId: 'replayed-event' });
    expect(await pipeline.slaSweeper?.runOnce()).toMatchObject({ overdue: 0, breached: 0 });
    expect(await eventually(() => timerResult(harness, 'replayed-timer'), { what: 'the replayed timer' })).toEqual({
      status: 'already_breached',
    });
    await eventually(
      async () => (await h?.factory.queue('events').getJob('replayed-event'))?.finishedOn !== undefined,
      { what: 'the replayed event' },
    );

    const final = await listEvents(h.pool, caseId);
    expect(typesOf(final)).toEqual(['case.received', 'case.sla_breached']);
    expect(verifyChain(final)).toEqual({ ok: true });
    const state = await findCase(h.pool, caseId);
    expect(state).toEqual(fold(final));
    expect(state).toMatchObject({
      stage: 'received',
      version: 2,
      stageEnteredAt: visit.stageEnteredAt,
      deadlineAt: visit.deadlineAt,
    });
    expect(await breachRows(h)).toBe(1);
    expect(await breachesCounted('received')).toBe(counted + 1);
    // The early timer went back to waiting: no failure, no retry.
    expect(h.logs.filter((l) => l.level === 'error' || l.msg === 'job failed, will retry')).toEqual([]);
  });

  it('removes the timer of the stage a case left, appends nothing for one that runs late, and starts the next stage timer', async () => {
    h = await createQueueHarness(backend);
    const harness = h;
    withSla(h, { received: 1_000 });
    // Stage workers without the sla queue: the timer can only run once the case has moved on.
    const stages = await h.start({ queues: ['intake', 'verification', 'events'], settings: NO_SWEEP });
    const caseId = await caseOfApplied(h, await h.submit());
    const received = (await listEvents(h.pool, caseId))[0];
    if (received === undefined) throw new Error('no case.received');
    const timerId = slaTimerJobId({ caseId, stage: 'received', stageEnteredAt: received.occurredAt });
    await eventually(async () => (await harness.factory.queue('sla').getJob(timerId)) !== undefined, {
      what: 'the received timer',
    });

    await caseOfApplied(h, await h.insert('claim', caseId, VERIFIER, {}));
    await caseOfApplied(h, await h.insert('verify', caseId, VERIFIER, verifyBody()));
    const state = await findCase(h.pool, caseId);
    if (state === null) throw new Error('case lost');
    const nextTimerId = slaTimerJobId({ caseId, stage: 'verified', stageEnteredAt: state.stageEnteredAt });
    await eventually(
      async () => (await (await harness.factory.queue('sla').getJob(nextTimerId))?.getState()) === 'delayed',
      {
        what: 'the verified timer waiting',
      },
    );
    // Leaving the stage removed its timer (the projection of case.verified).
    expect(await h.factory.queue('sla').getJob(timerId)).toBeUndefined();
    await stages.close();

    // A timer whose removal was lost (a crash between commit and projection) runs and finds the case gone on.
    const late = { caseId, stage: 'received' as const, stageEnteredAt: received.occurredAt };
    const deadlineAt = (received.payload as { deadlineAt: string }).deadlineAt;
    await h.factory.queue('sla').add(SLA_TIMER_JOB, { ...late, deadlineAt }, { jobId: timerId });
    await h.start({ queues: ['sla'], relay: false, settings: NO_SWEEP });
    expect(
      await eventually(() => timerResult(harness, timerId), { what: 'the received timer done', timeoutMs: 30_000 }),
    ).toEqual({ status: 'moved_on' });
    expect(typesOf(await listEvents(h.pool, caseId))).toEqual(['case.received', 'case.claimed', 'case.verified']);
    expect(await breachRows(h)).toBe(0);
    const next = await h.factory.queue('sla').getJob(nextTimerId);
    expect(next?.data).toEqual({
      caseId,
      stage: 'verified',
      stageEnteredAt: state.stageEnteredAt,
      deadlineAt: state.deadlineAt,
    });
    expect(await next?.getState()).toBe('delayed');
  });

  it('leaves no timer behind: after 100 closed cases no delayed job is left, an open case keeps one', async () => {
    h = await createQueueHarness(backend);
    const harness = h;
    await h.start({ settings: NO_SWEEP });
    const through = async (): Promise<string> => {
      const caseId = await caseOfApplied(harness, await harness.submit());
      await caseOfApplied(harness, await harness.insert('claim', caseId, VERIFIER, {}));
      await caseOfApplied(harness, await harness.insert('verify', caseId, VERIFIER, verifyBody()));
      await caseOfApplied(harness, await harness.insert('refer', caseId, SUPERVISOR, BODIES.refer));
      await caseOfApplied(
        harness,
        await harness.insert('record-no-violation', caseId, SUPERVISOR, BODIES['record-no-violation']),
      );
      return caseId;
    };
    const closed = await Promise.all(Array.from({ length: 100 }, through));
    const open = await caseOfApplied(h, await h.submit());
    const { rows } = await h.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM cases WHERE id = ANY($1::uuid[]) AND stage = 'closed'",
      [closed],
    );
    expect(rows[0]?.n).toBe(100);
    // Every stage change is projected (the outbox drains); then only the open case's timer is left.
    const delayed = await eventually(
      async () => {
        const jobs = await harness.factory.queue('sla').getDelayed();
        return (await outboxCount(harness.pool)) === 0 && jobs.length === 1 && jobs;
      },
      { what: 'one delayed timer left', timeoutMs: 60_000 },
    );
    expect(delayed.map((j) => (j.data as { caseId: string }).caseId)).toEqual([open]);
    expect(await h.factory.queue('sla').getDelayedCount()).toBe(1);
  }, 120_000);

  it('sweeps away a timer whose visit is over and keeps the ones still running', async () => {
    h = await createQueueHarness(backend);
    const harness = h;
    const pipeline = await h.start({ settings: NO_SWEEP });
    const caseId = await caseOfApplied(h, await h.submit());
    const received = (await listEvents(h.pool, caseId))[0];
    if (received?.type !== 'case.received') throw new Error('no case.received');
    const live = slaTimerJobId({ caseId, stage: 'received', stageEnteredAt: received.occurredAt });
    await eventually(async () => (await harness.factory.queue('sla').getDelayedCount()) === 1, {
      what: 'the received timer',
    });
    // A timer for a visit the case never made (a removal lost in a crash looks the same).
    const over = { caseId, stage: 'referred' as const, stageEnteredAt: '2026-01-01T00:00:00.000Z' };
    const orphan = slaTimerJobId(over);
    await h.factory
      .queue('sla')
      .add(SLA_TIMER_JOB, { ...over, deadlineAt: '2026-02-01T00:00:00.000Z' }, { jobId: orphan, delay: DAY });
    expect(await pipeline.slaSweeper?.runOnce()).toEqual({ overdue: 0, breached: 0, orphanTimersRemoved: 1 });
    expect(await h.factory.queue('sla').getJob(orphan)).toBeUndefined();
    expect(await (await h.factory.queue('sla').getJob(live))?.getState()).toBe('delayed');
  });
});

describe('SLA timers lost with Redis', () => {
  let h: QueueHarness | undefined;
  let redis: PrivateRedis | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await redis?.stop();
    redis = undefined;
  });

  it('are caught by the sweeper after a FLUSHALL: one breach, appended from Postgres alone', async () => {
    // A real FLUSHALL needs a Redis of our own; without redis-server, every key of the test goes.
    redis = hasRedisServer() ? await startPrivateRedis() : undefined;
    const own = redis;
    const wipe =
      own === undefined ? () => deleteKeys(inject('redisUrl'), `${harness().prefix}:*`) : () => own.flushAll();
    h = await createQueueHarness('redis', redis === undefined ? {} : { redisUrl: redis.url });
    const harness = () => h as QueueHarness;
    withSla(h, { received: 2_000 });
    const before = await h.start({ settings: NO_SWEEP });
    const caseId = await caseOfApplied(h, await h.submit());
    const received = (await listEvents(h.pool, caseId))[0];
    if (received === undefined) throw new Error('no case.received');
    const timerId = slaTimerJobId({ caseId, stage: 'received', stageEnteredAt: received.occurredAt });
    await eventually(async () => (await harness().factory.queue('sla').getDelayedCount()) === 1, {
      what: 'the timer waiting',
    });
    await before.close();

    await wipe();
    expect(await h.factory.queue('sla').getJob(timerId)).toBeUndefined();

    const after = await h.start({ settings: { slaSweepIntervalMs: 300 } });
    const events = await eventually(
      async () => {
        const all = await listEvents(harness().pool, caseId);
        return all.length >= 2 && all;
      },
      { what: 'the breach from the sweeper', timeoutMs: 30_000 },
    );
    expect(typesOf(events)).toEqual(['case.received', 'case.sla_breached']);
    expect(events[1]?.payload).toEqual({
      stage: 'received',
      deadlineAt: (received.payload as { deadlineAt: string }).deadlineAt,
    });
    expect(await h.factory.queue('sla').getJob(timerId)).toBeUndefined();
    expect(h.logs.some((l) => l.msg === 'sla sweeper breached overdue visits' && l.breached === 1)).toBe(true);

    expect(await after.slaSweeper?.runOnce()).toMatchObject({ overdue: 0, breached: 0 });
    expect(typesOf(await listEvents(h.pool, caseId))).toEqual(['case.received', 'case.sla_breached']);
    expect(await breachRows(h)).toBe(1);
  });
});
