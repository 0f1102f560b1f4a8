import { UnrecoverableError } from 'bullmq';
import { deliverWebhook } from '../src/app/webhook-delivery.ts';
import { assertNever } from '../src/domain/index.ts';
import { lazyChild } from '../src/infra/logger.ts';
import { createTargetPolicy } from '../src/infra/webhooks/target-policy.ts';
import { createWebhookSender } from '../src/infra/webhooks/webhook-sender.ts';
import { parseJob } from '../src/infra/queue/catalog.ts';
import type { JobProcessor } from '../src/infra/queue/queue-factory.ts';
import type { ProcessorDefinition, ProcessorDeps } from './processor.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
/** A key no secret was sealed with: sealed secrets then fail to open, and the attempt says so. */
const NO_KEY = Buffer.alloc(32);

/**
 * POSTs one webhook delivery. A failed POST throws, so BullMQ retries it with backoff; the
 * last attempt marks the delivery failed and ends the job for good (which also lets its
 * outbox row go, so the reconciler does not start it over), as does a receiver address the
 * target policy refuses.
 */
function createWebhooksProcessor(deps: ProcessorDeps): JobProcessor {
  const sender = createWebhookSender({ policy: createTargetPolicy(deps.webhooks?.allowCidrs) });
  const timeoutMs = deps.webhooks?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secretsKey = deps.webhooks?.secretsKey ?? NO_KEY;
  return async (job) => {
    const parsed = parseJob('webhooks', job.name, job.data);
    if (!parsed.ok || parsed.kind !== 'webhook') {
      const reason = parsed.ok ? `job ${job.name} is not a webhook delivery` : parsed.reason;
      deps.log.error({ queue: 'webhooks', jobId: job.id, jobName: job.name, reason }, 'job data rejected');
      throw new UnrecoverableError(`invalid job data: ${reason}`);
    }
    const { deliveryId } = parsed.data;
    const log = lazyChild(deps.log, { queue: 'webhooks', jobId: job.id });
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await deliverWebhook({ pool: deps.pool, log, timeoutMs, sender, secretsKey }, deliveryId, {
      lastAttempt,
    });
    switch (outcome.status) {
      case 'delivered':
      case 'skipped':
        return outcome;
      case 'retry':
        throw new Error(`webhook delivery attempt ${outcome.attempt} failed: ${outcome.error}`);
      case 'failed':
        throw new UnrecoverableError(`webhook delivery failed after ${outcome.attempt} attempts: ${outcome.error}`);
      case 'blocked':
        throw new UnrecoverableError(`webhook delivery ${outcome.error}`);
      case 'missing':
        // The delivery row commits with its outbox row: a job without one was added by hand.
        log.error({ deliveryId }, 'webhook delivery of the job not found');
        throw new UnrecoverableError('webhook delivery not found');
      default:
        return assertNever(outcome);
    }
  };
}

export const webhooksProcessor: ProcessorDefinition = {
  queue: 'webhooks',
  create: (deps) => createWebhooksProcessor(deps),
};
