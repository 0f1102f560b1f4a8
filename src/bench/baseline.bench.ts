import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from '../infra/logger.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { benchQueues, startCpuMeter, type CpuUse } from './bench-services.ts';
import { BASELINE_QUEUE, type QueueBackendKind } from '../infra/queue/queue-factory.ts';

export type BaselineOptions = {
  backend: QueueBackendKind;
  databaseUrl: string;
  redisUrl?: string;
  prefix: string;
  cases: number;
  hopsPerCase: number;
  concurrency: number;
  log: Logger;
  onHop?: () => void;
};

/**
 * What casetrail is built on, bare: a chain of BullMQ jobs per case, each doing one
 * PostgreSQL transaction (update a row, insert one event) and enqueueing the next hop.
 */
export async function runBaseline(
  options: BaselineOptions,
): Promise<{ hops: number; seconds: number; hopsPerSec: number; cpu: CpuUse }> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.concurrency + 2 });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_rows (id uuid PRIMARY KEY, version int NOT NULL);
    CREATE TABLE IF NOT EXISTS bench_events (id bigserial PRIMARY KEY, row_id uuid NOT NULL, seq int NOT NULL, payload jsonb NOT NULL, UNIQUE (row_id, seq))`);
  const factory = await benchQueues({ ...options, jobs: { attempts: 3, backoffMs: 100 } });
  const queue = factory.queue(BASELINE_QUEUE);
  const total = options.cases * options.hopsPerCase;
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const ids = Array.from({ length: options.cases }, () => randomUUID());
  await pool.query('INSERT INTO bench_rows (id, version) SELECT unnest($1::uuid[]), 0', [ids]);

  const worker = factory.worker(
    BASELINE_QUEUE,
    async (job) => {
      const { id, hop } = job.data as { id: string; hop: number };
      await inTransaction(
        pool,
        async (client) => {
          await client.query('UPDATE bench_rows SET version = version + 1 WHERE id = $1', [id]);
          await client.query('INSERT INTO bench_events (row_id, seq, payload) VALUES ($1, $2, $3)', [
            id,
            hop,
            JSON.stringify({ hop }),
          ]);
        },
        { retry: false },
      );
      if (hop < options.hopsPerCase) await queue.add('hop', { id, hop: hop + 1 }, { jobId: `${id}-${hop + 1}` });
      options.onHop?.();
      if (++done === total) finish();
    },
    { concurrency: options.concurrency },
  );
  const redis = options.redisUrl === undefined ? undefined : new Redis(options.redisUrl, { lazyConnect: true });
  const cpu = await startCpuMeter({ pool, ...(redis === undefined ? {} : { redis }) });
  const started = performance.now();
  await queue.addBulk(ids.map((id) => ({ name: 'hop', data: { id, hop: 1 }, opts: { jobId: `${id}-1` } })));
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const used = await cpu.stop();
  redis?.disconnect();
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await factory.close();
  await pool.end();
  return { hops: total, seconds, hopsPerSec: total / seconds, cpu: used };
}
