import { UnrecoverableError, type Job } from 'bullmq';
import { createProjectionInputLoader, type ProjectionInput } from '../src/infra/db/projection.repository.ts';
import type { OutboxRow } from '../src/infra/db/outbox.repository.ts';
import { lazyChild, type Logger } from '../src/infra/logger.ts';
import { inSpan, inTrace } from '../src/infra/tracing.ts';
import type { Handoff } from '../src/infra/queue/publish.ts';
import { parseJob } from '../src/infra/queue/catalog.ts';
import type { JobProcessor } from '../src/infra/queue/queue-factory.ts';
import type { ProcessorDefinition, ProcessorDeps } from './processor.ts';
import type { EventProjection, ProjectionContext } from './projections/projection.ts';
import { slaTimerProjection } from './projections/sla-timer.projection.ts';
import { webhookProjection } from './projections/webhook.projection.ts';

/** The projections that run on the events queue: register new ones here. */
const EVENT_PROJECTIONS: readonly EventProjection[] = [slaTimerProjection, webhookProjection];

export function createEventsProcessor(
  deps: ProcessorDeps,
  projections: readonly EventProjection[] = EVENT_PROJECTIONS,
): JobProcessor {
  const loadInput = createProjectionInputLoader(deps.pool);
  return async (job) => {
    const parsed = parseJob('events', job.name, job.data);
    if (!parsed.ok || parsed.kind !== 'event') {
      const reason = parsed.ok ? `job ${job.name} is not an event` : parsed.reason;
      deps.log.error({ queue: 'events', jobId: job.id, jobName: job.name, reason }, 'job data rejected');
      throw new UnrecoverableError(`invalid job data: ${reason}`);
    }
    const { eventId, caseId, seq } = parsed.data;
    const log = lazyChild(deps.log, { queue: 'events', jobId: job.id, eventId, caseId });
    // An event projected where it was written comes with its inputs (see writeTransitions).
    const input = (job as Job & { projection?: ProjectionInput }).projection ?? (await loadInput(eventId));
    const event = input?.event ?? null;
    if (input === null || event === null || event.caseId !== caseId || event.seq !== seq || event.type !== job.name) {
      // Events are append-only and their outbox row commits with them: this is data loss.
      log.error(
        { seq, found: event === null ? null : { caseId: event.caseId, seq: event.seq, type: event.type } },
        'event of the job not found',
      );
      throw new UnrecoverableError('event not found');
    }
    const run = projections.filter((p) => p.handles === 'all' || p.handles.includes(event.type));
    for (const projection of run) {
      const context: ProjectionContext = {
        pool: deps.pool,
        log: lazyChild(log, { projection: projection.name }),
        known: { visit: input.visit, webhookSubscribers: input.webhookSubscribers },
      };
      if (deps.queues !== undefined) context.queues = deps.queues;
      await inSpan(`project ${projection.name}`, async (span) => {
        span.setAttributes({ 'casetrail.event.type': event.type, 'casetrail.case.id': caseId });
        await projection.project(event, context);
      });
    }
    log.debug({ type: event.type, seq, projections: run.map((p) => p.name) }, 'event projected');
    return { type: event.type, projections: run.length };
  };
}

export const eventsProcessor: ProcessorDefinition = {
  queue: 'events',
  create: (deps) => createEventsProcessor(deps),
};

/**
 * A hand-off that projects events right where they were committed, instead of a trip
 * through the events queue: used by a process that works the events queue itself. Each
 * event projected is acknowledged (its outbox row goes); an event whose projection failed,
 * and every other row, goes on to the queues, where retries with backoff take over. A
 * process that dies before projecting leaves rows the reconciler republishes.
 */
export function projectInline(options: {
  events: JobProcessor;
  ack: (outboxId: string) => void;
  handOnRest: Handoff;
  log: Logger;
}): Handoff {
  return async (rows) => {
    const rest: OutboxRow[] = rows.filter((row) => row.queue !== 'events');
    // Projections are idempotent and order-free (as on the queue), so the events go at once.
    await Promise.all(
      rows
        .filter((row) => row.queue === 'events')
        .map(async (row) => {
          try {
            // The job the relay would have published, as far as an events processor reads one,
            // with the inputs its write read.
            const job = {
              id: row.id,
              name: row.jobName,
              data: row.payload,
              timestamp: Date.now(),
              attemptsMade: 0,
              projection: row.projection,
            };
            // In the trace of the write that appended the event, as its job would be.
            await inTrace(row.traceContext, () => options.events(job as unknown as Job));
            options.ack(row.id);
          } catch (error) {
            options.log.warn(
              { outboxId: row.id, err: { message: (error as Error).message } },
              'inline projection failed, the events queue retries it',
            );
            rest.push(row);
          }
        }),
    );
    await options.handOnRest(rest);
  };
}
