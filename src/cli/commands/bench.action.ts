import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { runAuditBench, type AuditBenchResult } from '../../bench/audit.bench.ts';
import { runFilesBench } from '../../bench/files.bench.ts';
import { runImportBench } from '../../bench/import.bench.ts';
import { runSoakBench } from '../../bench/soak.bench.ts';
import { runIntakeBench } from '../../bench/intake.bench.ts';
import { runReadsBench, type ReadsRun } from '../../bench/reads.bench.ts';
import { sweepLeftovers } from '../../bench/leftovers.ts';
import { runStartupBench, stopStartupRuns } from '../../bench/startup.bench.ts';
import { runPipelineBench } from '../../bench/pipeline.bench.ts';
import { killWorkerProcesses, runScalingBench, type ScalingRow } from '../../bench/scaling.bench.ts';
import { loadConfig } from '../../infra/config/config.ts';
import { startEmbeddedPostgres } from '../../infra/db/embedded-postgres.ts';
import { createLogger, type Logger } from '../../infra/logger.ts';
import type { QueueBackendKind } from '../../infra/queue/queue-factory.ts';
import { CliError } from '../exit.ts';
import { onStopSignals } from '../shutdown.ts';
import { SCENARIOS } from './bench-scenarios.ts';

export type BenchFlags = {
  cases: string;
  events: string;
  inflight: string;
  connections: string;
  seconds: string;
  rounds: string;
  workers: string;
  scalingCases: string;
  scenarios: string;
  runs: string;
  starts: string;
  fileMib: string;
  importRows: string;
  soakSeconds: string;
  soakRate: string;
  backends: string;
  readsCases: string;
  readsSamples: string;
  readsWrites: string;
  readsKeep?: boolean;
  json?: boolean;
};

