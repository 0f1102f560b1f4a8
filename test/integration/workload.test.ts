// SPEC §12: GET /v1/workload shows supervisors who carries what and what nobody has taken.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkloadRepresentation as Workload } from '../../src/api/schemas/workload.schemas.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody, verifyBody } from '../support/fixtures.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

let db: TestDatabase;
let api: ApiHarness;
let clerk: TestUser;
let supervisor: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  clerk = await api.user(['clerk']);
  supervisor = await api.user(['supervisor']);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

async function act(user: TestUser, url: string, payload: object): Promise<string> {
  const accepted = await api.app.inject({ method: 'POST', url, headers: user.auth, payload });
  expect(accepted.statusCode, accepted.body).toBe(202);
  await api.applyPending();
  return json<{ caseId: string }>(accepted).caseId;
}

const submit = (priority: string) =>
  act(clerk, '/v1/cases', submitBody({ url: `https://example.vn/${randomUUID()}`, content: randomUUID(), priority }));

describe('GET /v1/workload', () => {
  it("counts each verifier's open claims and verdicts, and the unclaimed backlog by priority and age", async () => {
    const busy = await api.user(['verifier']);
    const idle = await api.user(['verifier']);
    const [a, b, c] = [await submit('urgent'), await submit('high'), await submit('normal')];
    await submit('urgent');
    await act(supervisor, `/v1/cases/${a}/assign`, { verifierId: busy.id });
    await act(busy, `/v1/cases/${b}/claim`, {});
    await act(busy, `/v1/cases/${c}/claim`, {});
    await act(busy, `/v1/cases/${c}/verify`, verifyBody());
    // A case received three days ago, still unclaimed: the oldest of the backlog.
    const old = await submit('low');
    await db.pool.query("UPDATE cases SET created_at = created_at - interval '3 days 1 hour' WHERE id = $1", [old]);

    const response = await api.app.inject({ method: 'GET', url: '/v1/workload', headers: supervisor.auth });
    expect(response.statusCode, response.body).toBe(200);
    const workload = json<Workload>(response);
    const of = (id: string) => workload.verifiers.find((v) => v.id === id);
    expect(of(busy.id)).toMatchObject({ openClaims: 2, verdicts7d: 1, verdicts30d: 1 });
    expect(of(busy.id)?.medianSecondsToVerdict).toEqual(expect.any(Number));
    expect(of(idle.id)).toMatchObject({ openClaims: 0, verdicts7d: 0, verdicts30d: 0, medianSecondsToVerdict: null });

    expect(workload.backlog).toMatchObject({
      total: 2,
      byAge: { underHour: 1, underDay: 0, underThreeDays: 0, older: 1 },
      byPriority: {
        urgent: { total: 1, byAge: { underHour: 1 } },
        low: { total: 1, byAge: { older: 1 } },
        high: { total: 0 },
      },
    });
    expect(Date.parse(workload.backlog.oldestReceivedAt ?? '')).toBeLessThan(Date.now() - 3 * 86_400_000);
  });

  it('is for supervisors', async () => {
    const verifier = await api.user(['verifier']);
    const response = await api.app.inject({ method: 'GET', url: '/v1/workload', headers: verifier.auth });
    expect(response.statusCode).toBe(403);
  });
});
