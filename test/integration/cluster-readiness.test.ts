// Readiness tells the truth on a Redis Cluster: with a master down (and no replica to take
// over) the live nodes still answer PING, but the cluster is down and so are the queues on
// that master. /readyz and `casetrail health` both say so, and idle workers then stop at
// once rather than after their close timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCasetrail } from '../support/child-process.ts';
import { TEST_HMAC_KEY } from '../support/child-system.ts';
import { eventually } from '../support/queue-harness.ts';
import { redisClusterUnavailable, startRedisCluster, type PrivateRedisCluster } from '../support/redis-cluster.ts';
import { startSystem, type System } from '../support/system.ts';

const unavailable = redisClusterUnavailable();

describe.skipIf(unavailable !== null)('readiness on a Redis Cluster that loses a master', () => {
  let cluster: PrivateRedisCluster;
  let system: System;

  beforeAll(async () => {
    cluster = await startRedisCluster(3, { nodeTimeoutMs: 1_000 });
    system = await startSystem({ backend: 'redis', harness: { redisClusterNodes: cluster.nodes } });
  }, 120_000);
  afterAll(async () => {
    await system?.close();
    await cluster?.stop();
  });

  const readyz = async () => {
    const response = await fetch(`${system.baseUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as { checks: Record<string, boolean> } };
  };
  const health = async () => {
    const result = await runCasetrail(['health', '--json'], {
      DATABASE_URL: system.harness.db.url,
      CASETRAIL_REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      CASETRAIL_REDIS_PREFIX: system.harness.prefix,
      CASETRAIL_HMAC_KEY: TEST_HMAC_KEY,
    });
    return { code: result.code, body: JSON.parse(result.stdout) as { checks: Record<string, boolean> } };
  };

  it('/readyz and casetrail health agree: ready, then unavailable once a master is killed', async () => {
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: true, queues: true } },
    });
    expect(await health()).toMatchObject({ code: 0, body: { status: 'ok', checks: { database: true, queues: true } } });

    const [victim, survivor] = cluster.masters;
    if (victim === undefined || survivor === undefined) throw new Error('no masters');
    await cluster.kill(victim);
    // A live node still answers PING; the readiness must not.
    await eventually(async () => (await cluster.state(survivor)) === 'fail', { what: 'cluster_state:fail' });
    const down = await eventually(
      async () => {
        const answer = await readyz();
        return answer.status === 503 && answer;
      },
      { what: '/readyz 503', timeoutMs: 15_000 },
    );
    expect(down.body).toEqual({ status: 'unavailable', checks: { database: true, queues: false } });
    expect(await health()).toMatchObject({
      code: 1,
      body: { status: 'unavailable', checks: { database: true, queues: false } },
    });

    // The workers are idle: they stop well within their close timeout (5 s here).
    const stopping = Date.now();
    await system.pipeline.workers.close();
    expect(Date.now() - stopping).toBeLessThan(2_500);
  }, 120_000);
});
