import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publicKeyId } from '../../src/domain/index.ts';
import { createTrail, type Trail } from '../support/audit-trail.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

// Each test tampers with its own database: a trail of three cases (15 events), sealed into
// checkpoints of at most 4 events, then one more case whose 3 events stay unsealed.

let db: TestDatabase;
let trail: Trail;
let enforced: string;
let dismissed: string;
let other: string;
let tail: string;

beforeEach(async () => {
  db = await createTestDatabase();
  trail = createTrail(db);
  enforced = await trail.enforcedPenalty();
  dismissed = await trail.dismissed();
  other = await trail.enforcedPenalty();
  await trail.seal();
  tail = await trail.dismissed();
});
afterEach(() => db.drop());

const eventId = async (caseId: string, seq: number): Promise<string> => {
  const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM events WHERE case_id = $1 AND seq = $2', [
    caseId,
    seq,
  ]);
  return rows[0]?.id as string;
};

describe('audit verify on the database', () => {
  it('verifies a clean trail: every chain, every case row as the fold of its events, every checkpoint', async () => {
    expect(await trail.verify()).toEqual({
      ok: true,
      caseId: null,
      cases: 4,
      events: 20,
      checkpoints: 4,
      sealedThroughEventId: await eventId(other, 6),
      unsealedEvents: 4,
      keyId: publicKeyId(trail.keys.publicKey),
      failures: [],
    });
  });

  it('reads the trail in keyset pages: a page of 2 gives the same report as a page of 2000', async () => {
    expect(await trail.verify({ pageSize: 2 })).toEqual(await trail.verify({ pageSize: 2_000 }));
    expect((await trail.verify({ pageSize: 1, caseId: enforced })).ok).toBe(true);
  });

  it('gives the same failures, in the same order, whatever the page size', async () => {
    await trail.tamper('DELETE FROM cases WHERE id = $1', [dismissed]);
    await trail.tamper('DELETE FROM events WHERE case_id = $1', [tail]);
    await trail.tamper(
      `UPDATE events SET payload = jsonb_set(payload, '{rationale}', '"It is true after all."') WHERE case_id = $1 AND seq = 3`,
      [enforced],
    );
    await trail.tamper("UPDATE cases SET priority = 'urgent' WHERE id = $1", [other]);
    await trail.tamper(
      `UPDATE checkpoints SET signature = overlay(signature placing (CASE WHEN substr(signature, 1, 1) = 'a' THEN 'b' ELSE 'a' END) from 1 for 1) WHERE id = 2`,
    );
    const report = await trail.verify({ pageSize: 2_000 });
    // The chains' failures first, then the checkpoints'.
    expect(report.failures.at(-1)).toEqual({
      caseId: null,
      seq: null,
      checkpoint: 2,
      reason: 'signature is not valid',
    });
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { caseId: dismissed, seq: 1, checkpoint: null, reason: 'events of a case that has no case row' },
        { caseId: tail, seq: 1, checkpoint: null, reason: 'the case row has no events' },
        { caseId: enforced, seq: 3, checkpoint: null, reason: 'hash does not match the event' },
        {
          caseId: other,
          seq: 6,
          checkpoint: null,
          reason: 'the case row differs from the fold of its events in priority',
        },
      ]),
    );
    expect(report).toMatchObject({ ok: false, cases: 3, events: 16 });
    for (const pageSize of [1, 2, 3, 5]) expect(await trail.verify({ pageSize })).toEqual(report);
  });

  it('names the case and seq of a payload changed by a superuser with the trigger disabled', async () => {
    await trail.tamper(
      `UPDATE events SET payload = jsonb_set(payload, '{rationale}', '"It is true after all."') WHERE case_id = $1 AND seq = 3`,
      [enforced],
    );
    const report = await trail.verify();
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      { caseId: enforced, seq: 3, checkpoint: null, reason: 'hash does not match the event' },
    ]);
  });

  it('names the first missing seq when an event in the middle of a chain is deleted', async () => {
    await trail.tamper('DELETE FROM events WHERE case_id = $1 AND seq = 4', [other]);
    const report = await trail.verify();
    expect(report.failures[0]).toEqual({ caseId: other, seq: 4, checkpoint: null, reason: 'expected seq 4, found 5' });
  });

  it('catches, by a checkpoint, the last events of a case deleted together with a rewritten case row', async () => {
    // The case row is set back to the fold of its first four events, so chain and fold both hold.
    const fourth = await db.pool.query<{ hash: string; occurred_at: string }>(
      'SELECT hash, occurred_at FROM events WHERE case_id = $1 AND seq = 4',
      [enforced],
    );
    const { hash, occurred_at: at } = fourth.rows[0] as { hash: string; occurred_at: string };
    await trail.tamper(
      `WITH gone AS (DELETE FROM events WHERE case_id = $1 AND seq >= 5)
       UPDATE cases SET stage = 'referred', outcome = NULL, version = 4, penalty = NULL, penalty_recorded_by = NULL,
              decision_no = NULL, head_hash = $2, updated_at = $3, stage_entered_at = $3,
              deadline_at = (SELECT (payload->>'deadlineAt')::timestamptz FROM events WHERE case_id = $1 AND seq = 4)
        WHERE id = $1`,
      [enforced, hash, at],
    );
    const report = await trail.verify();
    const sealedIn = report.failures[0]?.checkpoint;
    expect(report.failures[0]).toEqual({
      caseId: enforced,
      seq: 5,
      checkpoint: sealedIn,
      reason: `checkpoint ${sealedIn} sealed this case up to seq 6; the trail ends at seq 4`,
    });
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        caseId: null,
        checkpoint: sealedIn,
        reason: expect.stringMatching(/do not give the signed Merkle root$/u),
      }),
    );
    expect((await trail.verify({ caseId: enforced })).failures[0]).toMatchObject({ caseId: enforced, seq: 5 });
  });

  it('names the checkpoint whose signature was altered', async () => {
    await trail.tamper(
      `UPDATE checkpoints SET signature = overlay(signature placing (CASE WHEN substr(signature, 1, 1) = 'a' THEN 'b' ELSE 'a' END) from 1 for 1) WHERE id = 2`,
    );
    expect((await trail.verify()).failures).toEqual([
      { caseId: null, seq: null, checkpoint: 2, reason: 'signature is not valid' },
    ]);
  });

  it('names a deleted checkpoint by the broken link after it', async () => {
    await trail.tamper('DELETE FROM checkpoints WHERE id = 2');
    expect((await trail.verify()).failures).toEqual([
      { caseId: null, seq: null, checkpoint: 3, reason: 'expected checkpoint 2, found 3' },
    ]);
  });

  it('names a case row that differs from the fold of its events', async () => {
    await trail.tamper("UPDATE cases SET priority = 'urgent' WHERE id = $1", [dismissed]);
    expect((await trail.verify()).failures).toEqual([
      {
        caseId: dismissed,
        seq: 4,
        checkpoint: null,
        reason: 'the case row differs from the fold of its events in priority',
      },
    ]);
  });

  it('verifies one case on its own: a break elsewhere does not fail it, its own break does', async () => {
    await trail.tamper(
      `UPDATE events SET payload = jsonb_set(payload, '{text}', '"edited"') WHERE case_id = $1 AND seq = 1`,
      [tail],
    );
    expect(await trail.verify({ caseId: enforced })).toMatchObject({
      ok: true,
      caseId: enforced,
      cases: 1,
      events: 6,
      unsealedEvents: 0,
      failures: [],
    });
    expect((await trail.verify({ caseId: tail })).failures).toEqual([
      { caseId: tail, seq: 1, checkpoint: null, reason: 'hash does not match the event' },
    ]);
  });
});
