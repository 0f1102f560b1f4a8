import type { Config } from '../infra/config/config.ts';
import type { Logger } from '../infra/logger.ts';
import { PIPELINE_STEPS } from './bench-bodies.ts';
import { createBenchDatabase, round } from './bench-services.ts';
import { benchPrefix } from './leftovers.ts';
import { driveCases, startBenchSystem, type BenchSystem } from './pipeline.bench.ts';

export type SoakBenchOptions = {
  adminUrl: string;
  redisUrl: string;
  seconds: number;
  /** New cases per second, each driven from submission to closure. */
  casesPerSec: number;
  sampleEveryMs: number;
  config: Config;
  log: Logger;
};

type Sample = {
  atS: number;
  rssMb: number;
  /** The Redis server's used_memory (other work on a shared server included). */
  redisMb: number;
  /** What this run's own keys take in Redis (MEMORY USAGE of each key under its prefix). */
  redisKeysMb: number;
  redisKeys: number;
  slaTimers: number;
  openCases: number;
  outboxRows: number;
  outboxMb: number;
  commandsMb: number;
  eventsMb: number;
  casesMb: number;
};

type Series = Exclude<keyof Sample, 'atS'>;
const SERIES: readonly Series[] = [
  'rssMb',
  'redisMb',
  'redisKeysMb',
  'redisKeys',
  'slaTimers',
  'openCases',
  'outboxRows',
  'outboxMb',
  'commandsMb',
  'eventsMb',
  'casesMb',
];

export type SoakBenchResult = {
  scenario: 'soak';
  seconds: number;
  casesPerSec: number;
  cases: number;
  commands: number;
  samples: number;
  first: Sample;
  last: Sample;
  /** Least-squares slope of each series over the run's last three quarters, per hour. */
  growthPerHour: Record<Series, number>;
};

const MIB = 1024 * 1024;

/**
 * A long run at a steady rate, cases arriving and closing so that the number of open cases
 * stays about constant: what should then stay flat (the process's RSS, Redis memory, SLA
 * timers, the outbox) and what grows with the record (commands, events, cases) are sampled
 * and reported as growth per hour. The first quarter is left out of the slopes (warm-up).
 */
export async function runSoakBench(options: SoakBenchOptions): Promise<SoakBenchResult> {
  const db = await createBenchDatabase(options.adminUrl);
  try {
    const prefix = benchPrefix('bench');
    const system = await startBenchSystem({
      backend: 'redis',
      redisUrl: options.redisUrl,
      databaseUrl: db.url,
      prefix,
      config: options.config,
      log: options.log,
    });
    try {
      await system.redis?.connect();
      const started = performance.now();
      const samples: Sample[] = [await sample(system, prefix, started)];
      const running = new Set<Promise<void>>();
      let cases = 0;
      let nextSample = options.sampleEveryMs;
      const interval = 1000 / options.casesPerSec;
      while (performance.now() - started < options.seconds * 1000) {
        const n = cases++;
        const lane = driveCases(system.intake, system.waiter, [n], { inflight: 1, onCommand: () => undefined });
        running.add(lane);
        void lane.finally(() => running.delete(lane));
        const elapsed = performance.now() - started;
        if (elapsed >= nextSample) {
          samples.push(await sample(system, prefix, started));
          nextSample += options.sampleEveryMs;
        }
        const due = (n + 1) * interval - (performance.now() - started);
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      }
      await Promise.all(running);
      samples.push(await sample(system, prefix, started));
      const seconds = (performance.now() - started) / 1000;
      const steady = samples.filter((s) => s.atS >= seconds / 4);
      return {
        scenario: 'soak',
        seconds: round(seconds, 1),
        casesPerSec: round(cases / seconds, 2),
        cases,
        commands: cases * PIPELINE_STEPS.length,
        samples: samples.length,
        first: samples[0] as Sample,
        last: samples[samples.length - 1] as Sample,
        growthPerHour: Object.fromEntries(SERIES.map((key) => [key, round(slope(steady, key) * 3600, 2)])) as Record<
          Series,
          number
        >,
      };
    } finally {
      await system.close();
    }
  } finally {
    await db.drop();
  }
}

async function sample(system: BenchSystem, prefix: string, started: number): Promise<Sample> {
  const { rows } = await system.database.pool.query<{
    outbox_rows: number;
    open_cases: number;
    outbox: string;
    commands: string;
    events: string;
    cases: string;
  }>(
    `SELECT (SELECT count(*)::int FROM outbox) AS outbox_rows,
            (SELECT count(*)::int FROM cases WHERE stage <> 'closed') AS open_cases,
            pg_total_relation_size('outbox') AS outbox, pg_total_relation_size('commands') AS commands,
            pg_total_relation_size('events') AS events, pg_total_relation_size('cases') AS cases`,
  );
  const row = rows[0];
  const info = (await system.redis?.info('memory')) ?? '';
  const redisBytes = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
  const keys = await keysMemory(system, prefix);
  return {
    atS: round((performance.now() - started) / 1000, 1),
    rssMb: round(process.memoryUsage().rss / MIB, 1),
    redisMb: round(redisBytes / MIB, 2),
    redisKeysMb: round(keys.bytes / MIB, 2),
    redisKeys: keys.count,
    slaTimers: await system.factory.queue('sla').getDelayedCount(),
    openCases: row?.open_cases ?? 0,
    outboxRows: row?.outbox_rows ?? 0,
    outboxMb: round(Number(row?.outbox ?? 0) / MIB, 2),
    commandsMb: round(Number(row?.commands ?? 0) / MIB, 2),
    eventsMb: round(Number(row?.events ?? 0) / MIB, 2),
    casesMb: round(Number(row?.cases ?? 0) / MIB, 2),
  };
}

/** Least-squares slope of one series against time, per second. */
function slope(samples: readonly Sample[], key: Series): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const meanT = samples.reduce((sum, s) => sum + s.atS, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s[key], 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.atS - meanT) * (s[key] - meanY);
    den += (s.atS - meanT) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The keys of the run (under its prefix) and the memory they take, by SCAN and MEMORY USAGE. */
async function keysMemory(system: BenchSystem, prefix: string): Promise<{ count: number; bytes: number }> {
  const redis = system.redis;
  if (redis === undefined) return { count: 0, bytes: 0 };
  let cursor = '0';
  let count = 0;
  let bytes = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const usage = await Promise.all(keys.map((key) => redis.memory('USAGE', key)));
    count += keys.length;
    bytes += usage.reduce((sum: number, n) => sum + Number(n ?? 0), 0);
  } while (cursor !== '0');
  return { count, bytes };
}
