import type { Logger } from '../logger.ts';

/**
 * What is safe to log of an error: no stack, no connection strings. PostgreSQL's data
 * exceptions (SQLSTATE class 22) quote the offending value in their message, which may be
 * what a client sent: for those only the code and the server routine are kept.
 */
export function errorInfo(error: unknown): { message: string; code?: string; name?: string; routine?: string } {
  if (error instanceof Error) {
    const { code, routine } = error as { code?: unknown; routine?: unknown };
    const quotesValue = typeof code === 'string' && code.startsWith('22') && typeof routine === 'string';
    return {
      name: error.name,
      message: quotesValue ? `data exception ${code} (message withheld: it quotes the value)` : error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(quotesValue ? { routine } : {}),
    };
  }
  return { message: String(error) };
}

/**
 * Where an error was thrown, as one frame without the rest of the trace: the first frame in
 * casetrail's own code, else the top one.
 */
export function errorLocation(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.stack === undefined) return undefined;
  const frames = error.stack.split('\n').filter((line) => /^\s+at\s/u.test(line));
  const frame = frames.find((line) => !line.includes('node_modules') && !line.includes('node:')) ?? frames[0];
  return frame
    ?.trim()
    .replace(/^at\s+/u, '')
    .replace(/file:\/\//gu, '');
}

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
