import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { buildServer } from '../api/server.ts';
import { createUser } from '../app/users.ts';
import { COMMANDS } from '../domain/index.ts';
import { createCommandWaiter } from '../infra/db/command-waiter.ts';
import { openDatabase } from '../infra/db/database.ts';
import type { Logger } from '../infra/logger.ts';
import { submitRequest } from './bench-bodies.ts';
import { createBenchDatabase, round, rssSampler } from './bench-services.ts';

export type IntakeBenchOptions = { adminUrl: string; connections: number; seconds: number; log: Logger; poolSize: number };

export type IntakeBenchResult = {
  scenario: 'intake';
  connections: number;
  requestsPerSec: number;
  baselineRequestsPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  peakRssMb: number;
  target: { ratio: number };
};

const BARE_ROUTE = '/bench/bare-intake';

/**
 * POST /v1/cases under autocannon against a bare route in the same server that only runs
 * the same zod schema and answers 202. The API runs without workers: intake alone.
 */
export async function runIntakeBench(options: IntakeBenchOptions): Promise<IntakeBenchResult> {
  const rss = rssSampler();
  const db = await createBenchDatabase(options.adminUrl);
  const database = openDatabase(db.url, { poolSize: options.poolSize, log: options.log });
  const waiter = createCommandWaiter({ pool: database.pool, log: options.log });
  try {
    const app = await buildServer({
      log: options.log,
      pool: database.pool,
      prisma: database.prisma,
      health: { database: async () => true, queues: async () => true },
      commandWaiter: waiter,
      options: { rateLimit: { max: 10_000_000, windowMs: 60_000 } },
    });
    const schema = COMMANDS.submit.request;
    app.post(BARE_ROUTE, { schema: { body: schema } }, async (_request, reply) =>
      reply.code(202).send({ commandId: randomUUID(), caseId: randomUUID(), status: 'pending' }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const created = await createUser({ pool: database.pool, prisma: database.prisma }, { name: `bench-clerk-${randomUUID()}`, roles: ['clerk'] });
    if (!created.ok) throw new Error(created.detail);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${created.user.token}` };
    const body = JSON.stringify(submitRequest(1));
    const fire = (path: string) =>
      autocannon({ url: `${base}${path}`, method: 'POST', headers, body, connections: options.connections, duration: options.seconds });
    try {
      await fire(BARE_ROUTE); // warm-up of the JIT and the connection pool, not counted
      const baseline = await fire(BARE_ROUTE);
      const project = await fire('/v1/cases');
      return {
        scenario: 'intake',
        connections: options.connections,
        requestsPerSec: round(project.requests.average, 1),
        baselineRequestsPerSec: round(baseline.requests.average, 1),
        ratio: round(project.requests.average / baseline.requests.average, 3),
        p50Ms: project.latency.p50,
        p99Ms: project.latency.p99,
        errors: project.errors + project.non2xx,
        peakRssMb: rss.peakMb(),
        target: { ratio: 0.6 },
      };
    } finally {
      await app.close();
    }
  } finally {
    rss.stop();
    await database.close();
    await db.drop();
  }
}
