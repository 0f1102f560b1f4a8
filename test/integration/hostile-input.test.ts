// Hostile input against the running system (API and worker as separate processes, as
// deployed): every request below is refused with its status and problem code and changes
// no row of the record; the few the worker must judge (object-level access, separation of
// duties, claims) are stored as rejected commands and change nothing else. No response and
// no log line of either process carries a stack trace, a token or personal data.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startChildSystem, type ChildSystem } from '../support/child-system.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';
import { findLeaks } from '../support/leak-check.ts';
import { deleteKeys } from '../support/queue-harness.ts';
import { changesBetween, takeSnapshot } from '../support/row-snapshot.ts';
import { ACCESS_CASES } from './hostile/access.cases.ts';
import {
  createRequester,
  freshSubmission,
  USER_NAMES,
  type HostileContext,
  type UserName,
} from './hostile/hostile-context.ts';
import { FILE_CASES } from './hostile/files.cases.ts';
import { INPUT_CASES } from './hostile/input.cases.ts';
import { NETWORK_CASES } from './hostile/network.cases.ts';
import { RULE_CASES } from './hostile/rules.cases.ts';

const CASES = [...INPUT_CASES, ...ACCESS_CASES, ...NETWORK_CASES, ...RULE_CASES, ...FILE_CASES];
const RATE_LIMIT = 100;
const ROLES: Record<UserName, ('clerk' | 'verifier' | 'supervisor' | 'admin')[]> = {
  clerkA: ['clerk'],
  clerkB: ['clerk'],
  verifier: ['verifier'],
  verifier2: ['verifier'],
  supervisor: ['supervisor'],
  supervisor2: ['supervisor'],
  admin: ['admin'],
  clerkVerifier: ['clerk', 'verifier'],
  verifierSupervisor: ['verifier', 'supervisor'],
  revoked: ['clerk'],
  burst: ['clerk'],
};

let db: TestDatabase;
let system: ChildSystem;
let prefix: string;
let h: HostileContext;
const responses: { where: string; text: string }[] = [];

/** A setup command that must succeed: the case after it. */
async function setup(
  request: HostileContext['request'],
  who: HostileContext['users'][UserName],
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const answer = await request('POST', `${path}?wait=true`, { as: who, body, headers });
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`setup ${path}: ${answer.status} ${answer.text}`);
  return { id: String(answer.body?.id), location: answer.headers.get('location') ?? '' };
}

beforeAll(async () => {
  db = await createTestDatabase();
  prefix = `${inject('bullmqPrefix')}-hostile-${randomBytes(3).toString('hex')}`;
  system = await startChildSystem({
    databaseUrl: db.url,
    backend: 'redis',
    redisUrl: inject('redisUrl'),
    prefix,
    workers: 1,
    env: { CASETRAIL_RATE_LIMIT_MAX: String(RATE_LIMIT), LOG_LEVEL: 'debug' },
  });
  const request = createRequester(system.baseUrl);
  const users = Object.fromEntries(
    await Promise.all(USER_NAMES.map(async (name) => [name, await system.createUser(ROLES[name])])),
  ) as HostileContext['users'];
  const revoked = await request('DELETE', `/v1/tokens/${users.revoked.tokenId}`, { as: users.admin });
  if (revoked.status !== 204) throw new Error(`setup: revoking a token answered ${revoked.status}`);

  const received = (await setup(request, users.clerkA, '/v1/cases', freshSubmission())).id;
  await setup(request, users.verifier, `/v1/cases/${received}/claim`, {});
  const keyedNote = { key: randomUUID(), body: { text: 'Called the reporter.' } };
  const note = await setup(request, users.clerkA, `/v1/cases/${received}/notes`, keyedNote.body, {
    'idempotency-key': keyedNote.key,
  });

  const ownedByClerkVerifier = (await setup(request, users.clerkVerifier, '/v1/cases', freshSubmission())).id;

  const referred = (await setup(request, users.clerkA, '/v1/cases', freshSubmission())).id;
  await setup(request, users.verifierSupervisor, `/v1/cases/${referred}/claim`, {});
  await setup(request, users.verifierSupervisor, `/v1/cases/${referred}/verify`, verifyBody());
  await setup(request, users.supervisor, `/v1/cases/${referred}/refer`, BODIES.refer);

  const appealPending = (await setup(request, users.clerkA, '/v1/cases', freshSubmission())).id;
  await setup(request, users.verifier, `/v1/cases/${appealPending}/claim`, {});
  await setup(request, users.verifier, `/v1/cases/${appealPending}/verify`, verifyBody());
  await setup(request, users.supervisor, `/v1/cases/${appealPending}/refer`, BODIES.refer);
  await setup(
    request,
    users.supervisor,
    `/v1/cases/${appealPending}/penalty`,
    penaltyBody({ decisionNo: `QD-${randomUUID()}` }),
  );
  await setup(request, users.supervisor2, `/v1/cases/${appealPending}/appeal`, BODIES['file-appeal']);

  h = {
    users,
    cases: { received, ownedByClerkVerifier, referred, appealPending },
    clerkACommandId: note.location.replace('/v1/commands/', ''),
    keyedNote,
    rateLimit: RATE_LIMIT,
    request,
  };
});

afterAll(async () => {
  await system?.close();
  if (prefix !== undefined) await deleteKeys(inject('redisUrl'), `${prefix}:*`);
  await db?.drop();
});

describe('hostile requests are refused with their problem and change no row', () => {
  it(`covers at least 40 hostile requests across the endpoints (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const before = await takeSnapshot(db.pool);
    const answer = await hostile.send(h);
    responses.push({
      where: hostile.name,
      text: `${[...answer.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${answer.text}`,
    });

    expect(answer.status, answer.text.slice(0, 500)).toBe(hostile.status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      type: `https://casetrail.dev/problems/${hostile.code}`,
      status: hostile.status,
      code: hostile.code,
    });
    expect(answer.body?.requestId).toBe(answer.headers.get('x-request-id'));
    if (hostile.status === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
    if (hostile.status === 429) expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);

    const after = await takeSnapshot(db.pool);
    expect(changesBetween(before, after)).toEqual({
      tables: [],
      newCommands: hostile.decidedByWorker ? [`rejected ${hostile.code}`] : [],
      changedCommands: [],
    });
  });

  it('put no stack trace, token or personal data in any response or log line', () => {
    const { item } = submitBody();
    const secrets = [
      ...Object.values(h.users).map((u) => u.token),
      item.accountHandle,
      item.accountName,
      item.content,
      'Hostile-suite content',
    ];
    const logs = system
      .logLines()
      .map((line) => ({ where: `${line.process} log: ${line.msg}`, text: JSON.stringify(line) }));
    const output = system.processes.flatMap((p) => p.rawOutput.map((text) => ({ where: `${p.name} output`, text })));
    expect(responses.length).toBe(CASES.length);
    expect(logs.length).toBeGreaterThan(CASES.length);
    expect(findLeaks([...responses, ...logs, ...output], secrets)).toEqual([]);
  });
});
