// Vitest global setup: one migrated template database per run, which test files clone
// (test/support/databases.ts), plus the Redis URL and BullMQ prefix for queue tests.
// Everything this run creates is named with its random prefix and removed at teardown,
// whether tests passed or not.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/infra/db/migrator.ts';
import { databaseUrl, dropDatabase, quoteIdent, withAdmin } from './postgres-admin.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection used to create and drop databases. */
    adminDatabaseUrl: string;
    /** Name of the migrated template. It refuses connections, so cloning it never fails. */
    templateDatabase: string;
    /** Every database (and role) of this run starts with this. */
    databasePrefix: string;
    redisUrl: string;
    /** BullMQ `prefix` for this run; tests add their own queue names under it. */
    bullmqPrefix: string;
  }
}

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

type Cleanup = () => Promise<void>;

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = randomBytes(5).toString('hex');
  const prefix = `casetrail_t_${runId}`;
  const cleanups: Cleanup[] = [];
  const teardown = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('test teardown step failed', error));
    }
  };

  try {
    const adminUrl = await resolveService(
      'PostgreSQL',
      'DATABASE_URL',
      DEFAULT_DATABASE_URL,
      5432,
      cleanups,
      startPostgres,
    );
    const redisUrl = await resolveService('Redis', 'REDIS_URL', DEFAULT_REDIS_URL, 6379, cleanups, startRedis);

    const template = await createTemplate(adminUrl, prefix);
    cleanups.push(() => dropRunObjects(adminUrl, prefix));

    project.provide('adminDatabaseUrl', adminUrl);
    project.provide('templateDatabase', template);
    project.provide('databasePrefix', prefix);
    project.provide('redisUrl', redisUrl);
    project.provide('bullmqPrefix', `ct-test-${runId}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function createTemplate(adminUrl: string, name: string): Promise<string> {
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`)).catch(
    (error: unknown) => {
      const hint = 'set DATABASE_URL to a superuser URL';
      throw new Error(`cannot create a database through ${redact(adminUrl)} (${hint})`, { cause: error });
    },
  );
  try {
    await migrate(databaseUrl(adminUrl, name));
    await withAdmin(adminUrl, (admin) =>
      admin.query(`ALTER DATABASE ${quoteIdent(name)} WITH ALLOW_CONNECTIONS false`),
    );
  } catch (error) {
    await withAdmin(adminUrl, (admin) => dropDatabase(admin, name));
    throw error;
  }
  return name;
}

// Drops the template and every clone made by test workers, and any role a test left behind.
async function dropRunObjects(adminUrl: string, prefix: string): Promise<void> {
  await withAdmin(adminUrl, async (admin) => {
    const databases = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of databases.rows) await dropDatabase(admin, datname);
    const roles = await admin.query<{ rolname: string }>(
      'SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)',
      [prefix],
    );
    for (const { rolname } of roles.rows) await admin.query(`DROP ROLE IF EXISTS ${quoteIdent(rolname)}`);
  });
}

async function resolveService(
  label: string,
  envName: string,
  defaultUrl: string,
  port: number,
  cleanups: Cleanup[],
  start: (cleanups: Cleanup[]) => Promise<string>,
): Promise<string> {
  const configured = process.env[envName];
  if (configured) return configured;
  if (await isListening(port)) return defaultUrl;
  if (await hasContainerEngine()) {
    console.info(`${envName} unset and nothing on 127.0.0.1:${port}: starting a ${label} container`);
    return start(cleanups);
  }
  console.warn(`${envName} unset, nothing on 127.0.0.1:${port} and no container engine: using ${defaultUrl}`);
  return defaultUrl;
}

async function startPostgres(cleanups: Cleanup[]): Promise<string> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:15-alpine').start();
  cleanups.push(async () => void (await container.stop()));
  return container.getConnectionUri();
}

async function startRedis(cleanups: Cleanup[]): Promise<string> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer('redis:7-alpine')
    .withCommand(['redis-server', '--maxmemory-policy', 'noeviction'])
    .start();
  cleanups.push(async () => void (await container.stop()));
  return container.getConnectionUrl();
}

async function hasContainerEngine(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
