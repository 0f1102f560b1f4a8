import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyCommand, type ApplyDeps } from '../../src/app/apply-command.ts';
import { submitCommand } from '../../src/app/submit-command.ts';
import { createCommandWaiter, type CommandWaiter } from '../../src/infra/db/command-waiter.ts';
import { openDatabase, type Database } from '../../src/infra/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { CLERK, submitBody } from '../support/fixtures.ts';
import { SLA } from '../support/api-harness.ts';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let database: Database;
let apply: ApplyDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  database = openDatabase(db.url, { poolSize: 5, log });
  apply = { pool: database.pool, hmacKey: randomBytes(32), sla: SLA, claimLeaseMs: 60_000, log };
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
});

let serial = 0;
async function pendingSubmit(): Promise<string> {
  serial += 1;
  const payload = submitBody({ url: `https://example.vn/waiter-${serial}`, content: `waiter ${serial}` });
  const result = await submitCommand(database, { actor: CLERK, type: 'submit', payload });
  if (!result.ok) throw new Error(result.detail);
  return result.commandId;
}

async function listeners(): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN casetrail_command'",
  );
  return rows[0]?.n ?? 0;
}

async function withWaiter(pollMs: number, body: (waiter: CommandWaiter) => Promise<void>): Promise<void> {
  const waiter = createCommandWaiter({ pool: database.pool, log, pollMs, reconnectMs: 50 });
  await waiter.start();
  try {
    await body(waiter);
  } finally {
    await waiter.close();
  }
}

describe('the command waiter', () => {
  it("is woken by the worker's NOTIFY, without polling", async () => {
    await withWaiter(600_000, async (waiter) => {
      const id = await pendingSubmit();
      const waiting = waiter.wait(id, 10_000);
      await applyCommand(apply, id);
      expect(await waiting).toMatchObject({ id, status: 'applied' });
    });
  });

  it('looks a command up as its wait starts, unless the caller has just stored it', async () => {
    await withWaiter(600_000, async (waiter) => {
      const id = await pendingSubmit();
      // Finished behind the listener's back: no NOTIFY is sent.
      await database.pool.query(
        'UPDATE commands SET status = \'rejected\', problem = \'{"code":"internal","detail":"x"}\' WHERE id = $1',
        [id],
      );
      // justStored skips the first lookup (such a command cannot be finished yet): only a
      // notification or the poll answers, and here neither comes before the deadline.
      expect(await waiter.wait(id, 200, { justStored: true })).toBeNull();
      // Without it, the lookup finds the command at once.
      expect(await waiter.wait(id, 10_000)).toMatchObject({ id, status: 'rejected' });
    });
  });

  it('finds a command whose notification was missed by polling', async () => {
    await withWaiter(50, async (waiter) => {
      const id = await pendingSubmit();
      const waiting = waiter.wait(id, 10_000);
      // Finished behind the listener's back: no NOTIFY is sent.
      await database.pool.query(
        'UPDATE commands SET status = \'rejected\', problem = \'{"code":"internal","detail":"x"}\' WHERE id = $1',
        [id],
      );
      expect(await waiting).toMatchObject({ id, status: 'rejected', problem: { code: 'internal' } });
    });
  });

  it('answers null when the command is still pending at the deadline, or when it closes', async () => {
    await withWaiter(50, async (waiter) => {
      expect(await waiter.wait(await pendingSubmit(), 100)).toBeNull();
      const open = waiter.wait(await pendingSubmit(), 60_000);
      await waiter.close();
      expect(await open).toBeNull();
    });
    await applyPendingCommands();
  });

  it('listens again after its connection is terminated', async () => {
    await withWaiter(600_000, async (waiter) => {
      await database.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN casetrail_command'",
      );
      await vi.waitFor(async () => expect(await listeners()).toBe(1), { timeout: 5_000, interval: 25 });
      const id = await pendingSubmit();
      const waiting = waiter.wait(id, 10_000);
      await applyCommand(apply, id);
      expect(await waiting).toMatchObject({ id, status: 'applied' });
    });
  });

  it('releases its LISTEN connection on close', async () => {
    await withWaiter(600_000, async () => {
      expect(await listeners()).toBe(1);
    });
    expect(await listeners()).toBe(0);
  });
});

async function applyPendingCommands(): Promise<void> {
  const { rows } = await database.pool.query<{ id: string }>(
    "SELECT id FROM commands WHERE status = 'pending' ORDER BY created_at",
  );
  for (const { id } of rows) await applyCommand(apply, id);
}
