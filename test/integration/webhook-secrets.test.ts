// Webhook secrets are stored sealed (AES-256-GCM) with the process's secrets key: from
// CASETRAIL_SECRETS_KEY, or generated into the data directory as the other keys are. Rows
// stored in plaintext before are sealed when a process starts and migrates.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/app/users.ts';
import { parseConfig } from '../../src/infra/config/config.ts';
import { openDatabase, type Database } from '../../src/infra/db/database.ts';
import { openRuntime } from '../../src/infra/runtime.ts';
import { openSecret, secretsKeyFrom } from '../../src/infra/secret-box.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { pino } from 'pino';

const KEY = 'the secrets key of this test, 32+ characters';

let db: TestDatabase;
let database: Database;
let dataDir: string;
let adminId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  database = openDatabase(db.url, { poolSize: 2, log: pino({ level: 'silent' }) });
  dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-secrets-'));
  const admin = await createUser(database, { name: `admin-${randomUUID()}`, roles: ['admin'] });
  if (!admin.ok) throw new Error(admin.detail);
  adminId = admin.user.id;
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

async function storedInPlaintext(secret: string): Promise<string> {
  const { rows } = await database.pool.query<{ id: string }>(
    `INSERT INTO webhook_endpoints (id, url, event_types, secret, created_by)
     VALUES (gen_random_uuid(), 'https://hooks.example.org/in', ARRAY['case.closed'], $1, $2) RETURNING id`,
    [secret, adminId],
  );
  return rows[0]?.id ?? '';
}

async function storedSecret(id: string) {
  const { rows } = await database.pool.query<{ secret: string | null; secret_sealed: string | null }>(
    'SELECT secret, secret_sealed FROM webhook_endpoints WHERE id = $1',
    [id],
  );
  return rows[0];
}

describe('webhook secrets at rest', () => {
  it('seals secrets stored in plaintext when a process starts, with CASETRAIL_SECRETS_KEY', async () => {
    const secrets = ['whsec_stored-before-sealing-0001', 'an-admin-chosen-secret-of-24+chars'];
    const ids = await Promise.all(secrets.map(storedInPlaintext));
    const runtime = await openRuntime({
      migrate: true,
      role: 'test',
      oneShot: true,
      config: parseConfig({
        DATABASE_URL: db.url,
        CASETRAIL_DATA_DIR: dataDir,
        CASETRAIL_SECRETS_KEY: KEY,
        LOG_LEVEL: 'silent',
      }),
    });
    await runtime.close();
    const key = secretsKeyFrom(Buffer.from(KEY, 'utf8'));
    for (const [i, id] of ids.entries()) {
      const row = await storedSecret(id);
      expect(row?.secret).toBeNull();
      expect(row?.secret_sealed).not.toContain(secrets[i]);
      expect(openSecret(key, row?.secret_sealed ?? '', id)).toBe(secrets[i]);
    }
  });

  it('generates a secrets key into the data directory when none is configured, and keeps it', async () => {
    const config = parseConfig({ DATABASE_URL: db.url, CASETRAIL_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const first = await openRuntime({ migrate: false, role: 'test', oneShot: true, config });
    await first.close();
    const second = await openRuntime({ migrate: false, role: 'test', oneShot: true, config });
    await second.close();
    expect(((await stat(path.join(dataDir, 'secrets.key'))).mode & 0o777).toString(8)).toBe('600');
    expect(second.secrets.secretsKey).toEqual(first.secrets.secretsKey);
    expect(first.secrets.secretsKey.length).toBe(32);
  });
});
