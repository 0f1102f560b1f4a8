import { UnrecoverableError } from 'bullmq';
import { applyCommand } from '../src/app/apply-command.ts';
import { releaseUpload } from '../src/app/file-objects.ts';
import { assertNever, type CommandType, type QueueName } from '../src/domain/index.ts';
import { lazyChild } from '../src/infra/logger.ts';
import { recordCommandOutcome } from '../src/infra/metrics.ts';
import { parseJob } from '../src/infra/queue/catalog.ts';
import { errorInfo } from '../src/infra/error-info.ts';
import type { JobProcessor } from '../src/infra/queue/queue-factory.ts';
import type { ProcessorDeps } from './processor.ts';

type CommandJobResult =
  | { status: 'applied'; caseId: string; version: number; replayed: boolean }
  | { status: 'rejected'; caseId: string; code: string; replayed: boolean };

/**
 * What every stage queue does with a command job: parse it, apply the command once.
 * A rejection is a normal outcome (the command records it). Database errors throw, so
 * BullMQ retries with backoff; only what no retry can fix is unrecoverable.
 */
export function createCommandProcessor(queue: QueueName, deps: ProcessorDeps): JobProcessor {
  return async (job): Promise<CommandJobResult> => {
    const parsed = parseJob(queue, job.name, job.data);
    if (!parsed.ok || parsed.kind !== 'command') {
      const reason = parsed.ok ? `job ${job.name} is not a command` : parsed.reason;
      deps.log.error({ queue, jobId: job.id, jobName: job.name, reason }, 'job data rejected');
      throw new UnrecoverableError(`invalid job data: ${reason}`);
    }
    const log = lazyChild(deps.log, { queue, jobId: job.id, commandId: parsed.data.commandId });
    // The catalog accepted the job's name as a command, so it is a command type.
    const type = job.name as CommandType;
    const outcome =
      deps.apply === undefined
        ? await applyCommand({ ...deps, log }, parsed.data.commandId)
        : await deps.apply(parsed.data.commandId, { type });
    if (outcome.status === 'applied' && !outcome.replayed)
      recordCommandOutcome(type, { status: 'applied', latencyMs: Date.now() - job.timestamp });
    if (outcome.status === 'rejected' && !outcome.replayed) {
      recordCommandOutcome(type, { status: 'rejected', code: outcome.problem.code });
      if (type === 'attach-file' && deps.store !== undefined) {
        // A refused upload leaves no object: its bytes go unless another file holds them.
        await releaseUpload({ pool: deps.pool, store: deps.store, log }, parsed.data.commandId).catch((error) =>
          log.warn({ err: errorInfo(error) }, 'bytes of a rejected upload not deleted; the sweeper will'),
        );
      }
    }
    switch (outcome.status) {
      case 'applied':
        return { status: 'applied', caseId: outcome.caseId, version: outcome.version, replayed: outcome.replayed };
      case 'rejected':
        return { status: 'rejected', caseId: outcome.caseId, code: outcome.problem.code, replayed: outcome.replayed };
      case 'missing':
        // The outbox row commits with its command, so a job without a command means the
        // database lost data (or the job was added by hand): retrying cannot help.
        log.error({ attemptsMade: job.attemptsMade }, 'command of the job not found');
        throw new UnrecoverableError('command not found');
      default:
        return assertNever(outcome);
    }
  };
}
