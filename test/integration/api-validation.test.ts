import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../src/infra/files/local-store.ts';
import { COMMAND_TYPES } from '../../src/domain/index.ts';
import { COMMAND_PATHS } from '../../src/api/routes/command.routes.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';
import { countRows, json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
  requestId: string;
};

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let filesRoot: string;

beforeAll(async () => {
  db = await createTestDatabase();
  filesRoot = await mkdtemp(join(tmpdir(), 'casetrail-validation-files-'));
  api = await startApi(db, { files: { store: await openLocalStore(filesRoot), maxBytes: 1024 * 1024 } });
  clerk = await api.user(['clerk']);
  verifier = await api.user(['verifier']);
  supervisor = await api.user(['supervisor']);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
  if (filesRoot !== undefined) await rm(filesRoot, { recursive: true, force: true });
});

const CASE_ID = '5b0c4a52-3c2e-4d8e-9f59-2f7f0c7a1e11';

function post(user: TestUser, url: string, body: unknown, headers: Record<string, string> = {}) {
  return api.app.inject({ method: 'POST', url, headers: { ...user.auth, ...headers }, payload: body as object });
}

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
): Problem {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = json<Problem>(response);
  expect(problem).toMatchObject({ type: `https://casetrail.dev/problems/${code}`, status, code });
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.requestId).toBe(response.headers['x-request-id']);
  return problem;
}

describe('request validation answers 400 validation_failed with the failing paths, and stores nothing', () => {
  it('rejects an unknown field, naming it', async () => {
    const body = { ...submitBody(), item: { ...submitBody().item, views: 12000 }, extra: true };
    const problem = expectProblem(await post(clerk, '/v1/cases', body), 400, 'validation_failed');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: 'item.views', message: 'unknown field' },
        { path: 'extra', message: 'unknown field' },
      ]),
    );
  });

  it('rejects a NUL character anywhere in a text field', async () => {
    const body = { ...submitBody(), claim: 'Hot lemon water\u0000 cures influenza' };
    const problem = expectProblem(await post(clerk, '/v1/cases', body), 400, 'validation_failed');
    expect(problem.errors).toEqual([{ path: 'claim', message: expect.stringMatching(/NUL/) }]);
  });

  it('rejects a javascript: URL for the item and for evidence', async () => {
    const body = { ...submitBody(), item: { ...submitBody().item, url: 'javascript:alert(1)' } };
    const problem = expectProblem(await post(clerk, '/v1/cases', body), 400, 'validation_failed');
    expect(problem.errors).toEqual([{ path: 'item.url', message: expect.stringMatching(/http/) }]);

    const verify = verifyBody('false', [{ kind: 'url', url: 'javascript:alert(1)', description: 'x' }]);
    const evidence = expectProblem(
      await post(verifier, `/v1/cases/${CASE_ID}/verify`, verify),
      400,
      'validation_failed',
    );
    expect(evidence.errors).toEqual([{ path: 'evidence.0.url', message: expect.stringMatching(/http/) }]);
  });

  it('rejects a fine in fractions of a dong and above the ceiling', async () => {
    for (const amount of [7_500_000.5, 1e12 + 1]) {
      const body = { ...penaltyBody(), fine: { amount, currency: 'VND' } };
      const problem = expectProblem(
        await post(supervisor, `/v1/cases/${CASE_ID}/penalty`, body),
        400,
        'validation_failed',
      );
      expect(problem.errors?.map((e) => e.path)).toEqual(['fine.amount']);
    }
  });

  it('rejects a malformed case id in the path and a bad query parameter', async () => {
    const path = expectProblem(await post(verifier, '/v1/cases/not-a-uuid/claim', {}), 400, 'validation_failed');
    expect(path.errors?.map((e) => e.path)).toEqual(['id']);
    const query = expectProblem(
      await api.app.inject({ method: 'GET', url: '/v1/cases?limit=500&colour=red', headers: supervisor.auth }),
      400,
      'validation_failed',
    );
    expect(query.errors?.map((e) => e.path).sort()).toEqual(['colour', 'limit']);
  });

  it('stored no command for any refused request', async () => {
    expect(await countRows(api.database, 'commands')).toBe(0);
    expect(await countRows(api.database, 'outbox')).toBe(0);
  });
});

