import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseHeadLeaf,
  eventLeaf,
  merkleRoot,
  publicKeyId,
  treeHeadProblem,
  verifyConsistency,
  verifyInclusion,
  type SignedTreeHead,
} from '../../src/domain/index.ts';
import { auditKeys, json, startApi, type ApiHarness } from '../support/api-harness.ts';
import { createTrail, SEAL_NOW, type Trail } from '../support/audit-trail.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let db: TestDatabase;
let trail: Trail;
let api: ApiHarness;

beforeAll(async () => {
  db = await createTestDatabase();
  const keys = auditKeys();
  trail = createTrail(db, keys);
  api = await startApi(db, { audit: keys });
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const open = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const response = await api.app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: json<T>(response) };
};

async function allEvents(): Promise<Array<{ id: string; case_id: string; seq: number; hash: string }>> {
  const { rows } = await db.pool.query('SELECT id::text, case_id, seq, hash FROM events ORDER BY events.id');
  return rows;
}

describe('the Merkle log over every event', () => {
  let heads: SignedTreeHead[];

  it('takes in a trail sealed before it existed, in id order, and signs heads over it', async () => {
    await trail.enforcedPenalty();
    await trail.dismissed();
    // The trail as it stood before the log: checkpoints only (the migration's starting point).
    await trail.seal();
    await trail.tamper(
      'DELETE FROM tree_heads; DELETE FROM log_entries; DELETE FROM log_nodes; DELETE FROM heads_nodes; DELETE FROM case_heads',
    );
    const round = await trail.seal();
    expect(round.treeHeads.length).toBe(1);
    const events = await allEvents();
    const head = round.treeHeads[0] as SignedTreeHead;
    expect(head.treeSize).toBe(events.length);
    expect(head.rootHash).toBe(merkleRoot(events.map((e) => eventLeaf(e.hash))).toString('hex'));
    // Heads in the order the cases entered the log, each at its last seq.
    const order: string[] = [];
    const last = new Map<string, { seq: number; hash: string }>();
    for (const e of events) {
      if (!last.has(e.case_id)) order.push(e.case_id);
      last.set(e.case_id, { seq: e.seq, hash: e.hash });
    }
    const headLeaves = order.map((caseId) => {
      const h = last.get(caseId) as { seq: number; hash: string };
      return caseHeadLeaf({ caseId, lastSeq: h.seq, headHash: h.hash });
    });
    expect(head.caseCount).toBe(2);
    expect(head.headsRoot).toBe(merkleRoot(headLeaves).toString('hex'));
    expect(head.keyId).toBe(publicKeyId(trail.keys.publicKey));
    expect(treeHeadProblem(head, new Map([[head.keyId, trail.keys.publicKey]]))).toBeNull();
  });

  it('serves tree heads, consistency and inclusion proofs without a token', async () => {
    await trail.submit();
    await trail.seal(SEAL_NOW);
    await trail.enforcedPenalty();
    await trail.seal(SEAL_NOW);
    const listed = await open<{ items: SignedTreeHead[] }>('/v1/audit/tree-heads?limit=200');
    expect(listed.status).toBe(200);
    heads = listed.body.items;
    expect(heads.length).toBeGreaterThanOrEqual(3);
    const keys = new Map([[heads[0]?.keyId as string, trail.keys.publicKey]]);
    for (const h of heads) expect(treeHeadProblem(h, keys)).toBeNull();

    for (const newer of heads) {
      for (const older of heads) {
        if (older.treeSize > newer.treeSize) continue;
        const answer = await open<{ proof: string[] }>(
          `/v1/audit/consistency?from=${older.treeSize}&to=${newer.treeSize}`,
        );
        expect(answer.status).toBe(200);
        const proof = answer.body.proof.map((p) => Buffer.from(p, 'hex'));
        const ok = verifyConsistency(
          older.treeSize,
          newer.treeSize,
          Buffer.from(older.rootHash, 'hex'),
          Buffer.from(newer.rootHash, 'hex'),
          proof,
        );
        expect(ok, `${older.treeSize} → ${newer.treeSize}`).toBe(true);
      }
    }

    const newest = heads[0] as SignedTreeHead;
    const events = await allEvents();
    for (const [index, event] of events.entries()) {
      const answer = await open<{ leafIndex: number; path: string[] }>(
        `/v1/audit/inclusion?eventId=${event.id}&treeSize=${newest.treeSize}`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.leafIndex).toBe(index);
      const path = answer.body.path.map((p) => Buffer.from(p, 'hex'));
      expect(
        verifyInclusion(eventLeaf(event.hash), index, newest.treeSize, path, Buffer.from(newest.rootHash, 'hex')),
      ).toBe(true);
    }
  });

  it('refuses sizes beyond the newest head, naming the field', async () => {
    const newest = heads[0] as SignedTreeHead;
    const tooFar = await open<{ errors: Array<{ path: string }> }>(
      `/v1/audit/consistency?from=1&to=${newest.treeSize + 1}`,
    );
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.errors[0]?.path).toBe('to');
    const missing = await open('/v1/audit/inclusion?eventId=999999&treeSize=1');
    expect(missing.status).toBe(404);
  });

  it('keeps the log append-only in the database', async () => {
    await expect(db.pool.query('DELETE FROM log_entries')).rejects.toThrow();
    await expect(db.pool.query('UPDATE tree_heads SET tree_size = tree_size + 1')).rejects.toThrow();
  });
});
