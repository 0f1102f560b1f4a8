import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCase } from '../../src/app/export-case.ts';
import { canonicalJson, publicKeyId, verifyBundle, type BundleV2 } from '../../src/domain/index.ts';
import { isValidSignature } from '../../src/domain/checkpoint.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createTrail, SEAL_NOW, type Trail } from '../support/audit-trail.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { SUPERVISOR } from '../support/fixtures.ts';
import { truncate } from '../support/forge-bundle.ts';

let db: TestDatabase;
let trail: Trail;
let pins: Set<string>;

beforeAll(async () => {
  db = await createTestDatabase();
  trail = createTrail(db);
  pins = new Set([publicKeyId(trail.keys.publicKey)]);
});
afterAll(() => db?.drop());

async function exportOf(caseId: string): Promise<BundleV2> {
  const log = createLogger({ level: 'silent' });
  const exported = await exportCase({ pool: db.pool, log, ...trail.keys, sealPolicy: SEAL_NOW }, SUPERVISOR, caseId);
  if (!exported.ok) throw new Error(exported.detail);
  return exported.bundle;
}

describe('casetrail-bundle/2', () => {
  it('proves every event in the one log and the case head against one signed tree head', async () => {
    const first = await trail.enforcedPenalty();
    await trail.seal();
    await trail.dismissed();
    await trail.seal();
    const bundle = await exportOf(first);
    expect(bundle.format).toBe('casetrail-bundle/2');
    expect(bundle.treeHead?.treeSize).toBe(10);
    expect(bundle.proofs.map((p) => [p.seq, p.leafIndex])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i + 1, i]));
    expect(bundle.headsProof).toMatchObject({ leafIndex: 0 });
    expect(bundle.keys.map((k) => k.keyId)).toEqual([bundle.keyId]);
    expect(verifyBundle(JSON.parse(JSON.stringify(bundle)), { trustedKeyIds: pins })).toMatchObject({
      ok: true,
      caseId: first,
      events: 6,
      sealedEvents: 6,
      treeSize: 10,
      pinned: true,
    });
  });

  it('a case truncated inside a sealed range fails on its heads proof, its bundle signature valid', async () => {
    const caseId = await trail.enforcedPenalty();
    const genuine = await exportOf(caseId);
    const cut = truncate(genuine, 4, trail.keys);
    const { signature, ...unsigned } = cut;
    expect(isValidSignature(Buffer.from(canonicalJson(unsigned), 'utf8'), signature, trail.keys.publicKey)).toBe(true);
    const report = verifyBundle(JSON.parse(JSON.stringify(cut)), { trustedKeyIds: pins });
    expect(report).toMatchObject({ ok: false, failure: { caseId, seq: 4, step: 'heads proof' } });
  });

  it('events sealed after the head are exported unproved only while no newer head exists', async () => {
    const caseId = await trail.submit();
    const bundle = await exportOf(caseId);
    // The export sealed the case first: its one event is proved.
    expect(bundle.proofs.map((p) => p.seq)).toEqual([1]);
    // Dropping the proof of a sealed event is caught by the heads proof (it names seq 1).
    const { signature: _s, ...rest } = bundle;
    const unproved = { ...rest, proofs: [] };
    expect(verifyBundle({ ...unproved, signature: bundle.signature }, { trustedKeyIds: pins })).toMatchObject({
      ok: false,
      failure: { step: 'heads proof' },
    });
  });
});
