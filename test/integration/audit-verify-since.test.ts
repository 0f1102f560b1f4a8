import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLogSince, type VerifiedState } from '../../src/app/verify-log.ts';
import { createTrail, type Trail } from '../support/audit-trail.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let dir: string;
let db: TestDatabase;
let trail: Trail;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-since-'));
  db = await createTestDatabase();
  trail = createTrail(db);
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const verify = (state: VerifiedState | null) =>
  verifyLogSince({ pool: db.pool, publicKey: trail.keys.publicKey }, state);

describe('incremental verification of the Merkle log', () => {
  let kept: VerifiedState | null = null;

  it('checks the whole log when no head is kept, and keeps the newest', async () => {
    await trail.enforcedPenalty();
    await trail.dismissed();
    await trail.seal();
    const { report, state } = await verify(null);
    expect(report).toMatchObject({ ok: true, fromSize: 0, toSize: 10, events: 10, casesMoved: 2, failures: [] });
    expect(state?.treeHead.treeSize).toBe(10);
    kept = state;
  });

  it('checks only what came after the kept head: new events, new heads, moved cases', async () => {
    await trail.submit();
    await trail.seal();
    await trail.enforcedPenalty();
    await trail.seal();
    const { report, state } = await verify(kept);
    expect(report).toMatchObject({ ok: true, fromSize: 10, toSize: 17, events: 7, treeHeads: 2, casesMoved: 2 });
    // Resumed from the frontier, it agrees with a verification from the start.
    expect((await verify(null)).state).toEqual(state);
    kept = state;
    expect((await verify(kept)).report).toMatchObject({ ok: true, events: 0, treeHeads: 0 });
  });

  it('names the case and seq of a new event changed after sealing', async () => {
    const caseId = await trail.dismissed();
    await trail.seal();
    await trail.tamper(
      `UPDATE events SET payload = jsonb_set(payload, '{rationale}', '"rewritten"') WHERE case_id = $1 AND seq = 2`,
      [caseId],
    );
    const { report, state } = await verify(kept);
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatchObject({ caseId, seq: 2, reason: 'hash does not match the event' });
    expect(state).toEqual(kept);
  });

  it('catches a case cut short in the log', async () => {
    const fresh = await createTestDatabase();
    try {
      const other = createTrail(fresh);
      const caseId = await other.enforcedPenalty();
      await other.seal();
      await other.tamper('DELETE FROM events WHERE case_id = $1 AND seq = 6', [caseId]);
      const { report } = await verifyLogSince({ pool: fresh.pool, publicKey: other.keys.publicKey }, null);
      expect(report.ok).toBe(false);
      expect(report.failures[0]?.reason).toMatch(/the log ends at leaf 5|leaf 5 of the log is missing/u);
    } finally {
      await fresh.drop();
    }
  });

  it('casetrail audit verify --since STATE keeps the head in STATE and moves it on', async () => {
    const fresh = await createTestDatabase();
    try {
      const other = createTrail(fresh);
      await other.enforcedPenalty();
      await other.seal();
      const env = {
        DATABASE_URL: fresh.url,
        CASETRAIL_SIGNING_KEY: other.keys.signingKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        CASETRAIL_HMAC_KEY: 'since-test-hmac-key-0123456789abcdef0123',
        CASETRAIL_DATA_DIR: path.join(dir, 'data'),
        LOG_LEVEL: 'silent',
      };
      const file = path.join(dir, 'state.json');
      const first = await runCli(['audit', 'verify', '--since', file], env);
      expect([first.code, first.stdout.trim()]).toEqual([
        0,
        expect.stringMatching(/^audit log verified: 6 new events and 1 tree heads from size 0 to 6, 1 cases moved/u),
      ]);
      await other.dismissed();
      await other.seal();
      const second = await runCli(['audit', 'verify', '--since', file, '--json'], env);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, fromSize: 6, toSize: 10, events: 4 });
      expect(JSON.parse(await readFile(file, 'utf8')).treeHead.treeSize).toBe(10);
    } finally {
      await fresh.drop();
    }
  });
});
