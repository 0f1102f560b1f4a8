import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../infra/db/migrator.ts';

/** A database of its own for one benchmark run, migrated, dropped at the end. */
export type BenchDatabase = { url: string; drop(): Promise<void> };

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `casetrail_bench_${randomBytes(4).toString('hex')}`;
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
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
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

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Progress of long work: a bar on a TTY, nothing otherwise. */
export function progress(label: string, total: number, enabled: boolean): { tick(n?: number): void; done(): void } {
  let current = 0;
  let last = 0;
  const draw = () => {
    const width = 30;
    const filled = Math.round((current / Math.max(total, 1)) * width);
    process.stderr.write(`\r${label.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${current}/${total}`);
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
