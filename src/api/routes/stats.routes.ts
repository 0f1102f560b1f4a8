import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OPEN_STAGES, OUTCOMES, STAGES } from '../../domain/index.ts';
import { DEFAULT_STATS_DAYS, MAX_STATS_DAYS, getStats, type StatsDeps } from '../../app/stats.ts';
import { requireRole } from '../auth.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';

const countsOf = <K extends string>(keys: readonly [K, ...K[]]) =>
  z.object(Object.fromEntries(keys.map((key) => [key, z.int()])) as Record<K, z.ZodInt>);

const stageTimeSchema = z.object({
  visits: z.int().describe('stage visits that ended in the window'),
  medianSeconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
});

const statsSchema = z
  .object({
    generatedAt: z.iso.datetime(),
    window: z.object({ days: z.int(), from: z.iso.datetime(), to: z.iso.datetime() }),
    cases: z.object({ total: z.int(), byStage: countsOf(STAGES), byOutcome: countsOf(OUTCOMES) }),
    sla: z.object({
      overdue: z
        .object({ total: z.int(), byStage: countsOf(OPEN_STAGES) })
        .describe('open cases past their stage deadline now'),
      breaches: z
        .object({ total: z.int(), byStage: countsOf(OPEN_STAGES) })
        .describe('SLA breaches recorded in the window'),
    }),
    timeInStage: z.object(
      Object.fromEntries(OPEN_STAGES.map((stage) => [stage, stageTimeSchema])) as Record<
        (typeof OPEN_STAGES)[number],
        typeof stageTimeSchema
      >,
    ),
    throughput: z
      .array(z.object({ day: z.iso.date(), received: z.int(), closed: z.int() }))
      .describe('per UTC day, oldest first'),
  })
  .meta({ id: 'Stats' });

const statsQuerySchema = z.strictObject({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_STATS_DAYS)
    .optional()
    .describe(`the window: the last N UTC days, today included (default ${DEFAULT_STATS_DAYS})`),
});

/** Aggregates over every case: supervisors and admins only (they carry no personal data). */
export function statsRoutes(app: FastifyInstance, deps: StatsDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/stats', {
    schema: {
      tags: ['stats'],
      summary: 'Cases by stage and outcome, SLA breaches and overdue cases, time in stage, daily throughput',
      querystring: statsQuerySchema,
      response: { 200: statsSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    preValidation: [requireRole(['supervisor', 'admin'], 'reading statistics')],
    handler: async (request) => getStats(deps, request.query.days === undefined ? {} : { days: request.query.days }),
  });
}
