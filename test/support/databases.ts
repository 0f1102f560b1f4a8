// A fresh database per test file: a clone of the run's migrated template, or an empty one.
// `drop()` removes it; the global teardown drops whatever a crashed file left behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { databaseUrl, dropDatabase, quoteIdent, withAdmin } from './postgres-admin.ts';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A database with every migration applied (a copy of the run's template). */
export function createTestDatabase(): Promise<TestDatabase> {
  return createDatabase(inject('templateDatabase'));
}

/** A database with nothing in it, not even the migration history. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return createDatabase('template0');
}

async function createDatabase(template: string): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `${inject('databasePrefix')}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (admin) =>
    admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`),
  );
  const url = databaseUrl(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 10_000 });
  // Idle clients die with the database when it is force-dropped; that is not an error.
  pool.on('error', () => undefined);
  let dropped: Promise<void> | undefined;
  const drop = async (): Promise<void> => {
    // A client a test never released would make pool.end() wait forever; FORCE ends it.
    const ended = pool.end();
    const bound = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
    await Promise.race([ended, bound]);
    await withAdmin(adminUrl, (admin) => dropDatabase(admin, name));
  };
  return { url, pool, drop: () => (dropped ??= drop()) };
}
