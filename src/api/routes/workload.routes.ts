import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PRIORITIES } from '../../domain/index.ts';
import { AGE_BANDS, getWorkload, type WorkloadDeps } from '../../app/workload.ts';
import { requireRole } from '../auth.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';

const bandSchema = z.object({
  total: z.int(),
  byAge: z
    .object(Object.fromEntries(AGE_BANDS.map((age) => [age, z.int()])) as Record<(typeof AGE_BANDS)[number], z.ZodInt>)
    .describe('by time since receipt: under an hour, under a day, under three days, older'),
});

const workloadSchema = z
  .object({
    verifiers: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        disabled: z.boolean(),
        openClaims: z.int().describe('received cases they hold a live claim on, their own or assigned'),
        verdicts7d: z.int(),
        verdicts30d: z.int(),
        medianSecondsToVerdict: z.number().nullable().describe('from receipt to verdict, over the last 30 days'),
      }),
    ),
    backlog: bandSchema.extend({
      byPriority: z.object(
        Object.fromEntries(PRIORITIES.map((p) => [p, bandSchema])) as Record<
          (typeof PRIORITIES)[number],
          typeof bandSchema
        >,
      ),
      oldestReceivedAt: z.iso.datetime().nullable(),
    }),
  })
  .meta({ id: 'Workload' });

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
