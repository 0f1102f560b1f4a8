// A reader harvesting personal data leaves a trace: every read of a case's personal data
// (the case, as it stands or stood, its events, its files' names, a file's bytes or its
// thumbnail, the case a ?wait=true command answers with) appends exactly one access-log row
// naming the reader, whatever their role: clerks and verifiers as much as supervisors. A read
// refused (a case the reader cannot see) answers its problem and changes no row.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../src/infra/files/local-store.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { png } from '../support/file-samples.ts';
import { BODIES, submitBody } from '../support/fixtures.ts';
import { multipart } from '../support/multipart.ts';
import { changesBetween, takeSnapshot } from '../support/row-snapshot.ts';

let db: TestDatabase;
let api: ApiHarness;
let root: string;
let clerk: TestUser;
let clerk2: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let caseId: string;
let fileId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  root = await mkdtemp(join(tmpdir(), 'casetrail-reads-'));
  api = await startApi(db, { files: { store: await openLocalStore(root), maxBytes: 256 * 1024 } });
  [clerk, clerk2, verifier, supervisor] = await Promise.all([
    api.user(['clerk']),
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['supervisor']),
  ]);
  const n = randomUUID();
  const submitted = await api.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: clerk.auth,
    payload: submitBody({ url: `https://www.facebook.com/groups/reads/posts/${n}`, content: `Reads test ${n}` }),
  });
  await api.applyPending();
  caseId = json<{ caseId: string }>(submitted).caseId;
  const { body, headers } = multipart([{ name: 'description', value: 'screenshot of the post' }], {
    bytes: await png(3),
    filename: 'post.png',
  });
  const uploaded = await api.app.inject({
    method: 'POST',
    url: `/v1/cases/${caseId}/files`,
    headers: { ...clerk.auth, ...headers },
    payload: body,
  });
  expect(uploaded.statusCode, uploaded.body).toBe(202);
  await api.applyPending();
  const files = await api.app.inject({ method: 'GET', url: `/v1/cases/${caseId}/files`, headers: clerk.auth });
  fileId = (json<{ items: { id: string }[] }>(files).items[0] as { id: string }).id;
});

afterAll(async () => {
  await api?.close();
  await db?.drop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const READS = [
  { what: 'the case', action: 'case.read', path: () => `/v1/cases/${caseId}` },
  {
    what: 'the case as it stood',
    action: 'case.read',
    path: () => `/v1/cases/${caseId}?asOf=${encodeURIComponent(new Date().toISOString())}`,
  },
  { what: 'its events', action: 'case.events.read', path: () => `/v1/cases/${caseId}/events` },
  { what: 'its files', action: 'case.files.read', path: () => `/v1/cases/${caseId}/files` },
  { what: "a file's bytes", action: 'case.file.download', path: () => `/v1/cases/${caseId}/files/${fileId}` },
  {
    what: "a file's thumbnail",
    action: 'case.file.thumbnail',
    path: () => `/v1/cases/${caseId}/files/${fileId}/thumbnail`,
  },
] as const;

const READERS = [
  ['clerk', () => clerk],
  ['verifier', () => verifier],
  ['supervisor', () => supervisor],
] as const;

async function newAccessRows(since: string) {
  const { rows } = await db.pool.query<{ actor_id: string; action: string; case_id: string }>(
    'SELECT actor_id, action, case_id FROM access_log WHERE id > $1 ORDER BY id',
    [since],
  );
  return rows;
}
const lastAccessId = async () =>
  String((await db.pool.query<{ id: string | null }>('SELECT max(id) AS id FROM access_log')).rows[0]?.id ?? '0');

describe('every read of personal data is access-logged, by every role', () => {
  for (const [role, who] of READERS) {
    it.each(READS.map((r) => [r.what, r] as const))(
      `${role} reading %s appends one row naming them`,
      async (_w, read) => {
        const since = await lastAccessId();
        const before = await takeSnapshot(db.pool);
        const answer = await api.app.inject({ method: 'GET', url: read.path(), headers: who().auth });
        expect(answer.statusCode, answer.body.slice(0, 300)).toBe(200);
        expect(await newAccessRows(since)).toEqual([{ actor_id: who().id, action: read.action, case_id: caseId }]);
        expect(changesBetween(before, await takeSnapshot(db.pool)).tables).toEqual(['access_log']);
      },
    );
  }

  it('logs the case a ?wait=true command answers with, read by its clerk', async () => {
    const since = await lastAccessId();
    const [noted] = await Promise.all([
      api.app.inject({
        method: 'POST',
        url: `/v1/cases/${caseId}/notes?wait=true`,
        headers: clerk.auth,
        payload: BODIES['add-note'] as object,
      }),
      api.applyWhenStored(),
    ]);
    expect(noted.statusCode, noted.body).toBe(200);
    expect(await newAccessRows(since)).toEqual([{ actor_id: clerk.id, action: 'case.read', case_id: caseId }]);
  });

  it.each(READS.map((r) => [r.what, r] as const))(
    "another clerk reading %s is refused 404 not_found and changes no row, the access log's included",
    async (_w, read) => {
      const before = await takeSnapshot(db.pool);
      const answer = await api.app.inject({ method: 'GET', url: read.path(), headers: clerk2.auth });
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json(answer)).toMatchObject({ status: 404, code: 'not_found' });
      expect(changesBetween(before, await takeSnapshot(db.pool))).toEqual({
        tables: [],
        newCommands: [],
        changedCommands: [],
      });
    },
  );
});
