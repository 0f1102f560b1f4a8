import { sealCheckpoints, type SealDeps, type SealPolicy, type SealRound } from '../src/app/seal-checkpoint.ts';
import { startPeriodic } from '../src/infra/queue/periodic.ts';

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
  return startPeriodic({
    log,
    messages: { down: 'audit sealing failed, will retry', up: 'audit sealing recovered' },
    intervalMs: options.pollMs,
    run: () => sealCheckpoints(deps, options.policy),
    // A backlog keeps sealing without waiting for the next tick.
    after: (round) => round.status === 'sealed' && round.checkpoints.length > 1,
  });
}
