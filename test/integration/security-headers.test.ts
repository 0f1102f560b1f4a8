// Headers that keep browsers from misreading or framing what the API serves: every answer
// says nosniff (problem documents included), and the API docs may not be framed. The queue
// dashboard's are checked with it running, in metrics-dashboard.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  clerk = await api.user(['clerk']);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('security headers', () => {
  it.each([
    ['a case list', '/v1/cases', true, 200],
    ['a 401 problem document', '/v1/cases', false, 401],
    ['a 404 problem document', '/v1/nothing-here', true, 404],
    ['a 400 problem document', '/v1/cases?limit=0', true, 400],
    ['the health check', '/healthz', false, 200],
    ['the OpenAPI document', '/openapi.json', false, 200],
    ['the API docs', '/docs/', false, 200],
    ['a docs asset', '/docs/static/swagger-ui.css', false, 200],
  ])('%s says X-Content-Type-Options: nosniff', async (_what, url, withToken, status) => {
    const answer = await api.app.inject({ method: 'GET', url, headers: withToken ? clerk.auth : {} });
    expect(answer.statusCode).toBe(status);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('lets no page frame the API docs', async () => {
    for (const url of ['/docs/', '/docs/static/swagger-initializer.js']) {
      const answer = await api.app.inject({ method: 'GET', url });
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-security-policy']).toMatch(/(^|; )frame-ancestors 'none'(;|$)/u);
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
  });

  it.each([
    ['/docs/static/index.html?x', '/docs/?x'],
    ['/docs/static/index.html', '/docs/'],
  ])('redirects %s to the docs page, not to itself', async (url, location) => {
    const answer = await api.app.inject({ method: 'GET', url });
    expect(answer.statusCode).toBe(302);
    expect(answer.headers.location).toBe(location);
    expect((await api.app.inject({ method: 'GET', url: location })).statusCode).toBe(200);
  });
});
