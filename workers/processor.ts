import type pg from 'pg';
import type { ApplyDeps, CommandApplier } from '../src/app/apply-command.ts';
import type { QueueName } from '../src/domain/index.ts';
import type { FileStore } from '../src/infra/files/file-store.ts';
import type { Logger } from '../src/infra/logger.ts';
import type { JobProcessor, QueueFactory } from '../src/infra/queue/queue-factory.ts';

/** What every processor may use: the database and the settings applyCommand needs. */
export type ProcessorDeps = ApplyDeps & {
  pool: pg.Pool;
  log: Logger;
  /** The producers, for work that adds jobs itself (SLA timers); startWorkers passes its factory. */
  queues?: Pick<QueueFactory, 'queue'>;
  /** Applies commands batched with the others of the moment (startWorkers passes one); without it, one by one. */
  apply?: CommandApplier;
  /**
   * Webhook deliveries: how long a receiver has to answer (default 10 s), the CIDRs a
   * receiver may be in besides public addresses (default none), and the key that opens the
   * endpoints' sealed secrets (without it, only secrets stored in plaintext can be sent).
   */
  webhooks?: { timeoutMs?: number; allowCidrs?: readonly string[]; secretsKey?: Buffer };
  /** The evidence file store: the bytes of a rejected upload are deleted from it at once. */
  store?: FileStore;
};

/** One processor per queue; startWorkers checks that the catalog's queues each have exactly one. */
export interface ProcessorDefinition {
  queue: QueueName;
  create(deps: ProcessorDeps): JobProcessor;
}
