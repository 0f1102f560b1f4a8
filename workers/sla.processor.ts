import { DelayedError, UnrecoverableError } from 'bullmq';
import { breachSlaVisit } from '../src/app/sla-breach.ts';
import { lazyChild } from '../src/infra/logger.ts';
import { parseJob } from '../src/infra/queue/catalog.ts';
import type { JobProcessor } from '../src/infra/queue/queue-factory.ts';
import type { ProcessorDefinition, ProcessorDeps } from './processor.ts';

/**
 * A stage visit's deadline came: breach it if the case is still there. A timer that fires
 * early by the database clock (the worker's clock runs ahead) waits out the difference.
 */
function createSlaProcessor(deps: ProcessorDeps): JobProcessor {
  return async (job) => {
    const parsed = parseJob('sla', job.name, job.data);
    if (!parsed.ok || parsed.kind !== 'sla-timer') {
      const reason = parsed.ok ? `job ${job.name} is not an sla timer` : parsed.reason;
      deps.log.error({ queue: 'sla', jobId: job.id, jobName: job.name, reason }, 'job data rejected');
      throw new UnrecoverableError(`invalid job data: ${reason}`);
    }
    const log = lazyChild(deps.log, { queue: 'sla', jobId: job.id, caseId: parsed.data.caseId });
    const outcome = await breachSlaVisit({ pool: deps.pool, log }, parsed.data);
    if (outcome.status === 'not_due') {
      // The margin keeps a timer from waking again a moment too early.
      await job.moveToDelayed(Date.now() + outcome.remainingMs + 250, job.token);
      throw new DelayedError();
    }
    return outcome;
  };
}

export const slaProcessor: ProcessorDefinition = {
  queue: 'sla',
  create: (deps) => createSlaProcessor(deps),
};
