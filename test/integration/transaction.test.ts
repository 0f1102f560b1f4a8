// The transaction helper: BEGIN with the isolation level, access mode and transaction-local
// settings asked for; serialization failures run again unless retry is off; a connection
// the caller holds keeps its session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, inTransactionOn } from '../../src/infra/db/transaction.ts';
import { createEmptyDatabase, type TestDatabase } from '../support/databases.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createEmptyDatabase();
});
afterAll(() => db?.drop());

const SETTINGS = `SELECT current_setting('transaction_isolation') AS isolation,
  current_setting('transaction_read_only') AS read_only,
  current_setting('idle_in_transaction_session_timeout') AS idle,
  current_setting('lock_timeout') AS lock`;

const serializationFailure = () => Object.assign(new Error('could not serialize access'), { code: '40001' });

describe('inTransaction', () => {
  it('begins with the isolation level, access mode and local settings asked for, which end with it', async () => {
    const inside = await inTransaction(db.pool, async (client) => (await client.query(SETTINGS)).rows[0], {
      isolation: 'repeatable read',
      readOnly: true,
      local: { idle_in_transaction_session_timeout: '60s', lock_timeout: 250 },
    });
    expect(inside).toEqual({ isolation: 'repeatable read', read_only: 'on', idle: '1min', lock: '250ms' });
    const plain = await inTransaction(db.pool, async (client) => (await client.query(SETTINGS)).rows[0]);
    expect(plain).toEqual({ isolation: 'read committed', read_only: 'off', idle: '0', lock: '0' });
  });

  it('rolls back what fn wrote when it throws', async () => {
    await db.pool.query('CREATE TABLE IF NOT EXISTS tx_probe (n int)');
    await expect(
      inTransaction(db.pool, async (client) => {
        await client.query('INSERT INTO tx_probe VALUES (1)');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect((await db.pool.query('SELECT count(*)::int AS n FROM tx_probe')).rows[0]).toEqual({ n: 0 });
  });

  it('runs fn again after a serialization failure, and once only with retry off', async () => {
    let runs = 0;
    const flaky = async () => {
      runs += 1;
      if (runs < 3) throw serializationFailure();
      return runs;
    };
    expect(await inTransaction(db.pool, flaky)).toBe(3);
    runs = 0;
    await expect(inTransaction(db.pool, flaky, { retry: false })).rejects.toMatchObject({ code: '40001' });
    expect(runs).toBe(1);
  });
});

describe('inTransactionOn', () => {
  it("runs on the caller's connection, whose session outlives the transaction", async () => {
    const client = await db.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(42)');
      const pid = await inTransactionOn(
        client,
        async () => {
          const { rows } = await client.query<{ pid: number; lock: string }>(
            "SELECT pg_backend_pid() AS pid, current_setting('lock_timeout') AS lock",
          );
          expect(rows[0]?.lock).toBe('100ms');
          return rows[0]?.pid;
        },
        { local: { lock_timeout: 100 } },
      );
      const { rows } = await client.query<{ pid: number; held: boolean }>(
        `SELECT pg_backend_pid() AS pid,
                EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS held`,
      );
      expect(rows[0]).toEqual({ pid, held: true });
      await client.query('SELECT pg_advisory_unlock(42)');
    } finally {
      client.release();
    }
  });
});
