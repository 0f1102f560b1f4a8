// Hostile traffic against the running API process, as deployed behind a reverse proxy on
// loopback: floods from one client address, bad tokens, the queue dashboard, and requests
// trickled in a byte at a time (small request and headers timeouts here). Each is
// refused with its status and problem code, changes no row of the record, and leaks no
// stack trace or token in any response or log line; every answer says nosniff.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startChildSystem, type ChildSystem } from '../support/child-system.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { findLeaks } from '../support/leak-check.ts';
import { sendSlowly } from '../support/slow-client.ts';
import { deleteKeys } from '../support/queue-harness.ts';
import { changesBetween, takeSnapshot } from '../support/row-snapshot.ts';
import { createRequester } from './hostile/hostile-context.ts';
import { NETWORK_EDGE_CASES, type NetworkContext } from './hostile/network.cases.ts';

const LIMITS = { addressMax: 40, authFailures: 8 };

let db: TestDatabase;
let system: ChildSystem;
let prefix: string;
let n: NetworkContext;
const responses: { where: string; text: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  prefix = `${inject('bullmqPrefix')}-network-${randomBytes(3).toString('hex')}`;
  system = await startChildSystem({
    databaseUrl: db.url,
    backend: 'redis',
    redisUrl: inject('redisUrl'),
    prefix,
    workers: 0,
    env: {
      LOG_LEVEL: 'debug',
      CASETRAIL_TRUST_PROXY: 'loopback',
      CASETRAIL_RATE_LIMIT_ADDRESS_MAX: String(LIMITS.addressMax),
      CASETRAIL_RATE_LIMIT_AUTH_FAILURES: String(LIMITS.authFailures),
      CASETRAIL_HTTP_REQUEST_TIMEOUT: '1s',
      CASETRAIL_HTTP_HEADERS_TIMEOUT: '500ms',
    },
  });
  const request = createRequester(system.baseUrl);
  let clients = 0;
  n = {
    users: { admin: await system.createUser(['admin']), clerk: await system.createUser(['clerk']) },
    limits: LIMITS,
    client: () => `198.51.100.${++clients}`,
    async slowly(start, trickle) {
      const exchange = await sendSlowly(system.baseUrl, { start, trickle, everyMs: 100, withinMs: 5_000 });
      if (!exchange.closed) throw new Error(`still open after ${Math.round(exchange.afterMs)} ms`);
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(exchange.body) as Record<string, unknown>;
      } catch {
        body = null;
      }
      return { status: exchange.status ?? 0, headers: exchange.headers, text: exchange.body, body };
    },
    request: (method, path, options = {}) => {
      const { from, ...rest } = options;
      return request(method, path, {
        ...rest,
        headers: { ...rest.headers, ...(from === undefined ? {} : { 'x-forwarded-for': from }) },
      });
    },
  };
});

afterAll(async () => {
  await system?.close();
  if (prefix !== undefined) await deleteKeys(inject('redisUrl'), `${prefix}:*`);
  await db?.drop();
});

describe('hostile network traffic is refused with its problem and changes no row', () => {
  it.each(NETWORK_EDGE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const before = await takeSnapshot(db.pool);
    const answer = await hostile.send(n);
    responses.push({
      where: hostile.name,
      text: `${[...answer.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${answer.text}`,
    });

    expect(answer.status, answer.text.slice(0, 500)).toBe(hostile.status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      type: `https://casetrail.dev/problems/${hostile.code}`,
      status: hostile.status,
      code: hostile.code,
    });
    expect(answer.body?.requestId).toBe(answer.headers.get('x-request-id'));
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    if (hostile.status === 429) expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);

    const after = await takeSnapshot(db.pool);
    expect(changesBetween(before, after)).toEqual({ tables: [], newCommands: [], changedCommands: [] });
  });

  it('put no stack trace or token in any response or log line', () => {
    const secrets = Object.values(n.users).map((u) => u.token);
    const logs = system
      .logLines()
      .map((line) => ({ where: `${line.process} log: ${line.msg}`, text: JSON.stringify(line) }));
    const output = system.processes.flatMap((p) => p.rawOutput.map((text) => ({ where: `${p.name} output`, text })));
    expect(responses.length).toBe(NETWORK_EDGE_CASES.length);
    expect(findLeaks([...responses, ...logs, ...output], secrets)).toEqual([]);
  });
});
