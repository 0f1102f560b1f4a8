import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OPEN_STAGES, STAGES } from '../../domain/index.ts';
import { getStageHistory, type StageHistoryDeps } from '../../app/stage-history.ts';
import { DEFAULT_STATS_DAYS, MAX_STATS_DAYS } from '../../app/stats.ts';
import { requireRole } from '../auth.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';

const countsOf = <K extends string>(keys: readonly [K, ...K[]]) =>
  z.object(Object.fromEntries(keys.map((key) => [key, z.int()])) as Record<K, z.ZodInt>);

const stageHistorySchema = z
  .object({
    window: z.object({ days: z.int(), from: z.iso.datetime(), to: z.iso.datetime() }),
    days: z
      .array(z.object({ day: z.iso.date(), byStage: countsOf(STAGES), breaches: countsOf(OPEN_STAGES) }))
      .describe('per UTC day, oldest first: cases in each stage at the end of the day, SLA breaches recorded that day'),
  })
  .meta({ id: 'StageHistory' });

/** The history behind the console's charts; aggregates only, like /v1/stats. */
export function stageHistoryRoutes(app: FastifyInstance, deps: StageHistoryDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/stats/stages', {
    schema: {
      tags: ['stats'],
      summary: 'Cases by stage at the end of each day, and SLA breaches per day, over a window',
      querystring: z.strictObject({
        days: z.coerce
          .number()
          .int()
          .min(1)
          .max(MAX_STATS_DAYS)
          .optional()
          .describe(`the last N UTC days, today included (default ${DEFAULT_STATS_DAYS})`),
      }),
      response: { 200: stageHistorySchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    preValidation: [requireRole(['supervisor', 'admin'], 'reading statistics')],
    handler: async (request) => getStageHistory(deps, { days: request.query.days ?? DEFAULT_STATS_DAYS }),
  });
}
