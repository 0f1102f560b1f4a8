// Scale-out on Redis Cluster (docs/design.md §3): the same code, with CASETRAIL_REDIS_CLUSTER_NODES
// instead of REDIS_URL, drives cases through every stage on a three-node cluster started
// from the redis-server binary, and each queue's keys stay on one node (its hash tag)
// while the queues spread over the nodes.
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/domain/index.ts';
import { parseConfig, queueBackend } from '../../src/infra/config/config.ts';
import { queueFactoryOptions } from '../../src/infra/queue/queue-factory.ts';
import { checkRedisQueues } from '../../src/infra/queue/queue-health.ts';
import { redisQueuePrefix, redisTarget } from '../../src/infra/queue/redis-connection.ts';
import { routedQueues } from '../../src/infra/queue/catalog.ts';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';
import { redisClusterUnavailable, startRedisCluster, type PrivateRedisCluster } from '../support/redis-cluster.ts';
import { startSystem, type System } from '../support/system.ts';

const unavailable = redisClusterUnavailable();
if (unavailable !== null)
  console.warn(`skipping the Redis Cluster tests: ${unavailable} (install redis-server and redis-cli to run them)`);

type Json = Record<string, unknown>;
const CASES = 12;

describe.skipIf(unavailable !== null)(
  `casetrail on a three-node Redis Cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let cluster: PrivateRedisCluster;
    let system: System;
    const token: Record<string, string> = {};

    beforeAll(async () => {
      cluster = await startRedisCluster(3);
      // The configuration path a deployment takes: the variable, parsed, into the factory options.
      const config = parseConfig({
        CASETRAIL_REDIS_CLUSTER_NODES: cluster.ports.map((p) => `127.0.0.1:${p}`).join(','),
      });
      expect(queueBackend(config)).toBe('redis');
      const nodes = queueFactoryOptions(config, 'postgresql://unused', pino({ level: 'silent' })).redisClusterNodes;
      expect(nodes).toEqual(cluster.nodes);
      system = await startSystem({ backend: 'redis', harness: { redisClusterNodes: [...(nodes ?? [])] } });
      for (const [name, roles] of [
        ['clerk', ['clerk']],
        ['verifier', ['verifier']],
        ['supervisor', ['supervisor']],
      ] as const) {
        token[name] = (await system.createUser(`${name}-${randomUUID()}`, [...roles])).token;
      }
    }, 180_000);

    afterAll(async () => {
      await system?.close();
      await cluster?.stop();
    });

    async function post(path: string, who: string, body: unknown): Promise<{ status: number; body: Json }> {
      const response = await fetch(`${system.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token[who]}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Json };
    }

    async function act(caseId: string, path: string, who: string, body: unknown): Promise<Json> {
      const answer = await post(`/v1/cases/${caseId}/${path}?wait=true`, who, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body;
    }

    async function eventTypes(caseId: string): Promise<string[]> {
      const response = await fetch(`${system.baseUrl}/v1/cases/${caseId}/events`, {
        headers: { authorization: `Bearer ${token.supervisor}` },
      });
      return ((await response.json()) as { items: Json[] }).items.map((e) => e.type as string);
    }

    it('drives cases from submission to an enforced penalty, and a duplicate report to its merge', async () => {
      const closed = await Promise.all(
        Array.from({ length: CASES }, async (_, i) => {
          const body = submitBody({
            url: `https://www.tiktok.com/@nguoi.dung/video/${randomUUID()}`,
            content: `Tin giả số ${i} ${randomUUID()}`,
          });
          const submitted = await post('/v1/cases?wait=true', 'clerk', body);
          expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
          const id = submitted.body.id as string;
          await act(id, 'claim', 'verifier', {});
          await act(id, 'verify', 'verifier', verifyBody());
          await act(id, 'refer', 'supervisor', BODIES.refer);
          await act(id, 'penalty', 'supervisor', penaltyBody({ decisionNo: `QD-${randomUUID()}` }));
          return act(id, 'close', 'supervisor', BODIES.close);
        }),
      );
      expect(closed.map((c) => [c.stage, c.outcome, c.version])).toEqual(
        Array.from({ length: CASES }, () => ['closed', 'penalty_enforced', 6]),
      );
      expect(await eventTypes(closed[0]?.id as string)).toEqual([
        'case.received',
        'case.claimed',
        'case.verified',
        'case.referred',
        'case.penalty_issued',
        'case.closed',
      ]);

      const item = submitBody({
        url: `https://zalo.me/g/${randomUUID()}`,
        content: `Cảnh báo lừa đảo ${randomUUID()}`,
      });
      const original = (await post('/v1/cases?wait=true', 'clerk', item)).body;
      const duplicate = (await post('/v1/cases?wait=true', 'clerk', item)).body;
      expect(duplicate).toMatchObject({ stage: 'closed', outcome: 'duplicate', duplicateOf: original.id });
      expect(await eventTypes(original.id as string)).toEqual(['case.received', 'case.report_merged']);

      await system.waitFor(async () => (await system.pendingCommands()) === 0, 60_000);
      const { rows } = await system.harness.pool.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM commands GROUP BY status',
      );
      expect(rows).toEqual([{ status: 'applied', n: CASES * 6 + 2 }]);
    });

    it('answers the health check through any seed node', async () => {
      const health = await checkRedisQueues(
        redisTarget({ redisClusterNodes: cluster.nodes }),
        (queue) => redisQueuePrefix(system.harness.prefix, queue),
        routedQueues(),
      );
      expect(health).toEqual({ ok: true, failing: [] });
    });

    it('keeps every key of one queue on one node, and spreads the queues over several nodes', async () => {
      const admin = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
      try {
        await new Promise((resolve) => admin.once('ready', resolve));
        const prefix = `${system.harness.prefix}:`;
        const nodesOfQueue = new Map<string, Set<string>>();
        for (const node of admin.nodes('master')) {
          const nodeId = `${node.options.host}:${node.options.port}`;
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            cursor = next;
            for (const key of keys) {
              const queue = /^\{([^}]+)\}:/.exec(key.slice(prefix.length))?.[1] ?? `(untagged ${key})`;
              nodesOfQueue.set(queue, (nodesOfQueue.get(queue) ?? new Set()).add(nodeId));
            }
          } while (cursor !== '0');
        }
        // Every queue the cases went through has keys; `sla` may too, once SLA timers run.
        const queues = [...nodesOfQueue.keys()];
        expect(queues.filter((q) => !(QUEUE_NAMES as readonly string[]).includes(q))).toEqual([]);
        expect(queues).toEqual(
          expect.arrayContaining(['intake', 'verification', 'referral', 'penalty', 'closure', 'events']),
        );
        for (const [, holders] of nodesOfQueue) expect(holders.size).toBe(1);
        const used = new Set([...nodesOfQueue.values()].flatMap((holders) => [...holders]));
        expect(used.size).toBeGreaterThanOrEqual(2);
      } finally {
        admin.disconnect();
      }
    });
  },
);
