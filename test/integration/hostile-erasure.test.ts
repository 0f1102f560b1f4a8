// Erasure and relations as an attacker would probe them. Erasing a case erases the item's
// personal data in every case of the item (a merged duplicate another clerk reads, a later
// report of a closed item), each case recording its own erasure so the trail stays valid.
// A clerk whose case names a case they cannot read (a duplicate's original, an earlier
// report, erased or not) is never told its id: not by the case, its events or a list; asking
// for that case answers 404 not_found and changes no row.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../../src/app/verify-trail.ts';
import { auditKeys, json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody, verifyBody } from '../support/fixtures.ts';
import { changesBetween, takeSnapshot } from '../support/row-snapshot.ts';

let db: TestDatabase;
let api: ApiHarness;
const keys = auditKeys();
let clerkA: TestUser;
let clerkB: TestUser;
let verifier: TestUser;
let admin: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db, { audit: keys });
  [clerkA, clerkB, verifier, admin] = await Promise.all([
    api.user(['clerk']),
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['admin']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const get = (user: TestUser, url: string) => api.app.inject({ method: 'GET', url, headers: user.auth });
const erase = (caseId: string) =>
  api.app.inject({
    method: 'POST',
    url: `/v1/cases/${caseId}/personal-data/erase`,
    headers: admin.auth,
    payload: { reason: 'Court order: the person asked to be forgotten' },
  });

/** A report of the item at `url` by `who`, with personal strings found nowhere else. */
async function report(who: TestUser, url: string, tag: string) {
  const person = { handle: `nguyen.van.${tag}`, name: `Nguyễn Văn ${tag}`, content: `Tin đồn riêng ${tag}` };
  const base = submitBody({ url, content: person.content });
  const response = await api.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: who.auth,
    payload: { ...base, item: { ...base.item, accountHandle: person.handle, accountName: person.name } },
  });
  expect(response.statusCode, response.body).toBe(202);
  await api.applyPending();
  return { caseId: json<{ caseId: string }>(response).caseId, strings: Object.values(person) };
}

/** The tables (of this database's own schema) with a row holding the text. */
async function tablesHolding(value: string): Promise<string[]> {
  const { rows: tables } = await db.pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const holding: string[] = [];
  for (const { name } of tables) {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${name}" t WHERE t::text LIKE '%' || $1 || '%'`,
      [value],
    );
    if ((rows[0]?.n ?? 0) > 0) holding.push(name);
  }
  return holding;
}

/** What clerkB is shown of their own case: the case, its events and their list of cases. */
async function shownToClerkB(caseId: string): Promise<string[]> {
  const answers = [
    await get(clerkB, `/v1/cases/${caseId}`),
    await get(clerkB, `/v1/cases/${caseId}/events`),
    await get(clerkB, '/v1/cases?limit=200'),
  ];
  for (const answer of answers) expect(answer.statusCode).toBe(200);
  return answers.map((a) => a.body);
}

async function expectRefusedUnchanged(send: () => Promise<{ statusCode: number; body: string }>, status: number) {
  const before = await takeSnapshot(db.pool);
  const answer = await send();
  expect(answer.statusCode).toBe(status);
  expect(json(answer)).toMatchObject({ status, code: 'not_found' });
  expect(changesBetween(before, await takeSnapshot(db.pool))).toEqual({
    tables: [],
    newCommands: [],
    changedCommands: [],
  });
}

const itemUrl = () => `https://www.facebook.com/groups/${randomUUID()}/posts/1`;

