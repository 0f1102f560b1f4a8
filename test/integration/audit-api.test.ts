import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revealed, visiblePersonalData } from '../../src/app/case-queries.ts';
import { presentCase } from '../../src/api/presenters/case.presenter.ts';
import {
  fold,
  publicKeyId,
  rawPublicKey,
  verifyBundle,
  type Bundle,
  type StoredEvent,
} from '../../src/domain/index.ts';
import { findCase, listEvents } from '../../src/infra/db/case.repository.ts';
import { selectPersonalData } from '../../src/infra/db/case-query.repository.ts';
import { auditKeys, json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';

let db: TestDatabase;
let api: ApiHarness;
const keys = auditKeys();
let clerk: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let supervisor2: TestUser;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db, { audit: keys });
  [clerk, verifier, supervisor, supervisor2] = await Promise.all([
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['supervisor']),
    api.user(['supervisor']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const get = (user: TestUser, url: string) => api.app.inject({ method: 'GET', url, headers: user.auth });

async function run(user: TestUser, url: string, payload: unknown = {}): Promise<void> {
  const response = await api.app.inject({ method: 'POST', url, headers: user.auth, payload: payload as object });
  expect(response.statusCode, url).toBe(202);
  await api.applyPending();
}

async function createCase(): Promise<string> {
  serial += 1;
  const response = await api.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: clerk.auth,
    payload: submitBody({ url: `https://example.vn/audit-api/${serial}`, content: `Nội dung ${serial}` }),
  });
  await api.applyPending();
  return json<{ caseId: string }>(response).caseId;
}

/** received → claimed → verified → referred → penalty_issued → note → closed: 7 events. */
async function lifecycle(): Promise<string> {
  const id = await createCase();
  await run(verifier, `/v1/cases/${id}/claim`);
  await run(verifier, `/v1/cases/${id}/verify`, verifyBody());
  await run(supervisor, `/v1/cases/${id}/refer`, BODIES.refer);
  await run(supervisor2, `/v1/cases/${id}/penalty`, penaltyBody({ decisionNo: `QD-AUDIT-${serial}` }));
  await run(supervisor, `/v1/cases/${id}/notes`, BODIES['add-note']);
  await run(supervisor, `/v1/cases/${id}/close`, BODIES.close);
  return id;
}

describe('time travel: GET /v1/cases/{id}?asOf=', () => {
  it("answers, at each event's time, the fold of the events up to that time", async () => {
    const id = await lifecycle();
    const dismissedId = await createCase();
    await run(verifier, `/v1/cases/${dismissedId}/claim`);
    await run(verifier, `/v1/cases/${dismissedId}/verify`, verifyBody('accurate', []));
    for (const caseId of [id, dismissedId]) {
      const events = await listEvents(db.pool, caseId);
      const current = await findCase(db.pool, caseId);
      const personal = visiblePersonalData(supervisor, current!, await selectPersonalData(db.pool, caseId));
      for (const event of events) {
        const upTo = events.filter((e: StoredEvent) => e.occurredAt <= event.occurredAt);
        const response = await get(supervisor, `/v1/cases/${caseId}?asOf=${encodeURIComponent(event.occurredAt)}`);
        expect(response.statusCode).toBe(200);
        const [state] = await revealed({ pool: db.pool }, [{ caseId, value: fold(upTo)! }]);
        expect(json(response), `${caseId} at seq ${event.seq}`).toEqual(
          presentCase({ state: state!, personal, links: { relatedCases: [], duplicateOf: null } }),
        );
      }
    }
    // The dismissing verdict and the closure share one instant: asOf then sees both.
    const atVerdict = json<{ version: number; stage: string; outcome: string }>(
      await get(
        supervisor,
        `/v1/cases/${dismissedId}?asOf=${encodeURIComponent((await listEvents(db.pool, dismissedId))[2]!.occurredAt)}`,
      ),
    );
    expect(atVerdict).toMatchObject({ version: 4, stage: 'closed', outcome: 'dismissed' });
  });

  it('answers 404 before the case existed, and 400 for a time that is not RFC 3339', async () => {
    const id = await createCase();
    const before = await get(supervisor, `/v1/cases/${id}?asOf=2020-01-01T00:00:00Z`);
    expect(before.statusCode).toBe(404);
    expect(json(before)).toMatchObject({ code: 'not_found', detail: `case ${id} did not exist yet at that time` });
    expect((await get(supervisor, `/v1/cases/${id}?asOf=yesterday`)).statusCode).toBe(400);
  });
});

