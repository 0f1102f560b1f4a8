import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../../src/app/verify-trail.ts';
import { verifyBundle, type Bundle } from '../../src/domain/index.ts';
import { auditKeys, json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { tablesHolding as holding } from '../support/tables-holding.ts';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';

let db: TestDatabase;
let api: ApiHarness;
const keys = auditKeys();
let clerk: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let supervisor2: TestUser;
let admin: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db, { audit: keys });
  [clerk, verifier, supervisor, supervisor2, admin] = await Promise.all([
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['supervisor']),
    api.user(['supervisor']),
    api.user(['admin']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const get = (user: TestUser, url: string) => api.app.inject({ method: 'GET', url, headers: user.auth });
const erase = (user: TestUser, caseId: string, payload: unknown) =>
  api.app.inject({
    method: 'POST',
    url: `/v1/cases/${caseId}/personal-data/erase`,
    headers: user.auth,
    payload: payload as object,
  });

async function run(user: TestUser, url: string, payload: unknown = {}): Promise<string> {
  const response = await api.app.inject({ method: 'POST', url, headers: user.auth, payload: payload as object });
  expect(response.statusCode, url).toBe(202);
  await api.applyPending();
  return json<{ commandId: string }>(response).commandId;
}

/** A case whose item and penalty subject name one person, in strings found nowhere else. */
async function personalCase(tag: string) {
  const person = {
    handle: `tran.thi.${tag}`,
    name: `Trần Thị ${tag}`,
    content: `Bài đăng riêng tư ${tag}: nước muối chữa ung thư`,
  };
  const base = submitBody({ url: `https://example.vn/erasure/${tag}`, content: person.content });
  const submitted = await api.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: clerk.auth,
    payload: { ...base, item: { ...base.item, accountHandle: person.handle, accountName: person.name } },
  });
  await api.applyPending();
  const { caseId, commandId } = json<{ caseId: string; commandId: string }>(submitted);
  await run(verifier, `/v1/cases/${caseId}/claim`, {});
  await run(verifier, `/v1/cases/${caseId}/verify`, verifyBody());
  await run(supervisor, `/v1/cases/${caseId}/refer`, BODIES.refer);
  const penalty = penaltyBody({ decisionNo: `QD-ERASE-${tag}` });
  await run(supervisor2, `/v1/cases/${caseId}/penalty`, {
    ...penalty,
    subject: { accountHandle: person.handle, name: person.name },
  });
  return { caseId, submitCommandId: commandId, strings: [person.handle, person.name, person.content] };
}

const tablesHolding = (value: string) => holding(db.pool, value);

describe("erasing a case's personal data", () => {
  it('deletes it from every table and every API answer, records why in the trail, and keeps audit verify at ok', async () => {
    const { caseId, submitCommandId, strings } = await personalCase('a1');
    const [handle] = strings as [string];
    // The search index holds it folded (lower case, no diacritics) until the erasure.
    expect((await tablesHolding(handle)).toSorted()).toEqual([
      'public.case_personal_data',
      'public.case_search',
      'public.commands',
    ]);
    expect(json(await get(supervisor, `/v1/cases/${caseId}/export`))).toMatchObject({ proofs: expect.any(Array) });

    const response = await erase(admin, caseId, { reason: 'Court order 12/2026/QĐ-TA: retention period over' });
    expect(response.statusCode).toBe(200);
    const erased = json<{ caseId: string; erased: string[]; event: { seq: number; hash: string } }>(response);
    expect(erased).toEqual({
      caseId,
      erased: [
        'accountHandle',
        'accountName',
        'content',
        'subjectHandle',
        'subjectName',
        'url',
        'claim',
        'reporterRef',
        'evidenceUrl',
        'text',
      ],
      event: { seq: 6, hash: expect.stringMatching(/^[0-9a-f]{64}$/u) },
      otherCases: 0,
      objectsDeleted: 0,
    });

    for (const value of strings) expect(await tablesHolding(value), value).toEqual([]);
    const events = json<{ items: { seq: number; type: string; payload: unknown; actor: unknown; hash: string }[] }>(
      await get(supervisor, `/v1/cases/${caseId}/events`),
    ).items;
    expect(events.at(-1)).toMatchObject({
      seq: 6,
      type: 'case.personal_data_erased',
      payload: { fields: erased.erased, reason: 'Court order 12/2026/QĐ-TA: retention period over' },
      actor: { id: admin.id, roles: ['admin'] },
      hash: erased.event.hash,
    });
    const answers = [
      await get(supervisor, `/v1/cases/${caseId}`),
      await get(clerk, `/v1/cases/${caseId}`),
      await get(supervisor, `/v1/cases/${caseId}?asOf=${encodeURIComponent(new Date().toISOString())}`),
      await get(supervisor, `/v1/cases/${caseId}/events`),
      await get(supervisor, `/v1/cases/${caseId}/export`),
      await get(clerk, `/v1/commands/${submitCommandId}`),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      for (const value of strings) expect(answer.body).not.toContain(value);
    }
    const shown = json<{ version: number; item: Record<string, unknown>; penalty: Record<string, unknown> }>(
      answers[0]!,
    );
    expect(shown.version).toBe(6);
    expect(Object.keys(shown.item).sort()).toEqual(['capturedAt', 'contentType', 'language', 'platform', 'url']);
    expect(shown.penalty).not.toHaveProperty('subject');
    for (const line of api.logs) for (const value of strings) expect(JSON.stringify(line)).not.toContain(value);

    expect(verifyBundle(json<Bundle>(answers[4]!))).toMatchObject({ ok: true, caseId, events: 6, unsealedEvents: 0 });
    expect(await verifyTrail({ pool: db.pool, publicKey: keys.publicKey })).toMatchObject({ ok: true, failures: [] });
  });

  it('changes nothing and appends nothing when nothing is left to erase', async () => {
    const { caseId } = await personalCase('b2');
    expect((await erase(admin, caseId, { reason: 'retention' })).statusCode).toBe(200);
    const again = await erase(admin, caseId, { reason: 'retention, again' });
    expect(json(again)).toEqual({ caseId, erased: [], event: null, otherCases: 0, objectsDeleted: 0 });
    expect(json<{ version: number }>(await get(supervisor, `/v1/cases/${caseId}`)).version).toBe(6);
  });

  it('is for admins only, needs a reason, and answers 404 for no such case', async () => {
    const { caseId } = await personalCase('c3');
    expect((await erase(supervisor, caseId, { reason: 'x' })).statusCode).toBe(403);
    expect(json(await erase(admin, caseId, { reason: '   ' }))).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'reason' }],
    });
    expect((await erase(admin, '00000000-0000-4000-8000-000000000000', { reason: 'x' })).statusCode).toBe(404);
    expect(json<{ item: Record<string, unknown> }>(await get(supervisor, `/v1/cases/${caseId}`)).item).toHaveProperty(
      'accountHandle',
      'tran.thi.c3',
    );
  });
});
