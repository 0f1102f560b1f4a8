// One-shot commands and `casetrail health` with no DATABASE_URL, next to a `casetrail start`
// on its embedded PostgreSQL: they use the running server's database when they share its
// data directory, and otherwise say on stderr which database they used (or refuse, when
// the data directory has none while a server runs elsewhere), instead of quietly starting
// another database and printing a token the running server refuses.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningEmbeddedDatabase } from '../../src/infra/db/embedded-postgres.ts';
import { runCasetrail, startCasetrail, type CasetrailProcess } from '../support/child-process.ts';
import { TEST_HMAC_KEY } from '../support/child-system.ts';

describe('one-shot commands and health without DATABASE_URL', () => {
  let dir: string;
  /** The running server's data directory. */
  let serverDir: string;
  /** A data directory with a database but no server. */
  let idleDir: string;
  /** A data directory with nothing in it. */
  let emptyDir: string;
  let env: Record<string, string>;
  let server: CasetrailProcess | undefined;
  let apiUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'casetrail-discovery-'));
    // As root, initdb runs as the `postgres` user, which must reach the data directories
    // and the password file embedded-postgres writes to TMPDIR.
    await chmod(dir, 0o755);
    serverDir = path.join(dir, 'server');
    idleDir = path.join(dir, 'idle');
    emptyDir = path.join(dir, 'empty');
    // A TMPDIR of its own: the servers that other test files run meanwhile stay out of sight.
    env = { TMPDIR: dir, CASETRAIL_HMAC_KEY: TEST_HMAC_KEY, LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    if (server !== undefined && server.exitStatus === null) await server.stop(60_000);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  const cli = (args: string[], dataDir: string) => runCasetrail(args, { ...env, CASETRAIL_DATA_DIR: dataDir }, 240_000);

  it('creates a database where there is none and no server runs, saying so on stderr', async () => {
    const result = await cli(['migrate'], idleDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`casetrail: no casetrail database in ${idleDir} (CASETRAIL_DATA_DIR)`);
    expect(result.stderr).toContain('creating a new embedded database there');
  }, 300_000);

  describe('with casetrail start running on another data directory', () => {
    beforeAll(async () => {
      server = startCasetrail('start', ['start'], {
        ...env,
        CASETRAIL_DATA_DIR: serverDir,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
      });
      const started = await server.waitForLog((line) => line.msg === 'casetrail started', 240_000);
      apiUrl = String(started.url);
    }, 300_000);

    const me = (token: string) =>
      fetch(`${apiUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

    it('casetrail health finds the running server and exits 0', async () => {
      const result = await cli(['health', '--json'], serverDir);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        status: 'ok',
        checks: { database: true, queues: true },
        queueBackend: 'postgres',
      });
    });

    it('runs the server as casetrail_app, a role that owns nothing and may not rewrite the trail or switch off its triggers', async () => {
      const running = await runningEmbeddedDatabase(serverDir);
      expect(running).not.toBeNull();
      const { url, ownerUrl } = running as NonNullable<typeof running>;
      const owner = new pg.Client({ connectionString: ownerUrl });
      const app = new pg.Client({ connectionString: url });
      await owner.connect();
      await app.connect();
      try {
        const { rows: sessions } = await owner.query<{ usename: string }>(
          "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'casetrail' AND application_name = 'casetrail-all'",
        );
        expect(sessions).toEqual([{ usename: 'casetrail_app' }]);
        const { rows: role } = await owner.query(
          `SELECT r.rolsuper, (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owned,
                  (SELECT count(*)::int FROM pg_class WHERE relname = 'events' AND relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)) AS migrated
             FROM pg_roles r WHERE r.rolname = 'casetrail_app'`,
        );
        expect(role).toEqual([{ rolsuper: false, owned: 0, migrated: 1 }]);
        for (const sql of [
          'TRUNCATE events',
          'DELETE FROM access_log',
          'ALTER TABLE checkpoints DISABLE TRIGGER ALL',
        ]) {
          await expect(app.query(sql), sql).rejects.toMatchObject({ code: '42501' });
        }
      } finally {
        await app.end();
        await owner.end();
      }
    });

    it('casetrail health exits 1 where no server runs, naming where one does', async () => {
      const result = await cli(['health', '--json'], emptyDir);
      expect(result.code, result.stderr).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'unavailable', checks: { database: false } });
      expect(result.stderr).toContain(`no casetrail server is running its embedded PostgreSQL on ${emptyDir}`);
      expect(result.stderr).toContain(`set CASETRAIL_DATA_DIR=${serverDir}`);
      expect(existsSync(emptyDir)).toBe(false);
    });

    it('users create on the server data directory writes to the running database', async () => {
      const result = await cli(['users', 'create', '--name', 'shared-admin', '--roles', 'admin', '--json'], serverDir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain('casetrail:');
      expect(await me((JSON.parse(result.stdout) as { token: string }).token)).toBe(200);
    });

    it('users create refuses a data directory with no database, naming the running server', async () => {
      const result = await cli(['users', 'create', '--name', 'lost-admin', '--roles', 'admin'], emptyDir);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`casetrail: no casetrail database in ${emptyDir} (CASETRAIL_DATA_DIR)`);
      expect(result.stderr).toContain(`is running on ${serverDir}: set CASETRAIL_DATA_DIR=${serverDir}`);
      expect(existsSync(path.join(emptyDir, 'pg'))).toBe(false);
    });

    it('users create on another data directory says loudly which database it wrote', async () => {
      const result = await cli(['users', 'create', '--name', 'idle-admin', '--roles', 'admin', '--json'], idleDir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`casetrail: no casetrail server is running on ${idleDir} (CASETRAIL_DATA_DIR)`);
      expect(result.stderr).toContain(`set CASETRAIL_DATA_DIR=${serverDir}`);
      // As said: the running server does not know this user.
      expect(await me((JSON.parse(result.stdout) as { token: string }).token)).toBe(401);
    }, 240_000);
  });
});
