import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { quoteIdent } from '../support/postgres-admin.ts';

const ZERO_HASH = '0'.repeat(64);

let db: TestDatabase;
let client: pg.PoolClient;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

// Each test gets one connection, so session settings (replica mode, roles) stay in the test.
beforeEach(async () => {
  client = await db.pool.connect();
});
afterEach(() => client.release(true));

async function appendEvent(): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, occurred_at, prev_hash, hash)
     VALUES ($1, 1, 'case.received', '{}', $2, '{clerk}', '2026-11-28T12:00:00.000Z', $3, $4)
     RETURNING id`,
    [randomUUID(), randomUUID(), ZERO_HASH, randomBytes(32).toString('hex')],
  );
  return rows[0]!.id;
}

async function appendAccess(): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO access_log (actor_id, action, case_id) VALUES ($1, 'case.read', $2) RETURNING id`,
    [randomUUID(), randomUUID()],
  );
  return rows[0]!.id;
}

const tables = [
  { table: 'events', append: appendEvent, update: 'UPDATE events SET type = $2 WHERE id = $1', value: 'case.closed' },
  { table: 'access_log', append: appendAccess, update: 'UPDATE access_log SET purpose = $2 WHERE id = $1', value: 'x' },
] as const;

describe.each(tables)('$table is append-only', ({ table, append, update, value }) => {
  const refusal = new RegExp(`${table} is append-only`);

  it('accepts inserts', async () => {
    const id = await append();
    const { rows } = await client.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    expect(rows).toHaveLength(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, leaving the row as it was', async () => {
    const id = await append();
    await expect(client.query(update, [id, value])).rejects.toThrow(refusal);
    await expect(client.query(`DELETE FROM ${table} WHERE id = $1`, [id])).rejects.toThrow(refusal);
    await expect(client.query(`TRUNCATE ${table}`)).rejects.toThrow(refusal);
    const { rows } = await client.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    expect(rows).toHaveLength(1);
  });

  it('still refuses them with session_replication_role = replica', async () => {
    const id = await append();
    await client.query('SET session_replication_role = replica');
    await expect(client.query(update, [id, value])).rejects.toThrow(refusal);
    await expect(client.query(`DELETE FROM ${table} WHERE id = $1`, [id])).rejects.toThrow(refusal);
    await expect(client.query(`TRUNCATE ${table}`)).rejects.toThrow(refusal);
  });
});

describe('the application role set up by casetrail_grant_app_role', () => {
  // Roles are cluster-wide: the run prefix lets the global teardown remove a leftover one.
  const role = `${inject('databasePrefix')}_app_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await db.pool.query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
    await db.pool.query('SELECT casetrail_grant_app_role($1)', [role]);
  });
  afterAll(async () => {
    await db.pool.query(`DROP OWNED BY ${quoteIdent(role)}`);
    await db.pool.query(`DROP ROLE ${quoteIdent(role)}`);
  });

  it('may append to events and access_log but has no UPDATE, DELETE or TRUNCATE grant on them', async () => {
    await client.query(`SET ROLE ${quoteIdent(role)}`);
    const eventId = await appendEvent();
    const accessId = await appendAccess();
    const denied = /permission denied/;
    await expect(client.query('UPDATE events SET type = $2 WHERE id = $1', [eventId, 'x'])).rejects.toThrow(denied);
    await expect(client.query('DELETE FROM events WHERE id = $1', [eventId])).rejects.toThrow(denied);
    await expect(client.query('TRUNCATE events')).rejects.toThrow(denied);
    await expect(client.query('DELETE FROM access_log WHERE id = $1', [accessId])).rejects.toThrow(denied);
    await expect(client.query('TRUNCATE access_log')).rejects.toThrow(denied);
    await expect(client.query('ALTER TABLE events DISABLE TRIGGER ALL')).rejects.toThrow(/must be owner/);
  });

  it('may update the working tables and draw case references', async () => {
    await client.query(`SET ROLE ${quoteIdent(role)}`);
    const { rows } = await client.query<{ id: string }>(
      "INSERT INTO outbox (id, queue, job_name, payload) VALUES (gen_random_uuid(), 'intake', 'submit', '{}') RETURNING id",
    );
    const { rowCount } = await client.query('UPDATE outbox SET attempts = attempts + 1 WHERE id = $1', [rows[0]?.id]);
    expect(rowCount).toBe(1);
    const { rows: drawn } = await client.query<{ reference: string }>('SELECT casetrail_next_reference() AS reference');
    expect(drawn[0]?.reference).toMatch(/^CT-\d{4}-\d{6,}$/);
  });
});
