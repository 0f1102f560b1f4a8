// The queue side of docs/design.md §3 on both backends: outbox → relay → stage queue → worker →
// applied, events → events queue; exactly once under load and under double delivery.
import { afterEach, describe, expect, it } from 'vitest';
import { PROCESSORS, type ProcessorDefinition } from '../../workers/index.ts';
import { BODIES, SUPERVISOR, VERIFIER, penaltyBody, verifyBody } from '../support/fixtures.ts';
import {
  commandStatuses,
  createQueueHarness,
  eventually,
  outboxCount,
  recordingEvents,
  type QueueHarness,
} from '../support/queue-harness.ts';

async function statusOf(h: QueueHarness, commandId: string): Promise<string> {
  const { rows } = await h.pool.query<{ status: string }>('SELECT status FROM commands WHERE id = $1', [commandId]);
  return rows[0]?.status ?? 'none';
}

describe.each(['redis', 'postgres'] as const)('queue pipeline on the %s backend', (backend) => {
  let h: QueueHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('carries a case through every stage queue and its events to the events queue', async () => {
    h = await createQueueHarness(backend);
    const { seen, processors } = recordingEvents();
    await h.start({ processors });
    const harness = h;
    const applied = (id: string) =>
      eventually(async () => (await statusOf(harness, id)) === 'applied', { what: `command ${id} applied` });

    const caseId = (await h.pool.query<{ id: string }>('SELECT gen_random_uuid() AS id')).rows[0]!.id;
    const steps: [Parameters<QueueHarness['insert']>[0], { id: string; roles: string[] }, unknown][] = [
      ['submit', { id: '00000000-0000-4000-a000-000000000001', roles: ['clerk'] }, BODIES.submit],
      ['claim', VERIFIER, {}],
      ['verify', VERIFIER, verifyBody()],
      ['refer', SUPERVISOR, BODIES.refer],
      ['record-penalty', SUPERVISOR, penaltyBody({ decisionNo: `QD-${caseId.slice(0, 8)}` })],
      ['close', SUPERVISOR, BODIES.close],
    ];
    for (const [type, actor, payload] of steps) await applied(await h.insert(type, caseId, actor, payload));

    const { rows: cases } = await h.pool.query('SELECT stage, outcome, version FROM cases WHERE id = $1', [caseId]);
    expect(cases).toEqual([{ stage: 'closed', outcome: 'penalty_enforced', version: 6 }]);
    const { rows: events } = await h.pool.query<{ id: string; type: string }>(
      'SELECT id::text, type FROM events WHERE case_id = $1 ORDER BY seq',
      [caseId],
    );
    expect(events.map((e) => e.type)).toEqual([
      'case.received',
      'case.claimed',
      'case.verified',
      'case.referred',
      'case.penalty_issued',
      'case.closed',
    ]);
    await eventually(async () => new Set(seen.map((e) => e.id)).size === events.length, {
      what: 'every event projected',
    });
    expect([...new Set(seen.map((e) => e.id))].sort()).toEqual(events.map((e) => e.id).sort());
    // Finished work leaves the outbox.
    await eventually(async () => (await outboxCount(harness.pool)) === 0, { what: 'an empty outbox' });
  });

  it('applies 500 commands inserted at once exactly once each', async () => {
    h = await createQueueHarness(backend);
    const { seen, processors } = recordingEvents();
    await h.start({ processors });
    const harness = h;
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: 500 }, (_, i) => harness.submit(i)));
    await eventually(async () => (await commandStatuses(harness.pool)).applied === 500, {
      timeoutMs: 50_000,
      what: '500 commands applied',
    });
    const appliedMs = performance.now() - started;
    await eventually(async () => new Set(seen.map((e) => e.id)).size === 500, {
      timeoutMs: 20_000,
      what: '500 events projected',
    });
    const projectedMs = performance.now() - started;
    const counts: Record<string, number> = {};
    for (const l of harness.logs)
      if (l.level !== 'debug') counts[`${l.level} ${l.msg}`] = (counts[`${l.level} ${l.msg}`] ?? 0) + 1;
    console.info(
      'DIAG',
      JSON.stringify(counts),
      JSON.stringify(harness.logs.filter((l) => l.level === 'warn' || l.level === 'error').slice(0, 3)),
    );
    console.info(
      `[${backend}] 500 submits: applied in ${Math.round(appliedMs)} ms, events projected in ${Math.round(projectedMs)} ms`,
    );

    expect(await commandStatuses(h.pool)).toEqual({ applied: 500 });
    const { rows } = await h.pool.query<{ cases: number; events: number; bad: number }>(
      `SELECT (SELECT count(*)::int FROM cases) AS cases,
              (SELECT count(*)::int FROM events) AS events,
              (SELECT count(*)::int FROM cases c WHERE c.version <> 1
                 OR (SELECT array_agg(type ORDER BY seq) FROM events e WHERE e.case_id = c.id) <> ARRAY['case.received']) AS bad`,
    );
    expect(rows[0]).toEqual({ cases: 500, events: 500, bad: 0 });
    const { rows: byCommand } = await h.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE command_id = ANY($1::uuid[]) GROUP BY command_id HAVING count(*) <> 1',
      [ids],
    );
    expect(byCommand).toEqual([]);
  });

  it('applies a command once when its job is delivered twice', async () => {
    h = await createQueueHarness(backend);
    const commandId = await h.submit();
    const queue = h.factory.queue('intake');
    // Two more deliveries of the same command under other job ids, besides the relay's own.
    await queue.add('submit', { commandId }, { jobId: `${commandId}-twin-a` });
    await queue.add('submit', { commandId }, { jobId: `${commandId}-twin-b` });
    await h.start();
    const harness = h;

    const results = await eventually(
      async () => {
        const jobs = await Promise.all([`${commandId}-twin-a`, `${commandId}-twin-b`].map((id) => queue.getJob(id)));
        const values = jobs.map((job) => job?.returnvalue as { status: string; replayed: boolean } | undefined);
        return values.every((v) => v?.status === 'applied') ? values : false;
      },
      { what: 'both twins completed' },
    );
    await eventually(async () => (await outboxCount(harness.pool)) === 0, { what: 'an empty outbox' });

    expect(await statusOf(h, commandId)).toBe('applied');
    const { rows } = await h.pool.query<{ type: string; seq: number }>(
      'SELECT type, seq FROM events WHERE command_id = $1',
      [commandId],
    );
    expect(rows).toEqual([{ type: 'case.received', seq: 1 }]);
    // At most one of the three deliveries did the work; the twins that ran later replayed it.
    expect(results.filter((r) => r?.replayed === false).length).toBeLessThanOrEqual(1);
  });

  it('republishes a command whose job failed for good, under a new job id', async () => {
    h = await createQueueHarness(backend, { jobs: { attempts: 1, backoffMs: 100 } });
    const failedOnce = new Set<string>();
    // The first delivery of each command fails with a transient error and no retry left.
    const flaky: ProcessorDefinition[] = PROCESSORS.map((p) =>
      p.queue !== 'intake'
        ? p
        : {
            queue: 'intake',
            create: (deps) => {
              const real = p.create(deps);
              return async (job) => {
                const { commandId } = job.data as { commandId: string };
                if (!failedOnce.has(commandId)) {
                  failedOnce.add(commandId);
                  throw new Error('connection terminated unexpectedly');
                }
                return real(job);
              };
            },
          },
    );
    const commandId = await h.submit();
    await h.start({ processors: flaky });
    const harness = h;

    await eventually(async () => (await statusOf(harness, commandId)) === 'applied', {
      what: 'the command applied after reconciling',
    });
    const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE command_id = $1', [
      commandId,
    ]);
    expect(rows[0]?.n).toBe(1);
    const failed = await h.factory.queue('intake').getFailed();
    expect(failed.map((job) => job.data)).toEqual([{ commandId, caseId: expect.any(String) }]);
    expect(h.logs.some((line) => line.msg === 'reconciler republished unfinished work')).toBe(true);
  });

  it('gives a pending command that lost its outbox row a new one', async () => {
    h = await createQueueHarness(backend);
    const commandId = await h.submit();
    await h.pool.query('DELETE FROM outbox');
    await h.start();
    const harness = h;

    await eventually(async () => (await statusOf(harness, commandId)) === 'applied', {
      what: 'the orphaned command applied',
    });
    expect(h.logs.find((l) => l.msg === 'pending commands without outbox row restored')).toMatchObject({
      count: 1,
      commandIds: [commandId],
    });
  });
});
