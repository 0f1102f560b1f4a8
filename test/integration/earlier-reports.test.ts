// A report of an item whose case was dismissed or closed is linked to that case, both
// ways; each reader is shown the links to the cases they may read, and nothing of the
// others (not in the case, not in its events, not in a list).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody, verifyBody } from '../support/fixtures.ts';

type CaseBody = { id: string; stage: string; relatedCases?: string[]; duplicateOf?: string };
type EventBody = { type: string; payload: Record<string, unknown> };

let db: TestDatabase;
let api: ApiHarness;
let clerkA: TestUser;
let clerkB: TestUser;
let verifier: TestUser;
let supervisor: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  [clerkA, clerkB, verifier, supervisor] = await Promise.all([
    api.user(['clerk']),
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['supervisor']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

async function post(user: TestUser, url: string, payload: object): Promise<string> {
  const accepted = await api.app.inject({ method: 'POST', url, headers: user.auth, payload });
  expect(accepted.statusCode, accepted.body).toBe(202);
  await api.applyPending();
  return json<{ caseId: string }>(accepted).caseId;
}

const report = (user: TestUser, url: string) => post(user, '/v1/cases', submitBody({ url, content: randomUUID() }));
const read = async (user: TestUser, path: string) => api.app.inject({ method: 'GET', url: path, headers: user.auth });

/** An item reported by clerkA and dismissed, then reported again by `again`. */
async function dismissedThenReported(again: TestUser) {
  const url = `https://www.facebook.com/groups/${randomUUID()}/posts/1`;
  const earlier = await report(clerkA, url);
  await post(verifier, `/v1/cases/${earlier}/claim`, {});
  await post(verifier, `/v1/cases/${earlier}/verify`, verifyBody('accurate', []));
  const later = await report(again, url.replace('www.', 'm.'));
  return { earlier, later };
}

describe('a report of an item whose case was closed', () => {
  it('is a new case linked to the closed one, both ways, which a supervisor sees', async () => {
    const { earlier, later } = await dismissedThenReported(clerkB);
    const newCase = json<CaseBody>(await read(supervisor, `/v1/cases/${later}`));
    expect(newCase).toMatchObject({ stage: 'received', relatedCases: [earlier] });
    expect(newCase.duplicateOf).toBeUndefined();
    expect(json<CaseBody>(await read(supervisor, `/v1/cases/${earlier}`)).relatedCases).toEqual([later]);
    const events = json<{ items: EventBody[] }>(await read(supervisor, `/v1/cases/${earlier}/events`)).items;
    expect(events.at(-1)).toMatchObject({ type: 'case.related_linked', payload: { relatedCaseId: later } });
  });

  it('shows its reporter the link to their own earlier case', async () => {
    const { earlier, later } = await dismissedThenReported(clerkA);
    expect(json<CaseBody>(await read(clerkA, `/v1/cases/${later}`)).relatedCases).toEqual([earlier]);
  });

  it('never tells another clerk the id of a case they cannot read: not in the case, its events or a list', async () => {
    const { earlier, later } = await dismissedThenReported(clerkB);
    const answers = [
      await read(clerkB, `/v1/cases/${later}`),
      await read(clerkB, `/v1/cases/${later}/events`),
      await read(clerkB, '/v1/cases?limit=200'),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain(earlier);
    }
    const events = json<{ items: EventBody[] }>(answers[1] as (typeof answers)[number]).items;
    expect(events.find((e) => e.type === 'case.related_linked')?.payload).toMatchObject({ relatedCaseId: null });
  });
});
