// The benchmark scenarios, run tiny so they can't rot. No timing is asserted: only that
// each scenario runs end to end and reports its figures against its baseline.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAuditBench } from '../../src/bench/audit.bench.ts';
import { Redis } from 'ioredis';
import pg from 'pg';
import { runFilesBench } from '../../src/bench/files.bench.ts';
import { runImportBench } from '../../src/bench/import.bench.ts';
import { runIntakeBench } from '../../src/bench/intake.bench.ts';
import { HOST, sweepLeftovers } from '../../src/bench/leftovers.ts';
import { runPipelineBench } from '../../src/bench/pipeline.bench.ts';
import { runReadsBench } from '../../src/bench/reads.bench.ts';
import { runScalingBench } from '../../src/bench/scaling.bench.ts';
import { runSoakBench } from '../../src/bench/soak.bench.ts';
import { runStartupBench } from '../../src/bench/startup.bench.ts';
import { parseConfig } from '../../src/infra/config/config.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT, isAlive, runCasetrail } from '../support/child-process.ts';
import { eventually } from '../support/queue-harness.ts';

const log = createLogger({ level: 'silent' });
const adminUrl = inject('adminDatabaseUrl');
const config = parseConfig({ CASETRAIL_DB_POOL_SIZE: '8' });

describe('benchmark smoke run', () => {
  it.each(['redis', 'postgres'] as const)(
    'drives a few cases through the pipeline scenario on %s with its baseline',
    async (backend) => {
      const result = await runPipelineBench({
        backend,
        adminUrl,
        ...(backend === 'redis' ? { redisUrl: inject('redisUrl') } : {}),
        cases: 4,
        inflight: 2,
        config,
        log,
        tty: false,
      });
      expect(result).toMatchObject({ scenario: 'pipeline', backend, cases: 4, commands: 24, rejected: 0 });
      expect(result.commandsPerSec).toBeGreaterThan(0);
      expect(result.baselineHopsPerSec).toBeGreaterThan(0);
      expect(result.ratio).toBeCloseTo(result.commandsPerSec / result.baselineHopsPerSec, 1);
      expect(result.cpuMsPerCommand.totalMs).toBeGreaterThan(0);
      expect(result.baselineCpuMsPerHop.totalMs).toBeGreaterThan(0);
      // Measured on a database with history: the 4 warm-up cases and 10 copies of each.
      expect(result.historyCases).toBe(44);
    },
  );

  it('runs the intake scenario against its bare route', async () => {
    const result = await runIntakeBench({
      adminUrl,
      redisUrl: inject('redisUrl'),
      connections: 2,
      seconds: 1,
      rounds: 1,
      log,
      poolSize: 4,
    });
    expect(result).toMatchObject({ scenario: 'intake', connections: 2, errors: 0, queueBackend: 'redis' });
    expect(result.rounds.casetrail).toHaveLength(1);
    expect(result.requestsPerSec).toBeGreaterThan(0);
    expect(result.baselineRequestsPerSec).toBeGreaterThan(0);
  });

  it('runs the scaling scenario with worker processes of their own', async () => {
    const result = await runScalingBench({
      backend: 'redis',
      adminUrl,
      redisUrl: inject('redisUrl'),
      cases: 3,
      inflight: 3,
      workers: [1],
      log,
      tty: false,
    });
    expect(result).toMatchObject({ scenario: 'scaling', backend: 'redis', cases: 3 });
    expect(result.rows.map((row) => row.workers)).toEqual([1]);
    expect(result.rows[0]?.commandsPerSec).toBeGreaterThan(0);
  }, 120_000);

  it('verifies a small trail from the database against in-memory hashing', async () => {
    const result = await runAuditBench({ adminUrl, events: 1_200, log, tty: false });
    expect(result).toMatchObject({ scenario: 'audit-verify', events: 1_200, ok: true });
    expect(result.checkpoints).toBeGreaterThan(0);
    expect(result.baselineEventsPerSec).toBeGreaterThan(0);
    // Two full pages of 500 events: their latencies.
    expect(result.p50Ms).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    // audit verify --since: the same new events on a tenth of the history and on all of it.
    expect(result.incremental).toMatchObject({ newEvents: 100, smallHistory: 120, largeHistory: 1_200, ok: true });
    expect(result.incremental.smallSeconds).toBeGreaterThan(0);
  });

  it('uploads and downloads a small file against a disk copy of the same bytes', async () => {
    const result = await runFilesBench({ adminUrl, fileMib: 2, rounds: 1, log });
    expect(result).toMatchObject({ scenario: 'files', fileMib: 2, store: 'file' });
    expect(result.rounds.upload).toHaveLength(1);
    for (const figure of [result.uploadMibPerSec, result.downloadMibPerSec, result.copyMibPerSec]) {
      expect(figure).toBeGreaterThan(0);
    }
  });

  it('imports a generated history file against parsing it alone, and again with nothing new', async () => {
    const result = await runImportBench({ adminUrl, rows: 400, log });
    expect(result).toMatchObject({ scenario: 'import', rows: 400, events: 1800 });
    for (const figure of [result.rowsPerSec, result.parseRowsPerSec, result.peakRssMb, result.rssAtEndMb]) {
      expect(figure).toBeGreaterThan(0);
    }
  });

  it('soaks a few seconds at a steady rate, sampling memory, Redis and table sizes, reported per hour', async () => {
    const result = await runSoakBench({
      adminUrl,
      redisUrl: inject('redisUrl'),
      seconds: 3,
      casesPerSec: 4,
      sampleEveryMs: 500,
      config,
      log,
    });
    expect(result).toMatchObject({ scenario: 'soak' });
    expect(result.cases).toBeGreaterThanOrEqual(10);
    expect(result.samples).toBeGreaterThanOrEqual(5);
    // Every case was closed: nothing left open, no timer left behind, the outbox drained or draining.
    expect(result.last.openCases).toBe(0);
    expect(result.last.slaTimers).toBe(0);
    expect(result.last.eventsMb).toBeGreaterThan(0);
    expect(result.last.redisKeys).toBeGreaterThan(0);
    for (const growth of Object.values(result.growthPerHour)) expect(Number.isFinite(growth)).toBe(true);
  }, 60_000);

  it('writes a small history and samples every read beside writes', async () => {
    const result = await runReadsBench({ adminUrl, sizes: [300], samples: 3, writesPerSecond: 5, log });
    expect(result.runs).toHaveLength(1);
    const [run] = result.runs;
    expect(run?.cases).toBe(300);
    expect(run?.events).toBeGreaterThan(300);
    expect(Object.keys(run?.reads ?? {}).toSorted()).toEqual(
      [
        'accessLog',
        'casePage',
        'export',
        'list',
        'listClerk',
        'listFiltered',
        'reportMonth',
        'reportYear',
        'search',
        'searchClerk',
        'worklist',
      ].toSorted(),
    );
    for (const figures of Object.values(run?.reads ?? {})) expect(figures.p99).toBeGreaterThanOrEqual(figures.p50);
  });

  it('times casetrail --version, --help and npm start on an existing data directory against bare Node', async () => {
    const result = await runStartupBench({ runs: 1, starts: 1, log });
    expect(result).toMatchObject({ scenario: 'startup', runs: 1, starts: 1, node: process.versions.node });
    for (const timing of [result.baselineNode, result.version, result.help, result.npmStartReady]) {
      expect(timing.medianS).toBeGreaterThan(0);
      expect(timing.maxS).toBeGreaterThanOrEqual(timing.medianS);
    }
    // npm start loads the whole system; a bare `node -e 0` loads nothing.
    expect(result.npmStartReady.medianS).toBeGreaterThan(result.baselineNode.medianS);
  }, 180_000);
});

