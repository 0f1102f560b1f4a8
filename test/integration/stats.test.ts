// GET /v1/stats over a known set of cases: counts by stage and outcome, overdue cases and
// breaches, median and p90 time in stage from the trail, throughput per day.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODIES, verifyBody } from '../support/fixtures.ts';
import { startSystem, type System } from '../support/system.ts';

type Json = Record<string, unknown>;
type Event = { type: string; occurredAt: string };

/** percentile_cont over sorted values, as PostgreSQL computes it. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low);
}

describe('GET /v1/stats', () => {
  let system: System;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    system = await startSystem({ backend: 'redis' });
    for (const role of ['clerk', 'verifier', 'supervisor', 'admin'])
      token[role] = (await system.createUser(`${role}-${randomUUID()}`, [role])).token;
  });
  afterAll(() => system?.close());

  async function call(method: string, path: string, who: string, body?: unknown) {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token[who]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  async function submit(url: string): Promise<string> {
    const answer = await call('POST', '/v1/cases?wait=true', 'clerk', {
      item: { platform: 'website', url, content: `Page ${randomUUID()}`, capturedAt: '2026-11-28T09:30:00Z' },
      report: { source: 'agency' },
      claim: 'Flood warnings for the capital are fake',
      category: 'disaster',
    });
    expect(answer.status).toBe(201);
    return String(answer.body.id);
  }

  async function act(caseId: string, path: string, who: string, body: unknown): Promise<void> {
    expect((await call('POST', `/v1/cases/${caseId}/${path}?wait=true`, who, body)).status).toBe(200);
  }

  const eventsOf = async (caseId: string) =>
    (await call('GET', `/v1/cases/${caseId}/events`, 'supervisor')).body.items as Event[];
  const seconds = (events: Event[], from: string, to: string) =>
    (Date.parse(events.find((e) => e.type === to)?.occurredAt ?? '') -
      Date.parse(events.find((e) => e.type === from)?.occurredAt ?? '')) /
    1000;

  it('answers supervisors and admins with the exact figures of the cases and their trails', async () => {
    const openUrl = `https://news.example.vn/${randomUUID()}`;
    const open = await submit(openUrl);
    const dismissed = await submit(`https://news.example.vn/${randomUUID()}`);
    await act(dismissed, 'claim', 'verifier', {});
    await act(dismissed, 'verify', 'verifier', verifyBody('accurate', []));
    const noViolation = await submit(`https://news.example.vn/${randomUUID()}`);
    await act(noViolation, 'claim', 'verifier', {});
    await act(noViolation, 'verify', 'verifier', verifyBody());
    await act(noViolation, 'refer', 'supervisor', BODIES.refer);
    await act(noViolation, 'no-violation', 'supervisor', BODIES['record-no-violation']);
    await submit(`${openUrl}?utm_source=share`); // a duplicate of the open case

    const answer = await call('GET', '/v1/stats?days=2', 'supervisor');
    expect(answer.status).toBe(200);
    const stats = answer.body as {
      window: Json;
      cases: Json;
      sla: Json;
      timeInStage: Record<string, { visits: number; medianSeconds: number | null; p90Seconds: number | null }>;
      throughput: { day: string; received: number; closed: number }[];
    };
    expect(stats.window.days).toBe(2);
    expect(stats.cases).toEqual({
      total: 4,
      byStage: { received: 1, verified: 0, referred: 0, penalty_issued: 0, closed: 3 },
      byOutcome: {
        dismissed: 1,
        duplicate: 1,
        no_violation: 1,
        penalty_enforced: 0,
        penalty_overturned: 0,
        withdrawn: 0,
      },
    });
    const none = { received: 0, verified: 0, referred: 0, penalty_issued: 0 };
    expect(stats.sla).toEqual({ overdue: { total: 0, byStage: none }, breaches: { total: 0, byStage: none } });

    // Visits that ended: received twice (the duplicate never was worked on, the open case is
    // still there), verified and referred once (a dismissing verification closes at once).
    const [d, n] = await Promise.all([eventsOf(dismissed), eventsOf(noViolation)]);
    const received = [seconds(d, 'case.received', 'case.verified'), seconds(n, 'case.received', 'case.verified')];
    expect(Object.keys(stats.timeInStage)).toEqual(['received', 'verified', 'referred', 'penalty_issued']);
    expect(stats.timeInStage.received?.visits).toBe(2);
    expect(stats.timeInStage.received?.medianSeconds).toBeCloseTo(percentile(received, 0.5), 6);
    expect(stats.timeInStage.received?.p90Seconds).toBeCloseTo(percentile(received, 0.9), 6);
    expect(stats.timeInStage.verified).toEqual({
      visits: 1,
      medianSeconds: expect.closeTo(seconds(n, 'case.verified', 'case.referred'), 6),
      p90Seconds: expect.closeTo(seconds(n, 'case.verified', 'case.referred'), 6),
    });
    expect(stats.timeInStage.referred?.visits).toBe(1);
    expect(stats.timeInStage.referred?.medianSeconds).toBeCloseTo(seconds(n, 'case.referred', 'case.closed'), 6);
    expect(stats.timeInStage.penalty_issued).toEqual({ visits: 0, medianSeconds: null, p90Seconds: null });

    // Two UTC days, today last: every case was received and three were closed in them.
    expect(stats.throughput).toHaveLength(2);
    expect(stats.throughput[1]?.day).toBe(new Date(String(stats.window.to)).toISOString().slice(0, 10));
    const totals = stats.throughput.reduce(
      (sum, day) => ({ received: sum.received + day.received, closed: sum.closed + day.closed }),
      { received: 0, closed: 0 },
    );
    expect(totals).toEqual({ received: 4, closed: 3 });
    // Aggregates only: no case appears.
    expect(JSON.stringify(stats)).not.toContain(open);

    expect((await call('GET', '/v1/stats', 'admin')).body).toMatchObject({ window: { days: 30 }, cases: { total: 4 } });
    expect(((await call('GET', '/v1/stats', 'admin')).body.throughput as unknown[]).length).toBe(30);
  });

  it('refuses clerks and verifiers, and a window outside 1-366 days', async () => {
    for (const who of ['clerk', 'verifier'])
      expect((await call('GET', '/v1/stats', who)).body).toMatchObject({ status: 403, code: 'forbidden' });
    for (const days of ['0', '367', 'week']) {
      expect((await call('GET', `/v1/stats?days=${days}`, 'supervisor')).body).toMatchObject({
        status: 400,
        code: 'validation_failed',
      });
    }
  });
});
