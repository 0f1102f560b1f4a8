// GET /metrics (Prometheus text, counters that follow the work) and the queue dashboard at
// /admin/queues (supervisors and admins only), on the running system.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/domain/index.ts';
import { AUTHORITY, verifyBody } from '../support/fixtures.ts';
import { parseMetrics, type Metrics } from '../support/prometheus.ts';
import { startSystem, type System } from '../support/system.ts';

type Json = Record<string, unknown>;

describe.each(['redis', 'postgres'] as const)('signals on the %s queue backend', (backend) => {
  let system: System;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    system = await startSystem({ backend });
    for (const role of ['clerk', 'verifier', 'supervisor', 'admin'])
      token[role] = (await system.createUser(`${role}-${randomUUID()}`, [role])).token;
  });
  afterAll(() => system?.close());

  async function call(method: string, path: string, who: string | null, body?: unknown) {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        ...(who === null ? {} : { authorization: `Bearer ${token[who]}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      headers: response.headers,
      text: await response.text(),
    };
  }

  async function scrape(): Promise<Metrics> {
    const answer = await call('GET', '/metrics', null);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseMetrics(answer.text);
  }

  const submission = () => ({
    item: {
      platform: 'tiktok',
      url: `https://www.tiktok.com/@a/video/${randomUUID()}`,
      content: `Video ${randomUUID()}`,
      capturedAt: '2026-11-28T09:30:00Z',
    },
    report: { source: 'citizen_tip' },
    claim: 'A vaccine changes your DNA',
    category: 'health',
  });

  it('/metrics parses as Prometheus text and its counters move with the work done', async () => {
    // Counters are per process, and both backends run in this one: compare with a first scrape.
    const before = await scrape();
    const counter = (m: Metrics, type: string, result: string) =>
      m.value('casetrail_commands_total', { type, result }) ?? Number.NaN;
    const latencies = (m: Metrics, type: string) =>
      m.value('casetrail_transition_latency_seconds_count', { type }) ?? 0;
    const moved = (type: string, result: string) => counter(after, type, result) - counter(before, type, result);
    expect(before.value('casetrail_sla_breaches_total', { stage: 'received' })).toBe(0);
    expect(
      [
        'casetrail_commands_total',
        'casetrail_transition_latency_seconds',
        'casetrail_queue_jobs',
        'casetrail_outbox_lag_seconds',
      ].map((n) => before.types.get(n)),
    ).toEqual(['counter', 'histogram', 'gauge', 'gauge']);

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await call('POST', '/v1/cases?wait=true', 'clerk', submission());
      expect(answer.status).toBe(201);
      ids.push(String((JSON.parse(answer.text) as Json).id));
    }
    expect((await call('POST', `/v1/cases/${ids[0]}/claim?wait=true`, 'verifier', {})).status).toBe(200);
    expect((await call('POST', `/v1/cases/${ids[0]}/verify?wait=true`, 'verifier', verifyBody())).status).toBe(200);
    expect(
      (await call('POST', `/v1/cases/${ids[1]}/refer?wait=true`, 'supervisor', { authority: AUTHORITY })).status,
    ).toBe(409);

    const after = await scrape();
    expect([
      moved('submit', 'applied'),
      moved('verify', 'applied'),
      moved('refer', 'rejected'),
      moved('refer', 'applied'),
      moved('close', 'applied'),
    ]).toEqual([3, 1, 1, 0, 0]);
    const rejections = (m: Metrics) =>
      m.value('casetrail_command_rejections_total', { type: 'refer', code: 'invalid_transition' }) ?? 0;
    expect(rejections(after) - rejections(before)).toBe(1);
    expect([
      latencies(after, 'submit') - latencies(before, 'submit'),
      latencies(after, 'verify') - latencies(before, 'verify'),
    ]).toEqual([3, 1]);

    for (const queue of QUEUE_NAMES) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(after.value('casetrail_queue_jobs', { queue, state }), `${queue} ${state}`).toBeGreaterThanOrEqual(0);
      }
    }
    // Each case is in a stage with a deadline: its one SLA timer waits in the sla queue (the
    // verified case's received timer went when it left that stage).
    await system.waitFor(
      async () => (await scrape()).value('casetrail_queue_jobs', { queue: 'sla', state: 'delayed' }) === 3,
    );
    expect(after.value('casetrail_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(after.value('casetrail_outbox_rows', { state: 'unpublished' })).toBeGreaterThanOrEqual(0);
    expect(after.value('casetrail_cases_overdue', { stage: 'received' })).toBe(0);
    expect(after.value('casetrail_webhook_attempts_total', { result: 'delivered' })).toBe(
      before.value('casetrail_webhook_attempts_total', { result: 'delivered' }),
    );
    expect(after.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('/admin/queues refuses a clerk and a verifier, asks for a token, and shows supervisors and admins every queue', async () => {
    const anonymous = await call('GET', '/admin/queues', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toContain('application/problem+json');
    expect(JSON.parse(anonymous.text)).toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(anonymous.headers.get('x-frame-options')).toBe('DENY');
    expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
    for (const who of ['clerk', 'verifier']) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        const refused = await call('GET', path, who);
        expect(refused.status).toBe(403);
        expect(JSON.parse(refused.text)).toMatchObject({ code: 'forbidden', status: 403 });
      }
    }

    for (const who of ['supervisor', 'admin']) {
      const page = await call('GET', '/admin/queues', who);
      expect(page.status).toBe(200);
      expect(page.type).toContain('text/html');
      expect(page.text).toContain('casetrail queues');
      // Its own scripts only, never framed, never sniffed.
      expect(page.headers.get('content-security-policy')).toMatch(/(^|; )script-src 'self'(;|$)/u);
      expect(page.headers.get('content-security-policy')).toMatch(/(^|; )frame-ancestors 'none'(;|$)/u);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const api = await call('GET', '/admin/queues/api/queues', who);
      expect(api.status).toBe(200);
      const queues = (JSON.parse(api.text) as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
      expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
      expect(queues.every((q) => q.readOnlyMode)).toBe(true);
    }
  });
});
