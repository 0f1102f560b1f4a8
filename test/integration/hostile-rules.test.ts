// The hostile requests of hostile/rules.cases.ts that need cases with a history (a penalty
// not yet enforced, a referred case): refused with their status and problem code, stored
// as rejected commands when the worker judges them, and no other row changed.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startChildSystem, type ChildSystem } from '../support/child-system.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { BODIES, penaltyBody, verifyBody } from '../support/fixtures.ts';
import { deleteKeys } from '../support/queue-harness.ts';
import { changesBetween, takeSnapshot } from '../support/row-snapshot.ts';
import { createRequester, freshSubmission } from './hostile/hostile-context.ts';
import { HISTORY_RULE_CASES, type HistoryContext } from './hostile/rules.cases.ts';

let db: TestDatabase;
let system: ChildSystem;
let prefix: string;
let h: HistoryContext;

beforeAll(async () => {
  db = await createTestDatabase();
  prefix = `${inject('bullmqPrefix')}-rules-${randomBytes(3).toString('hex')}`;
  system = await startChildSystem({
    databaseUrl: db.url,
    backend: 'redis',
    redisUrl: inject('redisUrl'),
    prefix,
    workers: 1,
  });
  const request = createRequester(system.baseUrl);
  const users: HistoryContext['users'] = {
    clerk: await system.createUser(['clerk']),
    verifier: await system.createUser(['verifier']),
    supervisor: await system.createUser(['supervisor']),
    supervisor2: await system.createUser(['supervisor']),
  };
  const setup = async (who: keyof HistoryContext['users'], path: string, body: unknown) => {
    const answer = await request('POST', `${path}?wait=true`, { as: users[who], body });
    if (answer.status !== 200 && answer.status !== 201)
      throw new Error(`setup ${path}: ${answer.status} ${answer.text}`);
    return String(answer.body?.id);
  };
  const verifiedAndReferred = async () => {
    const id = await setup('clerk', '/v1/cases', freshSubmission());
    await setup('verifier', `/v1/cases/${id}/claim`, {});
    await setup('verifier', `/v1/cases/${id}/verify`, verifyBody());
    await setup('supervisor', `/v1/cases/${id}/refer`, BODIES.refer);
    return id;
  };
  const penalised = await verifiedAndReferred();
  const decisionNo = `QD-RULES-${randomUUID()}`;
  const penalty = { ...penaltyBody({ decisionNo }), remedies: ['remove_content'] };
  await setup('supervisor', `/v1/cases/${penalised}/penalty`, penalty);
  h = {
    users,
    cases: { penalised, referred: await verifiedAndReferred() },
    decisionNo,
    issuedAt: penalty.issuedAt,
    request,
  };
});

afterAll(async () => {
  await system?.close();
  if (prefix !== undefined) await deleteKeys(inject('redisUrl'), `${prefix}:*`);
  await db?.drop();
});

describe('hostile requests against the rules of a case with a history change no row', () => {
  it.each(HISTORY_RULE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const before = await takeSnapshot(db.pool);
    const answer = await hostile.send(h);
    expect(answer.status, answer.text.slice(0, 500)).toBe(hostile.status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: hostile.status, code: hostile.code });
    if (hostile.path !== undefined) {
      expect((answer.body?.errors as { path: string }[] | undefined)?.map((e) => e.path)).toContain(hostile.path);
    }
    const after = await takeSnapshot(db.pool);
    expect(changesBetween(before, after)).toEqual({
      tables: [],
      newCommands: hostile.decidedByWorker ? [`rejected ${hostile.code}`] : [],
      changedCommands: [],
    });
  });
});
