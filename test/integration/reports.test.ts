// The report for superiors (docs/design.md §11): a known set of cases driven through the API
// gives exactly the expected figures, by calendar days in Vietnam, as JSON, CSV and XLSX.
import ExcelJS from 'exceljs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breachSlaVisit } from '../../src/app/sla-breach.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody, verifyBody } from '../support/fixtures.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type Report = Record<string, unknown> & {
  timeliness: { toVerdict: Durations; toReferral: Durations; toClose: Durations };
  verifiers: { id: string; medianSeconds: number | null }[];
};
type Durations = { cases: number; medianSeconds: number | null; p90Seconds: number | null };
type CaseBody = { id: string; report: { receivedAt: string }; verdict?: { verifiedAt: string } };

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let v1: TestUser;
let v2: TestUser;
let sup1: TestUser;
let sup2: TestUser;

const AUTH1 = { code: 'STTTT-HN', name: 'Sở TT&TT Hà Nội' };
const AUTH2 = { code: 'STTTT-HCM', name: 'Sở TT&TT TP.HCM' };

/** The calendar month that contains now in Vietnam (UTC+7, no daylight saving). */
function vietnamMonth(): { from: string; to: string } {
  const now = new Date(Date.now() + 7 * 3_600_000);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const mm = String(m + 1).padStart(2, '0');
  return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, '0')}` };
}

beforeAll(async () => {
  db = await createTestDatabase();
  // A received case is overdue at once: breaches and visits over their deadline are known.
  api = await startApi(db, { sla: { received: 1 } });
  [clerk, v1, v2, sup1, sup2] = await Promise.all([
    api.user(['clerk']),
    api.user(['verifier'], 'Verifier One'),
    api.user(['verifier'], 'Verifier Two'),
    api.user(['supervisor']),
    api.user(['supervisor']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const post = (user: TestUser, url: string, payload: object = {}) =>
  api.app.inject({ method: 'POST', url, headers: user.auth, payload });
const get = (user: TestUser, url: string) => api.app.inject({ method: 'GET', url, headers: user.auth });

let serial = 0;
async function submit(platform: string, category: string, receivedAt: string): Promise<string> {
  serial += 1;
  const base = submitBody({ url: `https://example.vn/bao-cao-${serial}`, content: `Nội dung ${serial}` });
  const response = await post(clerk, '/v1/cases', {
    ...base,
    item: { ...base.item, platform },
    report: { ...base.report, receivedAt },
    category,
  });
  expect(response.statusCode, response.body).toBe(202);
  await api.applyPending();
  return json<{ caseId: string }>(response).caseId;
}

async function run(user: TestUser, caseId: string, path: string, body: object = {}): Promise<void> {
  const response = await post(user, `/v1/cases/${caseId}/${path}`, body);
  expect(response.statusCode, `${path}: ${response.body}`).toBe(202);
  await api.applyPending();
  const { rows } = await db.pool.query<{ status: string; problem: unknown }>(
    'SELECT status, problem FROM commands WHERE id = $1',
    [json<{ commandId: string }>(response).commandId],
  );
  expect(rows[0], path).toMatchObject({ status: 'applied' });
}

const penalty = (decisionNo: string, authority: typeof AUTH1, amount: number) => ({
  decisionNo,
  authority,
  issuedAt: new Date().toISOString(),
  legalBasis: [{ instrument: 'Nghị định 15/2020/NĐ-CP', article: '101' }],
  subject: { accountHandle: 'tai.khoan.x', name: 'Nguyễn Văn X' },
  fine: { amount, currency: 'VND' },
  remedies: ['remove_content'],
  facts: 'Đăng tin sai sự thật.',
});

