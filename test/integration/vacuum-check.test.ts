import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog } from '../support/captured-log.ts';
import { autovacuumGaps, warnUnlessAutovacuum } from '../../src/infra/db/vacuum-check.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const serverAutovacuumOff = async () =>
  (await db.pool.query<{ off: boolean }>("SELECT current_setting('autovacuum') = 'off' AS off")).rows[0]?.off;

describe('the autovacuum check at start-up', () => {
  it("finds a churning table whose autovacuum is turned off, and the server's own setting", async () => {
    expect(await autovacuumGaps(db.pool)).toEqual({ serverOff: await serverAutovacuumOff(), tablesOff: [] });
    await db.pool.query('ALTER TABLE outbox SET (autovacuum_enabled = false)');
    await db.pool.query('ALTER TABLE events SET (autovacuum_enabled = false)');
    try {
      // events is only ever appended to: it is not a table the check speaks of.
      expect(await autovacuumGaps(db.pool)).toEqual({ serverOff: await serverAutovacuumOff(), tablesOff: ['outbox'] });
      const { lines, log } = capturedLog();
      await warnUnlessAutovacuum(db.pool, log);
      const warnings = lines.filter((line) => line.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.msg).toMatch(/autovacuum is off/u);
      expect(warnings[0]?.tables).toEqual((await serverAutovacuumOff()) ? ['commands', 'outbox', 'cases'] : ['outbox']);
    } finally {
      await db.pool.query('ALTER TABLE outbox RESET (autovacuum_enabled)');
      await db.pool.query('ALTER TABLE events RESET (autovacuum_enabled)');
    }
  });

  it('never stops a start: a database it cannot ask gets a debug line, no warning', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await pool.end();
    const { lines, log } = capturedLog();
    await warnUnlessAutovacuum(pool, log);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([['debug', 'autovacuum setting unknown']]);
  });
});
