import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checksumOf, DEFAULT_MIGRATIONS_DIR, migrate, MigrationError } from '../../src/infra/db/migrator.ts';
import { createEmptyDatabase, type TestDatabase } from '../support/databases.ts';
import { readColumns } from '../support/pg-catalog.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function migrationsDir(migrations: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'casetrail-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

const onDisk = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort((a, b) => a.localeCompare(b));

describe('migrate', () => {
  it('applies every migration once; a second run applies nothing', async () => {
    const db = await emptyDatabase();
    expect(await migrate(db.pool)).toEqual({ applied: onDisk, skipped: [] });
    expect(await migrate(db.url)).toEqual({ applied: [], skipped: onDisk });
  });

  it('keeps its history in a _prisma_migrations table defined exactly as Prisma defines it', async () => {
    const db = await emptyDatabase();
    await migrate(db.pool);
    const columns = (await readColumns(db.pool)).filter((c) => c.table === '_prisma_migrations');
    expect(columns.map(({ column, type, notNull, hasDefault }) => [column, type, notNull, hasDefault])).toEqual([
      ['id', 'character varying(36)', true, false],
      ['checksum', 'character varying(64)', true, false],
      ['finished_at', 'timestamp with time zone', false, false],
      ['migration_name', 'character varying(255)', true, false],
      ['logs', 'text', false, false],
      ['rolled_back_at', 'timestamp with time zone', false, false],
      ['started_at', 'timestamp with time zone', true, true],
      ['applied_steps_count', 'integer', true, true],
    ]);
    const { rows: pk } = await db.pool.query(
      `SELECT a.attname FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)
        WHERE x.indrelid = '_prisma_migrations'::regclass AND x.indisprimary`,
    );
    expect(pk).toEqual([{ attname: 'id' }]);
  });

  it('records each migration as finished with one step and the sha256 of its migration.sql', async () => {
    const db = await emptyDatabase();
    await migrate(db.pool);
    const { rows } = await db.pool.query(
      `SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL AS finished,
              rolled_back_at IS NULL AS not_rolled_back, length(id) = 36 AS uuid_id
         FROM _prisma_migrations ORDER BY started_at`,
    );
    const expected = await Promise.all(
      onDisk.map(async (name) => ({
        migration_name: name,
        checksum: checksumOf(await readFile(join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql'))),
        applied_steps_count: 1,
        finished: true,
        not_rolled_back: true,
        uuid_id: true,
      })),
    );
    expect(rows).toEqual(expected);
  });

  it('applies each migration once when two processes start at the same time', async () => {
    const db = await emptyDatabase();
    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.pool)]);
    expect(results.flatMap((r) => r.applied).toSorted()).toEqual(onDisk);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM _prisma_migrations');
    expect(rows[0]).toEqual({ n: onDisk.length });
  });

  it('refuses to run when an applied migration no longer matches its file', async () => {
    const db = await emptyDatabase();
    await migrate(db.pool);
    await db.pool.query(`UPDATE _prisma_migrations SET checksum = repeat('0', 64)`);
    await expect(migrate(db.pool)).rejects.toMatchObject({ name: 'MigrationError', code: 'checksum_mismatch' });
  });

  it('refuses to run while a migration is recorded as failed', async () => {
    const db = await emptyDatabase();
    await migrate(db.pool);
    await db.pool.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs)
       VALUES (gen_random_uuid(), repeat('0', 64), '20991231000000_broken', 'syntax error')`,
    );
    await expect(migrate(db.pool)).rejects.toMatchObject({ code: 'failed_migration' });
  });

  it('rolls a failing migration back completely, records it as rolled back, and applies it once fixed', async () => {
    const db = await emptyDatabase();
    const failing = await migrationsDir({
      '1_ok': 'CREATE TABLE a (id int);',
      '2_bad': 'CREATE TABLE b (id int);\nSELECT 1/0;',
    });
    const error: unknown = await migrate(db.pool, { migrationsDir: failing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({
      code: 'migration_failed',
      message: expect.stringMatching(/2_bad.*division by zero/),
    });
    const { rows: b } = await db.pool.query(`SELECT to_regclass('b') AS b`);
    expect(b).toEqual([{ b: null }]);
    const { rows } = await db.pool.query(
      `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
         FROM _prisma_migrations ORDER BY started_at`,
    );
    expect(rows).toEqual([
      { migration_name: '1_ok', finished: true, rolled_back: false },
      { migration_name: '2_bad', finished: false, rolled_back: true },
    ]);

    const fixed = await migrationsDir({ '1_ok': 'CREATE TABLE a (id int);', '2_bad': 'CREATE TABLE b (id int);' });
    expect(await migrate(db.pool, { migrationsDir: fixed })).toEqual({ applied: ['2_bad'], skipped: ['1_ok'] });
  });

  it('upgrades a database with per-year reference counters to references drawn at intake, above every number drawn before', async () => {
    const db = await emptyDatabase();
    const upgrade = '20261129000000_reference_at_intake';
    const before = Object.fromEntries(
      await Promise.all(
        onDisk
          .filter((name) => name < upgrade)
          .map(
            async (name) =>
              [name, await readFile(join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql'), 'utf8')] as const,
          ),
      ),
    );
    await migrate(db.pool, { migrationsDir: await migrationsDir(before) });
    await db.pool.query('INSERT INTO reference_counters (year, last) VALUES (2025, 7), (2026, 41)');

    expect((await migrate(db.pool)).applied).toContain(upgrade);
    const { rows } = await db.pool.query<{ first: string; second: string; year: number }>(
      `SELECT casetrail_next_reference() AS first, casetrail_next_reference() AS second,
              extract(year FROM statement_timestamp() AT TIME ZONE 'UTC')::int AS year`,
    );
    const [drawn] = rows;
    expect(drawn).toEqual({
      first: `CT-${drawn?.year}-000042`,
      second: `CT-${drawn?.year}-000043`,
      year: expect.any(Number),
    });
    expect((await db.pool.query(`SELECT to_regclass('reference_counters') AS t`)).rows).toEqual([{ t: null }]);
  });

  it('keeps every shipped migration as it shipped: a database that applied one refuses a changed file', async () => {
    // Add a line here for each new migration. A change to a shipped one must be a new migration.
    const shipped: Record<string, string> = {
      '20261128000000_init': '49629a8f1275fb1d8f9dcdf1c92d6fb12184bb5447bbc038ff4f7be60d8b0ce1',
      '20261128150000_sla_and_webhooks': '4811512cee59fc0c6e5f1bf1aafcbd9a78b8f10c3a6e9296cba93ba7ce151e38',
      '20261128160000_audit_checkpoints': '0328a9feeda51049086eda599afddd250e24dad5524b61828c8fd6eaa0880cf9',
      '20261128170000_outbox_handoff': '3b4d35cd5312a7cf1278052b6cad56025b9962523787c6f7fa4690e0b45c966a',
      '20261128200000_optimistic_apply': '9e8c0a2a668d3a3d7304f7936e3cb49748bf3a5949fced4cfa82384b64616b66',
      '20261129000000_reference_at_intake': '979917ddf20b43aedd3dfcf822656360d8886af0ed6ed9ac39e63e6d7007d54c',
      '20261129100000_reference_format': '289deabdbcf0211d08e2cc396917e5aee06982f8c4f9c27d891d2a7969ea19ff',
      '20261206100000_webhook_delivery_blocked': '9fad343c6d52f3e798b0903136351ae41435feb3ddb10fb54c11023211fae3cd',
      '20261206200000_webhook_secret_sealed': '7df59d72898a81649cadd52de933bf81c189e8e8b8945aea81b52c1df380f16a',
      '20261206300000_decision_key': '775c0c370ece5be33183ac89aad31ac6826c85c95e022f9145ade756cc41de04',
      '20261206310000_user_name_key': '831392ce829ef6851e0256a3e1c8146e9f2cb61b3ef575b531d19983625659d3',
      '20261206400000_evidence_files': 'f4eaff3e9d0b6d9fb35028ab7efff5bc951f48533d71b78840e0deb54d8f4c5c',
      '20261207200000_merkle_log': 'f5f22af454ef8d311b966ec23d971c2d37a659198b271f8f638a6b0a7cdc9357',
      '20261207210000_signing_keys': 'ac0f0df70f9c07bf611489f852773e3ee0a10f6099c01a024f5db9ba92714cd9',
      '20261207220000_tree_head_anchors': '202a5a0d88c464e59752b2378ec54e9f7b87085776d322089091b83e0cd63124',
      '20261207250000_personal_values': '632e7053955b9d01a4a3ecb943f3ec35890dafeb4c6a843e20493a4a4bb22e69',
      '20261207400000_user_administration': '0942ae2415e246730ef71b5dc67f77823a251b5a08c39eaf98c4d97568baa873',
      '20261207600000_outbox_trace_context': '5dee1bf43ad64870d8243c03753c5b08baf609c992ff42dbd0c1bdbd1fa52122',
      '20261207800000_app_role_append_only': '2abada81ecd4c2976d3f340909be5425e0691462dc6789dbb0483eff416b880b',
      '20261207810000_search_personal_values': 'e5bc52e7d010c21f26e397816e18341855e806aedebfd274ecfb139394fa93db',
      '20261207820000_app_role_from_triggers': '0f51f2a0103984b0f8b21c600b590241a9ffa5aed30eb478b81db87406c747d2',
      '20261207900000_stage_visits_insert_only': '83aa69d0481d654b0c63e2e7482a5f5cff39d770a92da24928bd0072a86401ed',
      '20261207910000_partial_milestone_indexes': 'b44a0f4bd674b833621b4752734687e6e5a300649e3f92c5d00a00b957eb2752',
      '20261207920000_search_unchanged_row': '3ce2ff3b01310967d15330bd315607f997bffdf13f505b4cbd97edb4288ffd07',
      '20261207950000_search_keys_case_topics': 'bcd7f397ffef3cad3e51d8b4765e8be64a7a6f8cab24ffd07cdb5d3fb064b588',
      '20261207960000_search_word_pairs': '5e1c916207304da3ea26eea33b037d6e3c62ac3710a833bab60520653fb63b68',
      '20261207970000_report_reads': '76687de916374bfac859287374070c2f40cda8845331f084fc9a5de8c5e7bda1',
      '20261207300000_search': '9ac4a3f8fb780ab78564d4d23003d21fc7619ea6eae1ea83c085a7e68b07d963',
      '20261207310000_topics': 'd4bac1593f372057fdb006ff946d25d3cc79179d27d4202d41c2830d301e6450',
      '20261207320000_reports': 'b6bc0f1c7c543a0f1547ef4465e046adda26ff74f9014ee6c2a35d225a12e5d8',
      '20261207330000_read_indexes': '8a3ca6fc9a8f5ebf10c43a250649f0e42dd90bf374640a328c81b27c1f0511e6',
      '20261207340000_stage_visits': '27d76d63f5b366407253595e72df0ab113da90c77ab0137be1cbdfb724440cb9',
      '20261207350000_report_indexes': '7607faf486462c61c06524076be778c67a72c81145a68d4b0e51e40e2c552f6a',
      '20261207360000_write_path': 'cdfc84cb9183d3cfd9171f7f8075a682f20c737bee4a04ac1183e21201231f61',
    };
    const onDiskNow = Object.fromEntries(
      await Promise.all(
        onDisk.map(
          async (name) =>
            [name, checksumOf(await readFile(join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql')))] as const,
        ),
      ),
    );
    expect(onDiskNow).toEqual(shipped);
  });

  it('accepts an applied migration whose file only changed line endings, as Prisma does', async () => {
    const db = await emptyDatabase();
    const dir = await migrationsDir({ '1_init': 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n' });
    await migrate(db.pool, { migrationsDir: dir });
    await writeFile(join(dir, '1_init', 'migration.sql'), 'CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n');
    expect(await migrate(db.pool, { migrationsDir: dir })).toEqual({ applied: [], skipped: ['1_init'] });
  });

  it('refuses a non-empty database that has no migration history', async () => {
    const db = await emptyDatabase();
    await db.pool.query('CREATE TABLE stray (id int)');
    await expect(migrate(db.pool)).rejects.toMatchObject({ code: 'schema_not_empty' });
  });

  it('refuses migrations written for another provider', async () => {
    const db = await emptyDatabase();
    const dir = await migrationsDir({ '1_init': 'SELECT 1;' });
    await writeFile(join(dir, 'migration_lock.toml'), 'provider = "mysql"\n');
    await expect(migrate(db.pool, { migrationsDir: dir })).rejects.toMatchObject({ code: 'provider_mismatch' });
  });
});
