import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand, createCommandApplier, type ApplyDeps } from '../../src/app/apply-command.ts';
import { COMMANDS, fold, verifyChain, type Actor, type CommandType } from '../../src/domain/index.ts';
import { findCase, listEvents } from '../../src/infra/db/case.repository.ts';
import { findCommand, insertCommand } from '../../src/infra/db/command.repository.ts';
import type { OutboxRow } from '../../src/infra/db/outbox.repository.ts';
import { loadProjectionInputs } from '../../src/infra/db/projection.repository.ts';
import { writeTransitions } from '../../src/infra/db/transition.repository.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  BODIES,
  CLERK,
  CLERK_2,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  VERIFIER_2,
  penaltyBody,
  submitBody,
  verifyBody,
} from '../support/fixtures.ts';

const HOUR = 3_600_000;
let db: TestDatabase;
let deps: ApplyDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = {
    pool: db.pool,
    hmacKey: Buffer.from('integration-test-hmac-key-0123456789'),
    sla: { received: 24 * HOUR, verified: 48 * HOUR, referred: 720 * HOUR, penalty_issued: 1440 * HOUR },
    claimLeaseMs: HOUR / 2,
    log: createLogger({ level: 'silent' }),
  };
});
afterAll(() => db.drop());

async function send(type: CommandType, caseId: string, actor: Actor, body: unknown, expectedVersion?: number) {
  const payload = COMMANDS[type].payload.parse(body);
  const { id: commandId } = await insertCommand(
    db.pool,
    { type, caseId, actor, payload, ...(expectedVersion === undefined ? {} : { expectedVersion }) },
    COMMANDS[type].queue,
  );
  return { commandId, outcome: await applyCommand(deps, commandId) };
}

async function submit(
  body: unknown = submitBody({ url: `https://example.vn/posts/${randomUUID()}`, content: randomUUID() }),
  actor = CLERK,
) {
  const caseId = randomUUID();
  const { outcome } = await send('submit', caseId, actor, body);
  expect(outcome.status).toBe('applied');
  return caseId;
}

async function eventTypes(caseId: string) {
  return (await listEvents(db.pool, caseId)).map((e) => e.type);
}

/** The stored row must be exactly the fold of the case's events, and its chain must hold. */
async function expectConsistent(caseId: string) {
  const events = await listEvents(db.pool, caseId);
  expect(verifyChain(events)).toEqual({ ok: true });
  expect(await findCase(db.pool as never, caseId)).toEqual(fold(events));
}

