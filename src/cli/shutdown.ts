import type { Logger } from '../infra/logger.ts';
import { errorInfo, errorLocation } from '../infra/error-info.ts';

const GRACE_MS = 15_000;
/**
 * One Ctrl-C reaches a process more than once: the terminal signals its whole process
 * group, and a parent in it (npm, tsx) relays the signal again. A signal this soon after
 * the first is that same one.
 */
const SAME_SIGNAL_MS = 1_000;

/**
 * Calls first() on the first SIGTERM or SIGINT (or the returned trigger) and again() on a
 * later one that comes SAME_SIGNAL_MS or more after it; one sooner is the same signal.
 */
export function onStopSignals<Cause extends string = never>(handlers: {
  first(cause: NodeJS.Signals | Cause): void;
  again(cause: NodeJS.Signals | Cause): void;
}): (cause: NodeJS.Signals | Cause) => void {
  let firstAt: number | null = null;
  const handler = (cause: NodeJS.Signals | Cause) => {
    if (firstAt === null) {
      firstAt = Date.now();
      handlers.first(cause);
    } else if (Date.now() - firstAt >= SAME_SIGNAL_MS) {
      handlers.again(cause);
    }
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return handler;
}

/**
 * On SIGTERM or SIGINT: stop taking work and close everything, then exit 0. A second
 * signal (one second or more after the first), or a close that outlasts the grace period,
 * exits at once with status 1.
 *
 * A process started with an IPC channel (Node's `fork`, or `spawn` with an 'ipc' stdio) is
 * supervised by its parent: when the channel closes, the parent has exited or let it go,
 * however it ended (kill -9 included), and the process shuts down the same way rather than
 * run on unwatched. The channel alone does not keep it running.
 */
export function onShutdown(log: Logger, close: () => Promise<void>): void {
  const handler = onStopSignals<'disconnect'>({
    again(signal) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    },
    first(signal) {
      if (signal === 'disconnect') log.info('the parent process closed its channel, shutting down');
      else log.info({ signal }, 'shutting down');
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
    },
  });
  // process.send stays defined once the channel has closed (process.channel is null then).
  if (process.send === undefined) return;
  if (!process.connected) {
    // The parent went while this process was starting.
    setImmediate(() => handler('disconnect'));
    return;
  }
  process.channel?.unref();
  process.once('disconnect', () => handler('disconnect'));
}
