import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog } from '../support/captured-log.ts';
import { openDatabase } from '../../src/infra/db/database.ts';
import { createQueueFactory } from '../../src/infra/queue/queue-factory.ts';
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
      (
        await db.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        )
      ).rows[0]?.n;
    expect(await backends()).toBe(4);

    await database.close();
    expect(await backends()).toBe(0);
    // A connection the server ends while the database closes is expected: no warning for it.
    database.pool.emit('error', new Error('terminating connection due to administrator command'));
    expect(lines.filter((line) => line.msg === 'idle postgres connection lost').map((line) => line.level)).toEqual([
      'debug',
    ]);
  });

  it('warns when an idle connection is lost while the database is open', async () => {
    const { lines, log } = capturedLog();
    const database = openDatabase(db.url, { poolSize: 1, log });
    try {
      database.pool.emit('error', new Error('terminating connection due to administrator command'));
      expect(lines.filter((line) => line.msg === 'idle postgres connection lost').map((line) => line.level)).toEqual([
        'warn',
      ]);
    } finally {
      await database.close();
    }
  });
});

describe('closing the queues of the PostgreSQL backend', () => {
  it('returns once their connections have ended on the server, so that a PostgreSQL stopped right after ends none of them', async () => {
    const { log } = capturedLog();
    const backends = async () =>
      (
        await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'casetrail-queues' AND datname = current_database()",
        )
      ).rows[0]?.n;
    // A few rounds: the first also creates the queue schema.
    for (let round = 0; round < 3; round++) {
      const factory = await createQueueFactory({
        backend: 'postgres',
        databaseUrl: db.url,
        prefix: `close-${randomBytes(3).toString('hex')}`,
        log,
        jobs: { attempts: 1, backoffMs: 10 },
      });
      const queue = factory.queue('intake');
      // Several connections at once, idle in the pool afterwards.
      await Promise.all([1, 2, 3, 4].map((n) => queue.add('probe', { n })));
      expect(await backends()).toBeGreaterThan(0);

      await factory.close();
      expect(await backends()).toBe(0);
    }
  });
});
