import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** One Redis server (REDIS_URL) or the seed nodes of a Redis Cluster (CASETRAIL_REDIS_CLUSTER_NODES). */
export type RedisTarget = { kind: 'single'; url: string } | { kind: 'cluster'; nodes: readonly string[] };
export type RedisClient = Redis | Cluster;

/**
 * A producer fails fast while Redis is away (the outbox keeps the work and the relay
 * retries); a worker connection waits for Redis to come back, as BullMQ requires.
 */
export type RedisRole = 'producer' | 'worker';

export function redisTarget(options: {
  redisUrl?: string | undefined;
  redisClusterNodes?: readonly string[] | undefined;
}): RedisTarget {
  if (options.redisClusterNodes !== undefined && options.redisClusterNodes.length > 0) {
    return { kind: 'cluster', nodes: options.redisClusterNodes };
  }
  if (options.redisUrl !== undefined) return { kind: 'single', url: options.redisUrl };
  throw new Error('the redis queue backend needs REDIS_URL or CASETRAIL_REDIS_CLUSTER_NODES');
}

const retryStrategy = (times: number) => Math.min(times * 500, 5_000);

export function openRedis(target: RedisTarget, role: RedisRole): RedisClient {
  const perRequest: Pick<RedisOptions, 'maxRetriesPerRequest'> = {
    maxRetriesPerRequest: role === 'producer' ? 1 : null,
  };
  const offlineQueue = role === 'worker';
  if (target.kind === 'single') {
    return new Redis(target.url, {
      retryStrategy,
      connectionName: 'casetrail',
      enableOfflineQueue: offlineQueue,
      ...perRequest,
    });
  }
  const seeds = target.nodes.map((node) => new URL(node));
  const first = seeds[0];
  if (first === undefined) throw new Error('CASETRAIL_REDIS_CLUSTER_NODES lists no node');
  const options: ClusterOptions = {
    clusterRetryStrategy: retryStrategy,
    enableOfflineQueue: offlineQueue,
    redisOptions: {
      connectionName: 'casetrail',
      ...perRequest,
      ...(first.username === '' ? {} : { username: decodeURIComponent(first.username) }),
      ...(first.password === '' ? {} : { password: decodeURIComponent(first.password) }),
      ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  };
  return new Cluster(
    seeds.map((url) => ({ host: url.hostname, port: Number(url.port) })),
    options,
  );
}

/** The maxmemory-policy of every server behind the client (each master of a cluster). */
export async function evictionPolicies(client: RedisClient): Promise<string[]> {
  const servers: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  const policies = await Promise.all(
    servers.map(async (server) => /^maxmemory_policy:(\S+)/m.exec(await server.info('memory'))?.[1]),
  );
  return policies.filter((policy): policy is string => policy !== undefined);
}

export async function closeRedis(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}

/**
 * Every key of one queue carries the same hash tag, so BullMQ's multi-key scripts stay in
 * one Redis Cluster slot while different queues spread over the nodes. BullMQ builds keys
 * as `<prefix>:<queue>:<suffix>` and allows ':' in the prefix (not in queue names or ids).
 */
export function redisQueuePrefix(prefix: string, queue: string): string {
  return `${prefix}:{${queue}}`;
}
