import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServerOptions } from '../../src/api/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { BODIES, submitBody } from '../support/fixtures.ts';
import { countRows, json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type Problem = {
  code: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: { path: string; message: string }[];
};

let db: TestDatabase;
let api: ApiHarness;
let admin: TestUser;
let clerk: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db, { server: { tokenUsageFlushMs: 100 } });
  admin = await api.user(['admin']);
  clerk = await api.user(['clerk']);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const CASE_ID = '5b0c4a52-3c2e-4d8e-9f59-2f7f0c7a1e11';

describe('authentication', () => {
  const unauthenticated = [
    ['no Authorization header', {}],
    ['a scheme other than Bearer', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['a malformed token', { authorization: 'Bearer not-a-token' }],
    ['a well-formed unknown token', { authorization: `Bearer ct_${'A'.repeat(43)}` }],
  ] as const;

  it.each(unauthenticated)('answers 401 with WWW-Authenticate: Bearer to %s', async (_name, headers) => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/cases', headers });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(json<Problem>(response).code).toBe('unauthenticated');
  });

  it('refuses a revoked token, and only that token', async () => {
    const user = await api.user(['clerk']);
    const second = await api.app.inject({
      method: 'POST',
      url: `/v1/users/${user.id}/tokens`,
      headers: admin.auth,
      payload: { label: 'laptop' },
    });
    expect(second.statusCode).toBe(201);
    const issued = json<{ id: string; token: string; userId: string; label: string }>(second);
    expect(issued).toMatchObject({
      userId: user.id,
      label: 'laptop',
      token: expect.stringMatching(/^ct_[A-Za-z0-9_-]{43}$/),
    });

    const revoked = await api.app.inject({ method: 'DELETE', url: `/v1/tokens/${user.tokenId}`, headers: admin.auth });
    expect(revoked.statusCode).toBe(204);

    const withRevoked = await api.app.inject({ method: 'GET', url: '/v1/cases', headers: user.auth });
    expect(withRevoked.statusCode).toBe(401);
    const withOther = await api.app.inject({
      method: 'GET',
      url: '/v1/cases',
      headers: { authorization: `Bearer ${issued.token}` },
    });
    expect(withOther.statusCode).toBe(200);
  });

  it('stores only the SHA-256 of a token', async () => {
    const { rows } = await api.database.pool.query<{ token_hash: string }>(
      'SELECT token_hash FROM api_tokens WHERE id = $1',
      [clerk.tokenId],
    );
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(clerk.token.slice(3));
  });

  it('records when a token was last used, a moment later', async () => {
    await api.app.inject({ method: 'GET', url: '/v1/cases', headers: clerk.auth });
    await expect
      .poll(
        async () =>
          (
            await api.database.pool.query<{ last_used_at: Date | null }>(
              'SELECT last_used_at FROM api_tokens WHERE id = $1',
              [clerk.tokenId],
            )
          ).rows[0]?.last_used_at,
        { timeout: 5_000, interval: 50 },
      )
      .toBeInstanceOf(Date);
  });
});

