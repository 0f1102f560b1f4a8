// An evidence file upload may take longer than the API's request timeout, which bounds every
// other request, as long as it keeps sending; one that stalls or trickles is cut off with a
// 408 problem document like any slow request, and leaves nothing. Small timeouts here.
import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openLocalStore } from '../../src/infra/files/local-store.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody } from '../support/fixtures.ts';
import { sendSlowly } from '../support/slow-client.ts';

const TIMEOUTS = { requestMs: 1_000, headersMs: 500, keepAliveMs: 300 };
const SLACK_MS = 1_500;
const BOUNDARY = '----casetrail-slow-upload';

let db: TestDatabase;
let api: ApiHarness;
let root: string;
let baseUrl: string;
let clerk: TestUser;
let caseId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  root = await mkdtemp(join(tmpdir(), 'casetrail-slow-files-'));
  api = await startApi(db, {
    server: { timeouts: TIMEOUTS },
    files: { store: await openLocalStore(root), maxBytes: 8 * 1024 * 1024 },
  });
  clerk = await api.user(['clerk']);
  const submitted = await api.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: clerk.auth,
    payload: submitBody(),
  });
  await api.applyPending();
  caseId = json<{ caseId: string }>(submitted).caseId;
  baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n`;
const tail = `\r\n--${BOUNDARY}--\r\n`;

describe('a slow upload', () => {
  it('is accepted after more than the request timeout while it keeps sending', async () => {
    const chunk = Buffer.alloc(20 * 1024, 'steady upload line\n');
    const chunks = 20;
    const started = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${baseUrl}/v1/cases/${caseId}/files`, {
        method: 'POST',
        headers: {
          ...clerk.auth,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': String(head.length + chunk.length * chunks + tail.length),
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.write(head);
      let sent = 0;
      const timer = setInterval(() => {
        request.write(chunk);
        sent += 1;
        if (sent === chunks) {
          clearInterval(timer);
          request.end(tail);
        }
      }, 150);
    });
    expect(performance.now() - started).toBeGreaterThan(TIMEOUTS.requestMs * 2);
    expect(status).toBe(202);
  });

  it('is cut off with a 408 problem document when it trickles, and leaves no object', async () => {
    const before = await readdir(join(root, 'objects')).catch(() => []);
    const exchange = await sendSlowly(baseUrl, {
      start:
        `POST /v1/cases/${caseId}/files HTTP/1.1\r\nHost: casetrail\r\nAuthorization: Bearer ${clerk.token}\r\n` +
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 100000\r\n\r\n${head}`,
      trickle: 'trickle ',
      everyMs: 50,
      withinMs: TIMEOUTS.requestMs * 2 + SLACK_MS,
    });
    expect(exchange.closed, exchange.answer).toBe(true);
    expect(exchange.status).toBe(408);
    expect(JSON.parse(exchange.body)).toMatchObject({ code: 'request_timeout', status: 408 });
    // The cut-off write removes its temporary file once the stream has failed.
    await vi.waitFor(async () => expect(await readdir(join(root, 'tmp'))).toEqual([]), {
      timeout: 5_000,
      interval: 20,
    });
    expect(await readdir(join(root, 'objects')).catch(() => [])).toEqual(before);
  });
});
