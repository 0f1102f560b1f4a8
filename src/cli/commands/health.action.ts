import pg from 'pg';
import { loadConfig, queueBackend } from '../../infra/config/config.ts';
import { isReachable } from '../../infra/db/database.ts';
import { pingRedis, redisTarget } from '../../infra/queue/redis-connection.ts';
import { CliError, EXIT } from '../exit.ts';
import { printResult } from '../output.ts';

/**
 * The health check of a process with no HTTP port (`casetrail worker` in a container):
 * the database and the queue backend it is configured with answer. Exit 0, or 1.
 */
export async function runHealth(options: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  if (config.DATABASE_URL === undefined)
    throw new CliError('health checks the servers named by DATABASE_URL (and REDIS_URL); DATABASE_URL is unset');
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 1, connectionTimeoutMillis: 3_000 });
  pool.on('error', () => undefined);
  const backend = queueBackend(config);
  try {
    const [database, queues] = await Promise.all([
      isReachable(pool),
      // The postgres queue backend lives in the same database.
      backend === 'redis'
        ? pingRedis(
            redisTarget({ redisUrl: config.REDIS_URL, redisClusterNodes: config.CASETRAIL_REDIS_CLUSTER_NODES }),
          )
        : isReachable(pool),
    ]);
    const healthy = database && queues;
    printResult(
      options,
      { status: healthy ? 'ok' : 'unavailable', checks: { database, queues }, queueBackend: backend },
      () =>
        `${healthy ? 'ok' : 'unavailable'}: database ${database ? 'up' : 'down'}, queues (${backend}) ${queues ? 'up' : 'down'}`,
    );
    if (!healthy) process.exitCode = EXIT.checkFailed;
  } finally {
    await pool.end();
  }
}
