import { z } from 'zod';
import { PRIORITIES } from '../../domain/stages.ts';
import { AGE_BANDS } from '../../domain/workload.ts';

const bandSchema = z.object({
  total: z.int(),
  byAge: z
    .object(Object.fromEntries(AGE_BANDS.map((age) => [age, z.int()])) as Record<(typeof AGE_BANDS)[number], z.ZodInt>)
    .describe('by time since receipt: under an hour, under a day, under three days, older'),
});

export const workloadSchema = z
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

export type WorkloadRepresentation = z.output<typeof workloadSchema>;
