import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCase } from '../../src/app/export-case.ts';
import { publicKeyId, resolveKeys, verifyBundle, type PublishedKey } from '../../src/domain/index.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { json, startApi, type ApiHarness } from '../support/api-harness.ts';
import { createTrail, generateKeys, SEAL_NOW } from '../support/audit-trail.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { SUPERVISOR } from '../support/fixtures.ts';

let dir: string;
let db: TestDatabase;
let api: ApiHarness | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-keys-'));
  db = await createTestDatabase();
  env = {
    DATABASE_URL: db.url,
    CASETRAIL_HMAC_KEY: 'audit-keys-test-hmac-key-0123456789abcdef',
    CASETRAIL_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'silent',
  };
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('signing keys and their rotation', () => {
  it('rotates: the old key introduces the new, old heads stay verifiable, and the keys are public', async () => {
    const first = generateKeyPairSync('ed25519');
    await mkdir(env.CASETRAIL_DATA_DIR as string, { recursive: true });
    await writeFile(
      path.join(env.CASETRAIL_DATA_DIR as string, 'signing-key.pem'),
      first.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    const before = createTrail(db, { signingKey: first.privateKey, publicKey: first.publicKey });
    const caseId = await before.enforcedPenalty();
    expect((await before.seal()).treeHeads.map((h) => h.keyId)).toEqual([publicKeyId(first.publicKey)]);

    const rotated = await runCli(['keys', 'rotate', '--json'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const output = JSON.parse(rotated.stdout) as { keyId: string; previousKeyId: string; file: string };
    expect(output.previousKeyId).toBe(publicKeyId(first.publicKey));
    const signingKey = createPrivateKey(await readFile(output.file, 'utf8'));
    const second = { signingKey, publicKey: createPublicKey(signingKey) };
    expect(publicKeyId(second.publicKey)).toBe(output.keyId);
    expect(await readdir(env.CASETRAIL_DATA_DIR as string)).toContain(
      `signing-key.${publicKeyId(first.publicKey)}.retired.pem`,
    );

    const after = createTrail(db, second);
    await after.submit();
    expect((await after.seal()).treeHeads.map((h) => h.keyId)).toEqual([output.keyId]);

    // Published without a token: both keys, the second introduced by the first.
    api = await startApi(db, { audit: second });
    const response = await api.app.inject({ method: 'GET', url: '/.well-known/casetrail-keys.json' });
    expect(response.statusCode, response.body).toBe(200);
    const { keys } = json<{ keys: PublishedKey[] }>(response);
    expect(keys.map((k) => [k.keyId, k.introducedBy])).toEqual([
      [publicKeyId(first.publicKey), null],
      [output.keyId, publicKeyId(first.publicKey)],
    ]);
    expect(keys[0]?.validUntil).toBe(keys[1]?.validFrom);
    const resolved = resolveKeys(keys, new Set([publicKeyId(first.publicKey)]));
    expect(typeof resolved === 'string' ? resolved : [...(resolved.trusted ?? [])]).toEqual([
      publicKeyId(first.publicKey),
      output.keyId,
    ]);

    // The database verifies under the new key, the old checkpoints under the key they name.
    const verified = await runCli(['audit', 'verify', '--json'], env);
    expect(verified.code, verified.stdout).toBe(0);

    // A bundle signed with the new key verifies for whoever pinned the first key.
    const log = createLogger({ level: 'silent' });
    const exported = await exportCase({ pool: db.pool, log, ...second, sealPolicy: SEAL_NOW }, SUPERVISOR, caseId);
    if (!exported.ok) throw new Error(exported.detail);
    expect(exported.bundle.keys.map((k) => k.keyId)).toEqual([publicKeyId(first.publicKey), output.keyId]);
    const pinnedFirst = verifyBundle(JSON.parse(JSON.stringify(exported.bundle)), {
      trustedKeyId: publicKeyId(first.publicKey),
    });
    expect(pinnedFirst).toMatchObject({ ok: true, pinned: true, keyId: output.keyId });
    const stranger = verifyBundle(exported.bundle, { trustedKeyId: publicKeyId(generateKeys().publicKey) });
    expect(stranger.ok).toBe(false);
  });

  it('refuses to rotate a key set by CASETRAIL_SIGNING_KEY without the new key', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const result = await runCli(['keys', 'rotate'], { ...env, CASETRAIL_SIGNING_KEY: pem });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--new-key');
  });
});