export async function runBench(flags: BenchFlags): Promise<void> {
  // Every option is checked before any work: a typo in the last scenario's option must
  // not surface after the first scenarios have run for minutes.
  const settings = benchSettings(flags);
  const { cases, scenarios } = settings;
  const config = loadConfig();
  const log = createLogger({
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    destination: pino.destination(2),
  });
  const tty = process.stderr.isTTY === true && !flags.json;
  const interruption = onInterrupt(log);
  const results: Record<string, unknown>[] = [];
  const emit = (result: Record<string, unknown>) => {
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  };
  if (scenarios.includes('startup')) {
    // Needs no database of the bench's: it starts casetrail as a user would.
    interruption.cleanUpWith(async () => stopStartupRuns());
    emit(await runStartupBench({ runs: settings.runs, starts: settings.starts, log }));
    if (scenarios.length === 1) {
      if (!flags.json) process.stderr.write(`\n${table(results)}\n`);
      return;
    }
  }
  const admin = adminDatabase(config.DATABASE_URL, config.CASETRAIL_DATA_DIR, log);
  // An embedded PostgreSQL still starting is stopped once it is up.
  interruption.cleanUpWith(() =>
    admin.then(
      ({ stop }) => stop(),
      () => undefined,
    ),
  );
  const { adminUrl, stop } = await admin;
  try {
    // Looked for once: every scenario that can use Redis does, and the sweep cleans it.
    const reachable = await reachableRedis(config.REDIS_URL);
    const onRedis = reachable === undefined ? {} : { redisUrl: reachable };
    interruption.cleanUpWith(async () => {
      await killWorkerProcesses();
      await sweepLeftovers({ adminUrl, ...onRedis, ownRun: true });
      await stop();
    });
    // Runs killed before their cleanup left databases and queue keys: those go first.
    const swept = await sweepLeftovers({ adminUrl, ...onRedis });
    if (swept.databases.length + swept.prefixes.length > 0)
      log.warn(swept, 'removed what interrupted bench runs left behind');
    if (scenarios.includes('pipeline')) {
      for (const backend of settings.backends) {
        if (backend === 'redis' && reachable === undefined) {
          emit({ scenario: 'pipeline', backend, skipped: 'no Redis reachable (set REDIS_URL)' });
          continue;
        }
        emit(
          await runPipelineBench({
            backend,
            adminUrl,
            ...(backend === 'redis' ? onRedis : {}),
            cases,
            inflight: settings.inflight,
            config,
            log,
            tty,
          }),
        );
      }
    }
    if (scenarios.includes('intake')) {
      emit(
        await runIntakeBench({
          adminUrl,
          ...onRedis,
          rounds: settings.rounds,
          connections: settings.connections,
          seconds: settings.seconds,
          log,
          poolSize: config.CASETRAIL_DB_POOL_SIZE,
        }),
      );
    }
    if (scenarios.includes('scaling')) {
      emit(
        await runScalingBench({
          backend: reachable === undefined ? 'postgres' : 'redis',
          adminUrl,
          ...onRedis,
          cases: settings.scalingCases,
          inflight: settings.inflight,
          workers: settings.workers,
          log,
          tty,
        }),
      );
    }
    if (scenarios.includes('audit')) {
      emit(await runAuditBench({ adminUrl, events: settings.events, log, tty }));
    }
    if (scenarios.includes('files')) {
      emit(await runFilesBench({ adminUrl, fileMib: settings.fileMib, rounds: settings.rounds, log }));
    }
    if (scenarios.includes('import')) {
      emit(await runImportBench({ adminUrl, rows: settings.importRows, log }));
    }
    if (scenarios.includes('soak')) {
      emit(
        reachable === undefined
          ? { scenario: 'soak', skipped: 'no Redis reachable (set REDIS_URL)' }
          : await runSoakBench({
              adminUrl,
              redisUrl: reachable,
              seconds: settings.soakSeconds,
              casesPerSec: settings.soakRate,
              sampleEveryMs: Math.max(1_000, Math.round((settings.soakSeconds * 1000) / 120)),
              config,
              log,
            }),
      );
    }
    if (scenarios.includes('reads')) {
      emit(
        await runReadsBench({
          adminUrl,
          sizes: settings.readsCases,
          samples: settings.readsSamples,
          writesPerSecond: settings.readsWrites,
          keepDatabase: flags.readsKeep === true,
          log,
        }),
      );
    }
  } catch (error) {
    // Interrupted: the scenario failed as its database went; the handler ends the process.
    if (interruption.interrupted) await interruption.ended;
    throw error;
  } finally {
    if (!interruption.interrupted) await stop();
  }
  if (!flags.json) process.stderr.write(`\n${table(results)}\n`);
}

/**
 * SIGINT or SIGTERM during a run: remove the databases and queue keys this run created (and
 * stop an embedded PostgreSQL), then exit with 128 + the signal's number. A second signal
 * (a second or more after the first) exits at once; what is left then goes at the next run's sweep. Worker processes of the
 * scaling scenario are killed first, so that none writes queue keys again after the sweep
 * (and, should this process die, they stop when their IPC channel closes).
 */
function onInterrupt(log: Logger): {
  readonly interrupted: boolean;
  ended: Promise<never>;
  cleanUpWith(cleanup: () => Promise<void>): void;
} {
  let cleanup: () => Promise<void> = async () => undefined;
  let interrupted = false;
  const status = (signal: NodeJS.Signals) => 128 + (signal === 'SIGINT' ? 2 : 15);
  onStopSignals({
    again: (signal) => process.exit(status(signal)),
    first(signal) {
      interrupted = true;
      // The scenario's connections are about to be cut: their warnings would only be noise.
      log.level = 'silent';
      process.stderr.write(`\ninterrupted (${signal}): removing this run's databases and queue keys\n`);
      cleanup().then(
        () => process.exit(status(signal)),
        (error: unknown) => {
          process.stderr.write(
            `could not remove all of this run's databases and queue keys (${(error as Error).message}); the next run removes them\n`,
          );
          process.exit(status(signal));
        },
      );
    },
  });
  return {
    get interrupted() {
      return interrupted;
    },
    // Never settles: the process ends in the handler.
    ended: new Promise<never>(() => undefined),
    cleanUpWith(next) {
      cleanup = next;
    },
  };
}

