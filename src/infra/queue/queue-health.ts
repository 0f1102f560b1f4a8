import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { openRedis, type RedisClient, type RedisTarget } from './redis-connection.ts';
import { withTimeout } from './time-limit.ts';

export type QueueHealth = {
  ok: boolean;
  /** The queues whose node did not answer, or answered that its cluster is down. */
  failing: string[];
};

const CHECK_TIMEOUT_MS = 1_000;

/**
 * Whether the queues can be worked now, as readiness and `casetrail health` report it. On
 * one Redis server, a PING. On a Redis Cluster, for each queue: the master that serves the
 * slot of the queue's hash tag says `cluster_state:ok`, and a read of one of the queue's
 * keys, routed by slot, comes back. A live node answers PING while its cluster is down
 * (a master lost with no replica to take over), which is why PING alone is not enough.
 */
export async function checkQueues(
  client: RedisClient,
  keyPrefixOf: (queue: string) => string,
  queues: readonly string[],
): Promise<QueueHealth> {
  if (!(client instanceof Cluster)) {
    const ok = await bounded(async () => (await client.ping()) === 'PONG');
    return { ok, failing: ok ? [] : [...queues] };
  }
  const results = await Promise.all(queues.map((queue) => bounded(() => clusterQueueUp(client, keyPrefixOf(queue)))));
  const failing = queues.filter((_, n) => !results[n]);
  return { ok: failing.length === 0, failing };
}

async function clusterQueueUp(cluster: Cluster, keyPrefix: string): Promise<boolean> {
  const key = `${keyPrefix}:meta`;
  const owner = cluster.slots[calculateSlot(key)]?.[0];
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  if (node === undefined) return false;
  const [info] = await Promise.all([node.cluster('INFO'), cluster.exists(key)]);
  return /^cluster_state:ok\b/m.test(info);
}

function bounded(check: () => Promise<boolean>): Promise<boolean> {
  return withTimeout(check(), CHECK_TIMEOUT_MS, 'queue check').catch(() => false);
}

/** checkQueues on a connection of its own, for a process that holds none (`casetrail health`). */
export async function checkRedisQueues(
  target: RedisTarget,
  keyPrefixOf: (queue: string) => string,
  queues: readonly string[],
  timeoutMs = 2_000,
): Promise<QueueHealth> {
  const client = openRedis(target, 'producer');
  client.on('error', () => undefined);
  try {
    const ready = new Promise<boolean>((resolve) => {
      client.once('ready', () => resolve(true));
      setTimeout(() => resolve(false), timeoutMs).unref();
    });
    if (!(await ready)) return { ok: false, failing: [...queues] };
    return await checkQueues(client, keyPrefixOf, queues);
  } finally {
    client.disconnect();
  }
}
