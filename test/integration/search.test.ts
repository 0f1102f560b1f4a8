// Search (docs/design.md §11): words matched without case or diacritics in every searchable
// field, best first, with the filters beside it, object-level access kept, erased text gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { AUTHORITY, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type Listed = { id: string; reference: string };
type Page = { items: Listed[]; nextCursor: string | null };
type Problem = { code: string; errors?: { path: string; message: string }[] };

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let clerk2: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let supervisor2: TestUser;
let admin: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  [clerk, clerk2, verifier, supervisor, supervisor2, admin] = await Promise.all([
    api.user(['clerk']),
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

let serial = 0;

async function submit(
  user: TestUser,
  fields: { content?: string; claim?: string; handle?: string; name?: string; receivedAt?: string; platform?: string },
): Promise<string> {
  serial += 1;
  const base = submitBody({ url: `https://example.vn/tin-${serial}`, content: fields.content ?? `Bài số ${serial}` });
  const body = {
    ...base,
    item: {
      ...base.item,
      platform: fields.platform ?? 'facebook',
      accountHandle: fields.handle ?? `acct.${serial}`,
      accountName: fields.name ?? `Người đăng ${serial}`,
    },
    report: { ...base.report, ...(fields.receivedAt === undefined ? {} : { receivedAt: fields.receivedAt }) },
    claim: fields.claim ?? `Claim ${serial}`,
  };
  const accepted = await api.app.inject({ method: 'POST', url: '/v1/cases', headers: user.auth, payload: body });
  expect(accepted.statusCode).toBe(202);
  await api.applyPending();
  return json<{ caseId: string }>(accepted).caseId;
}

async function command(user: TestUser, url: string, payload: unknown = {}): Promise<void> {
  const response = await api.app.inject({ method: 'POST', url, headers: user.auth, payload: payload as object });
  expect(response.statusCode, response.body).toBe(202);
  await api.applyPending();
}

function search(user: TestUser, query: string) {
  return api.app.inject({ method: 'GET', url: `/v1/cases?${query}`, headers: user.auth });
}

async function found(user: TestUser, query: string): Promise<string[]> {
  const response = await search(user, query);
  expect(response.statusCode, response.body).toBe(200);
  return json<Page>(response).items.map((c) => c.id);
}

let hoarding: string;
let hoardingOther: string;
let handleCase: string;
let noteCase: string;
let penaltyCase: string;
let lateCase: string;

beforeAll(async () => {
  hoarding = await submit(clerk, { content: 'Kêu gọi TÍCH TRỮ gạo vì sắp có lệnh phong tỏa', claim: 'Rice shortage' });
  hoardingOther = await submit(clerk2, { content: 'Đừng tích trữ xăng dầu', claim: 'Fuel' });
  handleCase = await submit(clerk, { handle: 'dao.thi.binh', name: 'Đào Thị Bình' });
  noteCase = await submit(clerk2, {});
  await command(supervisor, `/v1/cases/${noteCase}/notes`, { text: 'Người báo tin gọi lại lúc chiều' });
  penaltyCase = await submit(clerk, { receivedAt: '2026-10-31T17:30:00Z' });
  await command(verifier, `/v1/cases/${penaltyCase}/claim`);
  await command(verifier, `/v1/cases/${penaltyCase}/verify`, verifyBody());
  await command(supervisor, `/v1/cases/${penaltyCase}/refer`, { authority: AUTHORITY });
  await command(supervisor2, `/v1/cases/${penaltyCase}/penalty`, {
    ...penaltyBody({ decisionNo: 'QĐ-XPHC-2026-0815' }),
    subject: { accountHandle: 'kẻ.vi.phạm', name: 'Trần Văn Đức' },
  });
  lateCase = await submit(clerk, { receivedAt: '2026-10-31T16:59:00Z' });
});

describe('GET /v1/cases?q=', () => {
  it('finds Vietnamese words without case or diacritics: tich tru finds tích trữ', async () => {
    expect((await found(supervisor, 'q=tich%20tru')).toSorted()).toEqual([hoarding, hoardingOther].toSorted());
    expect(await found(supervisor, `q=${encodeURIComponent('TÍCH TRỮ GẠO')}`)).toEqual([hoarding]);
  });

  it('folds đ to d', async () => {
    expect(await found(supervisor, 'q=dao%20thi%20binh')).toEqual([handleCase]);
    expect(await found(supervisor, 'q=tran%20van%20duc')).toEqual([penaltyCase]);
  });

  it('searches the account handle, the decision number, notes, the reference and the URL', async () => {
    expect(await found(supervisor, 'q=dao.thi.binh')).toEqual([handleCase]);
    expect(await found(supervisor, 'q=qd-xphc-2026-0815')).toEqual([penaltyCase]);
    expect(await found(supervisor, 'q=goi%20lai%20luc%20chieu')).toEqual([noteCase]);
    expect(await found(supervisor, 'q=example.vn%2Ftin-3')).toEqual([handleCase]);
    const { rows } = await db.pool.query<{ reference: string }>('SELECT reference FROM cases WHERE id = $1', [
      noteCase,
    ]);
    expect(await found(supervisor, `q=${rows[0]?.reference.toLowerCase()}`)).toEqual([noteCase]);
  });

  it('ranks a match of an identifier before a match in the text', async () => {
    const inText = await submit(clerk, { content: 'Tài khoản dao.thi.binh chia sẻ lại bài' });
    expect(await found(supervisor, 'q=dao.thi.binh')).toEqual([handleCase, inText]);
  });

  it("never returns another clerk's case to a clerk", async () => {
    expect(await found(clerk, 'q=tich%20tru')).toEqual([hoarding]);
    expect(await found(clerk2, 'q=tich%20tru')).toEqual([hoardingOther]);
    expect(await found(clerk, 'q=goi%20lai')).toEqual([]);
  });

  it('pages through results with a cursor', async () => {
    const first = json<Page>(await search(supervisor, 'q=tich%20tru&limit=1'));
    expect(first.items).toHaveLength(1);
    const second = json<Page>(await search(supervisor, `q=tich%20tru&limit=1&cursor=${first.nextCursor}`));
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect([first.items[0]?.id, second.items[0]?.id].toSorted()).toEqual([hoarding, hoardingOther].toSorted());
  });

  it('filters by days of receipt in Vietnam time, by authority, verdict and assignee', async () => {
    // 2026-10-31T17:30Z is 1 November 00:30 in Hanoi; 16:59Z is still 31 October there.
    expect(await found(supervisor, 'from=2026-11-01&to=2026-11-01')).toEqual([penaltyCase]);
    expect(await found(supervisor, 'from=2026-10-31&to=2026-10-31')).toEqual([lateCase]);
    expect(await found(supervisor, `authority=${AUTHORITY.code}`)).toEqual([penaltyCase]);
    expect(await found(supervisor, 'verdict=false')).toEqual([penaltyCase]);
    expect(await found(supervisor, `assignee=${verifier.id}`)).toEqual([penaltyCase]);
    expect(await found(supervisor, 'q=tich%20tru&platform=tiktok')).toEqual([]);
  });

  it('finds nothing of a handle once its personal data is erased', async () => {
    const erased = await submit(clerk, { handle: 'xoa.du.lieu', name: 'Lê Thị Xóa' });
    expect(await found(supervisor, 'q=xoa.du.lieu')).toEqual([erased]);
    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${erased}/personal-data/erase`,
      headers: admin.auth,
      payload: { reason: 'Court order' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await found(supervisor, 'q=xoa.du.lieu')).toEqual([]);
    expect(await found(supervisor, 'q=le%20thi%20xoa')).toEqual([]);
    const { rows } = await db.pool.query<{ body: string }>('SELECT body FROM case_search WHERE case_id = $1', [erased]);
    expect(rows[0]?.body).not.toContain('xoa');
  });

  it.each([
    ['from after to', 'from=2026-11-02&to=2026-11-01', 'from'],
    ['a period over 5 years', 'from=2020-01-01&to=2025-01-01', 'to'],
    ['a q of 10 000 characters', `q=${'a'.repeat(10_000)}`, 'q'],
    ['% in q', 'q=50%25', 'q'],
    ['_ in q', 'q=a_b', 'q'],
    ['a date that is not one', 'from=2026-02-30', 'from'],
  ])('refuses %s with 400 naming the field', async (_name, query, path) => {
    const response = await search(supervisor, query);
    expect(response.statusCode).toBe(400);
    const problem = json<Problem>(response);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((e) => e.path)).toContain(path);
  });

  it('accepts a period of exactly 5 years', async () => {
    expect((await search(supervisor, 'from=2021-01-01&to=2025-12-31')).statusCode).toBe(200);
  });

  it('downloads the list as CSV for supervisors, formula-looking cells neutralised', async () => {
    const formula = await submit(clerk, { claim: '=HYPERLINK("https://evil.example","bấm")', content: 'cong thuc' });
    const response = await search(supervisor, 'q=cong%20thuc&format=csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = response.body
      .replace(/^\uFEFF/u, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'reference,id,receivedAt,createdAt,stage,outcome,priority,platform,category,topics,url,claim,verdict,authority,decisionNo,fineAmount,fineCurrency',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(formula);
    expect(lines[1]).toContain(`"'=HYPERLINK(""https://evil.example"",""bấm"")"`);
    expect((await search(clerk, 'format=csv')).statusCode).toBe(403);
  });
});
