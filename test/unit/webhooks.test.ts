import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isWebhookUrl, newEndpointSchema } from '../../src/app/webhooks.ts';
import { webhookBody } from '../../src/app/webhook-delivery.ts';
import { deduplicationId, parseJob } from '../../src/infra/queue/catalog.ts';
import { signWebhook } from '../../src/infra/webhooks/webhook-sender.ts';
import { createWorld } from './domain-world.ts';

const DELIVERY_ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

describe('webhook target URLs', () => {
  it.each(['https://hooks.example.org/casetrail', 'http://127.0.0.1:8080/in?team=ops', 'https://[::1]:9000/'])(
    'accepts %s',
    (url) => {
      expect(isWebhookUrl(url)).toBe(true);
    },
  );

  it.each([
    'ftp://example.org/in',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'mailto:ops@example.org',
    'https://user:pw@example.org/',
    '/relative/path',
    'example.org/in',
  ])('refuses %s', (url) => {
    expect(isWebhookUrl(url)).toBe(false);
  });

  it('registers an endpoint only with known, unique event types and a long enough secret', () => {
    const valid = { url: 'https://hooks.example.org/in', eventTypes: ['case.received', 'case.sla_breached'] };
    expect(newEndpointSchema.safeParse(valid).success).toBe(true);
    expect(newEndpointSchema.safeParse({ ...valid, eventTypes: [] }).success).toBe(false);
    expect(newEndpointSchema.safeParse({ ...valid, eventTypes: ['case.received', 'case.received'] }).success).toBe(
      false,
    );
    expect(newEndpointSchema.safeParse({ ...valid, eventTypes: ['case.deleted'] }).success).toBe(false);
    expect(newEndpointSchema.safeParse({ ...valid, secret: 'short' }).success).toBe(false);
    expect(newEndpointSchema.safeParse({ ...valid, url: 'ftp://hooks.example.org/in' }).success).toBe(false);
    expect(newEndpointSchema.safeParse({ ...valid, extra: true }).success).toBe(false);
  });
});

describe('webhook signatures and bodies', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 of the secret, as sha256=<hex>', () => {
    const body = '{"id":"42","type":"case.received"}';
    const expected = createHmac('sha256', 'whsec_test-secret-of-24-chars').update(`1764322200.${body}`).digest('hex');
    expect(signWebhook('whsec_test-secret-of-24-chars', 1_764_322_200, body)).toBe(`sha256=${expected}`);
    expect(signWebhook('whsec_test-secret-of-24-chars', 1_764_322_201, body)).not.toBe(`sha256=${expected}`);
  });

  it('sends the event exactly as the events API presents it', () => {
    const world = createWorld();
    const id = world.submit();
    const [event] = world.eventsOf(id);
    if (event === undefined) throw new Error('fixture');
    const body = JSON.parse(webhookBody({ ...event, id: '7' })) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'id',
      'caseId',
      'seq',
      'type',
      'payload',
      'actor',
      'commandId',
      'occurredAt',
      'prevHash',
      'hash',
    ]);
    expect(body).toMatchObject({
      id: '7',
      caseId: id,
      seq: 1,
      type: 'case.received',
      hash: event.hash,
      prevHash: event.prevHash,
    });
    expect(JSON.stringify(body)).not.toContain('nguyen.van.a');
  });

  it('routes deliveries to the webhooks queue, deduplicated per delivery', () => {
    const parsed = parseJob('webhooks', 'webhook.delivery', { deliveryId: DELIVERY_ID });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(deduplicationId(parsed)).toBe(`whd-${DELIVERY_ID}`);
    expect(parseJob('webhooks', 'webhook.delivery', { deliveryId: 'x' })).toMatchObject({ ok: false });
  });
});
