// The rules the migration adds beyond schema.prisma: CHECK constraints and the outbox NOTIFY.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const sha256Hex = () => randomBytes(32).toString('hex');

function insertCase(overrides: Record<string, unknown> = {}): Promise<pg.QueryResult> {
  const row: Record<string, unknown> = {
    id: randomUUID(),
    reference: `CT-2026-${randomBytes(4).toString('hex')}`,
    stage: 'received',
    outcome: null,
    version: 1,
    priority: 'normal',
    category: 'health',
    platform: 'example',
    claim: 'a claim',
    url: 'https://example.org/post/1',
    fingerprint: 'example|https://example.org/post/1',
    content_hash: sha256Hex(),
    item: {},
    report: {},
    submitted_by: randomUUID(),
    stage_entered_at: new Date(),
    head_hash: sha256Hex(),
    created_at: new Date(),
    updated_at: new Date(),
    ...overrides,
  };
  const columns = Object.keys(row);
  return db.pool.query(
    `INSERT INTO cases (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
    Object.values(row),
  );
}

describe('cases', () => {
  it('accepts an open case without outcome and a closed case with one', async () => {
    await insertCase();
    await insertCase({ stage: 'closed', outcome: 'duplicate' });
  });

  it.each([
    ['an unknown stage', { stage: 'archived' }, 'cases_stage_check'],
    ['an unknown outcome', { stage: 'closed', outcome: 'lost' }, 'cases_outcome_check'],
    ['a closed case without outcome', { stage: 'closed' }, 'cases_outcome_iff_closed_check'],
    ['an open case with an outcome', { stage: 'referred', outcome: 'withdrawn' }, 'cases_outcome_iff_closed_check'],
    ['an unknown priority', { priority: 'asap' }, 'cases_priority_check'],
    ['an upper-case head hash', { head_hash: sha256Hex().toUpperCase() }, 'cases_head_hash_check'],
  ])('rejects %s', async (_, overrides, constraint) => {
    await expect(insertCase(overrides)).rejects.toMatchObject({ code: '23514', constraint });
  });
});

describe('commands', () => {
  it('rejects a status outside pending, applied, rejected', async () => {
    const insert = db.pool.query(
      `INSERT INTO commands (id, type, case_id, actor_id, actor_roles, payload, status)
       VALUES ($1, 'claim', $2, $3, '{verifier}', '{}', 'done')`,
      [randomUUID(), randomUUID(), randomUUID()],
    );
    await expect(insert).rejects.toMatchObject({ code: '23514', constraint: 'commands_status_check' });
  });
});

describe('events', () => {
  it.each([
    ['seq 0', { seq: 0 }, 'events_seq_check'],
    ['a short hash', { hash: 'abc' }, 'events_hash_check'],
    ['missing actor roles', { actor_roles: null }, undefined],
  ])('rejects %s', async (_, overrides, constraint) => {
    const row = { seq: 1, hash: sha256Hex(), actor_roles: ['clerk'], ...overrides };
    const insert = db.pool.query(
      `INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, occurred_at, prev_hash, hash)
       VALUES ($1, $2, 'case.received', '{}', 'system', $3, '2026-11-28T12:00:00.000Z', $4, $5)`,
      [randomUUID(), row.seq, row.actor_roles, '0'.repeat(64), row.hash],
    );
    await expect(insert).rejects.toMatchObject(constraint ? { code: '23514', constraint } : { code: '23502' });
  });
});

describe('outbox', () => {
  it('notifies casetrail_outbox once per inserting statement, at commit', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const received: string[] = [];
      listener.on('notification', (message) => received.push(message.channel));
      await listener.query('LISTEN casetrail_outbox');
      await db.pool.query(
        `INSERT INTO outbox (id, queue, job_name, payload) VALUES ($1, 'intake', 'submit', '{}'), ($2, 'intake', 'submit', '{}')`,
        [randomUUID(), randomUUID()],
      );
      await vi.waitFor(() => expect(received).not.toHaveLength(0), { timeout: 5_000 });
      // A round trip on the listener's connection flushes any further notification.
      await listener.query('SELECT 1');
      expect(received).toEqual(['casetrail_outbox']);
    } finally {
      await listener.end();
    }
  });
});
