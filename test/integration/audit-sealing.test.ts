import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';
import { startAuditSealer } from '../../workers/audit-sealer.ts';
import { createTrail, type Trail } from '../support/audit-trail.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { eventually } from '../support/queue-harness.ts';

let db: TestDatabase;
let trail: Trail;

beforeAll(async () => {
  db = await createTestDatabase();
  trail = createTrail(db);
});
afterAll(() => db.drop());

type CheckpointRow = { id: string; from_event_id: string; to_event_id: string; event_count: number };

async function checkpoints(): Promise<CheckpointRow[]> {
  const { rows } = await db.pool.query<CheckpointRow>(
    'SELECT id, from_event_id, to_event_id, event_count FROM checkpoints ORDER BY id',
  );
  return rows;
}

async function maxEventId(): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>('SELECT max(id)::text AS id FROM events');
  return rows[0]?.id ?? '0';
}

/** A bare event row (the sealer reads only ids and hashes): what a stage worker's INSERT does. */
async function appendRawEvent(client: pg.ClientBase | pg.Pool): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, occurred_at, prev_hash, hash)
     VALUES ($1, 1, 'case.note_added', '{}', 'system', '{}', '2026-11-28T12:00:00.000Z', $2, $3) RETURNING id`,
    [randomUUID(), '0'.repeat(64), randomBytes(32).toString('hex')],
  );
  return rows[0]?.id as string;
}

describe('the audit sealer', () => {
  it('seals every N events, and the rest once its oldest event has waited T', async () => {
    await trail.enforcedPenalty();
    await trail.submit();
    const slow = { maxEvents: 3, maxAgeMs: 3_600_000, barrierTimeoutMs: 5_000 };
    const round = await trail.seal(slow, false);
    expect(round.status).toBe('sealed');
    expect(round.checkpoints.map((c) => [c.seq, c.fromEventId, c.eventCount])).toEqual([
      [1, '1', 3],
      [2, '4', 3],
    ]);
    expect(await trail.seal(slow, false)).toEqual({ status: 'not_due', checkpoints: [], treeHeads: [] });
    const due = await trail.seal({ ...slow, maxAgeMs: 0 }, false);
    expect(due.checkpoints.map((c) => [c.seq, c.fromEventId, c.toEventId, c.eventCount])).toEqual([
      [3, '7', await maxEventId(), 1],
    ]);
    expect(await trail.verify()).toMatchObject({ ok: true, checkpoints: 3, unsealedEvents: 0 });
  });

  it('waits for a transaction that drew a lower event id and commits later, instead of skipping its event', async () => {
    const before = await checkpoints();
    const late = await db.pool.connect();
    try {
      await late.query('BEGIN');
      const lowId = await appendRawEvent(late);
      const highId = await appendRawEvent(db.pool);
      expect(BigInt(highId)).toBeGreaterThan(BigInt(lowId));

      const sealing = trail.seal({ maxEvents: 100, maxAgeMs: 0, barrierTimeoutMs: 30_000 });
      // The sealer's barrier waits on the open writer.
      await eventually(
        async () => {
          const { rows } = await db.pool.query(
            "SELECT 1 FROM pg_locks WHERE mode = 'ShareLock' AND NOT granted AND relation = 'events'::regclass",
          );
          return rows.length === 1;
        },
        { what: 'the sealer to wait on the open writer' },
      );
      await late.query('COMMIT');
      const round = await sealing;
      expect(round.checkpoints).toHaveLength(1);
      expect(round.checkpoints[0]).toMatchObject({ seq: before.length + 1, toEventId: highId, eventCount: 2 });
      expect(BigInt(round.checkpoints[0]?.fromEventId as string)).toBeLessThanOrEqual(BigInt(lowId));
    } finally {
      late.release();
    }
  });

  it('gives up a round after the barrier timeout when a writer stays open, and holds writers up no longer', async () => {
    const before = await checkpoints();
    await appendRawEvent(db.pool);
    const stuck = await db.pool.connect();
    try {
      await stuck.query('BEGIN');
      await appendRawEvent(stuck);
      await expect(trail.seal({ maxEvents: 100, maxAgeMs: 0, barrierTimeoutMs: 300 })).rejects.toMatchObject({
        code: '55P03',
      });
      expect(await checkpoints()).toEqual(before);
      expect(await appendRawEvent(db.pool)).toMatch(/^\d+$/u);
    } finally {
      await stuck.query('ROLLBACK');
      stuck.release();
    }
  });

  it('never forks the checkpoint chain when several sealers run at once, and seals each event exactly once', async () => {
    const work = Array.from({ length: 4 }, async () => {
      await trail.submit();
      return trail.seal({ maxEvents: 2, maxAgeMs: 0, barrierTimeoutMs: 10_000 });
    });
    await Promise.all(work);
    await trail.seal({ maxEvents: 2, maxAgeMs: 0, barrierTimeoutMs: 10_000 });
    const rows = await checkpoints();
    expect(rows.map((r) => Number(r.id))).toEqual(rows.map((_, i) => i + 1));
    rows.slice(1).forEach((row, i) => {
      expect(BigInt(row.from_event_id)).toBe(BigInt((rows[i] as CheckpointRow).to_event_id) + 1n);
    });
    const { rows: counted } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    expect(rows.reduce((sum, r) => sum + r.event_count, 0)).toBe(counted[0]?.n);
    expect(rows.at(-1)?.to_event_id).toBe(await maxEventId());
  });

  it('runs as a worker that seals on its own, logging each checkpoint', async () => {
    const lines: { msg: string; checkpoint?: number }[] = [];
    const log = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    const sealer = startAuditSealer({
      deps: { pool: db.pool, log, ...trail.keys },
      policy: { maxEvents: 1000, maxAgeMs: 100, barrierTimeoutMs: 5_000 },
      pollMs: 50,
    });
    try {
      await trail.submit();
      const last = await maxEventId();
      await eventually(async () => (await checkpoints()).at(-1)?.to_event_id === last, {
        what: 'the worker to seal the new event',
      });
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'checkpoint sealed', component: 'audit-sealer', toEventId: last }),
      );
    } finally {
      await sealer.close();
    }
  });
});

describe('the checkpoints table', () => {
  it('is append-only, even in replica mode', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('SET session_replication_role = replica');
      for (const sql of ['UPDATE checkpoints SET root = root', 'DELETE FROM checkpoints', 'TRUNCATE checkpoints']) {
        await expect(client.query(sql), sql).rejects.toThrow(/checkpoints is append-only/u);
      }
    } finally {
      client.release(true);
    }
  });
});
