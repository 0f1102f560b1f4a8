// Webhook POSTs connect only where the target policy allows, judged on the address each
// connection actually uses: a literal, or whatever the name resolves to at that moment (DNS
// rebinding). Names are resolved by a stub here, and a safety net fails any connection of
// this process to a non-loopback address: nothing in this file can leave the machine.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTargetPolicy } from '../../src/infra/webhooks/target-policy.ts';
import {
  createWebhookSender,
  type ResolvedAddress,
  type WebhookPost,
  type WebhookSender,
} from '../../src/infra/webhooks/webhook-sender.ts';
import { loopbackOnly, type LoopbackOnly } from '../support/loopback-only.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let receiver: WebhookReceiver;
let net: LoopbackOnly;
const senders: WebhookSender[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver?.close());
beforeEach(() => {
  net = loopbackOnly();
});
afterEach(async () => {
  net.restore();
  await Promise.all(senders.splice(0).map((sender) => sender.close()));
});

/** A sender whose resolver answers from this table, recording what it was asked. */
function sender(allowCidrs: string[], names: Record<string, string[]> = {}) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    asked.push(hostname);
    const addresses = names[hostname];
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const created = createWebhookSender({ policy: createTargetPolicy(allowCidrs), resolve });
  senders.push(created);
  return { post: (url: string) => created.post(post(url)), asked };
}

const post = (url: string): WebhookPost => ({
  url,
  secret: 'whsec_test-secret-of-24-chars',
  deliveryId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
  eventId: '1',
  eventType: 'case.received',
  body: '{"id":"1"}',
  timeoutMs: 5_000,
});

const receiverPort = () => new URL(receiver.url()).port;

describe('webhook connections and the target policy', () => {
  it('refuses an address literal on loopback unless allowed, before connecting', async () => {
    const before = receiver.connections;
    const refused = await sender([]).post(receiver.url('/literal'));
    expect(refused).toMatchObject({
      ok: false,
      blocked: true,
      statusCode: null,
      error: 'blocked: address 127.0.0.1 is loopback',
    });
    const mapped = await sender([]).post(`http://[::ffff:127.0.0.1]:${receiverPort()}/mapped`);
    expect(mapped).toMatchObject({
      blocked: true,
      error: 'blocked: address ::ffff:7f00:1 is loopback (IPv4 127.0.0.1)',
    });
    expect(receiver.connections).toBe(before);
    expect(net.attempted).toEqual([]);

    const allowed = await sender(['127.0.0.1/32']).post(receiver.url('/literal'));
    expect(allowed).toMatchObject({ ok: true, blocked: false, statusCode: 200, error: null });
    expect(receiver.requests.at(-1)?.path).toBe('/literal');
  });

  it.each([
    ['169.254.169.254', 'blocked: address 169.254.169.254 is link-local'],
    ['10.0.0.5', 'blocked: address 10.0.0.5 is private'],
    ['fd00::5', 'blocked: address fd00::5 is unique-local'],
    ['127.0.0.1', 'blocked: address 127.0.0.1 is loopback'],
  ])('refuses a name that resolves to %s before any connect', async (address, error) => {
    const before = receiver.connections;
    const hooks = sender([], { 'hooks.example.org': [address] });
    const result = await hooks.post(`http://hooks.example.org:${receiverPort()}/in`);
    expect(result).toMatchObject({ ok: false, blocked: true, statusCode: null, error });
    expect(hooks.asked).toEqual(['hooks.example.org']);
    expect(net.attempted).toEqual([]);
    expect(receiver.connections).toBe(before);
  });

  it('judges each connection on what the name resolves to then (DNS rebinding)', async () => {
    const names: Record<string, string[]> = { 'rebind.example.org': ['127.0.0.1'] };
    const hooks = sender(['127.0.0.1/32'], names);
    const url = `http://rebind.example.org:${receiverPort()}/rebind`;
    expect(await hooks.post(url)).toMatchObject({ ok: true, statusCode: 200 });
    // The name now points inside; the next connection (a new sender has no pooled one) is refused.
    names['rebind.example.org'] = ['10.0.0.5'];
    const later = sender(['127.0.0.1/32'], names);
    expect(await later.post(url)).toMatchObject({ blocked: true, error: 'blocked: address 10.0.0.5 is private' });
    expect(net.refused).toEqual([]);
  });

  it('connects only to the allowed addresses of a name that resolves to several', async () => {
    const hooks = sender(['127.0.0.1/32'], { 'mixed.example.org': ['169.254.169.254', '127.0.0.1'] });
    expect(await hooks.post(`http://mixed.example.org:${receiverPort()}/mixed`)).toMatchObject({
      ok: true,
      statusCode: 200,
    });
    expect(net.attempted).toEqual(['127.0.0.1']);
    expect(net.refused).toEqual([]);
  });

  it('reports a connection error as it is when the address was allowed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sender(['127.0.0.1/32']).post(`http://127.0.0.1:${port}/closed`);
    expect(result).toMatchObject({ ok: false, blocked: false, statusCode: null, error: 'ECONNREFUSED' });
  });
});
