// A worker started by a supervising process over an IPC channel (as the scaling bench starts
// its workers) stops when that process dies, even by kill -9: it neither runs on unwatched
// nor keeps its connections. The supervisor here is a bare Node process that spawns
// `casetrail worker` with an 'ipc' stdio and hands it its own stdout, so the worker's log
// lines still reach the test after the supervisor is gone.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT, collectLogLines, isAlive } from '../support/child-process.ts';
import { TEST_HMAC_KEY } from '../support/child-system.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { eventually } from '../support/queue-harness.ts';

// argv: the casetrail bin, then "stay" (keep the channel) or "let-go" (close it at once,
// while the worker is still starting, and stay alive).
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const worker = spawn(process.execPath, [process.argv[1], 'worker', '--queues', 'all'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
process.stdout.write(JSON.stringify({ msg: 'worker pid', pid: worker.pid }) + '\\n');
if (process.argv[2] === 'let-go') {
  worker.disconnect();
  setInterval(() => undefined, 60000);
}
`;

describe('a worker under a supervising process', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-supervised-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts the supervisor, which starts the worker; the worker's log lines come through its stdout. */
  function supervise(mode: 'stay' | 'let-go') {
    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      CASETRAIL_QUEUE_BACKEND: 'postgres',
      CASETRAIL_REDIS_PREFIX: `${inject('bullmqPrefix')}-supervised-${randomBytes(3).toString('hex')}`,
      CASETRAIL_DATA_DIR: dataDir,
      CASETRAIL_HMAC_KEY: TEST_HMAC_KEY,
      LOG_LEVEL: 'info',
    };
    const supervisor = spawn(process.execPath, ['-e', SUPERVISOR, path.join(REPO_ROOT, 'bin/casetrail.mjs'), mode], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Once the supervisor is gone the stream lasts as long as the worker, which holds its
    // write end: it ends when the worker has exited.
    const streamEnded = new Promise<void>((resolve) => supervisor.stdout.once('end', resolve));
    const { logs: lines, waitForLog } = collectLogLines(
      'worker',
      [supervisor.stdout],
      streamEnded.then(() => 'ended its output'),
    );
    const waitFor = (msg: string, timeoutMs: number) => waitForLog((line) => line.msg === msg, timeoutMs);
    return { supervisor, lines, waitFor, streamEnded };
  }

  /** The worker logged its shutdown, stopped, and its process is gone (a bounded wait: it is reaped a moment after its stream ends). */
  async function expectStopped(run: ReturnType<typeof supervise>, workerPid: number): Promise<void> {
    await run.waitFor('the parent process closed its channel, shutting down', 30_000);
    await run.waitFor('stopped', 20_000);
    expect(run.lines.map((line) => line.msg)).not.toContain('shutdown failed');
    await eventually(async () => !isAlive(workerPid), {
      timeoutMs: 10_000,
      what: `worker process ${workerPid} to be gone`,
    });
  }

  it('shuts down gracefully when the supervisor is killed with SIGKILL', async () => {
    const run = supervise('stay');
    const { pid } = await run.waitFor('worker pid', 10_000);
    expect(pid).toBeTypeOf('number');
    const workerPid = pid as number;
    try {
      await run.waitFor('casetrail workers started', 60_000);
      expect(isAlive(workerPid)).toBe(true);
      run.supervisor.kill('SIGKILL');
      await expectStopped(run, workerPid);
      await run.streamEnded;
    } finally {
      if (isAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    }
  });

  it('shuts down when the supervisor lets go of the channel while it is still starting', async () => {
    const run = supervise('let-go');
    const { pid } = await run.waitFor('worker pid', 10_000);
    const workerPid = pid as number;
    try {
      await expectStopped(run, workerPid);
      // It came up before it went down: the channel was gone before it could listen for it.
      const messages = run.lines.map((line) => line.msg);
      expect(messages.indexOf('casetrail workers started')).toBeLessThan(
        messages.indexOf('the parent process closed its channel, shutting down'),
      );
      expect(messages).toContain('casetrail workers started');
    } finally {
      run.supervisor.kill('SIGKILL');
      if (isAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    }
  });
});
