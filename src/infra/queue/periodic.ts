import type { Logger } from '../logger.ts';
import { createOutageLog } from './outage-log.ts';
import { pause } from './time-limit.ts';

export interface Periodic<R> {
  /** One round now (what the timer runs); for tools and tests. Overlapping calls share a round. */
  runOnce(): Promise<R>;
  close(): Promise<void>;
}

/**
 * A background round run every intervalMs until closed (the reconciler, the audit sealer,
 * the SLA sweeper). A failing round is logged once per outage, not once per round.
 * `after` inspects a finished round: it may throw to count the round as failed, and
 * returns true to start the next round at once (a backlog).
 */
export function startPeriodic<R>(options: {
  log: Logger;
  messages: { down: string; up: string };
  intervalMs: number;
  run: () => Promise<R>;
  after?: (round: R) => boolean;
}): Periodic<R> {
  const stop = new AbortController();
  const outage = createOutageLog(options.log, options.messages);
  let running: Promise<R> | null = null;

  const runOnce = (): Promise<R> => {
    running ??= options.run().finally(() => {
      running = null;
    });
    return running;
  };

  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        const again = options.after?.(await runOnce()) ?? false;
        outage.recovered();
        if (again) continue;
      } catch (error) {
        outage.failed(error);
      }
      await pause(options.intervalMs, stop.signal);
    }
  })();

  return {
    runOnce,
    async close() {
      stop.abort();
      await loop;
      await running?.catch(() => undefined);
    },
  };
}
