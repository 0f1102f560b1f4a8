import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCase } from '../../src/app/export-case.ts';
import { publicKeyId, verifyBundle, type BundleV2 } from '../../src/domain/index.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createTrail, generateKeys, SEAL_NOW, type Trail } from '../support/audit-trail.ts';
import { runCli } from '../support/cli.ts';
import { rewriteHistory } from '../support/forge-bundle.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { SUPERVISOR } from '../support/fixtures.ts';

let dir: string;
let db: TestDatabase;
let trail: Trail;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-audit-cli-'));
  db = await createTestDatabase();
  trail = createTrail(db);
  env = {
    DATABASE_URL: db.url,
    CASETRAIL_SIGNING_KEY: trail.keys.signingKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    CASETRAIL_HMAC_KEY: 'audit-cli-test-hmac-key-0123456789abcdef',
    CASETRAIL_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'silent',
  };
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('casetrail audit verify against the database', () => {
  it('exits 0 on a clean trail and 1 naming the broken case and seq after tampering', async () => {
    const kept = await trail.enforcedPenalty();
    const broken = await trail.dismissed();
    await trail.seal();

    const clean = await runCli(['audit', 'verify', '--json'], env);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({
      ok: true,
      cases: 2,
      events: 10,
      checkpoints: 3,
      unsealedEvents: 0,
      failures: [],
    });

    await trail.tamper(
      `UPDATE events SET payload = jsonb_set(payload, '{rationale}', '"rewritten"') WHERE case_id = $1 AND seq = 3`,
      [broken],
    );
    const tampered = await runCli(['audit', 'verify'], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout.split('\n')[0]).toBe(
      `audit trail BROKEN at case ${broken} seq 3: hash does not match the event`,
    );

    const one = await runCli(['audit', 'verify', '--case', kept, '--json'], env);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ ok: true, caseId: kept, cases: 1, events: 6 });
    expect((await runCli(['audit', 'verify', '--case', 'not-a-uuid'], env)).code).toBe(2);
  });
});

describe('casetrail audit verify --bundle', () => {
  it('verifies a bundle offline after its database was dropped, with no database and no configuration', async () => {
    const source = await createTestDatabase();
    const sourceTrail = createTrail(source, generateKeys());
    const caseId = await sourceTrail.enforcedPenalty();
    const log = createLogger({ level: 'silent' });
    const exported = await exportCase(
      { pool: source.pool, log, ...sourceTrail.keys, sealPolicy: SEAL_NOW },
      SUPERVISOR,
      caseId,
    );
    if (!exported.ok) throw new Error(exported.detail);
    await source.drop();

    const file = path.join(dir, 'bundle.json');
    await writeFile(file, JSON.stringify(exported.bundle, null, 2));
    const offline = { CASETRAIL_DATA_DIR: path.join(dir, 'never-created'), PORT: 'not-a-port', LOG_LEVEL: 'loud' };
    const pinned = path.join(dir, 'trusted.pem');
    await writeFile(pinned, sourceTrail.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const result = await runCli(['audit', 'verify', '--bundle', file, '--public-key', pinned, '--json'], offline);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      caseId,
      reference: exported.bundle.case.reference,
      events: 6,
      sealedEvents: 6,
      unsealedEvents: 0,
      checkpoints: 0,
      keyId: publicKeyId(sourceTrail.keys.publicKey),
      format: 'casetrail-bundle/2',
      treeSize: 6,
      pinned: true,
    });
    expect(existsSync(offline.CASETRAIL_DATA_DIR)).toBe(false);

    // With no key pinned it never answers 0.
    const unpinned = await runCli(['audit', 'verify', '--bundle', file], offline);
    expect(unpinned.code).toBe(3);
    expect(unpinned.stdout).toMatch(/^key not pinned: /u);
    const stranger = path.join(dir, 'stranger.pem');
    await writeFile(stranger, generateKeys().publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const distrusted = await runCli(['audit', 'verify', '--bundle', file, '--public-key', stranger], offline);
    expect(distrusted.code).toBe(1);
    expect(distrusted.stdout).toMatch(/^bundle BROKEN: signed with key [0-9a-f]{16}…, which is not pinned/u);
  });

  it('exits 1 naming the case and seq when one byte of the bundle is edited', async () => {
    const caseId = await trail.submit();
    const log = createLogger({ level: 'silent' });
    const exported = await exportCase({ pool: db.pool, log, ...trail.keys, sealPolicy: SEAL_NOW }, SUPERVISOR, caseId);
    if (!exported.ok) throw new Error(exported.detail);
    const text = JSON.stringify(exported.bundle, null, 2);
    const at = text.indexOf('"claim": "', text.indexOf('"events"')) + 10;
    const file = path.join(dir, 'edited.json');
    await writeFile(file, `${text.slice(0, at)}${text[at] === 'X' ? 'Y' : 'X'}${text.slice(at + 1)}`);
    expect(await readFile(file, 'utf8')).toHaveLength(text.length);
    const result = await runCli(['audit', 'verify', '--bundle', file], { LOG_LEVEL: 'silent' });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe(`bundle BROKEN at case ${caseId} seq 1: hash does not match the event`);
  });
});