async function breach(caseId: string): Promise<void> {
  const { rows } = await db.pool.query<{ stage_entered_at: Date }>('SELECT stage_entered_at FROM cases WHERE id = $1', [
    caseId,
  ]);
  const entered = rows[0]?.stage_entered_at;
  if (entered === undefined) throw new Error(`no case ${caseId}`);
  const outcome = await breachSlaVisit(
    { pool: api.database.pool, log: pino({ level: 'silent' }) },
    { caseId, stage: 'received', stageEnteredAt: entered.toISOString() },
  );
  expect(outcome.status).toBe('breached');
}

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = values.toSorted((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

let ids: Record<'A' | 'B' | 'C' | 'D' | 'E', string>;

beforeAll(async () => {
  for (const [code, name] of [
    ['COVID-19', 'Covid-19'],
    ['SEA-GAMES-31', 'SEA Games 31'],
  ]) {
    expect((await post(sup1, '/v1/topics', { code, name })).statusCode).toBe(201);
  }
  ids = {
    A: await submit('facebook', 'health', '2026-10-31T17:30:00Z'), // 1 November 00:30 in Vietnam
    B: await submit('tiktok', 'scam', '2026-10-31T16:30:00Z'), // 31 October 23:30 in Vietnam
    C: await submit('youtube', 'health', '2026-11-30T16:59:00Z'), // 30 November 23:59 in Vietnam
    D: await submit('facebook', 'economy', '2026-11-30T17:00:00Z'), // 1 December 00:00 in Vietnam
    E: await submit('zalo', 'scam', '2026-11-15T03:00:00Z'),
  };
  await run(sup1, ids.A, 'topics', { add: ['COVID-19', 'SEA-GAMES-31'] });
  await run(sup1, ids.C, 'topics', { add: ['COVID-19'] });
  await run(sup1, ids.E, 'topics', { add: ['SEA-GAMES-31'] });
  await breach(ids.A);
  await breach(ids.D);

  await run(v1, ids.A, 'claim');
  await run(v1, ids.A, 'verify', verifyBody());
  await run(sup1, ids.A, 'refer', { authority: AUTH1 });
  await run(sup2, ids.A, 'penalty', penalty('QD-1', AUTH1, 7_500_000));
  await run(sup2, ids.A, 'appeal', { filedAt: new Date().toISOString(), grounds: 'Mức phạt quá cao.' });
  await run(sup1, ids.A, 'appeal-decision', { decision: 'overturned', note: 'Hủy quyết định.' });

  await run(v2, ids.C, 'claim');
  await run(v2, ids.C, 'verify', verifyBody());
  await run(sup1, ids.C, 'refer', { authority: AUTH2 });
  await run(sup2, ids.C, 'penalty', penalty('QD-2', AUTH2, 2_000_000));
  await run(sup1, ids.C, 'close', { compliance: { contentRemoved: true, finePaid: true } });

  await run(v1, ids.E, 'claim');
  await run(v1, ids.E, 'verify', verifyBody('accurate', []));
  await run(sup1, ids.B, 'withdraw', { reason: 'Báo nhầm.' });
});

const ZERO = { cases: 0, medianSeconds: null, p90Seconds: null };
const platforms = (counts: Record<string, number>) => ({
  facebook: 0,
  tiktok: 0,
  zalo: 0,
  youtube: 0,
  x: 0,
  website: 0,
  other: 0,
  ...counts,
});
const categories = (counts: Record<string, number>) => ({
  health: 0,
  safety: 0,
  disaster: 0,
  economy: 0,
  scam: 0,
  defamation: 0,
  public_order: 0,
  other: 0,
  ...counts,
});
const outcomes = (counts: Record<string, number>) => ({
  dismissed: 0,
  duplicate: 0,
  no_violation: 0,
  penalty_enforced: 0,
  penalty_overturned: 0,
  withdrawn: 0,
  ...counts,
});

async function report(query: string): Promise<Report> {
  const response = await get(sup1, `/v1/reports/summary?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return json<Report>(response);
}

describe('GET /v1/reports/summary', () => {
  it('counts November by days of receipt in Vietnam, not UTC', async () => {
    const november = await report('from=2026-11-01&to=2026-11-30');
    expect(november).toMatchObject({
      period: {
        from: '2026-11-01',
        to: '2026-11-30',
        timeZone: 'Asia/Ho_Chi_Minh',
        start: '2026-10-31T17:00:00.000Z',
        end: '2026-11-30T17:00:00.000Z',
      },
      cases: { received: 3 },
      byPlatform: platforms({ facebook: 1, youtube: 1, zalo: 1 }),
      byCategory: categories({ health: 2, scam: 1 }),
      byTopic: [
        { code: 'COVID-19', name: 'Covid-19', cases: 2 },
        { code: 'SEA-GAMES-31', name: 'SEA Games 31', cases: 2 },
      ],
    });
  });

  it('gives every figure of the month the work was done in', async () => {
    const month = vietnamMonth();
    const actual = await report(`from=${month.from}&to=${month.to}`);
    const cases = await Promise.all(
      Object.values(ids).map(async (id) => json<CaseBody>(await get(sup1, `/v1/cases/${id}`))),
    );
    const byId = new Map(cases.map((c) => [c.id, c]));
    const toVerdict = (id: string) => {
      const c = byId.get(id) as CaseBody;
      return (Date.parse(c.verdict?.verifiedAt as string) - Date.parse(c.report.receivedAt)) / 1000;
    };
    const verdictTimes = [ids.A, ids.C, ids.E].map(toVerdict);
    const { rows } = await db.pool.query<{ referred: number[]; closed: number[] }>(
      `SELECT array_agg(extract(epoch FROM referred_at - received_at)::float8) FILTER (WHERE referred_at IS NOT NULL) AS referred,
              array_agg(extract(epoch FROM closed_at - received_at)::float8) FILTER (WHERE closed_at IS NOT NULL) AS closed
         FROM cases`,
    );
    const durations = (values: number[]): Durations => ({
      cases: values.length,
      medianSeconds: percentile(values, 0.5),
      p90Seconds: percentile(values, 0.9),
    });
    const december = month.from === '2026-12-01';
    expect(actual).toEqual({
      period: expect.objectContaining(month),
      cases: { received: december ? 1 : 0, closed: 4 },
      byPlatform: platforms(december ? { facebook: 1 } : {}),
      byCategory: categories(december ? { economy: 1 } : {}),
      byTopic: [],
      byOutcome: outcomes({ penalty_overturned: 1, penalty_enforced: 1, dismissed: 1, withdrawn: 1 }),
      byAuthority: [
        { code: AUTH2.code, name: AUTH2.name, referrals: 1, penalties: 1 },
        { code: AUTH1.code, name: AUTH1.name, referrals: 1, penalties: 1 },
      ],
      referrals: 2,
      penalties: { count: 2, fines: [{ currency: 'VND', amount: 9_500_000 }], accountsPenalised: 1 },
      appeals: { filed: 1, decided: 1, upheld: 0, overturned: 1 },
      timeliness: {
        toVerdict: durations(verdictTimes),
        toReferral: durations(rows[0]?.referred ?? []),
        toClose: durations(rows[0]?.closed ?? []),
        sla: {
          // Received visits end after their 1 ms deadline; the later stages well within theirs.
          visits: 10,
          withinSla: 6,
          share: 0.6,
          breaches: 2,
          byStage: [
            { stage: 'received', visits: 4, withinSla: 0, breaches: 2 },
            { stage: 'verified', visits: 2, withinSla: 2, breaches: 0 },
            { stage: 'referred', visits: 2, withinSla: 2, breaches: 0 },
            { stage: 'penalty_issued', visits: 2, withinSla: 2, breaches: 0 },
          ],
        },
      },
      verifiers: [
        {
          id: v1.id,
          name: 'Verifier One',
          claimed: 2,
          verified: 2,
          medianSeconds: percentile([toVerdict(ids.A), toVerdict(ids.E)], 0.5),
        },
        { id: v2.id, name: 'Verifier Two', claimed: 1, verified: 1, medianSeconds: toVerdict(ids.C) },
      ],
    });
  });

  it('gives an empty period zeros and nulls', async () => {
    const empty = await report('from=2020-01-01&to=2020-01-31');
    expect(empty).toMatchObject({
      cases: { received: 0, closed: 0 },
      timeliness: { toVerdict: ZERO, sla: { visits: 0, share: null } },
      verifiers: [],
    });
  });

  it('downloads the same figures as CSV and XLSX, in Vietnamese or English', async () => {
    const query = 'from=2026-10-01&to=2026-12-31';
    const figures = await report(query);
    expect(figures).toMatchObject({ cases: { received: 5 } });

    const csv = await get(sup1, `/v1/reports/summary?${query}&format=csv&lang=vi`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('attachment');
    const lines = csv.body.replace(/^\uFEFF/u, '').split('\r\n');
    expect(lines.slice(0, 2)).toEqual(['Tổng hợp', 'Chỉ tiêu,Giá trị']);
    expect(lines).toContain('Số vụ việc tiếp nhận,5');
    expect(lines).toContain('Tiền phạt (VND),9500000');
    expect(lines).toContain('Số khiếu nại,1');
    expect(lines).toContain('COVID-19,Covid-19,2');
    expect(lines).toContain(`${AUTH1.code},${AUTH1.name},1,1`);
    expect(lines).toContain('facebook,2');

    const xlsx = await get(sup1, `/v1/reports/summary?${query}&format=xlsx&lang=en`);
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      'Summary',
      'By platform',
      'By category',
      'By topic',
      'By outcome',
      'By authority',
      'Timeliness',
      'SLA by stage',
      'Verifiers',
    ]);
    const rowsOf = (name: string) => {
      const out: unknown[][] = [];
      workbook.getWorksheet(name)?.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    expect(rowsOf('Summary')).toEqual(
      expect.arrayContaining([
        ['Figure', 'Value'],
        ['From', '2026-10-01'],
        ['Cases received', 5],
        ['Cases closed', 4],
        ['Referrals', 2],
        ['Penalties issued', 2],
        ['Accounts penalised', 1],
        ['Fines (VND)', 9_500_000],
        ['Appeals overturned', 1],
        ['Share within SLA (%)', 60],
        ['SLA breaches', 2],
      ]),
    );
    expect(rowsOf('By platform')).toEqual([
      ['Platform', 'Cases'],
      ['facebook', 2],
      ['tiktok', 1],
      ['zalo', 1],
      ['youtube', 1],
      ['x', 0],
      ['website', 0],
      ['other', 0],
    ]);
    expect(rowsOf('SLA by stage')[1]).toEqual(['received', 4, 0, 2]);
    expect(rowsOf('Verifiers').map((r) => r.slice(0, 3))).toEqual([
      ['Verifier', 'Claimed', 'Verified'],
      ['Verifier One', 2, 2],
      ['Verifier Two', 1, 1],
    ]);
  });

  it.each([
    ['from after to', 'from=2026-11-02&to=2026-11-01', 'from'],
    ['a period over 5 years', 'from=2020-01-01&to=2025-01-01', 'to'],
    ['no to', 'from=2020-01-01', 'to'],
    ['an unknown format', 'from=2026-11-01&to=2026-11-30&format=pdf', 'format'],
  ])('refuses %s with 400 naming the field', async (_name, query, path) => {
    const response = await get(sup1, `/v1/reports/summary?${query}`);
    expect(response.statusCode).toBe(400);
    expect(json<{ errors: { path: string }[] }>(response).errors.map((e) => e.path)).toContain(path);
  });

  it('is for supervisors only', async () => {
    expect((await get(clerk, '/v1/reports/summary?from=2026-11-01&to=2026-11-30')).statusCode).toBe(403);
  });
});

describe('stage visits', () => {
  const STAGES: Record<string, string> = {
    'case.received': 'received',
    'case.verified': 'verified',
    'case.referred': 'referred',
    'case.penalty_issued': 'penalty_issued',
  };

  /** The visits a case's trail says it completed: each stage-entering event to the next one. */
  async function expectedVisits(caseId: string) {
    const { rows } = await db.pool.query<{
      seq: number;
      type: string;
      occurred_at: string;
      payload: { deadlineAt?: string | null };
    }>(
      `SELECT seq, type, occurred_at, payload FROM events
        WHERE case_id = $1 AND type IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed')
        ORDER BY seq`,
      [caseId],
    );
    return rows.slice(0, -1).map((e, i) => ({
      seq: e.seq,
      stage: STAGES[e.type],
      enteredAt: new Date(e.occurred_at),
      deadlineAt: typeof e.payload.deadlineAt === 'string' ? new Date(e.payload.deadlineAt) : null,
      leftAt: new Date((rows[i + 1] as { occurred_at: string }).occurred_at),
    }));
  }

  const visits = async (caseId: string) =>
    (
      await db.pool.query(
        `SELECT seq, stage, entered_at AS "enteredAt", deadline_at AS "deadlineAt", left_at AS "leftAt"
           FROM stage_visits WHERE case_id = $1 ORDER BY seq`,
        [caseId],
      )
    ).rows;

  it('holds each visit a case completed, written when it left the stage, and none of the stage it is in', async () => {
    // A and C went from receipt to closure, E was verified and dismissed, D is still received.
    for (const id of [ids.A, ids.C, ids.E]) expect(await visits(id)).toEqual(await expectedVisits(id));
    expect((await visits(ids.C)).map((v) => v.stage)).toEqual(['received', 'verified', 'referred', 'penalty_issued']);
    expect((await visits(ids.E)).map((v) => v.stage)).toEqual(['received', 'verified']);
    expect(await visits(ids.D)).toEqual([]);
  });
});
