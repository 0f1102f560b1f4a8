// A client that sends a request slowly (a byte now and then, so that no socket ever looks
// idle) or keeps a connection open doing nothing is cut off within the configured bounds:
// slow requests get a 408 problem document first. Small timeouts here; the defaults are
// 30 s for a request, 10 s for its headers and 5 s for an idle keep-alive connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/infra/config/config.ts';
import { startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { sendSlowly } from '../support/slow-client.ts';
import net from 'node:net';

const TIMEOUTS = { requestMs: 1_000, headersMs: 500, keepAliveMs: 300 };
/** Each bound leaves room for Node's timeout check (every headersMs / 4 here) and a loaded machine. */
const SLACK_MS = 1_500;
/** Node keeps an idle socket this much longer than keepAliveTimeout (its keepAliveTimeoutBuffer). */
const KEEP_ALIVE_BUFFER_MS = 1_000;

let db: TestDatabase;
let api: ApiHarness;
let baseUrl: string;
let clerk: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db, { server: { timeouts: TIMEOUTS } });
  clerk = await api.user(['clerk']);
  baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('slow clients', () => {
  it('cuts a request whose body trickles in, with a 408 problem document, within the request timeout', async () => {
    const exchange = await sendSlowly(baseUrl, {
      start:
        'POST /v1/cases HTTP/1.1\r\nHost: casetrail\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${clerk.token}\r\nContent-Length: 100000\r\n\r\n{"claim":"`,
      trickle: 'x',
      everyMs: 100,
      withinMs: TIMEOUTS.requestMs + SLACK_MS,
    });
    expect(exchange.closed, exchange.answer).toBe(true);
    expect(exchange.afterMs).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50);
    expect(exchange.status).toBe(408);
    expect(exchange.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(exchange.body)).toMatchObject({
      type: 'https://casetrail.dev/problems/request_timeout',
      status: 408,
      code: 'request_timeout',
      requestId: exchange.headers.get('x-request-id'),
    });
  });

  it('cuts a request whose headers trickle in within the headers timeout', async () => {
    const exchange = await sendSlowly(baseUrl, {
      start: 'GET /healthz HTTP/1.1\r\nHost: casetrail\r\nX-Slow: ',
      trickle: 'abcdefghij',
      everyMs: 100,
      withinMs: TIMEOUTS.headersMs + SLACK_MS,
    });
    expect(exchange.closed, exchange.answer).toBe(true);
    expect(exchange.status).toBe(408);
  });

  it('closes an idle keep-alive connection within the keep-alive timeout', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(baseUrl).port) });
    socket.on('error', () => undefined);
    let answered = '';
    socket.on('data', (chunk: Buffer) => {
      answered += chunk.toString('utf8');
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: casetrail\r\n\r\n');
    const started = performance.now();
    let bound: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
      new Promise<boolean>((resolve) => {
        bound = setTimeout(() => resolve(false), TIMEOUTS.keepAliveMs + KEEP_ALIVE_BUFFER_MS + SLACK_MS);
      }),
    ]);
    clearTimeout(bound);
    socket.destroy();
    expect(answered).toMatch(/^HTTP\/1\.1 200 /u);
    expect(closed).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveMs - 50);
  });
});

describe('the timeouts settings', () => {
  it('default to 30 s, 10 s and 5 s and refuse a headers timeout longer than the request timeout', () => {
    const config = parseConfig({});
    expect([
      config.CASETRAIL_HTTP_REQUEST_TIMEOUT,
      config.CASETRAIL_HTTP_HEADERS_TIMEOUT,
      config.CASETRAIL_HTTP_KEEP_ALIVE_TIMEOUT,
    ]).toEqual([30_000, 10_000, 5_000]);
    expect(() => parseConfig({ CASETRAIL_HTTP_HEADERS_TIMEOUT: '1m' })).toThrow(/CASETRAIL_HTTP_HEADERS_TIMEOUT/);
  });
});
