import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface HealthChecks {
  database(): Promise<boolean>;
  queues(): Promise<boolean>;
}

const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ database: z.boolean(), queues: z.boolean() }),
});

/** Liveness answers while the process runs; readiness needs the database and the queue backend. */
export function healthRoutes(app: FastifyInstance, checks: HealthChecks): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/healthz', {
    schema: {
      tags: ['health'],
      summary: 'Liveness',
      security: [],
      response: { 200: z.object({ status: z.literal('ok') }) },
    },
    handler: async () => ({ status: 'ok' as const }),
  });
  typed.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database and the queue backend are reachable',
      security: [],
      response: { 200: readinessSchema, 503: readinessSchema },
    },
    handler: async (_request, reply) => {
      const [database, queues] = await Promise.all([checks.database(), checks.queues()]);
      const ready = database && queues;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { database, queues } });
    },
  });
}
