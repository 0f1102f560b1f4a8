import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';

// What a benchmark run creates outside its process (a database, queue keys under a prefix)
// is named after the host and the process id of the run. A run removes its own at the end;
// a run killed before that leaves them, and the next run on the same host removes those of
// runs whose process is gone, never those of a run still going.

/** This host, as run names carry it. */
export const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** The queue prefix of a run: `ct-bench-<host>-<pid>-<random>` (ct-scale-… for the scaling runs). */
export function benchPrefix(kind: 'bench' | 'scale'): string {
  return `ct-${kind}-${HOST}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The database name of a run: `casetrail_bench_<host>_<pid>_<random>`. */
export function benchDatabaseName(): string {
  return `casetrail_bench_${HOST}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

const DATABASE = /^casetrail_bench_([0-9a-f]{8})_(\d+)_[0-9a-f]+$/u;
const PREFIX = /^(ct-(?:bench|scale)-([0-9a-f]{8})-(\d+)-[0-9a-f]+(?:-base)?):/u;

/** A process of this host that is gone (EPERM: it exists, owned by someone else). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether a name's host and pid say its run is over: this host's, and its process gone. */
const goneRunName = (host: string | undefined, pid: string | undefined, gone: (pid: number) => boolean): boolean =>
  host === HOST && pid !== undefined && Number(pid) !== process.pid && gone(Number(pid));

/** Whether a name is this process's own. */
const ownName = (host: string | undefined, pid: string | undefined): boolean =>
  host === HOST && Number(pid) === process.pid;

export type SweepResult = { databases: string[]; prefixes: string[] };

/**
 * Drops the databases and deletes the queue keys that runs gone from this host left behind;
 * with `ownRun`, instead, those of this very process (a run interrupted, cleaning up).
 */
export async function sweepLeftovers(options: {
  adminUrl: string;
  redisUrl?: string;
  gone?: (pid: number) => boolean;
  ownRun?: boolean;
}): Promise<SweepResult> {
  const gone = options.gone ?? processGone;
  const leftOver =
    options.ownRun === true
      ? ownName
      : (host: string | undefined, pid: string | undefined) => goneRunName(host, pid, gone);
  const result: SweepResult = { databases: [], prefixes: [] };
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'casetrail\\_bench\\_%'`,
    );
    for (const { datname } of rows) {
      const [, host, pid] = DATABASE.exec(datname) ?? [];
      if (!leftOver(host, pid)) continue;
      // The name matched DATABASE: letters, digits and underscores only.
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      result.databases.push(datname);
    }
  } finally {
    await admin.end();
  }
  if (options.redisUrl === undefined) return result;
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // Failures surface where the commands are awaited.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const prefixes = new Set<string>();
    let keys: string[] = [];
    const unlink = async (): Promise<void> => {
      if (keys.length > 0) await redis.unlink(...keys);
      keys = [];
    };
    for await (const batch of redis.scanStream({ match: 'ct-*', count: 1_000 }) as AsyncIterable<string[]>) {
      for (const key of batch) {
        const [, prefix, host, pid] = PREFIX.exec(key) ?? [];
        if (prefix === undefined || !leftOver(host, pid)) continue;
        prefixes.add(prefix);
        keys.push(key);
      }
      if (keys.length >= 500) await unlink();
    }
    await unlink();
    result.prefixes = [...prefixes].sort();
  } finally {
    redis.disconnect();
  }
  return result;
}