/** The verifier claims the case and finds the report accurate: the case is dismissed (closed). */
async function dismiss(caseId: string): Promise<void> {
  for (const [command, payload] of [
    ['claim', {}],
    ['verify', verifyBody('accurate', [])],
  ] as const) {
    const answer = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/${command}`,
      headers: verifier.auth,
      payload,
    });
    expect(answer.statusCode).toBe(202);
    await api.applyPending();
  }
}

describe('erasure covers every case of the item', () => {
  it("erases the item's personal data in the merged duplicate another clerk reads; each trail records it and verifies", async () => {
    const url = itemUrl();
    const original = await report(clerkA, url, 'goc');
    const duplicate = await report(clerkB, url.replace('www.', 'm.'), 'trung');
    const { rows } = await db.pool.query('SELECT duplicate_of FROM cases WHERE id = $1', [duplicate.caseId]);
    expect(rows).toEqual([{ duplicate_of: original.caseId }]);

    const erased = await erase(original.caseId);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(json(erased)).toMatchObject({ caseId: original.caseId, otherCases: 1 });
    expect(erased.body).not.toContain(duplicate.caseId);

    for (const value of [...original.strings, ...duplicate.strings])
      expect(await tablesHolding(value), value).toEqual([]);
    for (const body of await shownToClerkB(duplicate.caseId)) {
      for (const value of [...original.strings, ...duplicate.strings]) expect(body).not.toContain(value);
      expect(body).not.toContain(original.caseId);
    }
    const events = json<{ items: { type: string; payload: Record<string, unknown> }[] }>(
      await get(clerkB, `/v1/cases/${duplicate.caseId}/events`),
    ).items;
    expect(events.at(-1)).toMatchObject({
      type: 'case.personal_data_erased',
      payload: { reason: 'Court order: the person asked to be forgotten' },
    });
    expect(await verifyTrail({ pool: db.pool, publicKey: keys.publicKey })).toMatchObject({ ok: true, failures: [] });

    // Erasing either case again finds nothing left: 200, nothing erased, no row changed.
    for (const caseId of [original.caseId, duplicate.caseId]) {
      const before = await takeSnapshot(db.pool);
      const again = await erase(caseId);
      expect(json(again)).toEqual({ caseId, erased: [], event: null, otherCases: 0, objectsDeleted: 0 });
      expect(changesBetween(before, await takeSnapshot(db.pool)).tables).toEqual([]);
    }
  });

  it('erases the earlier, closed case of the item when its later report is erased, and the other way round', async () => {
    const url = itemUrl();
    const earlier = await report(clerkA, url, 'truoc');
    await dismiss(earlier.caseId);
    const later = await report(clerkB, url, 'sau');
    expect(json<{ otherCases: number }>(await erase(later.caseId)).otherCases).toBe(1);
    for (const value of [...earlier.strings, ...later.strings]) expect(await tablesHolding(value), value).toEqual([]);
    expect(await verifyTrail({ pool: db.pool, publicKey: keys.publicKey })).toMatchObject({ ok: true });
  });

  it('leaves the cases of another item alone', async () => {
    const mine = await report(clerkA, itemUrl(), 'mot');
    const other = await report(clerkA, itemUrl(), 'hai');
    expect(json<{ otherCases: number }>(await erase(mine.caseId)).otherCases).toBe(0);
    for (const value of other.strings) expect(await tablesHolding(value), value).not.toEqual([]);
  });
});

describe('relations never reveal a case the reader cannot read', () => {
  it("withholds an earlier, erased case's id from the clerk whose new case is linked to it; asking for it is 404 and changes nothing", async () => {
    const url = itemUrl();
    const earlier = await report(clerkA, url, 'cu');
    await dismiss(earlier.caseId);
    expect((await erase(earlier.caseId)).statusCode).toBe(200);
    const later = await report(clerkB, url, 'moi');
    const [kase, events] = await shownToClerkB(later.caseId);
    for (const body of [kase, events]) expect(body).not.toContain(earlier.caseId);
    const linked = json<{ items: { type: string; payload: Record<string, unknown> }[] }>({
      body: events as string,
    }).items.find((e) => e.type === 'case.related_linked');
    expect(linked?.payload).toMatchObject({ relatedCaseId: null });
    await expectRefusedUnchanged(() => get(clerkB, `/v1/cases/${earlier.caseId}`), 404);
    await expectRefusedUnchanged(() => get(clerkB, `/v1/cases/${earlier.caseId}/events`), 404);
  });

  it("withholds the original's id from the clerk whose report was merged into it", async () => {
    const url = itemUrl();
    const original = await report(clerkA, url, 'dau');
    const duplicate = await report(clerkB, url, 'sau2');
    for (const body of await shownToClerkB(duplicate.caseId)) expect(body).not.toContain(original.caseId);
    await expectRefusedUnchanged(() => get(clerkB, `/v1/cases/${original.caseId}`), 404);
  });
});