describe('transport errors are problem documents too', () => {
  it('answers 400 to malformed JSON', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...clerk.auth, 'content-type': 'application/json' },
      payload: '{"item": {',
    });
    expectProblem(response, 400, 'validation_failed');
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const body = { ...submitBody(), claim: 'x'.repeat(1024 * 1024 + 1) };
    expectProblem(await post(clerk, '/v1/cases', body), 413, 'payload_too_large');
  });

  it('answers 415 to a body that is not application/json', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { ...clerk.auth, 'content-type': contentType },
        payload: 'claim=x',
      });
      expectProblem(response, 415, 'unsupported_media_type');
    }
  });

  it('answers 404 not_found to an unknown route', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: clerk.auth });
    expectProblem(response, 404, 'not_found');
  });

  it('accepts a claim posted without any body', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${CASE_ID}/claim`,
      headers: verifier.auth,
    });
    expect(response.statusCode).toBe(202);
  });
});

describe('the OpenAPI document and the docs are generated from the same schemas', () => {
  it('lists every route with its schemas', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = json<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    }>(response);
    expect(doc.openapi).toMatch(/^3\.1/);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const commandRoutes = COMMAND_TYPES.map((t) => `POST /v1${COMMAND_PATHS[t].replace(':id', '{id}')}`);
    expect(routes.sort()).toEqual(
      [
        ...commandRoutes,
        'GET /v1/commands/{id}',
        'GET /v1/worklists/verification',
        'GET /v1/cases',
        'GET /v1/cases/{id}',
        'GET /v1/cases/{id}/events',
        'GET /v1/cases/{id}/changes',
        'GET /v1/changes',
        'GET /v1/cases/{id}/export',
        'GET /v1/cases/{id}/files',
        'GET /v1/cases/{id}/files/{fileId}',
        'GET /v1/cases/{id}/files/{fileId}/thumbnail',
        'POST /v1/cases/{id}/personal-data/erase',
        'GET /v1/audit/verify',
        'GET /v1/audit/checkpoints',
        'GET /v1/audit/public-key',
        'GET /v1/audit/access-log',
        'GET /v1/audit/tree-heads',
        'GET /v1/audit/consistency',
        'GET /v1/audit/inclusion',
        'GET /.well-known/casetrail-keys.json',
        'POST /v1/users',
        'POST /v1/users/{id}/tokens',
        'DELETE /v1/tokens/{id}',
        'GET /v1/users',
        'PATCH /v1/users/{id}',
        'GET /v1/users/{id}/tokens',
        'GET /v1/users/{id}/events',
        'GET /v1/users/audit/verify',
        'GET /v1/workload',
        'GET /v1/stats',
        'GET /v1/stats/stages',
        'POST /v1/topics',
        'GET /v1/topics',
        'GET /v1/reports/summary',
        'GET /v1/me',
        'GET /v1/users/names',
        'POST /v1/webhooks',
        'GET /v1/webhooks',
        'GET /v1/webhooks/{id}',
        'DELETE /v1/webhooks/{id}',
        'GET /v1/webhooks/{id}/deliveries',
        'GET /healthz',
        'GET /readyz',
      ].sort(),
    );
    const submit = doc.paths['/v1/cases']?.post;
    expect(submit?.requestBody).toBeDefined();
    expect(Object.keys(submit?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '202', '400', '401', '403', '415', '429']),
    );
    expect(JSON.stringify(doc)).toContain('"Problem"');
  });

  it('serves Swagger UI from the package, not a CDN', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
    expect(page.body).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
  });
});

it('gives every command a documented body schema (one table → routes)', () => {
  expect(Object.keys(BODIES).sort()).toEqual([...COMMAND_TYPES].sort());
  expect(Object.keys(COMMAND_PATHS).sort()).toEqual([...COMMAND_TYPES].sort());
});