describe('authorization by role, checked before anything is stored', () => {
  it('answers 403 when the role may not run the command, and stores no command', async () => {
    const before = await countRows(api.database, 'commands');
    const attempts = [
      ['POST', `/v1/cases/${CASE_ID}/verify`, BODIES.verify, clerk],
      ['POST', `/v1/cases/${CASE_ID}/penalty`, BODIES['record-penalty'], clerk],
      ['POST', '/v1/cases', submitBody(), admin],
      ['POST', `/v1/cases/${CASE_ID}/notes`, BODIES['add-note'], admin],
    ] as const;
    for (const [method, url, payload, user] of attempts) {
      const response = await api.app.inject({ method, url, payload: payload as object, headers: user.auth });
      expect(response.statusCode, url).toBe(403);
      expect(json<Problem>(response).code).toBe('forbidden');
    }
    // Even an invalid body answers 403 first: the role is checked before the body.
    const invalid = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${CASE_ID}/verify`,
      payload: { nonsense: 1 },
      headers: clerk.auth,
    });
    expect(invalid.statusCode).toBe(403);
    expect(await countRows(api.database, 'commands')).toBe(before);
    expect(await countRows(api.database, 'outbox')).toBe(before);
  });

  it('keeps user and token management for admins', async () => {
    for (const [method, url, payload] of [
      ['POST', '/v1/users', { name: 'mallory', roles: ['admin'] }],
      ['POST', `/v1/users/${clerk.id}/tokens`, {}],
      ['DELETE', `/v1/tokens/${clerk.tokenId}`, undefined],
    ] as const) {
      const response = await api.app.inject({
        method,
        url,
        headers: clerk.auth,
        ...(payload === undefined ? {} : { payload }),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }
  });

  it('gives admins no case reads', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/v1/cases', headers: admin.auth })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'GET', url: `/v1/cases/${CASE_ID}`, headers: admin.auth })).statusCode).toBe(
      404,
    );
  });
});

describe('user management', () => {
  it('creates a user and shows the token once', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: admin.auth,
      payload: { name: 'Trần Thị B', roles: ['verifier', 'clerk'] },
    });
    expect(response.statusCode).toBe(201);
    const user = json<{ id: string; name: string; roles: string[]; token: string }>(response);
    expect(user).toMatchObject({
      name: 'Trần Thị B',
      roles: ['verifier', 'clerk'],
      token: expect.stringMatching(/^ct_/),
    });
    const reading = await api.app.inject({
      method: 'GET',
      url: '/v1/worklists/verification',
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(reading.statusCode).toBe(200);
  });

  it('refuses a taken name, unknown roles and an unknown user or token', async () => {
    const taken = await api.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: admin.auth,
      payload: { name: clerk.name, roles: ['clerk'] },
    });
    expect(taken.statusCode).toBe(409);
    expect(json<Problem>(taken)).toMatchObject({ code: 'name_taken' });
    expect(json<Problem>(taken).errors).toEqual([{ path: 'name', message: 'is already taken' }]);
    const roles = await api.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: admin.auth,
      payload: { name: 'x', roles: ['root'] },
    });
    expect(json<Problem>(roles).errors?.map((e) => e.path)).toEqual(['roles.0']);
    const noUser = await api.app.inject({
      method: 'POST',
      url: `/v1/users/${CASE_ID}/tokens`,
      headers: admin.auth,
      payload: {},
    });
    expect(noUser.statusCode).toBe(404);
    const noToken = await api.app.inject({ method: 'DELETE', url: `/v1/tokens/${CASE_ID}`, headers: admin.auth });
    expect(noToken.statusCode).toBe(404);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a token exceeds its quota, counting each token apart', async () => {
    const limited = await startApi(db, {
      server: { rateLimit: { max: 3, addressMax: 100, authFailures: 100, windowMs: 60_000 } },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await limited.app.inject({ method: 'GET', url: '/v1/cases', headers: clerk.auth })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await limited.app.inject({ method: 'GET', url: '/v1/cases', headers: clerk.auth });
      expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json<Problem>(refused).code).toBe('rate_limited');
      const other = await limited.app.inject({ method: 'GET', url: '/v1/cases', headers: admin.auth });
      expect(other.statusCode).toBe(403); // admin's own quota is untouched; it is refused for its role
    } finally {
      await limited.close();
    }
  });
});

describe('rate limiting before authentication', () => {
  const limits = { max: 1000, addressMax: 1000, authFailures: 1000, windowMs: 60_000 };
  const madeUpToken = () => `ct_${randomBytes(32).toString('base64url')}`;

  /** A server with these limits, and a count of the token lookups it makes. */
  async function limitedApi(rateLimit: Partial<typeof limits>, server: Partial<ServerOptions> = {}) {
    const limited = await startApi(db, { server: { rateLimit: { ...limits, ...rateLimit }, ...server } });
    const query = limited.database.pool.query.bind(limited.database.pool);
    let lookups = 0;
    vi.spyOn(limited.database.pool, 'query').mockImplementation(((config: unknown, ...rest: unknown[]) => {
      if (typeof config === 'object' && (config as { name?: string } | null)?.name === 'token-owners') lookups += 1;
      return (query as (...args: unknown[]) => unknown)(config, ...rest);
    }) as never);
    return { limited, lookups: () => lookups };
  }
  const get = (app: ApiHarness['app'], remoteAddress: string, authorization?: string, url = '/v1/cases') =>
    app.inject({ method: 'GET', url, remoteAddress, headers: authorization === undefined ? {} : { authorization } });

  it('refuses an address that sent too many made-up tokens with 429, looking none of the rest up', async () => {
    const { limited, lookups } = await limitedApi({ authFailures: 5 });
    try {
      const answers = [];
      for (let i = 0; i < 12; i++) answers.push(await get(limited.app, '198.51.100.7', `Bearer ${madeUpToken()}`));
      expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 401, 401, ...Array(7).fill(429)]);
      expect(lookups()).toBe(5);
      const refused = answers.at(-1);
      expect(refused?.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(refused?.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json<Problem>({ body: refused?.body ?? '' })).toMatchObject({ code: 'rate_limited', status: 429 });
      // No token at all counts the same; other addresses are not held up.
      expect((await get(limited.app, '198.51.100.7')).statusCode).toBe(429);
      expect((await get(limited.app, '198.51.100.8', clerk.auth.authorization)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('looks an unknown token up once, however often it comes, until a token is issued', async () => {
    const { limited, lookups } = await limitedApi({});
    try {
      const unknown = `Bearer ${madeUpToken()}`;
      for (let i = 0; i < 10; i++) expect((await get(limited.app, '198.51.100.9', unknown)).statusCode).toBe(401);
      expect(lookups()).toBe(1);
      const issued = await limited.app.inject({
        method: 'POST',
        url: `/v1/users/${clerk.id}/tokens`,
        headers: admin.auth,
        payload: {},
      });
      expect(issued.statusCode).toBe(201);
      const before = lookups();
      expect((await get(limited.app, '198.51.100.9', unknown)).statusCode).toBe(401);
      expect(lookups()).toBe(before + 1);
      const fresh = `Bearer ${json<{ token: string }>(issued).token}`;
      expect((await get(limited.app, '198.51.100.9', fresh)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('limits each client address before its tokens, whoever sends', async () => {
    const { limited } = await limitedApi({ addressMax: 3 });
    try {
      const statuses = [];
      for (const who of [clerk, clerk, admin, admin]) {
        statuses.push((await get(limited.app, '203.0.113.5', who.auth.authorization)).statusCode);
      }
      expect(statuses).toEqual([200, 200, 403, 429]);
      expect((await get(limited.app, '203.0.113.6', clerk.auth.authorization)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('takes the client address from X-Forwarded-For only from a trusted proxy', async () => {
    const forwarded = (app: ApiHarness['app'], from: string, client: string) =>
      app.inject({
        method: 'GET',
        url: '/v1/cases',
        remoteAddress: from,
        headers: { ...clerk.auth, 'x-forwarded-for': client },
      });
    const { limited } = await limitedApi({ addressMax: 1 }, { trustProxy: ['127.0.0.1/8'] });
    try {
      expect((await forwarded(limited.app, '127.0.0.1', '192.0.2.1')).statusCode).toBe(200);
      expect((await forwarded(limited.app, '127.0.0.1', '192.0.2.2')).statusCode).toBe(200);
      expect((await forwarded(limited.app, '127.0.0.1', '192.0.2.1')).statusCode).toBe(429);
      // An untrusted peer's header is ignored: its own address is the one counted.
      expect((await forwarded(limited.app, '198.51.100.20', '192.0.2.3')).statusCode).toBe(200);
      expect((await forwarded(limited.app, '198.51.100.20', '192.0.2.4')).statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('internal errors', () => {
  it('answers 500 with a requestId that is in the log line, and no stack or message', async () => {
    const failing = await startApi(db, {
      health: {
        database: async () => {
          throw new Error('connection to Nguyễn Văn A lost');
        },
        queues: async () => true,
      },
    });
    try {
      const response = await failing.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(500);
      const problem = json<Problem>(response);
      expect(problem.code).toBe('internal');
      expect(response.body).not.toMatch(/Nguyễn|lost|at .*\.ts|stack/);
      const line = failing.logs.find((l) => l.msg === 'request failed');
      // Where it was thrown, but no stack trace: a trace repeats messages that may quote input.
      expect(line).toMatchObject({
        requestId: problem.requestId,
        level: 50,
        err: { name: 'Error', where: expect.stringMatching(/api-auth\.test\.ts:\d+:\d+/) },
      });
      expect(JSON.stringify(line)).not.toMatch(/\\n\s*at /);
    } finally {
      await failing.close();
    }
  });

  it('answers 503 unavailable with Retry-After, not 500, while the database is away', async () => {
    const away = await startApi(db, {
      health: {
        database: async () => {
          throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
        },
        queues: async () => true,
      },
    });
    try {
      const response = await away.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(json<Problem>(response)).toMatchObject({ code: 'unavailable', status: 503 });
      expect(away.logs.find((l) => l.msg === 'database unavailable')).toMatchObject({
        level: 40,
        err: { code: '57P01' },
      });
      expect(away.logs.some((l) => l.msg === 'request failed')).toBe(false);
    } finally {
      await away.close();
    }
  });

  it('never writes a token or a request body to the log', async () => {
    await api.app.inject({ method: 'POST', url: '/v1/cases', headers: clerk.auth, payload: submitBody() });
    const text = JSON.stringify(api.logs);
    expect(text).not.toContain(clerk.token);
    expect(text).not.toContain(admin.token);
    expect(text).not.toContain(submitBody().item.content);
    expect(text).not.toContain('nguyen.van.a');
    expect(api.logs.some((l) => l.msg === 'incoming request' && typeof l.requestId === 'string')).toBe(true);
  });
});
