// A stage queue split into shards by case id spreads one stage over several masters of a
// Redis Cluster, each shard with its own hash tag, and keeps each case's jobs on one shard.
// On a cluster of three masters with a replica each, started here from the redis-server
// binary, a master is killed while cases are driven: its replica takes over, nothing is
// lost or doubled, and the pipeline goes on.
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueNamesOf, shardOf } from '../../src/infra/queue/catalog.ts';
import { redisQueuePrefix } from '../../src/infra/queue/redis-connection.ts';
import { BODIES, SUPERVISOR, VERIFIER, verifyBody } from '../support/fixtures.ts';
import {
  caseOfApplied,
  commandStatuses,
  createQueueHarness,
  eventually,
  type QueueHarness,
} from '../support/queue-harness.ts';
import { redisClusterUnavailable, startRedisCluster, type PrivateRedisCluster } from '../support/redis-cluster.ts';

const unavailable = redisClusterUnavailable();
const SHARDS = 4;
const CASES = 40;

/** What a stalled run looked like: the commands, the stage queues' jobs, the last warnings. */
async function diagnosis(h: QueueHarness): Promise<string> {
  const queues = await Promise.all(
    (['intake', 'verification', 'referral', 'events'] as const)
      .flatMap((name) => h.factory.queues(name))
      .map(async (queue) => `${queue.name} ${JSON.stringify(await queue.getJobCounts().catch(() => ({})))}`),
  );
  const warnings = h.logs.filter((l) => l.level === 'warn' || l.level === 'error').slice(-10);
  return JSON.stringify({ commands: await commandStatuses(h.pool), queues, warnings: warnings.map((l) => l.msg) });
}

describe.skipIf(unavailable !== null)('stage queues split into shards on a Redis Cluster with replicas', () => {
  let cluster: PrivateRedisCluster;
  let h: QueueHarness;

  beforeAll(async () => {
    cluster = await startRedisCluster(3, { replicas: 1, nodeTimeoutMs: 1_000 });
    h = await createQueueHarness('redis', { redisClusterNodes: cluster.nodes, shards: SHARDS });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await cluster?.stop();
  });

  it('spreads one stage over several masters', async () => {
    const names = h.factory.queueNames('verification');
    expect(names).toEqual(queueNamesOf(SHARDS)('verification'));
    expect(names).toHaveLength(SHARDS);
    expect(h.factory.queueNames('sla')).toEqual(['sla']);
    const admin = new Cluster([{ host: '127.0.0.1', port: cluster.masters[0] as number }]);
    try {
      await new Promise((resolve) => admin.once('ready', resolve));
      const owners = new Set(
        names.map((name) => admin.slots[calculateSlot(`${redisQueuePrefix(h.prefix, name)}:x`)]?.[0]),
      );
      expect(owners.size).toBeGreaterThanOrEqual(2);
    } finally {
      admin.disconnect();
    }
  });

  it('drives cases through while a master is killed: failover, nothing lost or doubled, each case on one shard', async () => {
    await h.start();
    let closed = 0;
    const through = async (): Promise<string> => {
      const caseId = await caseOfApplied(h, await h.submit());
      await caseOfApplied(h, await h.insert('claim', caseId, VERIFIER, {}));
      await caseOfApplied(h, await h.insert('verify', caseId, VERIFIER, verifyBody()));
      await caseOfApplied(h, await h.insert('refer', caseId, SUPERVISOR, BODIES.refer));
      await caseOfApplied(h, await h.insert('record-no-violation', caseId, SUPERVISOR, BODIES['record-no-violation']));
      closed += 1;
      return caseId;
    };
    const driving = (async () => {
      const ids: string[] = [];
      // Waves of ten, so that the kill lands in the middle of the run.
      for (let wave = 0; wave < CASES / 10; wave += 1)
        ids.push(...(await Promise.all(Array.from({ length: 10 }, through))));
      return ids;
    })();
    await eventually(async () => closed >= 10, { what: 'ten cases closed', timeoutMs: 60_000 }).catch(async (error) => {
      throw new Error(`${(error as Error).message}; ${await diagnosis(h)}`);
    });
    const victim = cluster.masters[0] as number;
    await cluster.kill(victim);
    const survivor = cluster.masters[1] as number;
    // Its replica takes over: three live masters again, the killed one not among them.
    await eventually(
      async () => {
        const masters = await cluster.liveMasters(survivor);
        return masters.length === 3 && !masters.includes(victim) && (await cluster.state(survivor)) === 'ok';
      },
      { what: 'the failover', timeoutMs: 60_000 },
    );
    const closedAtFailover = closed;
    await eventually(async () => closed >= closedAtFailover + 10, { what: 'the pipeline going on', timeoutMs: 60_000 });
    const caseIds = await eventually(() => driving, { what: 'every case closed', timeoutMs: 120_000 });

    expect(caseIds).toHaveLength(CASES);
    expect(await commandStatuses(h.pool)).toEqual({ applied: CASES * 5 });
    const { rows } = await h.pool.query<{ case_id: string; types: string[] }>(
      'SELECT case_id, array_agg(type ORDER BY seq) AS types FROM events WHERE case_id = ANY($1::uuid[]) GROUP BY case_id',
      [caseIds],
    );
    expect(rows).toHaveLength(CASES);
    for (const row of rows) {
      expect(row.types).toEqual(['case.received', 'case.claimed', 'case.verified', 'case.referred', 'case.closed']);
    }
    // Every verification job that ran went to its case's shard.
    const names = h.factory.queueNames('verification');
    for (const [n, queue] of h.factory.queues('verification').entries()) {
      for (const job of await queue.getCompleted()) {
        const caseId = (job.data as { caseId: string }).caseId;
        expect(names[shardOf(caseId, SHARDS)]).toBe(names[n]);
      }
    }
  }, 240_000);
});