describe('applying commands through the use case', () => {
  it('drives a case from submission to an enforced penalty with exactly the expected events and a valid chain', async () => {
    const caseId = await submit();
    await send('claim', caseId, VERIFIER, BODIES.claim);
    await send('verify', caseId, VERIFIER, verifyBody());
    await send('refer', caseId, SUPERVISOR, BODIES.refer);
    await send('record-penalty', caseId, SUPERVISOR, penaltyBody({ decisionNo: `QD-${randomUUID()}` }));
    const last = await send('close', caseId, SUPERVISOR, BODIES.close);

    expect(last.outcome).toMatchObject({ status: 'applied', version: 6 });
    expect(await eventTypes(caseId)).toEqual([
      'case.received',
      'case.claimed',
      'case.verified',
      'case.referred',
      'case.penalty_issued',
      'case.closed',
    ]);
    const stored = await findCase(db.pool as never, caseId);
    expect(stored).toMatchObject({ stage: 'closed', outcome: 'penalty_enforced', version: 6, verifiedBy: VERIFIER.id });
    expect(stored?.reference).toMatch(/^CT-\d{4}-\d{6}$/);
    await expectConsistent(caseId);
  });

  it('keeps personal data out of the trail and in its own table', async () => {
    const caseId = await submit(submitBody({ url: 'https://example.vn/personal', content: 'Nội dung riêng tư 42' }));
    const events = await listEvents(db.pool, caseId);
    const trail = JSON.stringify(events);
    expect(trail).not.toContain('nguyen.van.a');
    expect(trail).not.toContain('Nội dung riêng tư 42');
    expect(events[0]?.payload).toMatchObject({ personal: { digest: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const { rows } = await db.pool.query('SELECT account_handle, content FROM case_personal_data WHERE case_id = $1', [
      caseId,
    ]);
    expect(rows).toEqual([{ account_handle: 'nguyen.van.a', content: 'Nội dung riêng tư 42' }]);
  });

  it('applies a command once: a second application changes nothing', async () => {
    const caseId = await submit();
    const { commandId } = await send('add-note', caseId, CLERK, BODIES['add-note']);
    const again = await applyCommand(deps, commandId);
    expect(again).toMatchObject({ status: 'applied', version: 2, replayed: true });
    expect(await eventTypes(caseId)).toEqual(['case.received', 'case.note_added']);
  });

  it('rejects a verifier who submitted the case, with guard_failed, leaving the case untouched', async () => {
    const both: Actor = { id: randomUUID(), roles: ['clerk', 'verifier'] };
    const caseId = await submit(undefined, both);
    const { commandId, outcome } = await send('claim', caseId, both, BODIES.claim);
    expect(outcome).toMatchObject({ status: 'rejected', problem: { code: 'guard_failed' } });
    expect(await findCommand(db.pool, commandId)).toMatchObject({
      status: 'rejected',
      problem: { code: 'guard_failed' },
    });
    expect(await eventTypes(caseId)).toEqual(['case.received']);
  });

  it('answers version_conflict when expectedVersion is stale', async () => {
    const caseId = await submit();
    await send('add-note', caseId, CLERK, BODIES['add-note']);
    const { outcome } = await send('claim', caseId, VERIFIER, BODIES.claim, 1);
    expect(outcome).toMatchObject({ status: 'rejected', problem: { code: 'version_conflict' } });
  });

  it('refuses a decision number already used on another case with duplicate_decision', async () => {
    const decisionNo = `QD-${randomUUID()}`;
    const first = await submit();
    const second = await submit();
    for (const caseId of [first, second]) {
      await send('claim', caseId, VERIFIER, BODIES.claim);
      await send('verify', caseId, VERIFIER, verifyBody());
      await send('refer', caseId, SUPERVISOR, BODIES.refer);
    }
    expect((await send('record-penalty', first, SUPERVISOR, penaltyBody({ decisionNo }))).outcome.status).toBe(
      'applied',
    );
    const { outcome } = await send('record-penalty', second, SUPERVISOR_2, penaltyBody({ decisionNo }));
    expect(outcome).toMatchObject({ status: 'rejected', problem: { code: 'duplicate_decision' } });
  });

  it('closes a second report of the same item as a duplicate and merges it into the original', async () => {
    const url = `https://www.facebook.com/groups/9/posts/${randomUUID()}`;
    const original = await submit(submitBody({ url, content: randomUUID() }));
    const duplicate = await submit(
      submitBody({ url: `${url.replace('https://www.', 'HTTPS://WWW.')}/?utm_source=zalo#top`, content: randomUUID() }),
      CLERK_2,
    );

    expect(await eventTypes(duplicate)).toEqual(['case.received', 'case.duplicate_detected', 'case.closed']);
    expect(await eventTypes(original)).toEqual(['case.received', 'case.report_merged']);
    expect(await findCase(db.pool as never, duplicate)).toMatchObject({
      stage: 'closed',
      outcome: 'duplicate',
      duplicateOf: original,
    });
    expect(await findCase(db.pool as never, original)).toMatchObject({ stage: 'received', mergedReports: 1 });
    await expectConsistent(original);
    await expectConsistent(duplicate);
  });

  it('links the same content posted at another URL both ways without closing either case', async () => {
    const content = `Tin giả về bão số 9 ${randomUUID()}`;
    const first = await submit(submitBody({ url: `https://example.vn/a/${randomUUID()}`, content }));
    const second = await submit(submitBody({ url: `https://example.vn/b/${randomUUID()}`, content }));
    expect(await eventTypes(second)).toEqual(['case.received', 'case.related_linked']);
    expect(await eventTypes(first)).toEqual(['case.received', 'case.related_linked']);
    expect(await findCase(db.pool as never, first)).toMatchObject({ stage: 'received', relatedCases: [second] });
  });
});

describe('concurrency', () => {
  it('applies two conflicting commands on one case as one winner and one rejection, never a forked chain', async () => {
    for (let round = 0; round < 10; round++) {
      const caseId = await submit();
      await send('claim', caseId, VERIFIER, BODIES.claim);
      await send('verify', caseId, VERIFIER, verifyBody());
      const race = await Promise.all([
        send('refer', caseId, SUPERVISOR, BODIES.refer),
        send('refer', caseId, SUPERVISOR_2, BODIES.refer),
      ]);
      const outcomes = race.map((r) => r.outcome);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'rejected']);
      expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ problem: { code: 'invalid_transition' } });
      const events = await listEvents(db.pool, caseId);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      await expectConsistent(caseId);
    }
  });

  it('lets only one of two verifiers claiming at once hold the claim; the other gets claimed_by_other', async () => {
    for (let round = 0; round < 10; round++) {
      const caseId = await submit();
      const race = await Promise.all([
        send('claim', caseId, VERIFIER, BODIES.claim),
        send('claim', caseId, VERIFIER_2, BODIES.claim),
      ]);
      const outcomes = race.map((r) => r.outcome);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'rejected']);
      expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ problem: { code: 'claimed_by_other' } });
      await expectConsistent(caseId);
    }
  });

  it('makes exactly one original out of simultaneous reports of one item', async () => {
    const url = `https://tiktok.com/@x/video/${randomUUID()}`;
    const ids = await Promise.all(Array.from({ length: 8 }, () => submit(submitBody({ url, content: randomUUID() }))));
    const states = await Promise.all(ids.map((id) => findCase(db.pool as never, id)));
    const originals = states.filter((s) => s?.outcome !== 'duplicate');
    expect(originals).toHaveLength(1);
    expect(originals[0]).toMatchObject({ stage: 'received', mergedReports: 7 });
    for (const id of ids) await expectConsistent(id);
  });

  it('applies the same command delivered twice at once exactly once', async () => {
    const caseId = await submit();
    const payload = COMMANDS['add-note'].payload.parse(BODIES['add-note']);
    const { id: commandId } = await insertCommand(
      db.pool,
      { type: 'add-note', caseId, actor: CLERK, payload },
      'intake',
    );
    const outcomes = await Promise.all([applyCommand(deps, commandId), applyCommand(deps, commandId)]);
    expect(outcomes.map((o) => (o.status === 'applied' ? o.replayed : null)).sort()).toEqual([false, true]);
    expect(await eventTypes(caseId)).toEqual(['case.received', 'case.note_added']);
  });
});

