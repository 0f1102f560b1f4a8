import type { FastifyInstance } from 'fastify';

export interface HealthChecks {
  database(): Promise<boolean>;
  queues(): Promise<boolean>;
}

/** Liveness answers while the process runs; readiness needs the database and the queue backend. */
export function healthRoutes(app: FastifyInstance, checks: HealthChecks): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const [database, queues] = await Promise.all([checks.database(), checks.queues()]);
    const ready = database && queues;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { database, queues } });
  });
}
