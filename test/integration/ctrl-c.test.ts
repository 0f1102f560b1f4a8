// Ctrl-C in the terminal where `casetrail start` runs on its embedded PostgreSQL: the
// terminal sends SIGINT to the whole foreground process group, and a parent in it (npm,
// tsx) relays it once more. casetrail stops gracefully all the same, and stops its
// PostgreSQL last: the server, in a process group of its own, does not get the Ctrl-C
// (SIGINT is its fast shutdown, which would cut casetrail's connections mid-stop).
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, startCasetrail, type CasetrailProcess } from '../support/child-process.ts';
import { TEST_HMAC_KEY } from '../support/child-system.ts';

describe('Ctrl-C on casetrail start with its embedded PostgreSQL', () => {
  let dataDir: string;
  let casetrail: CasetrailProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-ctrl-c-'));
    // As root, initdb runs as the `postgres` user, which must reach the directory.
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    if (casetrail !== undefined && casetrail.exitStatus === null) await casetrail.kill9();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stops gracefully with status 0, its PostgreSQL last, even when the signal comes twice', async () => {
    casetrail = startCasetrail(
      'start',
      ['start'],
      {
        CASETRAIL_DATA_DIR: dataDir,
        CASETRAIL_HMAC_KEY: TEST_HMAC_KEY,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      { processGroup: true },
    );
    // The first start runs initdb: slow on a busy machine.
    await casetrail.waitForLog((line) => line.msg === 'casetrail started', 240_000);
    const postmasterPid = path.join(dataDir, 'pg', 'postmaster.pid');
    expect(existsSync(postmasterPid)).toBe(true);

    process.kill(-casetrail.pid, 'SIGINT');
    // What a relaying parent adds, a moment later: the same Ctrl-C, not a second one.
    setTimeout(() => isAlive(casetrail?.pid ?? 0) && process.kill(casetrail?.pid ?? 0, 'SIGINT'), 50);
    expect(await casetrail.exited).toEqual({ code: 0, signal: null });

    const messages = casetrail.logs.map((line) => line.msg);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
    expect(messages).not.toContain('second signal, exiting now');
    // Nothing went wrong on the way: no connection cut under a worker, no error.
    const stopping = casetrail.logs.slice(messages.indexOf('shutting down'));
    expect(stopping.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
    expect(existsSync(postmasterPid)).toBe(false);
  }, 300_000);
});
