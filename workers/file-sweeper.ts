import { sweepFiles, type FileObjectDeps, type FileSweepResult } from '../src/app/file-objects.ts';
import { startPeriodic } from '../src/infra/queue/periodic.ts';

export interface FileSweeperOptions {
  deps: FileObjectDeps;
  intervalMs: number;
  /** How old a leftover must be before it goes: longer than any upload takes. */
  graceMs: number;
  batchSize: number;
}

export interface FileSweeper {
  /** One round now (what the timer runs); for tools and tests. */
  runOnce(): Promise<FileSweepResult>;
  close(): Promise<void>;
}

/**
 * The safety net under the file store (docs/design.md §10): an upload cut off by a crash
 * leaves a temporary object, a command that was never stored or whose bytes could not be
 * released leaves an object nothing holds. Every intervalMs this removes those older than
 * graceMs. Runs next to the outbox relay in every pipeline process; several agree (object
 * rows are locked, deleting twice is harmless).
 */
export function startFileSweeper(options: FileSweeperOptions): FileSweeper {
  const log = options.deps.log.child({ component: 'file-sweeper' });
  const deps = { ...options.deps, log };
  return startPeriodic({
    log,
    messages: { down: 'file sweep failed, will retry', up: 'file sweep recovered' },
    intervalMs: options.intervalMs,
    run: () => sweepFiles(deps, { graceMs: options.graceMs, batchSize: options.batchSize }),
    after: (round) => {
      if (round.temps + round.objects + round.strays > 0) log.info(round, 'file sweeper removed leftovers');
      return false;
    },
  });
}
