import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../infra/logger.ts';
import { median, percentile, round } from './bench-services.ts';

// Start-up as a user meets it (docs/design.md §8): `casetrail --version` and `--help`, each
// against a bare `node -e 0` started the same way in the same run, and `npm start` on a data
// directory that already holds its embedded PostgreSQL, from spawn to the "casetrail started"
// log line.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'casetrail.mjs');
const TARGETS = { versionS: 0.2, helpS: 0.5, startReadyS: 5 };

export interface StartupBenchOptions {
  /** Runs of each short command (interleaved with the baseline). */
  runs: number;
  /** Timed starts of `npm start` (after one untimed start that creates the data directory). */
  starts: number;
  log: Logger;
}

type Timing = { medianS: number; p90S: number; maxS: number };

function summarize(seconds: number[]): Timing {
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    medianS: round(median(sorted), 3),
    p90S: round(percentile(sorted, 90), 3),
    maxS: round(sorted.at(-1) ?? 0, 3),
  };
}

/** Only what a user's shell would pass: no DATABASE_URL or REDIS_URL, so the embedded defaults run. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const base = Object.fromEntries(keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])));
  return { ...base, ...extra } as Record<string, string>;
}

function timeCommand(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: userEnv(), stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve(seconds);
      else reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
  });
}

/** Process groups of `npm start` runs under way: an interrupted bench stops them too. */
const running = new Set<number>();

export function stopStartupRuns(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
}

/** `npm start` until it logs that it started; then Ctrl-C to its process group, awaited. */
function timeNpmStart(dataDir: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: userEnv({ CASETRAIL_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child.pid as number);
    let ready: number | null = null;
    let buffered = '';
    const stop = () => {
      try {
        process.kill(-(child.pid as number), 'SIGINT');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`npm start was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (ready === null && buffered.includes('"msg":"casetrail started"')) {
        ready = Number(process.hrtime.bigint() - started) / 1e9;
        clearTimeout(timer);
        stop();
      }
    });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString('utf8')).slice(-2_000);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child.pid as number);
      clearTimeout(timer);
      if (ready !== null) resolve(ready);
      else reject(new Error(`npm start exited with ${code} before it was ready: ${errors.trim().split('\n').at(-1)}`));
    });
  });
}

export async function runStartupBench(options: StartupBenchOptions) {
  const baseline: number[] = [];
  const version: number[] = [];
  const help: number[] = [];
  // Interleaved, so a busy moment of the machine weighs on each alike; the first round warms
  // the file cache and is not counted.
  for (let i = 0; i <= options.runs; i++) {
    const bare = await timeCommand(['-e', '0']);
    const versionS = await timeCommand([BIN, '--version']);
    const helpS = await timeCommand([BIN, '--help']);
    if (i === 0) continue;
    baseline.push(bare);
    version.push(versionS);
    help.push(helpS);
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'casetrail-startup-'));
  // As a clone's own directory would be: the embedded PostgreSQL may run as another user.
  await chmod(dataDir, 0o755);
  const starts: number[] = [];
  try {
    // The first start creates the data directory (initdb, migrations): not what is measured.
    const first = await timeNpmStart(dataDir, 120_000);
    options.log.info({ firstStartS: round(first, 2) }, 'startup bench: data directory created');
    for (let i = 0; i < options.starts; i++) starts.push(await timeNpmStart(dataDir, 60_000));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const result = {
    scenario: 'startup',
    runs: options.runs,
    starts: options.starts,
    node: process.versions.node,
    baselineNode: summarize(baseline),
    version: summarize(version),
    help: summarize(help),
    npmStartReady: summarize(starts),
    target: TARGETS,
  };
  return {
    ...result,
    ok:
      result.version.medianS <= TARGETS.versionS &&
      result.help.medianS <= TARGETS.helpS &&
      result.npmStartReady.medianS <= TARGETS.startReadyS,
  };
}
