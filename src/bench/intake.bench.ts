import { randomBytes, randomUUID } from 'node:crypto';
import type autocannon from 'autocannon';
import { buildServer } from '../api/server.ts';
import { createUser } from '../app/users.ts';
import { COMMANDS } from '../domain/index.ts';
import { createCommandWaiter } from '../infra/db/command-waiter.ts';
import { openDatabase } from '../infra/db/database.ts';
import type { Logger } from '../infra/logger.ts';
import type { QueueBackendKind } from '../infra/queue/queue-factory.ts';
import { submitRequest } from './bench-bodies.ts';
import { benchQueues, createBenchDatabase, dropQueues, median, round, rssSampler } from './bench-services.ts';
import { benchPrefix } from './leftovers.ts';

export type IntakeBenchOptions = {
  adminUrl: string;
  /** The queues the API hands accepted commands to; without it, BullMQ's PostgreSQL backend. */
  redisUrl?: string;
  connections: number;
  seconds: number;
  /** Measured rounds of each route, interleaved (bare, casetrail, bare, ...); the medians are reported. */
  rounds: number;
  log: Logger;
  poolSize: number;
};

export type IntakeBenchResult = {
  scenario: 'intake';
  connections: number;
  requestsPerSec: number;
  baselineRequestsPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Requests per second of each round, in the order run. */
  rounds: { casetrail: number[]; baseline: number[] };
  queueBackend: QueueBackendKind;
  peakRssMb: number;
  target: { ratio: number };
};

const BARE_ROUTE = '/bench/bare-intake';

/**
 * POST /v1/cases under autocannon against a bare route in the same server that only runs
 * the same zod schema and answers 202. The API runs as `casetrail start --no-workers` does:
 * with its queue producers (accepted commands are handed to their queue), no workers.
 * autocannon runs in a worker thread, off the server's event loop. Rounds alternate
 * between the two routes so that drift on a shared machine touches both alike.
 */
export async function runIntakeBench(options: IntakeBenchOptions): Promise<IntakeBenchResult> {
  const rss = rssSampler();
  const db = await createBenchDatabase(options.adminUrl);
  const database = openDatabase(db.url, { poolSize: options.poolSize, log: options.log });
  const waiter = createCommandWaiter({ pool: database.pool, log: options.log });
  const backend: QueueBackendKind = options.redisUrl === undefined ? 'postgres' : 'redis';
  const factory = await benchQueues({
    backend,
    redisUrl: options.redisUrl,
    databaseUrl: db.url,
    prefix: benchPrefix('bench'),
    log: options.log,
  });
  try {
    const app = await buildServer({
      log: options.log,
      pool: database.pool,
      prisma: database.prisma,
      health: { database: async () => true, queues: async () => true },
      commandWaiter: waiter,
      queues: factory,
      secretsKey: randomBytes(32),
      options: { rateLimit: { max: 10_000_000, addressMax: 10_000_000, authFailures: 10_000_000, windowMs: 60_000 } },
    });
    const schema = COMMANDS.submit.request;
    app.post(BARE_ROUTE, { schema: { body: schema } }, async (_request, reply) =>
      reply.code(202).send({ commandId: randomUUID(), caseId: randomUUID(), status: 'pending' }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const created = await createUser(
      { pool: database.pool, prisma: database.prisma },
      { name: `bench-clerk-${randomUUID()}`, roles: ['clerk'] },
    );
    if (!created.ok) throw new Error(created.detail);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${created.user.token}` };
    const body = JSON.stringify(submitRequest(1));
    // A development dependency, as the bench is: a production install has no load generator.
    const { default: load } = await import('autocannon');
    const fire = (path: string, seconds = options.seconds) =>
      load({
        url: `${base}${path}`,
        method: 'POST',
        headers,
        body,
        connections: options.connections,
        duration: seconds,
        workers: 1,
      });
    try {
      // Warm-up of the JIT, the pools and the prepared statements, not counted.
      await fire(BARE_ROUTE, Math.min(2, options.seconds));
      await fire('/v1/cases', Math.min(2, options.seconds));
      const baseline: autocannon.Result[] = [];
      const project: autocannon.Result[] = [];
      for (let round = 0; round < options.rounds; round++) {
        baseline.push(await fire(BARE_ROUTE));
        project.push(await fire('/v1/cases'));
      }
      const rate = (results: autocannon.Result[]) => median(results.map((r) => r.requests.average));
      const middle = project.toSorted((a, b) => a.requests.average - b.requests.average)[
        Math.floor((project.length - 1) / 2)
      ] as autocannon.Result;
      return {
        scenario: 'intake',
        connections: options.connections,
        requestsPerSec: round(rate(project), 1),
        baselineRequestsPerSec: round(rate(baseline), 1),
        ratio: round(rate(project) / rate(baseline), 3),
        p50Ms: middle.latency.p50,
        p99Ms: middle.latency.p99,
        errors: project.reduce((n, r) => n + r.errors + r.non2xx, 0),
        rounds: {
          casetrail: project.map((r) => round(r.requests.average, 0)),
          baseline: baseline.map((r) => round(r.requests.average, 0)),
        },
        queueBackend: backend,
        peakRssMb: rss.peakMb(),
        target: { ratio: 0.4 },
      };
    } finally {
      await app.close();
    }
  } finally {
    rss.stop();
    await dropQueues(factory);
    await factory.close();
    await database.close();
    await db.drop();
  }
}
