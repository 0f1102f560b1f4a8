// Applies prisma/migrations the way `prisma migrate deploy` does, without the schema engine
// (which cannot be downloaded everywhere casetrail runs). The history is kept in Prisma's own
// `_prisma_migrations` table, so the Prisma CLI can take over a database migrated here.
// Stricter than Prisma in two ways: an applied migration whose file changed stops the run,
// and each migration runs in one transaction with its history row, so a failure leaves no
// partial schema behind. Scripts therefore must not manage transactions themselves (no
// BEGIN/COMMIT, no CREATE INDEX CONCURRENTLY).
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { inTransactionOn } from './transaction.ts';

interface MigrationLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MigrateOptions {
  /** Defaults to prisma/migrations in the package root. */
  migrationsDir?: string;
  log?: MigrationLogger;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations found already applied. */
  skipped: string[];
}

export type MigrationErrorCode =
  | 'missing_migrations_dir'
  | 'missing_script'
  | 'provider_mismatch'
  | 'schema_not_empty'
  | 'failed_migration'
  | 'checksum_mismatch'
  | 'migration_failed';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  readonly code: MigrationErrorCode;

  constructor(code: MigrationErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

interface MigrationFile {
  name: string;
  script: string;
  checksum: string;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

// The key `prisma migrate` locks, so this migrator and the Prisma CLI exclude each other.
// Advisory locks are per database, so separate databases never wait on each other.
const PRISMA_MIGRATE_LOCK = 72707369;

// Prisma's own definition of its history table (schema engine, PostgreSQL flavour).
const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export function checksumOf(script: Buffer | string): string {
  return createHash('sha256').update(script).digest('hex');
}

// As Prisma does, a checkout that only changed line endings (git on Windows) still matches.
function matchesChecksum(file: MigrationFile, checksum: string): boolean {
  if (file.checksum === checksum) return true;
  const variants = [file.script.replaceAll('\r\n', '\n'), file.script.replaceAll('\n', '\r\n')];
  return variants.some((variant) => checksumOf(variant) === checksum);
}

export async function migrate(db: pg.Pool | string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = await readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const pool = typeof db === 'string' ? new pg.Pool({ connectionString: db, max: 1 }) : db;
  try {
    // Session-level advisory lock: every statement must run on this one connection.
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
      try {
        return await migrateLocked(client, migrations, options.log);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch((error: unknown) => {
          broken = error instanceof Error ? error : new Error(String(error));
        });
      }
    } finally {
      // A connection that could not unlock is discarded, which releases the lock with it.
      client.release(broken);
    }
  } finally {
    if (typeof db === 'string') await pool.end();
  }
}

async function migrateLocked(
  client: pg.PoolClient,
  migrations: MigrationFile[],
  log: MigrationLogger | undefined,
): Promise<MigrateResult> {
  await initializeHistory(client);
  const { rows } = await client.query<HistoryRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at',
  );

  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    const details = failed.map((row) => `${row.migration_name}${row.logs ? ` (${row.logs.trim()})` : ''}`);
    throw new MigrationError(
      'failed_migration',
      `migrations recorded as failed: ${details.join('; ')}. Repair the database, then mark each one with ` +
        '`prisma migrate resolve --rolled-back <name>` or `--applied <name>`',
    );
  }

  const onDisk = new Map(migrations.map((m) => [m.name, m]));
  const applied = rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null);
  for (const row of applied) {
    const file = onDisk.get(row.migration_name);
    if (!file) {
      log?.warn({ migration: row.migration_name }, 'applied migration missing from migrations directory');
    } else if (!matchesChecksum(file, row.checksum)) {
      throw new MigrationError(
        'checksum_mismatch',
        `migration ${row.migration_name} was modified after it was applied ` +
          `(database checksum ${row.checksum}, file checksum ${file.checksum}); add a new migration instead`,
      );
    }
  }

  const appliedNames = new Set(applied.map((row) => row.migration_name));
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    if (appliedNames.has(migration.name)) {
      result.skipped.push(migration.name);
      continue;
    }
    await applyOne(client, migration);
    log?.info({ migration: migration.name }, 'migration applied');
    result.applied.push(migration.name);
  }
  return result;
}

async function applyOne(client: pg.PoolClient, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  try {
    await inTransactionOn(
      client,
      async () => {
        await client.query(
          'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, clock_timestamp())',
          [id, migration.checksum, migration.name],
        );
        await client.query(migration.script);
        await client.query(
          `UPDATE _prisma_migrations
              SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
            WHERE id = $1`,
          [id],
        );
      },
      { retry: false },
    );
  } catch (error) {
    const logs = error instanceof Error ? error.message : String(error);
    // Recorded as rolled back (which it was): Prisma and this migrator both retry it next run.
    await client
      .query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, rolled_back_at, started_at)
         VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp())`,
        [randomUUID(), migration.checksum, migration.name, logs],
      )
      .catch(() => undefined);
    throw new MigrationError('migration_failed', `migration ${migration.name} failed and was rolled back: ${logs}`, {
      cause: error,
    });
  }
}

// Like Prisma, a database without history must be empty: anything else needs baselining.
async function initializeHistory(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ exists: boolean; relations: string[] }>(
    `SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists,
            array(SELECT c.relname::text FROM pg_class c
                   WHERE c.relnamespace = current_schema()::regnamespace
                     AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                   ORDER BY 1) AS relations`,
  );
  const state = rows[0];
  if (state?.exists) return;
  if (state && state.relations.length > 0) {
    throw new MigrationError(
      'schema_not_empty',
      `the database schema is not empty (${state.relations.slice(0, 5).join(', ')}...) and has no migration ` +
        'history; baseline it with `prisma migrate resolve --applied <name>` first',
    );
  }
  await client.query(CREATE_HISTORY_TABLE);
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new MigrationError('missing_migrations_dir', `cannot read migrations directory ${dir}`, { cause: error });
  });
  await checkLockfile(dir);
  // Prisma's order: every subdirectory, by name (localeCompare), each holding migration.sql.
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  return Promise.all(
    names.map(async (name) => {
      const path = join(dir, name, 'migration.sql');
      const bytes = await readFile(path).catch((error: unknown) => {
        throw new MigrationError('missing_script', `migration ${name} has no readable ${path}`, { cause: error });
      });
      return { name, script: bytes.toString('utf8'), checksum: checksumOf(bytes) };
    }),
  );
}

async function checkLockfile(dir: string): Promise<void> {
  const lockfile = await readFile(join(dir, 'migration_lock.toml'), 'utf8').catch(() => undefined);
  const provider = lockfile?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new MigrationError(
      'provider_mismatch',
      `migrations in ${dir} were written for ${provider}, not postgresql (see migration_lock.toml)`,
    );
  }
}
