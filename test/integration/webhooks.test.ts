// Webhooks end to end: admins register endpoints; every matching event is POSTed to a
// receiver on 127.0.0.1, signed with the endpoint's secret, retried after a 500, and each
// attempt is recorded.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORITY, verifyBody } from '../support/fixtures.ts';
import { outboxCount } from '../support/queue-harness.ts';
import { startSystem, type System } from '../support/system.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver.ts';

type Json = Record<string, unknown>;

const SECRET = 'whsec_test-secret-shared-with-the-receiver';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

/** What a receiver does with documented inputs only (docs/api.md): recompute the HMAC over the raw body. */
function signatureOf(secret: string, request: ReceivedRequest): string {
  const timestamp = String(request.headers['x-casetrail-timestamp']);
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`;
}

describe.each(['redis', 'postgres'] as const)('webhooks on the %s queue backend', (backend) => {
  let system: System;
  let receiver: WebhookReceiver;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startSystem({ backend }), startWebhookReceiver()]);
    for (const role of ['clerk', 'verifier', 'supervisor', 'admin'])
      token[role] = (await system.createUser(`${role}-${randomUUID()}`, [role])).token;
  });
  afterAll(async () => {
    await system?.close();
    await receiver?.close();
  });

  async function call(method: string, path: string, who: string, body?: unknown) {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token[who]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Json };
  }

  it('POSTs every subscribed event exactly as signed, retries after a 500 and records each attempt', async () => {
    const all = await call('POST', '/v1/webhooks', 'admin', {
      url: receiver.url('/all'),
      eventTypes: ['case.received', 'case.claimed', 'case.verified', 'case.referred', 'case.note_added'],
      secret: SECRET,
      description: 'newsroom alerts',
    });
    expect(all.status).toBe(201);
    expect(all.body).toMatchObject({
      url: receiver.url('/all'),
      active: true,
      secret: SECRET,
      description: 'newsroom alerts',
      disabledAt: null,
    });
    const verifiedOnly = await call('POST', '/v1/webhooks', 'admin', {
      url: receiver.url('/verified'),
      eventTypes: ['case.verified'],
    });
    expect(verifiedOnly.status).toBe(201);
    const generated = String(verifiedOnly.body.secret);
    expect(generated).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/u);
    // Stored sealed: neither secret is in the database.
    const { rows: stored } = await system.harness.pool.query<{ secret: string | null; secret_sealed: string }>(
      'SELECT secret, secret_sealed FROM webhook_endpoints WHERE id = ANY($1::uuid[])',
      [[all.body.id, verifiedOnly.body.id]],
    );
    expect(stored.map((row) => row.secret)).toEqual([null, null]);
    for (const row of stored) {
      expect(row.secret_sealed).toMatch(/^v1\./u);
      expect(row.secret_sealed).not.toContain(SECRET);
      expect(row.secret_sealed).not.toContain(generated);
    }
    // The first POST of the claim fails; BullMQ retries it with backoff.
    let claimedFailures = 0;
    receiver.answer((request) => {
      if (request.headers['x-casetrail-event'] === 'case.claimed' && claimedFailures === 0) {
        claimedFailures += 1;
        return 500;
      }
      return 200;
    });

    const submitted = await call('POST', '/v1/cases?wait=true', 'clerk', {
      item: {
        platform: 'website',
        url: `https://news.example.vn/${randomUUID()}`,
        content: `Claim ${randomUUID()}`,
        capturedAt: '2026-11-28T09:30:00Z',
      },
      report: { source: 'monitoring' },
      claim: 'Tap water in the city is poisoned',
      category: 'safety',
    });
    expect(submitted.status).toBe(201);
    const caseId = String(submitted.body.id);
    expect((await call('POST', `/v1/cases/${caseId}/claim?wait=true`, 'verifier', {})).status).toBe(200);
    expect((await call('POST', `/v1/cases/${caseId}/verify?wait=true`, 'verifier', verifyBody())).status).toBe(200);
    expect(
      (await call('POST', `/v1/cases/${caseId}/refer?wait=true`, 'supervisor', { authority: AUTHORITY })).status,
    ).toBe(200);

    const delivered = (path: string) => receiver.requests.filter((r) => r.path === path && r.answered === 200);
    await system.waitFor(async () => delivered('/all').length === 4 && delivered('/verified').length === 1, 30_000);

    const served = (await call('GET', `/v1/cases/${caseId}/events`, 'supervisor')).body.items as Json[];
    expect(served.map((e) => e.type)).toEqual(['case.received', 'case.claimed', 'case.verified', 'case.referred']);
    // Webhooks carry the payloads as hashed: URLs and free text as personal references, which
    // only the API's readers see resolved.
    const { rows: hashed } = await system.harness.pool.query<{ payload: Json }>(
      'SELECT payload FROM events WHERE case_id = $1 ORDER BY seq',
      [caseId],
    );
    const events = served.map((e, i) => ({ ...e, payload: hashed[i]?.payload }));
    expect(JSON.stringify(events)).not.toContain(verifyBody().rationale);
    const toAll = receiver.requests.filter((r) => r.path === '/all');
    for (const request of receiver.requests) {
      const secret = request.path === '/all' ? SECRET : generated;
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-casetrail-signature']).toBe(signatureOf(secret, request));
      expect(String(request.headers['x-casetrail-delivery'])).toMatch(UUID);
      const body = JSON.parse(request.body) as Json;
      expect(request.headers['x-casetrail-event']).toBe(body.type);
      expect(request.headers['x-casetrail-event-id']).toBe(body.id);
    }
    // Each event once, byte for byte the event as the API serves it with its hashed payload; the claim twice, identical.
    expect(
      delivered('/all')
        .map((r) => JSON.parse(r.body) as Json)
        .sort((a, b) => Number(a.seq) - Number(b.seq)),
    ).toEqual(events);
    expect(JSON.parse(delivered('/verified')[0]?.body ?? '{}')).toEqual(events[2]);
    const claims = toAll.filter((r) => r.headers['x-casetrail-event'] === 'case.claimed');
    expect(claims.map((r) => r.answered)).toEqual([500, 200]);
    expect(claims[0]?.body).toBe(claims[1]?.body);
    expect(claims[0]?.headers['x-casetrail-delivery']).toBe(claims[1]?.headers['x-casetrail-delivery']);

    const deliveries = await call('GET', `/v1/webhooks/${String(all.body.id)}/deliveries`, 'admin');
    expect(deliveries.status).toBe(200);
    const items = deliveries.body.items as Json[];
    expect(items.map((d) => [d.eventType, d.status, d.attempts]).sort()).toEqual([
      ['case.claimed', 'delivered', 2],
      ['case.received', 'delivered', 1],
      ['case.referred', 'delivered', 1],
      ['case.verified', 'delivered', 1],
    ]);
    const claimDelivery = items.find((d) => d.eventType === 'case.claimed');
    expect(claimDelivery?.id).toBe(claims[0]?.headers['x-casetrail-delivery']);
    expect(
      ((claimDelivery?.attemptLog ?? []) as Json[]).map(({ attempt, statusCode, error }) => ({
        attempt,
        statusCode,
        error,
      })),
    ).toEqual([
      { attempt: 1, statusCode: 500, error: 'HTTP 500' },
      { attempt: 2, statusCode: 200, error: null },
    ]);
    expect(deliveries.body.nextCursor).toBeNull();

    // A disabled endpoint gets nothing more.
    expect((await call('DELETE', `/v1/webhooks/${String(all.body.id)}`, 'admin')).body).toMatchObject({
      active: false,
    });
    const before = receiver.requests.length;
    expect(
      (
        await call('POST', `/v1/cases/${caseId}/notes?wait=true`, 'supervisor', {
          text: 'Authority acknowledged receipt.',
        })
      ).status,
    ).toBe(200);
    await system.waitFor(async () => (await outboxCount(system.harness.pool)) === 0);
    expect(receiver.requests.length).toBe(before);
  });

  it('refuses receivers outside the allowed addresses, and blocks deliveries to one stored before, for good', async () => {
    // 127.0.0.1/32 is allowed here (an in-house receiver); the rest of loopback is not.
    const outside = receiver.url('/outside').replace('127.0.0.1', '127.0.0.2');
    const refused = await call('POST', '/v1/webhooks', 'admin', { url: outside, eventTypes: ['case.received'] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'url', message: 'the receiver is not allowed: address 127.0.0.2 is loopback' }],
    });
    // An endpoint registered before receivers were checked: its deliveries are refused at connect time.
    const admin = (await call('GET', '/v1/me', 'admin')).body;
    const { rows } = await system.harness.pool.query<{ id: string }>(
      `INSERT INTO webhook_endpoints (id, url, event_types, secret, created_by)
       VALUES (gen_random_uuid(), $1, ARRAY['case.received'], 'whsec_stored-before-the-check', $2) RETURNING id`,
      [outside, admin.id],
    );
    const endpointId = rows[0]?.id;
    const before = receiver.connections;
    const submitted = await call('POST', '/v1/cases?wait=true', 'clerk', {
      item: {
        platform: 'website',
        url: `https://news.example.vn/${randomUUID()}`,
        content: `Claim ${randomUUID()}`,
        capturedAt: '2026-11-28T09:30:00Z',
      },
      report: { source: 'monitoring' },
      claim: 'The river is poisoned',
      category: 'safety',
    });
    expect(submitted.status).toBe(201);
    let deliveries: Json[] = [];
    await system.waitFor(async () => {
      deliveries = (await call('GET', `/v1/webhooks/${endpointId}/deliveries`, 'admin')).body.items as Json[];
      return deliveries.length === 1 && deliveries[0]?.status !== 'pending';
    });
    expect(deliveries[0]).toMatchObject({
      status: 'blocked',
      attempts: 1,
      lastStatusCode: null,
      lastError: 'blocked: address 127.0.0.2 is loopback',
    });
    expect(receiver.connections).toBe(before);
    await call('DELETE', `/v1/webhooks/${endpointId}`, 'admin');
  });

  it('signs with a secret stored in plaintext before secrets were sealed, and seals it', async () => {
    const legacy = 'whsec_stored-in-plaintext-long-ago';
    const admin = (await call('GET', '/v1/me', 'admin')).body;
    const { rows } = await system.harness.pool.query<{ id: string }>(
      `INSERT INTO webhook_endpoints (id, url, event_types, secret, created_by)
       VALUES (gen_random_uuid(), $1, ARRAY['case.received'], $2, $3) RETURNING id`,
      [receiver.url('/legacy'), legacy, admin.id],
    );
    const submitted = await call('POST', '/v1/cases?wait=true', 'clerk', {
      item: {
        platform: 'website',
        url: `https://news.example.vn/${randomUUID()}`,
        content: `Claim ${randomUUID()}`,
        capturedAt: '2026-11-28T09:30:00Z',
      },
      report: { source: 'monitoring' },
      claim: 'The bridge has collapsed',
      category: 'safety',
    });
    expect(submitted.status).toBe(201);
    await system.waitFor(async () => receiver.requests.some((r) => r.path === '/legacy' && r.answered === 200));
    const request = receiver.requests.find((r) => r.path === '/legacy');
    expect(request?.headers['x-casetrail-signature']).toBe(request && signatureOf(legacy, request));
    const { rows: stored } = await system.harness.pool.query<{ secret: string | null; secret_sealed: string | null }>(
      'SELECT secret, secret_sealed FROM webhook_endpoints WHERE id = $1',
      [rows[0]?.id],
    );
    expect(stored[0]?.secret).toBeNull();
    expect(stored[0]?.secret_sealed).toMatch(/^v1\./u);
    await call('DELETE', `/v1/webhooks/${rows[0]?.id}`, 'admin');
  });

  it('lets only admins manage endpoints, never shows a secret again, and refuses non-http(s) URLs', async () => {
    const created = await call('POST', '/v1/webhooks', 'admin', {
      url: receiver.url('/x'),
      eventTypes: ['case.closed'],
      secret: SECRET,
    });
    expect(created.status).toBe(201);
    const listed = await call('GET', '/v1/webhooks', 'admin');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: created.body.id, eventTypes: ['case.closed'] })]),
    );
    expect(Object.keys((await call('GET', `/v1/webhooks/${String(created.body.id)}`, 'admin')).body)).not.toContain(
      'secret',
    );

    for (const url of ['ftp://127.0.0.1/in', 'file:///etc/passwd', 'https://user:pw@example.org/in', 'not a url']) {
      const refused = await call('POST', '/v1/webhooks', 'admin', { url, eventTypes: ['case.closed'] });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'url' }] });
    }
    for (const who of ['clerk', 'supervisor']) {
      expect(
        (await call('POST', '/v1/webhooks', who, { url: receiver.url(), eventTypes: ['case.closed'] })).body,
      ).toMatchObject({ status: 403, code: 'forbidden' });
      expect((await call('GET', '/v1/webhooks', who)).status).toBe(403);
    }
    expect((await call('GET', `/v1/webhooks/${randomUUID()}`, 'admin')).body).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });
});
