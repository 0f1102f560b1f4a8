import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getWorkload, type WorkloadDeps } from '../../app/workload.ts';
import { requireRole } from '../auth.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';
import { workloadSchema } from '../schemas/workload.schemas.ts';

/** Who carries what: supervisors hand work out with it. */
export function workloadRoutes(app: FastifyInstance, deps: WorkloadDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/workload', {
    schema: {
      tags: ['stats'],
      summary:
        'Per verifier: open claims, verdicts in 7 and 30 days, median time to verdict; the unclaimed backlog by priority and age',
      response: { 200: workloadSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    preValidation: [requireRole(['supervisor'], 'reading the workload')],
    handler: async () => getWorkload(deps),
  });
}