describe('bench options', () => {
  // Options of the last scenarios (scaling, audit) are refused before the first one runs:
  // the process ends at once, with no JSON line and no database of its own.
  it.each([
    [['--workers', '1,x'], '--workers: expected a positive whole number, got x'],
    [['--events', '-5'], '--events: expected a positive whole number, got -5'],
    [['--connections', '0'], '--connections: expected a positive whole number, got 0'],
    [['--backends', 'mysql'], '--backends: expected some of redis, postgres'],
  ])('refuses %j before any scenario runs', async (args, message) => {
    const { code, stdout, stderr } = await runCasetrail(
      ['bench', '--json', ...args],
      { DATABASE_URL: adminUrl, REDIS_URL: inject('redisUrl') },
      60_000,
    );
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('removed what interrupted bench runs left behind');
  });
});

describe('what bench runs leave behind', () => {
  let redis: Redis;
  let admin: pg.Client;
  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    redis.disconnect();
    await admin.end();
  });
  const databases = async (pattern: string) =>
    (
      await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [pattern])
    ).rows.map((r) => r.datname);
  const keys = (pattern: string) => redis.keys(pattern);

  it('is nothing once the runs above are over: no database, no queue key of this process', async () => {
    expect(await databases(`casetrail\\_bench\\_${HOST}\\_${process.pid}\\_%`)).toEqual([]);
    expect(await keys(`ct-*-${HOST}-${process.pid}-*`)).toEqual([]);
  });

  it('is removed by a run interrupted with SIGINT, whose worker processes stop with it', async () => {
    const bench = spawn(
      process.execPath,
      ['bin/casetrail.mjs', 'bench', '--json', '--scenarios', 'scaling', '--workers', '2', '--scaling-cases', '5000'],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: adminUrl, REDIS_URL: inject('redisUrl') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    bench.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    bench.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => bench.once('exit', (code) => resolve(code)));
    const pid = bench.pid as number;
    const ownDatabases = `casetrail\\_bench\\_${HOST}\\_${pid}\\_%`;
    const ownKeys = `ct-*-${HOST}-${pid}-*`;
    let workers: number[] = [];
    try {
      // Running: its database, its queue keys, and its two `casetrail worker` processes.
      await eventually(
        async () => {
          workers = childrenOf(pid).filter(isCasetrailWorker);
          if (workers.length === 2 && (await databases(ownDatabases)).length > 0 && (await keys(ownKeys)).length > 0)
            return true;
          throw new Error(
            `exit ${bench.exitCode}, worker processes: ${workers.join(', ') || 'none'}; stdout: ${stdout}; stderr: ${stderr}`,
          );
        },
        { timeoutMs: 60_000, what: 'the scaling run to get going' },
      );
      bench.kill('SIGINT');
      // The same Ctrl-C relayed by a parent (npm, tsx) a moment later: cleaning up goes on.
      setTimeout(() => bench.kill('SIGINT'), 50);
      expect(await exited).toBe(130);
      expect(stderr).toContain("interrupted (SIGINT): removing this run's databases and queue keys");
      expect(stderr).not.toContain('could not remove');
      expect(await databases(ownDatabases)).toEqual([]);
      expect(await keys(ownKeys)).toEqual([]);
      await eventually(async () => workers.every((worker) => !isAlive(worker)), {
        timeoutMs: 30_000,
        what: `worker processes ${workers.join(', ')} to stop`,
      });
    } finally {
      for (const p of [pid, ...workers]) if (isAlive(p)) process.kill(p, 'SIGKILL');
    }
  }, 120_000);

  it('removes, at the next run, what a killed run of this host left, and nothing of a run still going or of another host', async () => {
    const dead = 999_999;
    const deadDb = `casetrail_bench_${HOST}_${dead}_0123abcd`;
    await admin.query(`CREATE DATABASE ${deadDb}`);
    const deadKeys = [
      `ct-bench-${HOST}-${dead}-0a0b0c:{intake}:intake:meta`,
      `ct-bench-${HOST}-${dead}-0a0b0c-base:{bare}:bare:id`,
      `ct-scale-${HOST}-${dead}-0d0e0f:{sla}:sla:meta`,
    ];
    const kept = [
      `ct-bench-${HOST}-${process.pid}-0a0b0c:{intake}:intake:meta`,
      `ct-bench-${HOST === '00000000' ? 'ffffffff' : '00000000'}-${dead}-0a0b0c:{intake}:intake:meta`,
    ];
    for (const key of [...deadKeys, ...kept]) await redis.set(key, '1');
    try {
      const swept = await sweepLeftovers({ adminUrl, redisUrl: inject('redisUrl'), gone: (pid) => pid === dead });
      expect(swept.databases).toContain(deadDb);
      expect(swept.prefixes).toEqual(
        expect.arrayContaining([
          `ct-bench-${HOST}-${dead}-0a0b0c`,
          `ct-bench-${HOST}-${dead}-0a0b0c-base`,
          `ct-scale-${HOST}-${dead}-0d0e0f`,
        ]),
      );
      expect(await databases(deadDb)).toEqual([]);
      expect(await redis.exists(...deadKeys)).toBe(0);
      expect(await redis.exists(...kept)).toBe(kept.length);
    } finally {
      await redis.del(...deadKeys, ...kept);
      await admin.query(`DROP DATABASE IF EXISTS ${deadDb}`);
    }
  });
});

/** A `casetrail worker` process (not, say, the esbuild service tsx may start beside them). */
function isCasetrailWorker(pid: number): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((arg) => arg.endsWith('casetrail.mjs')) && args.includes('worker');
  } catch {
    return false;
  }
}

/** Processes whose parent is pid, from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The fields after the parenthesised name: state, then the parent's pid.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}
