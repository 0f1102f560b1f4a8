// Search and topic lists read their pages in bounded steps (docs/performance.md, "Reads at
// scale"): a window of the newest cases, then the trigram indexes for what the window could
// not fill, and a topic's cases from case_topics. Whatever the window's size, every page
// holds what one ranking of all the matches (best first, then newest) puts there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchCases, selectCases, type CaseScope, type CaseFilter } from '../../src/infra/db/case-query.repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody } from '../support/fixtures.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let clerk2: TestUser;
let supervisor: TestUser;

const ZONE = 'Asia/Ho_Chi_Minh';

// Each case: who submits it, its content and handle. "tích trữ" is frequent, the handle
// "kho.gao" rare and an identifier, "gạo ... tích" holds the words apart.
const CASES: { by: 'clerk' | 'clerk2'; content: string; handle: string; topic?: string }[] = [
  { by: 'clerk', content: 'Kêu gọi tích trữ gạo', handle: 'a.1', topic: 'TW-A' },
  { by: 'clerk2', content: 'Tích trữ xăng ngay', handle: 'a.2' },
  { by: 'clerk', content: 'Gạo sắp hết, hãy tích lại', handle: 'kho.gao', topic: 'TW-A' },
  { by: 'clerk', content: 'Giá vàng tăng', handle: 'gia.vang', topic: 'TW-B' },
  { by: 'clerk2', content: 'Đừng tích trữ thuốc', handle: 'a.5', topic: 'TW-A' },
  { by: 'clerk', content: 'Không liên quan', handle: 'a.6' },
  { by: 'clerk', content: 'TÍCH TRỮ khẩu trang', handle: 'a.7', topic: 'TW-A' },
  { by: 'clerk2', content: 'tru mua tich', handle: 'a.8' },
  { by: 'clerk', content: 'Tích trữ lương thực', handle: 'kho.gao.2', topic: 'TW-B' },
  { by: 'clerk', content: 'Tin đồn tích trữ', handle: 'a.10', topic: 'TW-A' },
  { by: 'clerk2', content: 'Trữ tích', handle: 'a.11', topic: 'TW-A' },
  { by: 'clerk', content: 'Tích trữ', handle: 'a.12' },
  { by: 'clerk', content: 'Xgọi tích trữ gạoy', handle: 'a.13' },
  { by: 'clerk2', content: 'Tích trữ gạo, ai gọi cũng đừng nghe', handle: 'a.14' },
  { by: 'clerk', content: 'Gạo: gọi là tích trữ', handle: 'a.15' },
];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  [clerk, clerk2, supervisor] = await Promise.all([api.user(['clerk']), api.user(['clerk']), api.user(['supervisor'])]);
  for (const code of ['TW-A', 'TW-B']) {
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/topics',
      headers: supervisor.auth,
      payload: { code, name: code },
    });
    expect(created.statusCode, created.body).toBe(201);
  }
  for (const [i, c] of CASES.entries()) {
    const base = submitBody({ url: `https://example.vn/cua-so-${i}`, content: c.content });
    const accepted = await api.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: (c.by === 'clerk' ? clerk : clerk2).auth,
      payload: { ...base, item: { ...base.item, accountHandle: c.handle }, claim: `Bài ${i}` },
    });
    expect(accepted.statusCode, accepted.body).toBe(202);
    await api.applyPending();
    if (c.topic !== undefined) {
      const caseId = json<{ caseId: string }>(accepted).caseId;
      const [tagged] = await Promise.all([
        api.app.inject({
          method: 'POST',
          url: `/v1/cases/${caseId}/topics?wait=true`,
          headers: supervisor.auth,
          payload: { add: [c.topic] },
        }),
        api.applyWhenStored(),
      ]);
      expect(tagged.statusCode, tagged.body).toBe(200);
    }
  }
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

type Hit = { id: string; rank: number };

/** Every page of a search, pages of `limit`, with a window of `window` cases. */
async function searchAll(q: string, scope: CaseScope, filter: CaseFilter, window: number, limit: number) {
  const hits: Hit[] = [];
  let after: { rank: number; createdAt: string; id: string } | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const rows = await searchCases(api.database.pool, { scope, filter, timeZone: ZONE, q, after, limit, window });
    const page = rows.slice(0, limit);
    hits.push(...page.map((r) => ({ id: r.id, rank: r.rank })));
    if (rows.length <= limit) return hits;
    const last = page.at(-1);
    if (last === undefined) throw new Error('a full page without rows');
    after = { rank: last.rank, createdAt: last.createdAt, id: last.id };
  }
  throw new Error('more than 50 pages');
}

/** The same search ranked in one statement over every case (the definition, not the plan). */
async function searchAtOnce(q: string, scopeSql: string, topic: string | null): Promise<Hit[]> {
  const words = q.split(' ');
  const { rows } = await api.database.pool.query<Hit>(
    `SELECT c.id, (CASE WHEN s.keys LIKE '%' || casetrail_fold($1) || '%' THEN 2 ELSE 0 END
                 + CASE WHEN s.body LIKE '%' || casetrail_fold($1) || '%' THEN 1 ELSE 0 END) AS rank
       FROM cases c JOIN case_search s ON s.case_id = c.id
      WHERE (SELECT bool_and(s.body LIKE '%' || casetrail_fold(w) || '%') FROM unnest($2::text[]) w)
        AND ${scopeSql} AND ($3::text IS NULL OR $3 = ANY (c.topics))
      ORDER BY rank DESC, c.created_at DESC, c.id DESC`,
    [q, words, topic],
  );
  return rows;
}

