import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { QUEUE_NAMES } from '../domain/index.ts';
import { migrate } from '../infra/db/migrator.ts';
import type { Logger } from '../infra/logger.ts';
import { createQueueFactory, type QueueBackendKind, type QueueFactory } from '../infra/queue/queue-factory.ts';
import { benchDatabaseName } from './leftovers.ts';

/** A database of its own for one benchmark run, migrated, dropped at the end. */
export type BenchDatabase = {
  url: string;
  drop(): Promise<void>;
  /** Renames the database out of the reach of the leftovers sweep and returns its new URL. */
  keep(as: string): Promise<string>;
};

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = benchDatabaseName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const asAdmin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    url: url.toString(),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    async keep(as) {
      const kept = `${as}_${randomBytes(3).toString('hex')}`;
      await asAdmin(`ALTER DATABASE ${name} RENAME TO ${kept}`);
      url.pathname = `/${kept}`;
      return url.toString();
    },
  };
}

/** Samples the process's resident set size; peak in MiB. */
export function rssSampler(everyMs = 100): { peakMb(): number; stop(): void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  timer.unref();
  return {
    peakMb: () => Math.round((Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024) * 10) / 10,
    stop: () => clearInterval(timer),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Progress of long work: a bar on a TTY, nothing otherwise. */
export function progress(label: string, total: number, enabled: boolean): { tick(n?: number): void; done(): void } {
  let current = 0;
  let last = 0;
  const draw = () => {
    const width = 30;
    const filled = Math.round((current / Math.max(total, 1)) * width);
    process.stderr.write(
      `\r${label.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${current}/${total}`,
    );
  };
  return {
    tick(n = 1) {
      current += n;
      if (!enabled) return;
      const now = Date.now();
      if (now - last > 100 || current >= total) {
        last = now;
        draw();
      }
    },
    done() {
      if (enabled) {
        draw();
        process.stderr.write('\n');
      }
    },
  };
}

/**
 * CPU time spent by the benchmark process, the database's backends and Redis while a
 * phase runs: work per command, which (unlike throughput) other load on a shared machine
 * hardly disturbs. Backends are those of the phase's database; one that exits during the
 * phase is not counted, so pools are expected to keep their connections (they do here).
 */
export type CpuUse = { totalMs: number; processMs: number; databaseMs: number; redisMs: number };
export type CpuMeter = { stop(): Promise<CpuUse> };

/** CPU milliseconds per unit of work, in total and by where it was spent. */
export const cpuPer = (use: CpuUse, units: number): CpuUse => ({
  totalMs: round(use.totalMs / units, 3),
  processMs: round(use.processMs / units, 3),
  databaseMs: round(use.databaseMs / units, 3),
  redisMs: round(use.redisMs / units, 3),
});

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

export async function startCpuMeter(options: {
  pool: pg.Pool;
  redis?: { info(section: string): Promise<string> };
}): Promise<CpuMeter> {
  const processStart = process.cpuUsage();
  const backendsStart = await backendCpu(options.pool);
  const redisStart = options.redis === undefined ? 0 : await redisCpu(options.redis);
  return {
    async stop() {
      const used = process.cpuUsage(processStart);
      const processMs = (used.user + used.system) / 1000;
      let databaseMs = 0;
      for (const [pid, ms] of await backendCpu(options.pool)) databaseMs += ms - (backendsStart.get(pid) ?? 0);
      const redisMs = options.redis === undefined ? 0 : (await redisCpu(options.redis)) - redisStart;
      return {
        totalMs: round(processMs + databaseMs + redisMs, 0),
        processMs: round(processMs, 0),
        databaseMs: round(databaseMs, 0),
        redisMs: round(redisMs, 0),
      };
    },
  };
}

async function backendCpu(pool: pg.Pool): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // Not on this machine (a remote database) or gone: not counted.
    }
  }
  return cpu;
}

async function redisCpu(redis: { info(section: string): Promise<string> }): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
}

/** The queues of one benchmark run: on the backend given, under a prefix of the run's own. */
export function benchQueues(options: {
  backend: QueueBackendKind;
  redisUrl?: string | undefined;
  databaseUrl: string;
  prefix: string;
  log: Logger;
  jobs?: { attempts: number; backoffMs: number };
  postgresPoolSize?: number;
}): Promise<QueueFactory> {
  return createQueueFactory({
    backend: options.backend,
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    databaseUrl: options.databaseUrl,
    prefix: options.prefix,
    log: options.log,
    jobs: options.jobs ?? { attempts: 10, backoffMs: 1_000 },
    ...(options.postgresPoolSize === undefined ? {} : { postgresPoolSize: options.postgresPoolSize }),
  });
}

/** Removes a run's queues, every one of them: a queue the run only opened still has its meta key. */
export async function dropQueues(factory: Pick<QueueFactory, 'queue'>): Promise<void> {
  await Promise.all(
    QUEUE_NAMES.map((name) =>
      factory
        .queue(name)
        .obliterate({ force: true })
        .catch(() => undefined),
    ),
  );
}