describe('casetrail personal-data erase', () => {
  it('redacts only the values named by --reference; 2 for a reference that is not one', async () => {
    const caseId = await trail.submit();
    const { rows } = await db.pool.query<{ payload: { claim: string } }>(
      'SELECT payload FROM events WHERE case_id = $1 AND seq = 1',
      [caseId],
    );
    const reference = rows[0]?.payload.claim as string;
    const bad = await runCli(['personal-data', 'erase', '--case', caseId, '--reason', 'x', '--reference', 'pd:1'], env);
    expect({ code: bad.code, stderr: bad.stderr }).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--reference'),
    });
    const result = await runCli(
      [
        'personal-data',
        'erase',
        '--case',
        caseId,
        '--reason',
        'claim written with a name',
        '--reference',
        reference,
        '--json',
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ caseId, erased: ['claim'], event: { seq: 2 } });
    const { rows: left } = await db.pool.query(
      'SELECT field FROM case_personal_values WHERE case_id = $1 ORDER BY field',
      [caseId],
    );
    expect(left).toEqual([{ field: 'reporterRef' }, { field: 'url' }]);
  });

  it("erases a case's personal data and records it as the system actor; 1 for no such case, 2 for bad usage", async () => {
    const caseId = await trail.submit();
    const result = await runCli(
      ['personal-data', 'erase', '--case', caseId, '--reason', 'retention period over', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      caseId,
      erased: ['accountHandle', 'accountName', 'content', 'url', 'claim', 'reporterRef'],
      event: { seq: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/u) },
      otherCases: 0,
      objectsDeleted: 0,
    });
    const { rows } = await db.pool.query('SELECT actor_id, payload FROM events WHERE case_id = $1 AND seq = 2', [
      caseId,
    ]);
    expect(rows).toEqual([
      {
        actor_id: 'system',
        payload: {
          fields: ['accountHandle', 'accountName', 'content', 'url', 'claim', 'reporterRef'],
          reason: 'retention period over',
        },
      },
    ]);
    const missing = await runCli(
      ['personal-data', 'erase', '--case', '00000000-0000-4000-8000-000000000000', '--reason', 'x'],
      env,
    );
    expect({ code: missing.code, stderr: missing.stderr.trim() }).toEqual({
      code: 1,
      stderr: 'casetrail: no case 00000000-0000-4000-8000-000000000000',
    });
    expect((await runCli(['personal-data', 'erase', '--case', caseId, '--reason', ' '], env)).code).toBe(2);
  });

  it('refuses a bundle with a duplicate member, naming it', async () => {
    const caseId = await trail.submit();
    const exported = await exportOf(caseId);
    const text = JSON.stringify(exported, null, 2).replace(
      '"exportedAt": ',
      '"exportedAt": "2000-01-01T00:00:00.000Z",\n  "exportedAt": ',
    );
    const file = path.join(dir, 'duplicate.json');
    await writeFile(file, text);
    const result = await runCli(['audit', 'verify', '--bundle', file, '--public-key', await pin(trail)], {
      LOG_LEVEL: 'silent',
    });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe('bundle BROKEN: duplicate member $.exportedAt');
  });
});

describe('pinned keys', () => {
  it('a rewritten history re-signed with another key exits 3 unpinned and 1 pinned', async () => {
    const caseId = await trail.enforcedPenalty();
    const genuine = await exportOf(caseId);
    const attacker = generateKeys();
    const forged = rewriteHistory(
      genuine,
      (events) => events.map((e) => (e.seq === 3 ? { ...e, payload: { ...e.payload, rationale: 'rewritten' } } : e)),
      attacker,
    );
    // The forgery is consistent in itself: only a pinned key tells it apart.
    expect(verifyBundle(forged)).toMatchObject({ ok: true, pinned: false });
    const file = path.join(dir, 'forged.json');
    await writeFile(file, JSON.stringify(forged, null, 2));
    const unpinned = await runCli(['audit', 'verify', '--bundle', file], { LOG_LEVEL: 'silent' });
    expect(unpinned.code).toBe(3);
    expect(unpinned.stdout).toMatch(/^key not pinned/u);
    const pinned = await runCli(['audit', 'verify', '--bundle', file, '--public-key', await pin(trail)], {
      LOG_LEVEL: 'silent',
    });
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(/^bundle BROKEN: signed with key [0-9a-f]{16}…, which is not pinned/u);
  });
});

async function exportOf(caseId: string): Promise<BundleV2> {
  const log = createLogger({ level: 'silent' });
  const exported = await exportCase({ pool: db.pool, log, ...trail.keys, sealPolicy: SEAL_NOW }, SUPERVISOR, caseId);
  if (!exported.ok) throw new Error(exported.detail);
  return exported.bundle;
}

async function pin(of: Trail): Promise<string> {
  const file = path.join(dir, `pinned-${publicKeyId(of.keys.publicKey).slice(0, 8)}.pem`);
  await writeFile(file, of.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return file;
}
