import { errorInfo } from '../error-info.ts';
import type { Logger } from '../logger.ts';

export interface OutageLog {
  /** Logs the first failure of an outage; later ones only count. */
  failed(error: unknown): void;
  /** Logs the end of an outage (once), with how long it lasted and how many failures it saw. */
  recovered(): void;
  readonly down: boolean;
}

/**
 * One warning when something starts failing and one line when it works again, instead
 * of a line per retry (a Redis outage would otherwise log every reconnect and every row).
 */
export function createOutageLog(log: Logger, messages: { down: string; up: string }): OutageLog {
  let outage: { since: number; failures: number } | null = null;
  return {
    failed(error) {
      if (outage !== null) {
        outage.failures += 1;
        return;
      }
      outage = { since: Date.now(), failures: 1 };
      log.warn({ err: errorInfo(error) }, messages.down);
    },
    recovered() {
      if (outage === null) return;
      log.info({ downMs: Date.now() - outage.since, failures: outage.failures }, messages.up);
      outage = null;
    },
    get down() {
      return outage !== null;
    },
  };
}

/** Logs at most one line per interval, with the number of lines it swallowed since. */
export function createThrottledLog(log: Logger, message: string, intervalMs = 30_000): (error: unknown) => void {
  let last = 0;
  let suppressed = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed += 1;
      return;
    }
    log.warn({ err: errorInfo(error), suppressed }, message);
    last = now;
    suppressed = 0;
  };
}
