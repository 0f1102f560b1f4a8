import type pg from 'pg';
import type { EventType, StoredEvent } from '../../src/domain/index.ts';
import type { ProjectionInput } from '../../src/infra/db/projection.repository.ts';
import type { Logger } from '../../src/infra/logger.ts';
import type { QueueFactory } from '../../src/infra/queue/queue-factory.ts';

type ProjectedEvent = StoredEvent & { id: string };

/**
 * Something that follows the audit trail: SLA timers, statistics, webhooks. The job of an
 * event is retried as a whole when any projection throws, and the reconciler may deliver
 * an event again, so every projection must be idempotent (keyed by event id or case/seq).
 */
export interface EventProjection {
  name: string;
  handles: readonly EventType[] | 'all';
  project(event: ProjectedEvent, context: ProjectionContext): Promise<void>;
}

export type ProjectionContext = {
  pool: pg.Pool;
  log: Logger;
  queues?: Pick<QueueFactory, 'queue'>;
  /** Read with the event (one round trip for all projections): its case's stage visit, webhook subscribers. */
  known: Omit<ProjectionInput, 'event'>;
};
