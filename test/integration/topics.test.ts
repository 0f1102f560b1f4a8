// Topics (docs/design.md §11): supervisors create them, everyone reads them, the claiming
// verifier or a supervisor tags cases (case.topics_changed), and lists filter by topic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody } from '../support/fixtures.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type Problem = { code: string; errors?: { path: string }[] };

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let verifier: TestUser;
let verifier2: TestUser;
let supervisor: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  [clerk, verifier, verifier2, supervisor] = await Promise.all([
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['verifier']),
    api.user(['supervisor']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const post = (user: TestUser, url: string, payload: object) =>
  api.app.inject({ method: 'POST', url, headers: user.auth, payload });
const get = (user: TestUser, url: string) => api.app.inject({ method: 'GET', url, headers: user.auth });

let serial = 0;
async function submit(): Promise<string> {
  serial += 1;
  const response = await post(clerk, '/v1/cases', submitBody({ url: `https://example.vn/chu-de-${serial}` }));
  await api.applyPending();
  return json<{ caseId: string }>(response).caseId;
}

async function changeTopics(user: TestUser, caseId: string, body: object) {
  const [response] = await Promise.all([
    post(user, `/v1/cases/${caseId}/topics?wait=true`, body),
    api.applyWhenStored(),
  ]);
  return response;
}

describe('topics', () => {
  it('are created by supervisors, read by everyone, and a code is taken once', async () => {
    const created = await post(supervisor, '/v1/topics', { code: 'SEA-GAMES-31', name: 'SEA Games 31' });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({ code: 'SEA-GAMES-31', name: 'SEA Games 31', createdBy: supervisor.id });
    expect((await post(supervisor, '/v1/topics', { code: 'COVID-19', name: 'Covid-19' })).statusCode).toBe(201);
    expect((await post(clerk, '/v1/topics', { code: 'X', name: 'x' })).statusCode).toBe(403);
    const again = await post(supervisor, '/v1/topics', { code: 'COVID-19', name: 'Again' });
    expect(again.statusCode).toBe(409);
    expect(json<Problem>(again).errors?.[0]?.path).toBe('code');
    const listed = json<{ items: { code: string }[] }>(await get(clerk, '/v1/topics'));
    expect(listed.items.map((t) => t.code)).toEqual(['COVID-19', 'SEA-GAMES-31']);
  });

  it('tag and untag a case with case.topics_changed, and filter the case list', async () => {
    const tagged = await submit();
    const other = await submit();
    const response = await changeTopics(supervisor, tagged, { add: ['COVID-19', 'SEA-GAMES-31'] });
    expect(response.statusCode, response.body).toBe(200);
    expect(json<{ topics: string[] }>(response).topics).toEqual(['COVID-19', 'SEA-GAMES-31']);
    const removed = await changeTopics(supervisor, tagged, { remove: ['SEA-GAMES-31'] });
    expect(json<{ topics: string[] }>(removed).topics).toEqual(['COVID-19']);

    const events = json<{ items: { type: string; payload: unknown }[] }>(
      await get(supervisor, `/v1/cases/${tagged}/events`),
    ).items.filter((e) => e.type === 'case.topics_changed');
    expect(events.map((e) => e.payload)).toEqual([
      { added: ['COVID-19', 'SEA-GAMES-31'], removed: [] },
      { added: [], removed: ['SEA-GAMES-31'] },
    ]);
    const ids = (url: string) =>
      get(supervisor, url).then((r) => json<{ items: { id: string }[] }>(r).items.map((c) => c.id));
    expect(await ids('/v1/cases?topic=COVID-19')).toEqual([tagged]);
    expect(await ids('/v1/cases?topic=SEA-GAMES-31')).toEqual([]);
    expect(await ids('/v1/cases')).toContain(other);
  });

  it('are changed by the verifier holding the claim, not by another verifier', async () => {
    const caseId = await submit();
    await post(verifier, `/v1/cases/${caseId}/claim`, {});
    await api.applyPending();
    const refused = await changeTopics(verifier2, caseId, { add: ['COVID-19'] });
    expect(refused.statusCode).toBe(422);
    const accepted = await changeTopics(verifier, caseId, { add: ['COVID-19'] });
    expect(accepted.statusCode, accepted.body).toBe(200);
  });

  it('refuse an unknown topic with 400 naming the field, and store nothing', async () => {
    const caseId = await submit();
    const { rows: before } = await db.pool.query('SELECT count(*)::int AS n FROM commands');
    const response = await post(supervisor, `/v1/cases/${caseId}/topics`, { add: ['COVID-19', 'NO-SUCH'] });
    expect(response.statusCode).toBe(400);
    expect(json<Problem>(response).errors?.map((e) => e.path)).toEqual(['add.1']);
    const { rows: after } = await db.pool.query('SELECT count(*)::int AS n FROM commands');
    expect(after).toEqual(before);
    const listed = await get(supervisor, '/v1/cases?topic=NO-SUCH');
    expect(listed.statusCode).toBe(400);
    expect(json<Problem>(listed).errors?.map((e) => e.path)).toEqual(['topic']);
    const empty = await post(supervisor, `/v1/cases/${caseId}/topics`, {});
    expect(empty.statusCode).toBe(400);
  });
});
