import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog } from '../support/captured-log.ts';
import { openDatabase } from '../../src/infra/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('closing the database', () => {
  it('returns once its connections have ended on the server, so that a PostgreSQL stopped right after ends none of them', async () => {
    const applicationName = `casetrail-close-${randomBytes(4).toString('hex')}`;
    const { lines, log } = capturedLog();
    const database = openDatabase(db.url, { poolSize: 4, log, applicationName });
    // Four connections at once, all idle in the pool afterwards.
    await Promise.all(Array.from({ length: 4 }, () => database.pool.query('SELECT pg_sleep(0.05)')));
    const backends = async () =>
      (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows[0]?.n;
    expect(await backends()).toBe(4);

    await database.close();
    expect(await backends()).toBe(0);
    // A connection the server ends while the database closes is expected: no warning for it.
    database.pool.emit('error', new Error('terminating connection due to administrator command'));
    expect(lines.filter((line) => line.msg === 'idle postgres connection lost').map((line) => line.level)).toEqual(['debug']);
  });

  it('warns when an idle connection is lost while the database is open', async () => {
    const { lines, log } = capturedLog();
    const database = openDatabase(db.url, { poolSize: 1, log });
    try {
      database.pool.emit('error', new Error('terminating connection due to administrator command'));
      expect(lines.filter((line) => line.msg === 'idle postgres connection lost').map((line) => line.level)).toEqual(['warn']);
    } finally {
      await database.close();
    }
  });
});
