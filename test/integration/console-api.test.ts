// What the console needs from the server: the built console at `/` (without shadowing the
// API's own 404s), who the caller is, the names behind actor ids, and the stage history.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody, verifyBody } from '../support/fixtures.ts';

let db: TestDatabase;
let api: ApiHarness;
let consoleDir: string;
let clerk: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let admin: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  consoleDir = await mkdtemp(join(tmpdir(), 'casetrail-console-'));
  await mkdir(join(consoleDir, 'assets'));
  await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>casetrail</title><ct-app></ct-app>');
  await writeFile(join(consoleDir, 'assets', 'index-abc123.js'), 'export {};');
  api = await startApi(db, { server: { consoleDir } });
  [clerk, verifier, supervisor, admin] = await Promise.all([
    api.user(['clerk'], 'lan.nguyen'),
    api.user(['verifier'], 'hung.le'),
    api.user(['supervisor'], 'mai.pham'),
    api.user(['admin']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
  await rm(consoleDir, { recursive: true, force: true });
});

describe('the console at /', () => {
  it('serves index.html, revalidated on each load, under a same-origin content security policy', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(page.body).toBe('<!doctype html><title>casetrail</title><ct-app></ct-app>');
  });

  it('serves hashed assets as immutable', async () => {
    const asset = await api.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect([asset.statusCode, asset.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
  });

  it('leaves every other path to the API: unknown ones still answer its 404 problem', async () => {
    const missing = await api.app.inject({ method: 'GET', url: '/assets/nothing.js' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toMatchObject({ code: 'not_found', detail: 'no route GET /assets/nothing.js' });
  });
});

describe('GET /v1/me', () => {
  it('names the caller, their roles and the token', async () => {
    const me = await api.app.inject({ method: 'GET', url: '/v1/me', headers: verifier.auth });
    expect([me.statusCode, json(me)]).toEqual([
      200,
      { id: verifier.id, name: 'hung.le', roles: ['verifier'], tokenId: verifier.tokenId },
    ]);
  });

  it('answers 401 without a valid token', async () => {
    const me = await api.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Bearer ct_nope' } });
    expect([me.statusCode, json(me).code]).toEqual([401, 'unauthenticated']);
  });
});

describe('GET /v1/users/names', () => {
  it('gives the names behind known ids, sorted by name, and leaves unknown ids out', async () => {
    const ids = [verifier.id, clerk.id, '00000000-0000-4000-8000-000000000000'].join(',');
    const names = await api.app.inject({ method: 'GET', url: `/v1/users/names?ids=${ids}`, headers: supervisor.auth });
    expect([names.statusCode, json(names)]).toEqual([
      200,
      {
        items: [
          { id: verifier.id, name: 'hung.le' },
          { id: clerk.id, name: 'lan.nguyen' },
        ],
      },
    ]);
  });

  it('refuses ids that are not uuids (the scope of a clerk or verifier: user-names.test.ts)', async () => {
    const bad = await api.app.inject({ method: 'GET', url: '/v1/users/names?ids=nope', headers: clerk.auth });
    expect([bad.statusCode, json(bad).code]).toEqual([400, 'validation_failed']);
  });
});

describe('GET /v1/stats/stages', () => {
  it('counts the cases in each stage at the end of each day of the window, and the breaches per day', async () => {
    const submit = async (n: number) => {
      const accepted = await api.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: clerk.auth,
        payload: submitBody({ url: `https://example.vn/stages-${n}`, content: `Nội dung ${n}` }),
      });
      await api.applyPending();
      return json<{ caseId: string }>(accepted).caseId;
    };
    const [verified, dismissed] = [await submit(1), await submit(2)];
    await submit(3);
    for (const id of [verified, dismissed]) {
      await api.app.inject({ method: 'POST', url: `/v1/cases/${id}/claim`, headers: verifier.auth, payload: {} });
    }
    await api.applyPending();
    await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${verified}/verify`,
      headers: verifier.auth,
      payload: verifyBody(),
    });
    await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${dismissed}/verify`,
      headers: verifier.auth,
      payload: verifyBody('accurate', []),
    });
    await api.applyPending();

    const history = await api.app.inject({ method: 'GET', url: '/v1/stats/stages?days=3', headers: supervisor.auth });
    expect(history.statusCode).toBe(200);
    type History = {
      window: { to: string };
      days: { day: string; byStage: Record<string, number>; breaches: Record<string, number> }[];
    };
    const { window, days } = json<History>(history);
    const none = { received: 0, verified: 0, referred: 0, penalty_issued: 0 };
    // The window ends now by the database clock: today is the UTC day of window.to.
    expect(days.map((d) => d.day)).toEqual(
      [2, 1, 0].map((ago) => new Date(Date.parse(window.to) - ago * 86_400_000).toISOString().slice(0, 10)),
    );
    expect(days.map((d) => [d.byStage, d.breaches])).toEqual([
      [{ ...none, closed: 0 }, none],
      [{ ...none, closed: 0 }, none],
      [{ received: 1, verified: 1, referred: 0, penalty_issued: 0, closed: 1 }, none],
    ]);
  });

  it('is for supervisors and admins, like /v1/stats', async () => {
    const asClerk = await api.app.inject({ method: 'GET', url: '/v1/stats/stages', headers: clerk.auth });
    const asAdmin = await api.app.inject({ method: 'GET', url: '/v1/stats/stages', headers: admin.auth });
    expect([asClerk.statusCode, asAdmin.statusCode]).toEqual([403, 200]);
  });
});
