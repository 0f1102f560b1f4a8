// The application cannot switch off its own append-only rules. Migrations run as the
// schema's owner (CASETRAIL_MIGRATION_DATABASE_URL); casetrail creates and grants the role
// of DATABASE_URL, and the application connects as that role. Connected as it, every way of
// rewriting an append-only table (UPDATE, DELETE, TRUNCATE) or of switching its triggers
// off (ALTER TABLE ... DISABLE TRIGGER, DROP TRIGGER, replica mode) is refused with
// insufficient_privilege (42501), and nothing changed: rows and triggers as they were.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../src/infra/config/config.ts';
import { openRuntime, type Runtime } from '../../src/infra/runtime.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { quoteIdent } from '../support/postgres-admin.ts';

const APPEND_ONLY = [
  { table: 'events', triggers: ['events_append_only', 'events_no_truncate'], column: 'type' },
  { table: 'checkpoints', triggers: ['checkpoints_append_only', 'checkpoints_no_truncate'], column: 'signature' },
  { table: 'access_log', triggers: ['access_log_append_only', 'access_log_no_truncate'], column: 'action' },
] as const;

// Roles are cluster-wide: the run prefix lets the global teardown remove a leftover one.
const role = `${inject('databasePrefix')}_app_${randomUUID().slice(0, 8)}`;
let db: TestDatabase;
let dataDir: string;
let runtime: Runtime;
let app: pg.Client;

function withRole(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-roles-'));
  const appUrl = withRole(db.url, role, 'app-password');
  // The application as deployed: it migrates as the owner and connects as its own role.
  runtime = await openRuntime({
    migrate: true,
    role: 'test',
    oneShot: true,
    config: parseConfig({
      DATABASE_URL: appUrl,
      CASETRAIL_MIGRATION_DATABASE_URL: db.url,
      CASETRAIL_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    }),
  });
  // Something to rewrite in each table, appended as the application would.
  await runtime.db.pool.query(
    `INSERT INTO access_log (actor_id, action, case_id) VALUES (gen_random_uuid(), 'case.read', gen_random_uuid())`,
  );
  await runtime.db.pool.query(
    `INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, occurred_at, prev_hash, hash)
     VALUES (gen_random_uuid(), 1, 'case.received', '{}', gen_random_uuid(), '{clerk}', now(), $1, $2)`,
    ['0'.repeat(64), 'a'.repeat(64)],
  );
  app = new pg.Client({ connectionString: appUrl });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
  await runtime?.close();
  await db?.pool.query(`DROP OWNED BY ${quoteIdent(role)}`).catch(() => undefined);
  await db?.pool.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => undefined);
  await db?.drop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** What a refused statement must leave as it was: the table's rows and its triggers. */
async function stateOf(table: string) {
  const { rows } = await db.pool.query<{ rows: string; triggers: string }>(
    `SELECT (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM ${quoteIdent(table)} t) AS rows,
            (SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger
              WHERE tgrelid = $1::regclass AND NOT tgisinternal) AS triggers`,
    [table],
  );
  return rows[0];
}

describe('the application connects as a role of its own', () => {
  it('is that role: no superuser, owning no table, unable to create roles or databases', async () => {
    const { rows } = await runtime.db.pool.query(
      `SELECT current_user AS role, r.rolsuper, r.rolcreaterole, r.rolcreatedb,
              (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows).toEqual([{ role, rolsuper: false, rolcreaterole: false, rolcreatedb: false, owned: 0 }]);
  });
});

it('holds no UPDATE, DELETE or TRUNCATE on any table with append-only triggers', async () => {
  const { rows } = await db.pool.query<{ table: string }>(
    `SELECT DISTINCT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgname LIKE '%\\_append\\_only' AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`,
  );
  // The record, the Merkle log and its keys, the user trail: every one of them.
  expect(rows.map((r) => r.table)).toEqual(
    expect.arrayContaining(['access_log', 'checkpoints', 'events', 'log_entries', 'signing_keys', 'user_events']),
  );
  for (const { table } of rows) {
    const { rows: privileges } = await app.query<{ update: boolean; delete: boolean; truncate: boolean }>(
      `SELECT has_table_privilege(current_user, $1, 'UPDATE') AS update,
              has_table_privilege(current_user, $1, 'DELETE') AS delete,
              has_table_privilege(current_user, $1, 'TRUNCATE') AS truncate`,
      [table],
    );
    expect({ table, ...privileges[0] }).toEqual({ table, update: false, delete: false, truncate: false });
  }
});

describe.each(APPEND_ONLY)('the application role against $table', ({ table, triggers, column }) => {
  const attacks = [
    `UPDATE ${table} SET ${column} = ${column}`,
    `DELETE FROM ${table}`,
    `TRUNCATE ${table}`,
    `TRUNCATE ${table} CASCADE`,
    `ALTER TABLE ${table} DISABLE TRIGGER ALL`,
    `ALTER TABLE ${table} DISABLE TRIGGER USER`,
    ...triggers.flatMap((t) => [`ALTER TABLE ${table} DISABLE TRIGGER ${t}`, `DROP TRIGGER ${t} ON ${table}`]),
    `ALTER TABLE ${table} OWNER TO ${quoteIdent(role)}`,
    `DROP TABLE ${table}`,
    `CREATE RULE skip AS ON DELETE TO ${table} DO INSTEAD NOTHING`,
  ];

  it.each(attacks)('%s is refused with 42501 and changes nothing', async (sql) => {
    const before = await stateOf(table);
    await expect(app.query(sql)).rejects.toMatchObject({ code: '42501' });
    expect(await stateOf(table)).toEqual(before);
  });

  it('may still append to it', async () => {
    await app.query('BEGIN');
    try {
      if (table === 'access_log') {
        await app.query(
          `INSERT INTO access_log (actor_id, action, case_id) VALUES (gen_random_uuid(), 'case.read', NULL)`,
        );
      } else {
        // Appending is granted; a rolled-back insert shows it without leaving a row.
        const { rows } = await app.query<{ insert: boolean }>(
          `SELECT has_table_privilege(current_user, $1, 'INSERT') AS insert`,
          [table],
        );
        expect(rows).toEqual([{ insert: true }]);
      }
    } finally {
      await app.query('ROLLBACK');
    }
  });
});

it('cannot run in replica mode, where ordinary triggers are skipped', async () => {
  await expect(app.query('SET session_replication_role = replica')).rejects.toMatchObject({ code: '42501' });
});
