// The whole pipeline over HTTP, on both queue backends: API → commands + outbox → relay →
// stage queues → workers → events. Every answer here comes from the running system.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';
import { startSystem, type System } from '../support/system.ts';

type Json = Record<string, unknown>;

describe.each(['redis', 'postgres'] as const)('pipeline on the %s queue backend', (backend) => {
  let system: System;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    system = await startSystem({ backend });
    const people: [string, string[]][] = [
      ['clerk', ['clerk']],
      ['clerk2', ['clerk']],
      ['verifier', ['verifier']],
      ['verifier2', ['verifier']],
      ['supervisor', ['supervisor']],
      ['supervisor2', ['supervisor']],
      ['admin', ['admin']],
      ['clerkVerifier', ['clerk', 'verifier']],
    ];
    for (const [name, roles] of people) token[name] = (await system.createUser(`${name}-${randomUUID()}`, roles)).token;
  });
  afterAll(() => system?.close());

  async function call(method: string, path: string, who: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token[who]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Json, headers: response.headers };
  }

  const post = (path: string, who: string, body: unknown, headers?: Record<string, string>) =>
    call('POST', path, who, body, headers);

  async function submitCase(body: unknown = uniqueSubmission(), who = 'clerk'): Promise<string> {
    const answer = await post('/v1/cases?wait=true', who, body);
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  }

  async function act(caseId: string, path: string, who: string, body: unknown, expected = 200) {
    const answer = await post(`/v1/cases/${caseId}/${path}?wait=true`, who, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(expected);
    return answer.body;
  }

  async function eventTypes(caseId: string): Promise<string[]> {
    const answer = await call('GET', `/v1/cases/${caseId}/events`, 'supervisor');
    expect(answer.status).toBe(200);
    return (answer.body.items as Json[]).map((e) => e.type as string);
  }

  async function toReferred(): Promise<string> {
    const id = await submitCase();
    await act(id, 'claim', 'verifier', {});
    await act(id, 'verify', 'verifier', verifyBody());
    await act(id, 'refer', 'supervisor', BODIES.refer);
    return id;
  }

  const penalty = () => penaltyBody({ decisionNo: `QD-${randomUUID()}` });

  describe('drives one case to each of the six outcomes', () => {
    it('dismissed: verified as accurate', async () => {
      const id = await submitCase();
      await act(id, 'claim', 'verifier', {});
      const after = await act(id, 'verify', 'verifier', verifyBody('accurate', []));
      expect(after).toMatchObject({ stage: 'closed', outcome: 'dismissed' });
      expect(await eventTypes(id)).toEqual(['case.received', 'case.claimed', 'case.verified', 'case.closed']);
    });

    it('duplicate: a second report of an open item closes and merges into the original', async () => {
      const body = uniqueSubmission();
      const original = await submitCase(body);
      const answer = await post('/v1/cases?wait=true', 'clerk2', body);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ stage: 'closed', outcome: 'duplicate' });
      // clerk2 may not read clerk's case, so its id is not shown to them; a supervisor sees it.
      expect(answer.body.duplicateOf).toBeUndefined();
      const seen = await call('GET', `/v1/cases/${answer.body.id as string}`, 'supervisor');
      expect(seen.body).toMatchObject({ duplicateOf: original });
      expect(await eventTypes(answer.body.id as string)).toEqual([
        'case.received',
        'case.duplicate_detected',
        'case.closed',
      ]);
      expect(await eventTypes(original)).toEqual(['case.received', 'case.report_merged']);
    });

    it('no_violation: the authority found none', async () => {
      const id = await toReferred();
      expect(await act(id, 'no-violation', 'supervisor', BODIES['record-no-violation'])).toMatchObject({
        outcome: 'no_violation',
      });
      expect(await eventTypes(id)).toEqual([
        'case.received',
        'case.claimed',
        'case.verified',
        'case.referred',
        'case.closed',
      ]);
    });

    it('penalty_enforced: penalty recorded and the case closed', async () => {
      const id = await toReferred();
      await act(id, 'penalty', 'supervisor', penalty());
      expect(await act(id, 'close', 'supervisor', BODIES.close)).toMatchObject({
        stage: 'closed',
        outcome: 'penalty_enforced',
      });
      expect(await eventTypes(id)).toEqual([
        'case.received',
        'case.claimed',
        'case.verified',
        'case.referred',
        'case.penalty_issued',
        'case.closed',
      ]);
    });

    it('penalty_overturned: an appeal decided by another supervisor overturns the penalty', async () => {
      const id = await toReferred();
      await act(id, 'penalty', 'supervisor', penalty());
      await act(id, 'appeal', 'supervisor', BODIES['file-appeal']);
      const after = await act(id, 'appeal-decision', 'supervisor2', { decision: 'overturned', note: 'Wrong account.' });
      expect(after).toMatchObject({ stage: 'closed', outcome: 'penalty_overturned' });
      expect(await eventTypes(id)).toEqual([
        'case.received',
        'case.claimed',
        'case.verified',
        'case.referred',
        'case.penalty_issued',
        'case.appeal_filed',
        'case.appeal_decided',
        'case.closed',
      ]);
    });

    it('withdrawn: a supervisor withdraws an open case with a reason', async () => {
      const id = await submitCase();
      await act(id, 'notes', 'clerk', BODIES['add-note']);
      expect(await act(id, 'withdraw', 'supervisor', BODIES.withdraw)).toMatchObject({ outcome: 'withdrawn' });
      expect(await eventTypes(id)).toEqual(['case.received', 'case.note_added', 'case.closed']);
    });
  });

  describe('answers every rejection with its problem code', () => {
    it('invalid_transition: refer on a received case', async () => {
      const id = await submitCase();
      expect(await act(id, 'refer', 'supervisor', BODIES.refer, 409)).toMatchObject({
        code: 'invalid_transition',
        status: 409,
      });
    });

    it('guard_failed: the submitter may not verify their own case', async () => {
      const id = await submitCase(uniqueSubmission(), 'clerkVerifier');
      expect(await act(id, 'verify', 'clerkVerifier', verifyBody(), 422)).toMatchObject({ code: 'guard_failed' });
    });

    it('guard_failed: a false verdict needs evidence', async () => {
      const id = await submitCase();
      await act(id, 'claim', 'verifier', {});
      expect(await act(id, 'verify', 'verifier', verifyBody('false', []), 422)).toMatchObject({ code: 'guard_failed' });
    });

    it('guard_failed: the verifier of a case may not record its penalty', async () => {
      const both = await system.createUser(`vs-${randomUUID()}`, ['verifier', 'supervisor']);
      token.both = both.token;
      const id = await submitCase();
      await act(id, 'claim', 'both', {});
      await act(id, 'verify', 'both', verifyBody());
      await act(id, 'refer', 'supervisor', BODIES.refer);
      expect(await act(id, 'penalty', 'both', penalty(), 422)).toMatchObject({ code: 'guard_failed' });
    });

    it('guard_failed: a penalty needs a legal basis', async () => {
      const id = await toReferred();
      const body = penaltyBody({ decisionNo: `QD-${randomUUID()}`, legalBasis: [] });
      expect(await act(id, 'penalty', 'supervisor', body, 422)).toMatchObject({ code: 'guard_failed' });
    });

    it('guard_failed: the appeal is decided by someone other than the penalty recorder', async () => {
      const id = await toReferred();
      await act(id, 'penalty', 'supervisor', penalty());
      await act(id, 'appeal', 'supervisor2', BODIES['file-appeal']);
      expect(await act(id, 'appeal-decision', 'supervisor', BODIES['decide-appeal'], 422)).toMatchObject({
        code: 'guard_failed',
      });
    });

    it('claimed_by_other: a live claim blocks another verifier', async () => {
      const id = await submitCase();
      await act(id, 'claim', 'verifier', {});
      expect(await act(id, 'claim', 'verifier2', {}, 409)).toMatchObject({ code: 'claimed_by_other' });
    });

    it('duplicate_decision: a decision number is used once across all cases', async () => {
      const decisionNo = `QD-${randomUUID()}`;
      const first = await toReferred();
      const second = await toReferred();
      await act(first, 'penalty', 'supervisor', penaltyBody({ decisionNo }));
      expect(await act(second, 'penalty', 'supervisor', penaltyBody({ decisionNo }), 409)).toMatchObject({
        code: 'duplicate_decision',
      });
    });

    it('version_conflict: a stale expectedVersion', async () => {
      const id = await submitCase();
      expect(await act(id, 'claim', 'verifier', { expectedVersion: 7 }, 409)).toMatchObject({
        code: 'version_conflict',
      });
    });

    it('idempotency_mismatch: a key reused with another body', async () => {
      const key = randomUUID();
      const first = await post('/v1/cases', 'clerk', uniqueSubmission(), { 'idempotency-key': key });
      const again = await post('/v1/cases', 'clerk', uniqueSubmission(), { 'idempotency-key': key });
      expect(first.status).toBe(202);
      expect(again.status).toBe(422);
      expect(again.body).toMatchObject({ code: 'idempotency_mismatch' });
    });

    it('not_found: a clerk reading another clerk case', async () => {
      const id = await submitCase(uniqueSubmission(), 'clerk2');
      expect((await call('GET', `/v1/cases/${id}`, 'clerk')).body).toMatchObject({ code: 'not_found', status: 404 });
    });

    it('forbidden: a clerk may not refer', async () => {
      const id = await submitCase();
      expect((await post(`/v1/cases/${id}/refer`, 'clerk', BODIES.refer)).body).toMatchObject({
        code: 'forbidden',
        status: 403,
      });
    });

    it('unauthenticated: no token', async () => {
      const response = await fetch(`${system.baseUrl}/v1/cases`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthenticated' });
    });
  });

  it('applies 500 commands submitted concurrently exactly once each', async () => {
    const answers = await Promise.all(
      Array.from({ length: 500 }, () => post('/v1/cases', 'clerk', uniqueSubmission())),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const commandIds = answers.map((a) => a.body.commandId as string);
    await system.waitFor(async () => (await system.pendingCommands()) === 0, 60_000);
    const counts = await system.countCommands(commandIds);
    expect(counts).toEqual({ applied: 500, rejected: 0, pending: 0 });
    expect(await system.countEvents(answers.map((a) => a.body.caseId as string))).toEqual({
      events: 500,
      duplicates: 0,
    });
  });
});

function uniqueSubmission() {
  return submitBody({
    url: `https://www.facebook.com/groups/1/posts/${randomUUID()}`,
    content: `Tin đồn ${randomUUID()}`,
  });
}