describe('the access log', () => {
  it('records every read of a case, its events or its export, by every role, with the purpose', async () => {
    const id = await createCase();
    await get(clerk, `/v1/cases/${id}`);
    await get(supervisor, `/v1/cases/${id}?purpose=${encodeURIComponent('weekly review')}`);
    await get(supervisor2, `/v1/cases/${id}/events`);
    await get(supervisor, `/v1/cases/${id}/export?purpose=court%20request%2017`);
    const page = json<{ items: Record<string, unknown>[]; nextCursor: string | null }>(
      await get(supervisor2, `/v1/audit/access-log?caseId=${id}`),
    );
    expect(page.items.map(({ actorId, action, caseId, purpose }) => ({ actorId, action, caseId, purpose }))).toEqual([
      { actorId: supervisor.id, action: 'case.export', caseId: id, purpose: 'court request 17' },
      { actorId: supervisor2.id, action: 'case.events.read', caseId: id, purpose: null },
      { actorId: supervisor.id, action: 'case.read', caseId: id, purpose: 'weekly review' },
      { actorId: clerk.id, action: 'case.read', caseId: id, purpose: null },
    ]);
    expect(page.nextCursor).toBeNull();
    expect(page.items.every((item) => typeof item.at === 'string' && typeof item.id === 'string')).toBe(true);
  });

  it('pages newest first and filters by reader; supervisors only', async () => {
    const id = await createCase();
    for (const purpose of ['one', 'two', 'three']) await get(supervisor2, `/v1/cases/${id}?purpose=${purpose}`);
    const first = json<{ items: { purpose: string }[]; nextCursor: string }>(
      await get(supervisor, `/v1/audit/access-log?caseId=${id}&actorId=${supervisor2.id}&limit=2`),
    );
    const second = json<{ items: { purpose: string }[]; nextCursor: string | null }>(
      await get(
        supervisor,
        `/v1/audit/access-log?caseId=${id}&actorId=${supervisor2.id}&limit=2&cursor=${first.nextCursor}`,
      ),
    );
    expect([...first.items, ...second.items].map((i) => i.purpose)).toEqual(['three', 'two', 'one']);
    expect(second.nextCursor).toBeNull();
    expect((await get(verifier, '/v1/audit/access-log')).statusCode).toBe(403);
  });
});

describe('export and the audit endpoints', () => {
  it('exports a bundle that verifies offline against the published key, every event sealed', async () => {
    const id = await lifecycle();
    const response = await get(supervisor, `/v1/cases/${id}/export`);
    expect(response.statusCode).toBe(200);
    const bundle = json<Bundle>(response);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="${bundle.case.reference as string}.casetrail-bundle.json"`,
    );
    const published = json<{ keyId: string; raw: string; algorithm: string; pem: string }>(
      await get(clerk, '/v1/audit/public-key'),
    );
    expect(published).toEqual({
      algorithm: 'Ed25519',
      keyId: publicKeyId(keys.publicKey),
      raw: rawPublicKey(keys.publicKey).toString('hex'),
      pem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    expect(verifyBundle(bundle, { trustedKeyId: published.keyId })).toMatchObject({
      ok: true,
      caseId: id,
      events: 7,
      sealedEvents: 7,
      unsealedEvents: 0,
    });
    expect(bundle.case).toEqual(JSON.parse(JSON.stringify(await findCase(db.pool, id))));
    expect(JSON.stringify(bundle)).not.toContain(submitBody().item.accountHandle);
  });

  it('exports for supervisors only, and 404 for no such case', async () => {
    const id = await createCase();
    expect((await get(clerk, `/v1/cases/${id}/export`)).statusCode).toBe(403);
    expect((await get(supervisor, '/v1/cases/00000000-0000-4000-8000-000000000000/export')).statusCode).toBe(404);
  });

  it('verifies the trail or one case over HTTP', async () => {
    const id = await createCase();
    const whole = json<{ ok: boolean; caseId: null; failures: unknown[] }>(await get(supervisor, '/v1/audit/verify'));
    expect(whole).toMatchObject({ ok: true, caseId: null, failures: [] });
    expect(json(await get(supervisor, `/v1/audit/verify?caseId=${id}`))).toMatchObject({
      ok: true,
      caseId: id,
      cases: 1,
      events: 1,
    });
    expect((await get(supervisor, '/v1/audit/verify?caseId=00000000-0000-4000-8000-000000000000')).statusCode).toBe(
      404,
    );
    expect((await get(verifier, '/v1/audit/verify')).statusCode).toBe(403);
  });

  it('lists the signed checkpoints newest first, page by page', async () => {
    const { rows } = await db.pool.query<{ id: string; hash: string }>(
      'SELECT id, hash FROM checkpoints ORDER BY id DESC',
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { seq: number; hash: string; signature: string }[]; nextCursor: string | null } = json(
        await get(supervisor, `/v1/audit/checkpoints?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`),
      );
      seen.push(...page.items.map((c) => c.hash));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(rows.map((r) => r.hash));
    expect((await get(clerk, '/v1/audit/checkpoints')).statusCode).toBe(403);
  });
});
