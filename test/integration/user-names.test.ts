// GET /v1/users/names shows who acted, without making every login name a lookup away: a
// clerk or verifier resolves only the people on cases they can read (and themselves);
// supervisors, who read every case, and admins, who manage users, resolve anyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody } from '../support/fixtures.ts';

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let admin: TestUser;
let otherClerk: TestUser;
let otherVerifier: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  [clerk, verifier, supervisor, admin, otherClerk, otherVerifier] = await Promise.all([
    api.user(['clerk'], 'lan.nguyen'),
    api.user(['verifier'], 'hung.le'),
    api.user(['supervisor'], 'mai.pham'),
    api.user(['admin'], 'an.do'),
    api.user(['clerk'], 'binh.tran'),
    api.user(['verifier'], 'thu.vo'),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('GET /v1/users/names', () => {
  it('gives a clerk or verifier only the people on cases they can read, and themselves', async () => {
    const submitted = await api.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: clerk.auth,
      payload: submitBody({ url: 'https://example.vn/names-scope', content: 'Nội dung tên' }),
    });
    expect(submitted.statusCode).toBe(202);
    await api.applyPending();
    const caseId = json<{ caseId: string }>(submitted).caseId;
    const claimed = await api.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/claim`, headers: verifier.auth });
    expect(claimed.statusCode).toBe(202);
    await api.applyPending();

    const everyone = [clerk, verifier, supervisor, otherClerk, otherVerifier].map((u) => u.id).join(',');
    const namesFor = async (who: TestUser) => {
      const answer = await api.app.inject({ method: 'GET', url: `/v1/users/names?ids=${everyone}`, headers: who.auth });
      expect(answer.statusCode).toBe(200);
      return json<{ items: { name: string }[] }>(answer).items.map((item) => item.name);
    };
    // The clerk's case was submitted by them and claimed by hung.le; nobody else is on it.
    expect(await namesFor(clerk)).toEqual(['hung.le', 'lan.nguyen']);
    expect(await namesFor(otherClerk)).toEqual(['binh.tran']);
    // Verifiers read received cases: their submitters and claimants.
    expect(await namesFor(otherVerifier)).toEqual(['hung.le', 'lan.nguyen', 'thu.vo']);
    // Supervisors and admins (who manage users) get everyone.
    const all = ['binh.tran', 'hung.le', 'lan.nguyen', 'mai.pham', 'thu.vo'];
    expect(await namesFor(supervisor)).toEqual(all);
    expect(await namesFor(admin)).toEqual(all);
  });
});
