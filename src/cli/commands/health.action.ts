import { loadConfig, queueBackend } from '../../infra/config/config.ts';
import { queueNamesOf, routedQueues } from '../../infra/queue/catalog.ts';
import { checkRedisQueues } from '../../infra/queue/queue-health.ts';
import { redisQueuePrefix, redisTarget } from '../../infra/queue/redis-connection.ts';
import { EXIT } from '../exit.ts';
import { openHealthDatabase } from '../health-database.ts';
import { printResult } from '../output.ts';

/**
 * The health check of a process with no HTTP port (`casetrail worker` in a container):
 * the database and the queue backend it is configured with answer. Exit 0, or 1.
 * Without DATABASE_URL, the database is the embedded one of the casetrail server running
 * on CASETRAIL_DATA_DIR (`npm start`).
 */
export async function runHealth(options: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  const db = await openHealthDatabase(config, (line) => process.stderr.write(`casetrail: ${line}\n`));
  const backend = queueBackend(config);
  try {
    const [database, queues] = await Promise.all([
      db.reachable(),
      // The postgres queue backend lives in the same database.
      // The same check as the readiness of a server: every queue's node, and a cluster that is up.
      backend === 'redis'
        ? checkRedisQueues(
            redisTarget({ redisUrl: config.REDIS_URL, redisClusterNodes: config.CASETRAIL_REDIS_CLUSTER_NODES }),
            (queue) => redisQueuePrefix(config.CASETRAIL_REDIS_PREFIX, queue),
            routedQueues().flatMap(queueNamesOf(config.CASETRAIL_QUEUE_SHARDS)),
          ).then((health) => health.ok)
        : db.reachable(),
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
    await db.close();
  }
}