describe('search in bounded steps', () => {
  const everyone: CaseScope = { all: true };
  const own = (): CaseScope => ({ all: false, submittedBy: clerk.id, receivedOrVerifiedBy: null });

  it('gives every page the ranking of all matches, whatever the window and page size', async () => {
    // "goi tich tru gao": four words, read by their word pairs where the window falls short;
    // its first and last words also match the ends of longer words (xgoi, gaoy).
    for (const q of ['tich tru', 'kho.gao', 'gao', 'tru tich', 'goi tich tru gao', 'khong co dau']) {
      const expected = await searchAtOnce(q, 'TRUE', null);
      if (q !== 'khong co dau') expect(expected.length, q).toBeGreaterThan(1);
      for (const window of [1, 2, 3, 5, 100]) {
        for (const limit of [1, 2, 4, 50]) {
          expect(await searchAll(q, everyone, {}, window, limit), `${q} window ${window} limit ${limit}`).toEqual(
            expected,
          );
        }
      }
    }
  });

  it('finds an old phrase of four words among newer cases holding its words apart', async () => {
    const ranks = (await searchAtOnce('goi tich tru gao', 'TRUE', null)).map((h) => h.rank);
    expect(ranks).toEqual([1, 1, 0, 0]);
    expect((await searchAll('goi tich tru gao', everyone, {}, 1, 1)).map((h) => h.rank)).toEqual(ranks);
  });

  it('ranks the phrase in an identifier first, then in the text, then the words apart', async () => {
    const identifier = (await searchAtOnce('kho.gao', 'TRUE', null)).map((h) => h.rank);
    expect(identifier).toEqual([3, 3]);
    const ranks = (await searchAtOnce('tich tru', 'TRUE', null)).map((h) => h.rank);
    expect(ranks[0]).toBe(1);
    expect(ranks.at(-1)).toBe(0);
  });

  it("keeps a clerk's search to the clerk's cases", async () => {
    const expected = await searchAtOnce('tich tru', `c.submitted_by = '${clerk.id}'`, null);
    expect(expected.length).toBeGreaterThan(2);
    for (const window of [1, 2, 100]) {
      const hits = await searchAll('tich tru', own(), {}, window, 2);
      expect(hits, `window ${window}`).toEqual(expected);
    }
  });

  it('keeps to a topic and other filters', async () => {
    const expected = await searchAtOnce('tich', 'TRUE', 'TW-A');
    expect(expected.length).toBeGreaterThan(2);
    for (const window of [1, 3, 100]) {
      expect(await searchAll('tich', everyone, { topic: 'TW-A' }, window, 2), `window ${window}`).toEqual(expected);
    }
    const ownExpected = await searchAtOnce('tich', `c.submitted_by = '${clerk.id}'`, 'TW-A');
    expect(await searchAll('tich', own(), { topic: 'TW-A' }, 1, 1)).toEqual(ownExpected);
  });
});

describe('a list by topic', () => {
  it('pages through the topic newest first, with the scope and other filters', async () => {
    const listAll = async (scope: CaseScope, filter: CaseFilter) => {
      const ids: string[] = [];
      let after: { createdAt: string; id: string } | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const rows = await selectCases(api.database.pool, { scope, filter, timeZone: ZONE, after, limit: 2 });
        ids.push(...rows.slice(0, 2).map((r) => r.id));
        const last = rows[1];
        if (rows.length <= 2 || last === undefined) return ids;
        after = { createdAt: last.createdAt, id: last.id };
      }
      throw new Error('more than 50 pages');
    };
    const expect_ = async (where: string) =>
      (
        await api.database.pool.query<{ id: string }>(
          `SELECT id FROM cases WHERE ${where} ORDER BY created_at DESC, id DESC`,
        )
      ).rows.map((r) => r.id);
    const all = await expect_(`'TW-A' = ANY (topics)`);
    expect(all).toHaveLength(CASES.filter((c) => c.topic === 'TW-A').length);
    expect(await listAll({ all: true }, { topic: 'TW-A' })).toEqual(all);
    expect(
      await listAll(
        { all: false, submittedBy: clerk2.id, receivedOrVerifiedBy: null },
        { topic: 'TW-A', stage: 'received' },
      ),
    ).toEqual(await expect_(`'TW-A' = ANY (topics) AND submitted_by = '${clerk2.id}' AND stage = 'received'`));
  });

  it('follows a case out of a topic and into another', async () => {
    const { rows } = await api.database.pool.query<{ id: string }>(
      `SELECT id FROM cases WHERE 'TW-B' = ANY (topics) ORDER BY created_at LIMIT 1`,
    );
    const caseId = rows[0]?.id ?? '';
    const [moved] = await Promise.all([
      api.app.inject({
        method: 'POST',
        url: `/v1/cases/${caseId}/topics?wait=true`,
        headers: supervisor.auth,
        payload: { add: ['TW-A'], remove: ['TW-B'] },
      }),
      api.applyWhenStored(),
    ]);
    expect(moved.statusCode, moved.body).toBe(200);
    const listed = async (topic: string) =>
      (
        await selectCases(api.database.pool, {
          scope: { all: true },
          filter: { topic },
          timeZone: ZONE,
          after: null,
          limit: 50,
        })
      ).map((c) => c.id);
    expect(await listed('TW-A')).toContain(caseId);
    expect(await listed('TW-B')).not.toContain(caseId);
    const stored = await api.database.pool.query('SELECT topic FROM case_topics WHERE case_id = $1', [caseId]);
    expect(stored.rows).toEqual([{ topic: 'TW-A' }]);
  });
});
