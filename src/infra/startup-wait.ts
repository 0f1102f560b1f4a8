import { errorInfo } from './error-info.ts';
import type { Logger } from './logger.ts';
import { pause } from './queue/time-limit.ts';

/** First and longest pause between two tries; the pause doubles in between. */
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

/**
 * Waits at start for a service the process cannot run without (PostgreSQL, Redis): tries
 * `check`, and while it throws, tries again with a doubling pause, logging each refusal,
 * until it answers or `maxWaitMs` has passed (then the last error is thrown). A server
 * started beside its database (a container platform starts them in any order) thus
 * waits for it instead of exiting on the first refused connection.
 */
export async function waitForService(options: {
  service: string;
  check: () => Promise<unknown>;
  log: Logger;
  maxWaitMs: number;
}): Promise<void> {
  const started = Date.now();
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await options.check();
      if (attempt > 1) {
        options.log.info({ service: options.service, attempts: attempt, waitedMs: Date.now() - started }, 'service up');
      }
      return;
    } catch (error) {
      const waitedMs = Date.now() - started;
      if (waitedMs + delay > options.maxWaitMs) {
        options.log.error(
          { service: options.service, attempts: attempt, waitedMs, err: errorInfo(error) },
          'service unreachable, giving up',
        );
        throw error;
      }
      options.log.warn(
        { service: options.service, attempt, retryInMs: delay, err: errorInfo(error) },
        'service unreachable, waiting',
      );
      await pause(delay);
      delay = Math.min(delay * 2, LONGEST_RETRY_MS);
    }
  }
}
