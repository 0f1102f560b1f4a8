// Identifier keys on a database migrated before they existed: casetrail fills them when it
// migrates, the first of two colliding identifiers keeps the key, and the key's unique
// index refuses a new identifier that differs from an old one only in spelling.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillIdentifierKeys } from '../../src/infra/db/identifier-keys.ts';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/infra/db/migrator.ts';
import { createEmptyDatabase, type TestDatabase } from '../support/databases.ts';

const FIRST_KEYED = '20261206300000_decision_key';

let db: TestDatabase;
let before: string;
const warnings: object[] = [];
const log = { warn: (obj: object) => warnings.push(obj), info: () => undefined };

async function migrationsBefore(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'casetrail-keys-'));
  const names = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && entry.name < name)
    .map((entry) => entry.name);
  for (const migration of names) {
    await mkdir(join(dir, migration));
    await writeFile(
      join(dir, migration, 'migration.sql'),
      await readFile(join(DEFAULT_MIGRATIONS_DIR, migration, 'migration.sql')),
    );
  }
  return dir;
}

const sha256Hex = () => randomBytes(32).toString('hex');

async function insertPenalised(decisionNo: string, createdAt: string): Promise<string> {
  const id = randomUUID();
  await db.pool.query(
    `INSERT INTO cases (id, reference, stage, version, priority, category, platform, claim, url, fingerprint, content_hash,
                        item, report, submitted_by, decision_no, stage_entered_at, head_hash, created_at, updated_at)
     VALUES ($1, $2, 'penalty_issued', 5, 'normal', 'health', 'facebook', 'c', 'https://example.vn/a', $3, $3,
             '{}', '{}', $4, $5, $6, $3, $6, $6)`,
    [id, `CT-2026-${randomBytes(4).toString('hex')}`, sha256Hex(), randomUUID(), decisionNo, createdAt],
  );
  return id;
}

beforeAll(async () => {
  db = await createEmptyDatabase();
  before = await migrationsBefore(FIRST_KEYED);
  await migrate(db.pool, { migrationsDir: before });
});
afterAll(async () => {
  await db?.drop();
  if (before !== undefined) await rm(before, { recursive: true, force: true });
});

describe('identifier keys of rows written before the key columns', () => {
  it('fills decision keys, the earliest of two colliding numbers keeping it, and refuses a third spelling', async () => {
    const first = await insertPenalised('QD-X-1', '2026-11-01T00:00:00Z');
    const second = await insertPenalised('qd-x-1', '2026-11-02T00:00:00Z');
    const other = await insertPenalised('15/QĐ-XPHC', '2026-11-03T00:00:00Z');

    await migrate(db.pool);
    await fillIdentifierKeys(db.pool, log);

    const { rows } = await db.pool.query<{ id: string; decision_key: string | null }>(
      'SELECT id::text, decision_key FROM cases ORDER BY created_at',
    );
    expect(rows).toEqual([
      { id: first, decision_key: 'qd-x-1' },
      { id: second, decision_key: null },
      { id: other, decision_key: '15/qđ-xphc' },
    ]);
    expect(warnings).toEqual([{ id: second, what: 'decision number' }]);
    await expect(
      db.pool.query(`UPDATE cases SET decision_key = 'qd-x-1' WHERE id = $1`, [second]),
    ).rejects.toMatchObject({ code: '23505', constraint: 'cases_decision_key_key' });
  });

  it('fills user name keys, dropping hidden characters, the earliest of two colliding names keeping it', async () => {
    const insert = async (name: string, createdAt: string) => {
      const { rows } = await db.pool.query<{ id: string }>(
        'INSERT INTO users (id, name, roles, created_at) VALUES (gen_random_uuid(), $1, $2, $3) RETURNING id::text',
        [name, ['clerk'], createdAt],
      );
      return rows[0]?.id;
    };
    const first = await insert('sup1', '2026-11-01T00:00:00Z');
    const hidden = await insert('sup\u200b1', '2026-11-02T00:00:00Z');
    const capitals = await insert('CLERKA', '2026-11-03T00:00:00Z');
    const lower = await insert('clerkA', '2026-11-04T00:00:00Z');
    warnings.length = 0;

    await fillIdentifierKeys(db.pool, log);

    const { rows } = await db.pool.query('SELECT id::text, name_key FROM users ORDER BY created_at');
    expect(rows).toEqual([
      { id: first, name_key: 'supl' },
      { id: hidden, name_key: null },
      { id: capitals, name_key: 'clerka' },
      { id: lower, name_key: null },
    ]);
    expect(warnings.filter((w) => 'what' in w && w.what === 'user name')).toEqual([
      { id: hidden, what: 'user name' },
      { id: lower, what: 'user name' },
    ]);
  });
});
