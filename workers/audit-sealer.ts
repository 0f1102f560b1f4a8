import { sealCheckpoints, type SealDeps, type SealPolicy, type SealRound } from '../src/app/seal-checkpoint.ts';
import { createOutageLog } from '../src/infra/queue/outage-log.ts';
import { pause } from '../src/infra/queue/time-limit.ts';

export interface AuditSealerOptions {
  deps: SealDeps;
  policy: SealPolicy;
  /** How often the sealer looks whether sealing is due. */
  pollMs: number;
}

export interface AuditSealer {
  /** One round now (what the timer runs); for tools and tests. */
  runOnce(): Promise<SealRound>;
  close(): Promise<void>;
}

/**
 * The audit sealing worker: every pollMs, seals the events that are due into signed
 * checkpoints (every policy.maxEvents events, or once the oldest waited policy.maxAgeMs).
 * Runs next to the outbox relay in every pipeline process; the use case lets one seal at a time.
 */
export function startAuditSealer(options: AuditSealerOptions): AuditSealer {
  const log = options.deps.log.child({ component: 'audit-sealer' });
  const deps = { ...options.deps, log };
  const stop = new AbortController();
  const outage = createOutageLog(log, { down: 'audit sealing failed, will retry', up: 'audit sealing recovered' });
  let running: Promise<SealRound> | null = null;

  const runOnce = (): Promise<SealRound> => {
    running ??= sealCheckpoints(deps, options.policy).finally(() => {
      running = null;
    });
    return running;
  };

  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        const round = await runOnce();
        outage.recovered();
        // A backlog keeps sealing without waiting for the next tick.
        if (round.status === 'sealed' && round.checkpoints.length > 1) continue;
      } catch (error) {
        outage.failed(error);
      }
      await pause(options.pollMs, stop.signal);
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
