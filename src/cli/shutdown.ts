import type { Logger } from '../infra/logger.ts';
import { errorInfo, errorLocation } from '../infra/queue/outage-log.ts';

const GRACE_MS = 15_000;

/**
 * On SIGTERM or SIGINT: stop taking work and close everything, then exit 0. A second
 * signal, or a close that outlasts the grace period, exits at once with status 1.
 */
export function onShutdown(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ graceMs: GRACE_MS }, 'shutdown took too long, exiting');
      process.exit(1);
    }, GRACE_MS);
    timer.unref();
    close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: errorInfo(error), where: errorLocation(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
