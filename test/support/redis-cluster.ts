// A throw-away Redis Cluster from the redis-server binary (three masters by default, with
// replicas if asked), on loopback ports, in a temporary directory; kill() takes one node
// down as a crash would, stop() kills the nodes and removes the files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface PrivateRedisCluster {
  /** Seed node URLs, as CASETRAIL_REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  ports: number[];
  /** The ports of the masters, as the cluster was created. */
  masters: number[];
  /** SIGKILL of one node (a crash). */
  kill(port: number): Promise<void>;
  /** CLUSTER INFO's cluster_state on a live node. */
  state(port: number): Promise<string>;
  /** The masters a live node sees, not failed, by port. */
  liveMasters(port: number): Promise<number[]>;
  stop(): Promise<void>;
}

/** Why the cluster tests cannot run here, or null when they can. */
export function redisClusterUnavailable(): string | null {
  for (const binary of ['redis-server', 'redis-cli']) {
    if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).status !== 0) return `${binary} is not on PATH`;
  }
  return null;
}

export async function startRedisCluster(
  size = 3,
  options: { replicas?: number; nodeTimeoutMs?: number } = {},
): Promise<PrivateRedisCluster> {
  const replicas = options.replicas ?? 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'casetrail-cluster-'));
  const children = new Map<number, ChildProcess>();
  const stop = async () => {
    await Promise.all([...children.values()].map(killChild));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    while (ports.length < size * (1 + replicas)) {
      const port = await clusterPort();
      if (!ports.includes(port)) ports.push(port);
    }
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          String(options.nodeTimeoutMs ?? 5_000),
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxmemory-policy',
          'noeviction',
          // A replica syncs at once rather than after the default 5 s, so that it can take over.
          '--repl-diskless-sync-delay',
          '0',
        ],
        { stdio: 'ignore' },
      );
      children.set(port, child);
      await waitForPing(port);
    }
    const created = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const port of ports) await waitForClusterOk(port);
    const roles = await Promise.all(ports.map((port) => withNode(port, async (r) => (await r.role())[0])));
    // A replica can take over only once it holds its master's data.
    for (const port of ports.filter((_, n) => roles[n] !== 'master')) await waitForReplicaInSync(port);
    return {
      nodes: ports.map((p) => `redis://127.0.0.1:${p}`),
      ports,
      masters: ports.filter((_, n) => roles[n] === 'master'),
      async kill(port) {
        const child = children.get(port);
        if (child !== undefined) await killChild(child);
      },
      liveMasters: (port) =>
        withNode(port, async (r) =>
          String(await r.cluster('NODES'))
            .split('\n')
            .map((line) => line.split(' '))
            .filter((fields) => fields[2]?.includes('master') && !fields[2].includes('fail'))
            .map((fields) => Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1])),
        ),
      state: (port) =>
        withNode(port, async (r) => /^cluster_state:(\w+)/m.exec(await r.cluster('INFO'))?.[1] ?? 'unknown'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function withNode<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const waitForPing = (port: number) =>
  poll(`redis-server on port ${port}`, () => withNode(port, async (r) => (await r.ping()) === 'PONG'));

const waitForClusterOk = (port: number) =>
  poll(`cluster_state:ok on port ${port}`, () =>
    withNode(port, async (r) => (await r.cluster('INFO')).includes('cluster_state:ok')),
  );

const waitForReplicaInSync = (port: number) =>
  poll(`replica on port ${port} in sync`, () =>
    withNode(port, async (r) => (await r.info('replication')).includes('master_link_status:up')),
  );

/** A port that is free, and whose cluster bus port (port + 10000) is free too. */
async function clusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
