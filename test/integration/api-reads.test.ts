import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { BODIES, submitBody, verifyBody } from '../support/fixtures.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type CaseBody = Record<string, unknown> & {
  id: string;
  reference: string;
  stage: string;
  version: number;
  priority: string;
  claim: string;
  item: Record<string, unknown>;
};
type Page = { items: CaseBody[]; nextCursor: string | null };

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let clerk2: TestUser;
let verifier: TestUser;
let verifier2: TestUser;
let clerkVerifier: TestUser;
let supervisor: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  [clerk, clerk2, verifier, verifier2, clerkVerifier, supervisor] = await Promise.all([
    api.user(['clerk']),
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['verifier']),
    api.user(['clerk', 'verifier']),
    api.user(['supervisor']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

let serial = 0;

/** Submits and applies a case with its own URL and content (so no two cases are linked). */
async function createCase(
  user: TestUser,
  fields: { priority?: string; claim?: string; platform?: string; category?: string; url?: string } = {},
): Promise<CaseBody> {
  serial += 1;
  const base = submitBody({
    url: fields.url ?? `https://example.vn/bai-${serial}`,
    content: `Nội dung ${serial}`,
    ...(fields.priority ? { priority: fields.priority } : {}),
  });
  const body = {
    ...base,
    item: { ...base.item, platform: fields.platform ?? 'facebook' },
    claim: fields.claim ?? `Claim number ${serial}`,
    category: fields.category ?? 'health',
  };
  const accepted = await api.app.inject({ method: 'POST', url: '/v1/cases', headers: user.auth, payload: body });
  expect(accepted.statusCode).toBe(202);
  await api.applyPending();
  const caseId = json<{ caseId: string }>(accepted).caseId;
  return json<CaseBody>(await api.app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: supervisor.auth }));
}

function get(user: TestUser, url: string) {
  return api.app.inject({ method: 'GET', url, headers: user.auth });
}

async function command(user: TestUser, url: string, payload: unknown = {}): Promise<number> {
  const [response] = await Promise.all([
    api.app.inject({ method: 'POST', url: `${url}?wait=true`, headers: user.auth, payload: payload as object }),
    api.applyWhenStored(),
  ]);
  return response.statusCode;
}

describe('object-level access: an invisible case is 404, never 403', () => {
  it('shows a clerk only the cases they submitted', async () => {
    const mine = await createCase(clerk);
    const theirs = await createCase(clerk2);
    expect((await get(clerk, `/v1/cases/${mine.id}`)).statusCode).toBe(200);
    for (const url of [`/v1/cases/${theirs.id}`, `/v1/cases/${theirs.id}/events`]) {
      const response = await get(clerk, url);
      expect(response.statusCode, url).toBe(404);
      expect(json(response)).toMatchObject({ code: 'not_found' });
    }
    const listed = json<Page>(await get(clerk, '/v1/cases?limit=200'));
    expect(listed.items.every((c) => c.submittedBy === clerk.id)).toBe(true);
    expect(listed.items.map((c) => c.id)).toContain(mine.id);
    // A note on someone else's case is accepted, then refused by the worker as not_found.
    expect(await command(clerk, `/v1/cases/${theirs.id}/notes`, BODIES['add-note'])).toBe(404);
  });

  it("shows a verifier received cases and the cases they verified, not others' verified cases", async () => {
    const kase = await createCase(clerk);
    expect(json<CaseBody>(await get(verifier2, `/v1/cases/${kase.id}`)).item).toMatchObject({
      content: expect.any(String),
    });
    expect(await command(verifier, `/v1/cases/${kase.id}/claim`)).toBe(200);
    expect(await command(verifier, `/v1/cases/${kase.id}/verify`, verifyBody())).toBe(200);
    expect((await get(verifier, `/v1/cases/${kase.id}`)).statusCode).toBe(200);
    expect((await get(verifier2, `/v1/cases/${kase.id}`)).statusCode).toBe(404);
    const listed = json<Page>(await get(verifier2, '/v1/cases?limit=200'));
    expect(listed.items.map((c) => c.id)).not.toContain(kase.id);
    expect(listed.items.every((c) => c.stage === 'received')).toBe(true);
  });

  it('rebuilds a case as it stood at ?asOf, and logs supervisor reads with their purpose', async () => {
    const kase = await createCase(clerk);
    expect(await command(verifier, `/v1/cases/${kase.id}/claim`)).toBe(200);
    const before = json<CaseBody>(
      await get(
        supervisor,
        `/v1/cases/${kase.id}?asOf=${encodeURIComponent(kase.createdAt as string)}&purpose=weekly%20review`,
      ),
    );
    expect(before).toMatchObject({ version: 1, stage: 'received' });
    expect(before).not.toHaveProperty('claimedBy');
    expect(json<CaseBody>(await get(supervisor, `/v1/cases/${kase.id}`))).toMatchObject({
      version: 2,
      claimedBy: verifier.id,
    });
    const { rows } = await api.database.pool.query(
      'SELECT action, purpose FROM access_log WHERE case_id = $1 AND actor_id = $2 ORDER BY id',
      [kase.id, supervisor.id],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { action: 'case.read', purpose: 'weekly review' },
        { action: 'case.read', purpose: null },
      ]),
    );
  });
});