describe('applying commands in batches', () => {
  const store = async (type: CommandType, caseId: string, actor: Actor, body: unknown) =>
    (
      await insertCommand(
        db.pool,
        { type, caseId, actor, payload: COMMANDS[type].payload.parse(body) },
        COMMANDS[type].queue,
      )
    ).id;

  it('applies commands of many cases started together in one transaction, each as it would alone', async () => {
    const apply = createCommandApplier(deps);
    const cases = await Promise.all(Array.from({ length: 6 }, () => submit()));
    const claims = await Promise.all(cases.map((caseId) => store('claim', caseId, VERIFIER, BODIES.claim)));
    const outcomes = await Promise.all(claims.map((id) => apply(id, { type: 'claim' })));
    expect(outcomes.map((o) => (o.status === 'applied' ? [o.version, o.replayed] : o.status))).toEqual(
      cases.map(() => [2, false]),
    );
    const verifies = await Promise.all(cases.map((caseId) => store('verify', caseId, VERIFIER, verifyBody())));
    expect(
      (await Promise.all(verifies.map((id) => apply(id, { type: 'verify' })))).every((o) => o.status === 'applied'),
    ).toBe(true);
    for (const caseId of cases) {
      expect(await eventTypes(caseId)).toEqual(['case.received', 'case.claimed', 'case.verified']);
      await expectConsistent(caseId);
    }
    for (const id of [...claims, ...verifies])
      expect(await findCommand(db.pool, id)).toMatchObject({ status: 'applied' });
  });

  it('decides commands on one case in one batch in order: one claim wins, the other gets claimed_by_other', async () => {
    const apply = createCommandApplier(deps);
    for (let round = 0; round < 5; round++) {
      const caseId = await submit();
      const first = await store('claim', caseId, VERIFIER, BODIES.claim);
      const second = await store('claim', caseId, VERIFIER_2, BODIES.claim);
      const outcomes = await Promise.all([apply(first, { type: 'claim' }), apply(second, { type: 'claim' })]);
      expect(outcomes[0]).toMatchObject({ status: 'applied', replayed: false });
      expect(outcomes[1]).toMatchObject({ status: 'rejected', problem: { code: 'claimed_by_other' } });
      expect(await findCommand(db.pool, second)).toMatchObject({
        status: 'rejected',
        problem: { code: 'claimed_by_other' },
      });
      await expectConsistent(caseId);
    }
  });

  it('applies a command twice in one batch, and a batch racing a single application, exactly once', async () => {
    const apply = createCommandApplier(deps);
    const caseId = await submit();
    const note = await store('add-note', caseId, CLERK, BODIES['add-note']);
    const other = await store('add-note', await submit(), CLERK, BODIES['add-note']);
    const outcomes = await Promise.all([
      apply(note, { type: 'add-note' }),
      apply(note, { type: 'add-note' }),
      apply(other, { type: 'add-note' }),
      applyCommand(deps, note),
    ]);
    expect(outcomes.filter((o) => o.status === 'applied' && !o.replayed)).toHaveLength(2);
    expect(await eventTypes(caseId)).toEqual(['case.received', 'case.note_added']);
    await expectConsistent(caseId);
  });

  it('writes nothing when another writer changed the case between the read and the write, then applies the command under locks', async () => {
    const caseId = await submit();
    const mine = await store('add-note', caseId, CLERK, BODIES['add-note']);
    const theirs = await store('add-note', caseId, SUPERVISOR, BODIES['add-note']);
    // The batch's write statement goes through this pool: just before it, the other command
    // is applied on its own, so the state the batch decided on is stale when it writes.
    const failures: unknown[] = [];
    let interleaved = false;
    const pool = new Proxy(db.pool, {
      get(target, key) {
        if (key !== 'query') return Reflect.get(target, key, target);
        return async (config: { name?: string }, values?: unknown[]) => {
          if (config?.name === 'write-transitions' && !interleaved) {
            interleaved = true;
            expect(await applyCommand(deps, theirs)).toMatchObject({ status: 'applied', version: 2 });
            return target.query(config as never, values as never).catch((error: unknown) => {
              failures.push(error);
              throw error;
            });
          }
          return target.query(config as never, values as never);
        };
      },
    });
    const outcome = await createCommandApplier({ ...deps, pool })(mine, { type: 'add-note' });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: expect.stringMatching(/^(40001|23505)$/) });
    expect(outcome).toMatchObject({ status: 'applied', version: 3, replayed: false });
    expect((await listEvents(db.pool, caseId)).map((e) => [e.seq, e.commandId])).toEqual([
      [1, expect.any(String)],
      [2, theirs],
      [3, mine],
    ]);
    await expectConsistent(caseId);
  });

  it('lets appliers of two processes race on the same cases: every command applied or rejected once, chains intact', async () => {
    const appliers = [createCommandApplier(deps), createCommandApplier(deps)];
    const cases = await Promise.all(Array.from({ length: 8 }, () => submit()));
    const work = cases.flatMap((caseId) => [
      { caseId, type: 'claim' as const, id: store('claim', caseId, VERIFIER, BODIES.claim) },
      { caseId, type: 'claim' as const, id: store('claim', caseId, VERIFIER_2, BODIES.claim) },
      { caseId, type: 'add-note' as const, id: store('add-note', caseId, CLERK, BODIES['add-note']) },
      { caseId, type: 'add-note' as const, id: store('add-note', caseId, SUPERVISOR, BODIES['add-note']) },
    ]);
    const ids = await Promise.all(work.map((w) => w.id));
    const outcomes = await Promise.all(
      ids.map((id, i) => (appliers[i % 2] as (typeof appliers)[0])(id, { type: (work[i] as (typeof work)[0]).type })),
    );
    for (const [i, caseId] of cases.entries()) {
      const mine = outcomes.slice(i * 4, i * 4 + 4);
      expect(
        mine
          .slice(0, 2)
          .map((o) => o.status)
          .sort(),
      ).toEqual(['applied', 'rejected']);
      expect(mine.slice(2).map((o) => o.status)).toEqual(['applied', 'applied']);
      expect((await listEvents(db.pool, caseId)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      await expectConsistent(caseId);
    }
    for (const id of ids) expect((await findCommand(db.pool, id))?.status).not.toBe('pending');
  });

  it('applies penalties together, each with its subject kept apart, and refuses a decision number a case already bears', async () => {
    const apply = createCommandApplier(deps);
    const cases = await Promise.all(Array.from({ length: 3 }, () => submit()));
    for (const caseId of cases) {
      await send('claim', caseId, VERIFIER, BODIES.claim);
      await send('verify', caseId, VERIFIER, verifyBody());
      await send('refer', caseId, SUPERVISOR, BODIES.refer);
    }
    const taken = `QD-${randomUUID()}`;
    await send('record-penalty', cases[0] as string, SUPERVISOR, penaltyBody({ decisionNo: taken }));
    const [fresh, second] = [cases[1] as string, cases[2] as string];
    const penalties = await Promise.all([
      store('record-penalty', fresh, SUPERVISOR, penaltyBody({ decisionNo: `QD-${randomUUID()}` })),
      store('record-penalty', second, SUPERVISOR, penaltyBody({ decisionNo: taken })),
    ]);
    const outcomes = await Promise.all(penalties.map((id) => apply(id, { type: 'record-penalty' })));
    expect(outcomes[0]).toMatchObject({ status: 'applied', version: 5, replayed: false });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', problem: { code: 'duplicate_decision' } });
    const { rows } = await db.pool.query(
      'SELECT case_id, account_handle, subject_name, subject_handle FROM case_personal_data WHERE case_id = ANY($1::uuid[]) ORDER BY case_id',
      [[fresh, second]],
    );
    // The submit's data is kept and the penalty's subject added; the refused penalty adds nothing.
    expect(rows).toEqual(
      [
        {
          case_id: fresh,
          account_handle: 'nguyen.van.a',
          subject_name: 'Nguyễn Văn A',
          subject_handle: 'nguyen.van.a',
        },
        { case_id: second, account_handle: 'nguyen.van.a', subject_name: null, subject_handle: null },
      ].sort((a, b) => (a.case_id < b.case_id ? -1 : 1)),
    );
    expect(JSON.stringify(await listEvents(db.pool, fresh))).not.toContain('Nguyễn Văn A');
    for (const caseId of cases) await expectConsistent(caseId);
  });

  it('hands its events on with what their projections would read after commit', async () => {
    await db.pool.query(
      "INSERT INTO webhook_endpoints (id, url, event_types, secret, created_by) VALUES ($1, 'https://hooks.example.vn/a', '{case.verified}', 's', $2)",
      [randomUUID(), SUPERVISOR.id],
    );
    const handed: OutboxRow[] = [];
    const apply = createCommandApplier({ ...deps, handoff: async (rows) => void handed.push(...rows) });
    const caseId = await submit();
    await send('claim', caseId, VERIFIER, BODIES.claim);
    const verify = await store('verify', caseId, VERIFIER, verifyBody());
    expect(await apply(verify, { type: 'verify' })).toMatchObject({ status: 'applied', version: 3 });
    const [row] = handed.filter((r) => r.queue === 'events');
    if (row === undefined) throw new Error('no events row was handed on');
    const read = (await loadProjectionInputs(db.pool, [(row.payload as { eventId: string }).eventId]))[0];
    expect(row?.projection).toBeDefined();
    expect(read).not.toBeNull();
    const { now: handedNow, ...handedVisit } = row?.projection?.visit ?? { now: null };
    const { now: readNow, ...readVisit } = read?.visit ?? { now: null };
    expect(row?.projection?.event).toEqual(read?.event);
    expect(handedVisit).toEqual(readVisit);
    expect(handedVisit).toMatchObject({ stage: 'verified' });
    expect(row?.projection?.webhookSubscribers).toBe(1);
    expect(read?.webhookSubscribers).toBe(1);
    expect((handedNow as Date).getTime()).toBeLessThanOrEqual((readNow as Date).getTime());
  });

  it('sends submits on their own, and answers missing for an unknown command', async () => {
    const apply = createCommandApplier(deps);
    const caseId = randomUUID();
    const submitted = await store(
      'submit',
      caseId,
      CLERK,
      submitBody({ url: `https://example.vn/posts/${randomUUID()}`, content: randomUUID() }),
    );
    const [applied, missing] = await Promise.all([
      apply(submitted, { type: 'submit' }),
      apply(randomUUID(), { type: 'claim' }),
    ]);
    expect(applied).toMatchObject({ status: 'applied', version: 1 });
    expect(missing).toEqual({ status: 'missing' });
    await expectConsistent(caseId);
  });
});

