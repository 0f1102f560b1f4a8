import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { AUTHORITY, BODIES, EVIDENCE, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';
import { countRows, json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type Problem = { code: string; status: number; detail: string; requestId: string };
type Accepted = { commandId: string; caseId: string; status: string; reference?: string | null };
type CaseBody = Record<string, unknown> & {
  id: string;
  reference: string;
  stage: string;
  outcome: string | null;
  version: number;
  item: Record<string, unknown>;
  penalty?: Record<string, unknown>;
};

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let supervisor2: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db, { server: { waitTimeoutMs: 5_000 } });
  clerk = await api.user(['clerk']);
  verifier = await api.user(['verifier']);
  supervisor = await api.user(['supervisor']);
  supervisor2 = await api.user(['supervisor']);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

function post(user: TestUser, url: string, body: unknown, headers: Record<string, string> = {}) {
  return api.app.inject({ method: 'POST', url, headers: { ...user.auth, ...headers }, payload: body as object });
}

/** POSTs with ?wait=true while the test stands in for the worker and applies the command. */
async function postAndWait(user: TestUser, url: string, body: unknown) {
  const [response] = await Promise.all([post(user, `${url}?wait=true`, body), api.applyWhenStored()]);
  return response;
}

/** A unique item: the same content at another URL would link the cases (case.related_linked). */
function uniqueItem(name: string) {
  return submitBody({ url: `https://example.vn/${name}`, content: `Bài viết ${name}: chanh nóng chữa khỏi cúm` });
}

async function submitted(body = uniqueItem(`p-${Math.random()}`)): Promise<CaseBody> {
  const response = await postAndWait(clerk, '/v1/cases', body);
  expect(response.statusCode).toBe(201);
  return json<CaseBody>(response);
}

describe('accepting a command', () => {
  it('answers 202 with the command, its case and a Location, and stores command and outbox row together', async () => {
    const response = await post(clerk, '/v1/cases', submitBody({ url: 'https://example.vn/accepted' }));
    expect(response.statusCode).toBe(202);
    const accepted = json<Accepted>(response);
    expect(accepted).toEqual({
      commandId: expect.any(String),
      caseId: expect.any(String),
      status: 'pending',
      reference: expect.stringMatching(/^CT-\d{4}-\d{6}$/),
    });
    expect(response.headers.location).toBe(`/v1/commands/${accepted.commandId}`);
    const { rows } = await api.database.pool.query("SELECT 1 FROM outbox WHERE payload->>'commandId' = $1", [
      accepted.commandId,
    ]);
    expect(rows).toHaveLength(1);

    const pending = await api.app.inject({
      method: 'GET',
      url: `/v1/commands/${accepted.commandId}`,
      headers: clerk.auth,
    });
    expect(json(pending)).toMatchObject({
      id: accepted.commandId,
      type: 'submit',
      caseId: accepted.caseId,
      status: 'pending',
    });
    expect(json(pending)).not.toHaveProperty('appliedAt');

    await api.applyPending();
    const applied = await api.app.inject({
      method: 'GET',
      url: `/v1/commands/${accepted.commandId}`,
      headers: clerk.auth,
    });
    expect(json(applied)).toMatchObject({ status: 'applied', appliedAt: expect.any(String) });
    // The case bears the reference the 202 answer gave.
    const { rows: cases } = await api.database.pool.query('SELECT reference FROM cases WHERE id = $1', [
      accepted.caseId,
    ]);
    expect(cases).toEqual([{ reference: accepted.reference }]);
    const other = await api.app.inject({
      method: 'GET',
      url: `/v1/commands/${accepted.commandId}`,
      headers: verifier.auth,
    });
    expect(other.statusCode).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('answers a retry with the same key and body with the same command, stored once', async () => {
    const body = submitBody({ url: 'https://example.vn/idempotent' });
    const headers = { 'idempotency-key': 'retry-7f3a' };
    const before = await countRows(api.database, 'commands');
    const first = json<Accepted>(await post(clerk, '/v1/cases', body, headers));
    const retries = await Promise.all([
      post(clerk, '/v1/cases', body, headers),
      post(clerk, '/v1/cases', body, headers),
    ]);
    for (const retry of retries) {
      expect(retry.statusCode).toBe(202);
      expect(json<Accepted>(retry)).toEqual(first);
    }
    expect(await countRows(api.database, 'commands')).toBe(before + 1);
    const { rows } = await api.database.pool.query("SELECT 1 FROM outbox WHERE payload->>'commandId' = $1", [
      first.commandId,
    ]);
    expect(rows).toHaveLength(1);

    await api.applyPending();
    const late = json<Accepted>(await post(clerk, '/v1/cases', body, headers));
    expect(late).toMatchObject({
      commandId: first.commandId,
      status: 'applied',
      reference: expect.stringMatching(/^CT-\d{4}-\d{6}$/),
    });
  });

  it('answers 422 idempotency_mismatch when the key comes back with another body', async () => {
    const headers = { 'idempotency-key': 'reused-key' };
    expect((await post(clerk, '/v1/cases', submitBody({ url: 'https://example.vn/one' }), headers)).statusCode).toBe(
      202,
    );
    const reused = await post(clerk, '/v1/cases', submitBody({ url: 'https://example.vn/two' }), headers);
    expect(reused.statusCode).toBe(422);
    expect(json<Problem>(reused).code).toBe('idempotency_mismatch');
    // Keys belong to their actor: another clerk may use the same one.
    const other = await api.user(['clerk']);
    expect((await post(other, '/v1/cases', submitBody({ url: 'https://example.vn/two' }), headers)).statusCode).toBe(
      202,
    );
    await api.applyPending();
  });
});

describe('?wait=true answers as if the command ran synchronously', () => {
  it("answers 201 with the new case, its reference and the clerk's own personal fields", async () => {
    const response = await postAndWait(clerk, '/v1/cases', uniqueItem('waited'));
    expect(response.statusCode).toBe(201);
    const body = json<CaseBody>(response);
    expect(response.headers.location).toBe(`/v1/cases/${body.id}`);
    expect(body).toMatchObject({
      reference: expect.stringMatching(/^CT-\d{4}-\d{6}$/),
      stage: 'received',
      outcome: null,
      version: 1,
      priority: 'normal',
      submittedBy: clerk.id,
      item: {
        url: 'https://example.vn/waited',
        content: uniqueItem('waited').item.content,
        accountHandle: 'nguyen.van.a',
      },
    });
  });

  it("answers the worker's 409 invalid_transition", async () => {
    const kase = await submitted();
    const response = await postAndWait(supervisor, `/v1/cases/${kase.id}/refer`, BODIES.refer);
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json<Problem>(response)).toMatchObject({
      code: 'invalid_transition',
      status: 409,
      detail: expect.stringContaining('received'),
    });
  });

  it("answers the worker's 422 guard_failed, and GET /v1/commands/{id} keeps the problem", async () => {
    const kase = await submitted();
    expect((await postAndWait(verifier, `/v1/cases/${kase.id}/claim`, {})).statusCode).toBe(200);
    const response = await postAndWait(verifier, `/v1/cases/${kase.id}/verify`, verifyBody('false', []));
    expect(response.statusCode).toBe(422);
    expect(json<Problem>(response)).toMatchObject({
      code: 'guard_failed',
      detail: expect.stringContaining('evidence'),
    });
    const { rows } = await api.database.pool.query<{ id: string }>(
      "SELECT id FROM commands WHERE status = 'rejected' ORDER BY created_at DESC LIMIT 1",
    );
    const command = await api.app.inject({ method: 'GET', url: `/v1/commands/${rows[0]!.id}`, headers: verifier.auth });
    expect(json(command)).toMatchObject({
      status: 'rejected',
      problem: { code: 'guard_failed', status: 422, type: 'https://casetrail.dev/problems/guard_failed' },
    });
  });

  it('answers 409 version_conflict for a stale expectedVersion', async () => {
    const kase = await submitted();
    const response = await postAndWait(clerk, `/v1/cases/${kase.id}/notes`, {
      ...(BODIES['add-note'] as object),
      expectedVersion: 7,
    });
    expect(response.statusCode).toBe(409);
    expect(json<Problem>(response).code).toBe('version_conflict');
  });

  it('answers 202 when no worker finishes in time', async () => {
    const fast = await startApi(db, { server: { waitTimeoutMs: 300 } });
    try {
      const response = await fast.app.inject({
        method: 'POST',
        url: '/v1/cases?wait=true',
        headers: clerk.auth,
        payload: submitBody({ url: 'https://example.vn/slow' }),
      });
      expect(response.statusCode).toBe(202);
      expect(json<Accepted>(response).status).toBe('pending');
    } finally {
      await fast.close();
      await api.applyPending();
    }
  });
});

describe('a case through its whole lifecycle over HTTP', () => {
  it('moves through every stage, each answer showing the case after the command', async () => {
    const kase = await submitted(uniqueItem('lifecycle'));
    const base = `/v1/cases/${kase.id}`;
    const steps: [TestUser, string, unknown, Record<string, unknown>][] = [
      [verifier, 'claim', undefined, { stage: 'received', claimedBy: verifier.id }],
      [verifier, 'evidence', EVIDENCE, { version: 3 }],
      [verifier, 'verify', verifyBody(), { stage: 'verified', verdict: { verdict: 'false', verifiedBy: verifier.id } }],
      [supervisor, 'refer', BODIES.refer, { stage: 'referred', referral: { authority: AUTHORITY } }],
      [
        supervisor,
        'penalty',
        penaltyBody({ decisionNo: 'QD-LIFE-1' }),
        {
          stage: 'penalty_issued',
          penalty: {
            decisionNo: 'QD-LIFE-1',
            fine: { amount: 7_500_000, currency: 'VND' },
            subject: { accountHandle: 'nguyen.van.a', name: 'Nguyễn Văn A' },
          },
        },
      ],
      [supervisor, 'appeal', BODIES['file-appeal'], { appeal: { status: 'pending', filedBy: supervisor.id } }],
      [
        supervisor2,
        'appeal-decision',
        BODIES['decide-appeal'],
        { appeal: { status: 'upheld', decidedBy: supervisor2.id } },
      ],
      [clerk, 'notes', BODIES['add-note'], { stage: 'penalty_issued' }],
      [supervisor, 'close', BODIES.close, { stage: 'closed', outcome: 'penalty_enforced' }],
    ];
    for (const [user, action, body, expected] of steps) {
      const response = await postAndWait(user, `${base}/${action}`, body ?? {});
      expect(response.statusCode, `${action}: ${response.body}`).toBe(200);
      expect(json<CaseBody>(response), action).toMatchObject(expected);
    }
    const events = json<{ items: { seq: number; type: string; prevHash: string; hash: string }[]; nextCursor: null }>(
      await api.app.inject({ method: 'GET', url: `${base}/events`, headers: supervisor.auth }),
    );
    expect(events.items.map((e) => e.type)).toEqual([
      'case.received',
      'case.claimed',
      'case.evidence_added',
      'case.verified',
      'case.referred',
      'case.penalty_issued',
      'case.appeal_filed',
      'case.appeal_decided',
      'case.note_added',
      'case.closed',
    ]);
    expect(events.items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events.items[1]?.prevHash).toBe(events.items[0]?.hash);
    expect(events.nextCursor).toBeNull();

    // The clerk still sees the case and the item's personal fields, never the penalty subject.
    const asClerk = json<CaseBody>(await api.app.inject({ method: 'GET', url: base, headers: clerk.auth }));
    expect(asClerk.item).toMatchObject({ content: uniqueItem('lifecycle').item.content });
    expect(asClerk.penalty).not.toHaveProperty('subject');
    expect(asClerk.penalty).toMatchObject({ decisionNo: 'QD-LIFE-1' });
  });
});

describe('assignment over HTTP (SPEC §12)', () => {
  it('refuses verify without a claim with 422 guard_failed, and the case stays received', async () => {
    const kase = await submitted();
    const response = await postAndWait(verifier, `/v1/cases/${kase.id}/verify`, verifyBody());
    expect(response.statusCode).toBe(422);
    expect(json<Problem>(response)).toMatchObject({
      code: 'guard_failed',
      detail: 'verify needs your live claim on the case: claim it first',
    });
    const after = json<CaseBody>(
      await api.app.inject({ method: 'GET', url: `/v1/cases/${kase.id}`, headers: supervisor.auth }),
    );
    expect([after.stage, after.version]).toEqual(['received', 1]);
  });

  it('lets the assigned verifier verify, and refuses another verifier with 409 claimed_by_other', async () => {
    const other = await api.user(['verifier']);
    const kase = await submitted();
    const assigned = await postAndWait(supervisor, `/v1/cases/${kase.id}/assign`, { verifierId: verifier.id });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(json<CaseBody>(assigned)).toMatchObject({ claimedBy: verifier.id, claimedUntil: expect.any(String) });

    const refused = await postAndWait(other, `/v1/cases/${kase.id}/verify`, verifyBody());
    expect(refused.statusCode).toBe(409);
    expect(json<Problem>(refused).code).toBe('claimed_by_other');

    const verified = await postAndWait(verifier, `/v1/cases/${kase.id}/verify`, verifyBody());
    expect(verified.statusCode, verified.body).toBe(200);
    expect(json<CaseBody>(verified)).toMatchObject({ stage: 'verified', verdict: { verifiedBy: verifier.id } });
    const events = json<{ items: { type: string; actor: { id: string }; payload: Record<string, unknown> }[] }>(
      await api.app.inject({ method: 'GET', url: `/v1/cases/${kase.id}/events`, headers: supervisor.auth }),
    );
    expect(events.items.map((e) => e.type)).toEqual(['case.received', 'case.assigned', 'case.verified']);
    expect(events.items[1]).toMatchObject({ actor: { id: supervisor.id }, payload: { verifierId: verifier.id } });
  });

  it('refuses to assign to a user who is not a verifier, naming verifierId, and a supervisor releases a claim', async () => {
    const kase = await submitted();
    const wrong = await postAndWait(supervisor, `/v1/cases/${kase.id}/assign`, { verifierId: clerk.id });
    expect(wrong.statusCode).toBe(422);
    expect(json<Problem & { errors: { path: string }[] }>(wrong).errors).toEqual([
      { path: 'verifierId', message: 'must name an enabled user with the verifier role' },
    ]);
    expect((await postAndWait(verifier, `/v1/cases/${kase.id}/claim`, {})).statusCode).toBe(200);
    const released = await postAndWait(supervisor, `/v1/cases/${kase.id}/release`, {});
    expect(released.statusCode, released.body).toBe(200);
    expect(json<CaseBody>(released)).not.toHaveProperty('claimedBy');
  });
});