/** The flags, checked and converted; a CliError (exit status 2) names the first bad one. */
function benchSettings(flags: BenchFlags) {
  return {
    scenarios: list(flags.scenarios, SCENARIOS, '--scenarios'),
    backends: list(flags.backends, ['redis', 'postgres'] as const, '--backends') satisfies QueueBackendKind[],
    cases: positive(flags.cases, '--cases'),
    inflight: positive(flags.inflight, '--inflight'),
    connections: positive(flags.connections, '--connections'),
    seconds: positive(flags.seconds, '--seconds'),
    rounds: positive(flags.rounds, '--rounds'),
    workers: flags.workers.split(',').map((n) => positive(n.trim(), '--workers')),
    scalingCases: positive(flags.scalingCases, '--scaling-cases'),
    readsCases: flags.readsCases.split(',').map((n) => positive(n.trim(), '--reads-cases')),
    readsSamples: positive(flags.readsSamples, '--reads-samples'),
    readsWrites: positive(flags.readsWrites, '--reads-writes'),
    events: positive(flags.events, '--events'),
    runs: positive(flags.runs, '--runs'),
    starts: positive(flags.starts, '--starts'),
    fileMib: positive(flags.fileMib, '--file-mib'),
    importRows: positive(flags.importRows, '--import-rows'),
    soakSeconds: positive(flags.soakSeconds, '--soak-seconds'),
    soakRate: positive(flags.soakRate, '--soak-rate'),
  };
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${flag}: expected a positive whole number, got ${value}`);
  return n;
}

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (items.length === 0 || unknown.length > 0) throw new CliError(`${flag}: expected some of ${allowed.join(', ')}`);
  return items as T[];
}

/** The PostgreSQL server to create bench databases on: DATABASE_URL, the local default, or an embedded one. */
async function adminDatabase(databaseUrl: string | undefined, dataDir: string, log: Logger) {
  const candidate = databaseUrl ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: candidate, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return { adminUrl: candidate, stop: async () => undefined };
  } catch (error) {
    if (databaseUrl !== undefined) throw new CliError(`DATABASE_URL is unreachable: ${(error as Error).message}`);
    const embedded = await startEmbeddedPostgres(dataDir, log);
    return { adminUrl: embedded.ownerUrl, stop: () => embedded.stop() };
  }
}

async function reachableRedis(url: string | undefined): Promise<string | undefined> {
  const candidate = url ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(candidate, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG' ? candidate : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

function table(results: Record<string, unknown>[]): string {
  const rows = results.flatMap((r) =>
    r.scenario === 'scaling' ? scalingRows(r) : r.scenario === 'reads' ? readsRows(r) : [row(r)],
  );
  const header = ['scenario', 'casetrail', 'baseline', 'ratio', 'p50/p99', 'peak RSS', 'notes'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => (cells[i] ?? '').length)));
  return all.map((cells) => cells.map((cell, i) => (cell ?? '').padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

function readsRows(r: Record<string, unknown>): string[][] {
  return (r.runs as ReadsRun[]).flatMap((run) =>
    Object.entries(run.reads).map(([name, f]) => [
      `reads, ${name}`,
      '',
      '',
      '',
      `${f.p50}/${f.p99} ms`,
      '',
      `${run.cases} cases${f.targetP99 === undefined ? '' : `, p99 target ${f.targetP99} ms: ${f.met ? 'met' : 'missed'}`}`,
    ]),
  );
}

function scalingRows(r: Record<string, unknown>): string[][] {
  return (r.rows as ScalingRow[]).map((s) => [
    `scaling (${r.backend}), ${s.workers} worker process${s.workers === 1 ? '' : 'es'}`,
    `${s.commandsPerSec} cmd/s`,
    '',
    '',
    `${s.p50Ms}/${s.p99Ms} ms`,
    '',
    `${r.cases} cases`,
  ]);
}

/** The incremental verification of the audit bench, in one phrase. */
function sinceLine(incremental: unknown): string {
  const i = incremental as AuditBenchResult['incremental'];
  return (
    `log from nothing ${i.logFullSeconds} s; --since ${i.newEvents} new events on ${i.smallHistory} / ${i.largeHistory} events: ` +
    `${i.smallSeconds} / ${i.largeSeconds} s (ratio ${i.incrementalRatio}, target ≤ 1.3)`
  );
}

function row(r: Record<string, unknown>): string[] {
  if (r.skipped) return [`${r.scenario} (${r.backend})`, 'skipped', '', '', '', '', String(r.skipped)];
  if (r.scenario === 'pipeline') {
    const half = r.halfRate as { p99Ms: number };
    return [
      `pipeline (${r.backend})`,
      `${r.commandsPerSec} cmd/s`,
      `${r.baselineHopsPerSec} hops/s`,
      String(r.ratio),
      `${r.p50Ms}/${r.p99Ms} ms`,
      `${r.peakRssMb} MiB`,
      `CPU ratio ${r.cpuRatio}; p99 at half rate ${half.p99Ms} ms; ${r.historyCases} cases in the database`,
    ];
  }
  if (r.scenario === 'files') {
    return [
      `files (${r.fileMib} MiB, ${r.store} store)`,
      `upload ${r.uploadMibPerSec}, download ${r.downloadMibPerSec} MiB/s`,
      `disk copy ${r.copyMibPerSec} MiB/s`,
      `${r.uploadRatio} / ${r.downloadRatio}`,
      '',
      `${r.peakRssMb} MiB`,
      'upload and download against a copy of the same bytes on the same disk (medians)',
    ];
  }
  if (r.scenario === 'import') {
    return [
      `import (${r.rows} rows, ${r.fileMib} MiB CSV)`,
      `${r.rowsPerSec} rows/s, ${r.events} events in ${r.seconds} s`,
      `parse only ${r.parseRowsPerSec} rows/s`,
      String(r.ratio),
      '',
      `${r.peakRssMb} MiB`,
      `RSS ${r.rssAtTenthMb} MiB at a tenth, ${r.rssAtEndMb} MiB at the end; again (nothing new) ${r.againSeconds} s`,
    ];
  }
  if (r.scenario === 'startup') {
    const t = (timing: unknown) => `${(timing as { medianS: number }).medianS} s`;
    return [
      'startup',
      `--version ${t(r.version)}, --help ${t(r.help)}`,
      `node -e 0 ${t(r.baselineNode)}`,
      '',
      '',
      '',
      `npm start ready ${t(r.npmStartReady)} (medians; targets 0.2 / 0.5 / 5 s)`,
    ];
  }
  if (r.scenario === 'audit-verify') {
    return [
      'audit verify',
      `${r.eventsPerSec} events/s`,
      `${r.baselineEventsPerSec} events/s`,
      String(r.ratio),
      `${r.p50Ms}/${r.p99Ms} ms`,
      `${r.peakRssMb} MiB`,
      `${r.events} events (p50/p99 per page of 500); RSS at a quarter of them ${r.quarterTrailPeakRssMb} MiB; ${sinceLine(r.incremental)}`,
    ];
  }
  return [
    String(r.scenario),
    `${r.requestsPerSec} req/s`,
    `${r.baselineRequestsPerSec} req/s`,
    String(r.ratio),
    `${r.p50Ms}/${r.p99Ms} ms`,
    `${r.peakRssMb} MiB`,
    `errors ${r.errors}`,
  ];
}