describe('the write statement as the commands table grows', () => {
  /** Index scans per index of the commands table, as the statistics system has them now. */
  async function indexScans(pool: TestDatabase['pool']): Promise<Record<string, number>> {
    const { rows } = await pool.query<{ name: string; scans: string }>(
      "SELECT indexrelname AS name, idx_scan AS scans FROM pg_stat_user_indexes WHERE relname = 'commands'",
    );
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.scans)]));
  }

  it("marks a command through its primary key, not through the status index's 'pending' entries, which every finished command leaves behind until a vacuum", async () => {
    const own = await createTestDatabase();
    try {
      // 5 000 commands finished since the last vacuum: the status index still holds a
      // 'pending' entry for each of them, next to the entries of their new versions.
      await own.pool.query(
        `INSERT INTO commands (id, type, case_id, actor_id, actor_roles, payload)
         SELECT gen_random_uuid(), 'claim', gen_random_uuid(), $1, '{verifier}', '{}' FROM generate_series(1, 5000)`,
        [VERIFIER.id],
      );
      await own.pool.query("UPDATE commands SET status = 'applied', result_version = 1, applied_at = now()");
      const caseId = randomUUID();
      const { id: commandId } = await insertCommand(
        own.pool,
        { type: 'claim', caseId, actor: VERIFIER, payload: BODIES.claim },
        'verification',
      );
      // The statistics autovacuum keeps on a live database.
      await own.pool.query('ANALYZE commands');
      const client = await own.pool.connect();
      try {
        const before = await indexScans(own.pool);
        await writeTransitions(client, {
          cases: [],
          events: [],
          outcomes: [{ commandId, caseId, status: 'rejected', problem: { code: 'not_found', detail: 'no such case' } }],
        });
        // The write's index scans reach the statistics before this returns.
        await client.query('SELECT pg_stat_force_next_flush()');
        const after = await indexScans(own.pool);
        expect(after.commands_pkey).toBeGreaterThan(before.commands_pkey ?? 0);
        expect(after.commands_status_created_at_idx).toBe(before.commands_status_created_at_idx);
      } finally {
        client.release();
      }
      expect((await findCommand(own.pool, commandId))?.status).toBe('rejected');
    } finally {
      await own.drop();
    }
  });
});

describe('rebuilding from the trail', () => {
  it('rebuilds every stored case from its events exactly', async () => {
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM cases');
    expect(rows.length).toBeGreaterThan(20);
    for (const { id } of rows) await expectConsistent(id);
  });
});
