// Duplicate detection through the worker: reports of one item under every spelling of its
// URL, and whatever platform they declare, merge into its open case; an open case stored
// under the key of earlier versions (platform and URL) still takes the reports it took.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand, type ApplyDeps } from '../../src/app/apply-command.ts';
import { COMMANDS, type Actor, type CommandType } from '../../src/domain/index.ts';
import { findCase } from '../../src/infra/db/case.repository.ts';
import { insertCommand } from '../../src/infra/db/command.repository.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { CLERK, CLERK_2, submitBody } from '../support/fixtures.ts';

const HOUR = 3_600_000;
let db: TestDatabase;
let deps: ApplyDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = {
    pool: db.pool,
    hmacKey: Buffer.from('integration-test-hmac-key-0123456789'),
    sla: { received: 24 * HOUR, verified: 48 * HOUR, referred: 720 * HOUR, penalty_issued: 1440 * HOUR },
    claimLeaseMs: HOUR / 2,
    log: createLogger({ level: 'silent' }),
  };
});
afterAll(() => db.drop());

async function send(type: CommandType, caseId: string, actor: Actor, body: unknown) {
  const payload = COMMANDS[type].payload.parse(body);
  const { id } = await insertCommand(db.pool, { type, caseId, actor, payload }, COMMANDS[type].queue);
  return applyCommand(deps, id);
}

async function submit(url: string, platform = 'facebook', actor = CLERK): Promise<string> {
  const caseId = randomUUID();
  const body = submitBody({ url, content: `content ${randomUUID()}` });
  const outcome = await send('submit', caseId, actor, { ...body, item: { ...body.item, platform } });
  expect(outcome.status).toBe('applied');
  return caseId;
}

describe('reports of one item under other spellings of its URL', () => {
  it.each([
    ['percent-encoded unreserved characters', (p: string) => `https://www.facebook.com/groups/${p}/posts/55%35`],
    ['a trailing dot of the host', (p: string) => `https://www.facebook.com./groups/${p}/posts/555`],
    ['empty segments', (p: string) => `https://www.facebook.com//groups//${p}/posts/555`],
    ['the bare host', (p: string) => `https://facebook.com/groups/${p}/posts/555`],
    ['m.', (p: string) => `https://m.facebook.com/groups/${p}/posts/555`],
  ])('merge into the open case when the URL differs by %s, even declared as a website', async (_what, spell) => {
    const group = randomUUID();
    const original = await submit(`https://www.facebook.com/groups/${group}/posts/555`);
    const report = await submit(spell(group), 'website', CLERK_2);
    expect(await findCase(db.pool, report)).toMatchObject({
      stage: 'closed',
      outcome: 'duplicate',
      duplicateOf: original,
    });
    expect(await findCase(db.pool, original)).toMatchObject({ stage: 'received', mergedReports: 1 });
  });

  it('merge into an open case stored under the earlier key (declared platform and URL)', async () => {
    const url = `https://www.facebook.com/groups/${randomUUID()}/posts/1`;
    const original = await submit(url);
    const earlier = createHash('sha256').update(`facebook\n${url}`).digest('hex');
    await db.pool.query('UPDATE cases SET fingerprint = $2 WHERE id = $1', [original, earlier]);
    const report = await submit(url, 'facebook', CLERK_2);
    expect(await findCase(db.pool, report)).toMatchObject({ outcome: 'duplicate', duplicateOf: original });
  });
});