describe('the verification worklist', () => {
  it("lists unclaimed or own-claimed received cases, most urgent first then oldest, without the caller's submissions", async () => {
    // Given no other received case: earlier ones are withdrawn.
    for (const earlier of json<Page>(await get(supervisor, '/v1/cases?stage=received&limit=200')).items) {
      expect(await command(supervisor, `/v1/cases/${earlier.id}/withdraw`, BODIES.withdraw)).toBe(200);
    }
    const low = await createCase(clerk, { priority: 'low' });
    const urgentOld = await createCase(clerk, { priority: 'urgent' });
    const normal = await createCase(clerk, { priority: 'normal' });
    const own = await createCase(clerkVerifier, { priority: 'urgent' });
    const urgentNew = await createCase(clerk, { priority: 'urgent' });
    const claimedByOther = await createCase(clerk, { priority: 'high' });
    const claimedBySelf = await createCase(clerk, { priority: 'high' });
    expect(await command(verifier2, `/v1/cases/${claimedByOther.id}/claim`)).toBe(200);
    expect(await command(clerkVerifier, `/v1/cases/${claimedBySelf.id}/claim`)).toBe(200);

    const first = json<Page>(await get(clerkVerifier, '/v1/worklists/verification?limit=3'));
    const second = json<Page>(
      await get(clerkVerifier, `/v1/worklists/verification?limit=3&cursor=${first.nextCursor}`),
    );
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((c) => c.id)).toEqual([
      urgentOld.id,
      urgentNew.id,
      claimedBySelf.id,
      normal.id,
      low.id,
    ]);
    expect([...first.items, ...second.items].map((c) => c.id)).not.toContain(own.id);

    // A supervisor handing work out sees every received case, whoever holds it.
    const all = json<Page>(await get(supervisor, '/v1/worklists/verification?limit=50'));
    expect(all.items.map((c) => c.id)).toEqual([
      urgentOld.id,
      own.id,
      urgentNew.id,
      claimedByOther.id,
      claimedBySelf.id,
      normal.id,
      low.id,
    ]);
  });

  it('is for verifiers and supervisors only', async () => {
    expect((await get(clerk, '/v1/worklists/verification')).statusCode).toBe(403);
  });
});

describe('listing cases with keyset pagination, filters and search', () => {
  it('pages through every match exactly once, newest first', async () => {
    const matching: CaseBody[] = [];
    for (let i = 0; i < 7; i++) matching.push(await createCase(clerk2, { category: 'scam', platform: 'tiktok' }));
    await createCase(clerk2, { category: 'scam', platform: 'zalo' });
    await createCase(clerk2, { category: 'health', platform: 'tiktok' });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/cases?category=scam&platform=tiktok&stage=received&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = json<Page>(await get(supervisor, query));
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(matching.map((c) => c.id).reverse());
  });

  it('searches the reference, the URL and the claim, and refuses % and _ (400 naming q)', async () => {
    const byClaim = await createCase(clerk, { claim: 'Vaccine X causes 100% infertility' });
    const byUrl = await createCase(clerk, { url: 'https://example.vn/under_score/post' });
    await createCase(clerk, { claim: 'Vaccine Y causes 100 infertility', url: 'https://example.vn/underXscore/post' });
    const ids = async (q: string) =>
      json<Page>(await get(supervisor, `/v1/cases?q=${encodeURIComponent(q)}`)).items.map((c) => c.id);
    for (const q of ['100%', 'under_score']) {
      const response = await get(supervisor, `/v1/cases?q=${encodeURIComponent(q)}`);
      expect(response.statusCode).toBe(400);
      expect(json(response)).toMatchObject({ code: 'validation_failed', errors: [{ path: 'q' }] });
    }
    // Every word must occur, the whole phrase first.
    expect((await ids('VACCINE x'))[0]).toEqual(byClaim.id);
    expect(await ids('example.vn/under')).toHaveLength(2);
    expect(await ids(byUrl.reference.toLowerCase())).toEqual([byUrl.id]);
  });

  it('refuses a cursor it did not issue', async () => {
    const response = await get(supervisor, '/v1/cases?cursor=bm90LWEtY3Vyc29y');
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'cursor', message: expect.any(String) }],
    });
  });

  it('leaves personal fields out of lists', async () => {
    const page = json<Page>(await get(supervisor, '/v1/cases?limit=5'));
    for (const item of page.items) expect(item.item).not.toHaveProperty('content');
  });
});

describe('problem documents carry no stack, token or personal data', () => {
  it('holds for every kind of refusal', async () => {
    const kase = await createCase(clerk);
    const personal = submitBody().item;
    const responses = await Promise.all([
      api.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: clerk.auth,
        payload: { ...submitBody(), item: { ...personal, url: 'ftp://x' }, extra: personal.accountName },
      }),
      api.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { authorization: `Bearer ${clerk.token}x` },
        payload: submitBody(),
      }),
      api.app.inject({ method: 'GET', url: `/v1/cases/${kase.id}`, headers: clerk2.auth }),
      api.app.inject({
        method: 'POST',
        url: `/v1/cases/${kase.id}/verify`,
        headers: clerk.auth,
        payload: verifyBody(),
      }),
      api.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { ...clerk.auth, 'content-type': 'application/json' },
        payload: `{"claim": "${personal.content}"`,
      }),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([400, 401, 404, 403, 400]);
    for (const response of responses) {
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).not.toMatch(/\bat \S+:\d+|stack|ct_/);
      for (const value of [clerk.token, personal.content, personal.accountName, personal.accountHandle]) {
        expect(response.body).not.toContain(value);
      }
    }
  });
});
