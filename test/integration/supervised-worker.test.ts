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
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT, isAlive } from '../support/child-process.ts';
import { TEST_HMAC_KEY } from '../support/child-system.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

const SUPERVISOR = `
const { spawn } = require('node:child_process');
const worker = spawn(process.execPath, [process.argv[1], 'worker', '--queues', 'all'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
process.stdout.write(JSON.stringify({ msg: 'worker pid', pid: worker.pid }) + '\\n');
`;

type Line = { msg?: string; pid?: number; [key: string]: unknown };

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

  it('shuts down gracefully when the supervisor is killed with SIGKILL', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      CASETRAIL_QUEUE_BACKEND: 'postgres',
      CASETRAIL_REDIS_PREFIX: `${inject('bullmqPrefix')}-supervised-${randomBytes(3).toString('hex')}`,
      CASETRAIL_DATA_DIR: dataDir,
      CASETRAIL_HMAC_KEY: TEST_HMAC_KEY,
      LOG_LEVEL: 'info',
    };
    const supervisor = spawn(process.execPath, ['-e', SUPERVISOR, path.join(REPO_ROOT, 'bin/casetrail.mjs')], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Line[] = [];
    const waiters: { match: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
    createInterface({ input: supervisor.stdout }).on('line', (text) => {
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        return;
      }
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match(line))) waiter.resolve(line);
    });
    // The stream outlives the supervisor: the worker holds its write end until it exits.
    const streamEnded = new Promise<void>((resolve) => supervisor.stdout.once('end', resolve));
    const waitFor = (msg: string, timeoutMs: number) =>
      new Promise<Line>((resolve, reject) => {
        const found = lines.find((line) => line.msg === msg);
        if (found !== undefined) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`no "${msg}" line within ${timeoutMs} ms; seen: ${lines.map((l) => l.msg).join(' | ')}`)), timeoutMs);
        waiters.push({ match: (line) => line.msg === msg, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });

    const { pid } = await waitFor('worker pid', 10_000);
    expect(pid).toBeTypeOf('number');
    const workerPid = pid as number;
    try {
      await waitFor('casetrail workers started', 60_000);
      expect(isAlive(workerPid)).toBe(true);

      supervisor.kill('SIGKILL');
      await waitFor('the parent process closed its channel, shutting down', 10_000);
      await waitFor('stopped', 20_000);
      await streamEnded;
      expect(lines.map((line) => line.msg)).not.toContain('shutdown failed');
      // Exited: a bounded wait, since the stream can end a moment before the process is reaped.
      const deadline = Date.now() + 10_000;
      while (isAlive(workerPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isAlive(workerPid)).toBe(false);
    } finally {
      if (isAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    }
  });
});
