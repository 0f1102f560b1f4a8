import type pg from 'pg';
import {
  SYSTEM_ACTOR,
  chainEvents,
  decideSlaBreach,
  evolve,
  headOf,
  type CaseState,
  type OpenStage,
  type SlaTimer,
  type StageVisit,
} from '../domain/index.ts';
import { lockCases } from '../infra/db/case.repository.ts';
import { claimSlaBreach, databaseNow, findOverdueVisits } from '../infra/db/sla.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { writeTransitions } from '../infra/db/transition.repository.ts';
import type { Logger } from '../infra/logger.ts';
import { countSlaBreach } from '../infra/metrics.ts';

export type SlaDeps = { pool: pg.Pool; log: Logger };

export type SlaVisit = StageVisit & { caseId: string };

export type SlaOutcome =
  | { status: 'breached'; caseId: string; stage: OpenStage; version: number }
  /** The case left the visit (or never had it): nothing to do. */
  | { status: 'moved_on' }
  | { status: 'already_breached' }
  /** The timer fired before the deadline by the database clock (clock skew): wait this long more. */
  | { status: 'not_due'; remainingMs: number };

/**
 * A stage visit's timer fired: appends `case.sla_breached` when the case is still in that
 * visit and its deadline has passed by the database clock, in the same transaction shape
 * as a command (lock the case, decide, chain, fold, save, outbox). Once per visit: the
 * sla_breaches key is claimed in the same transaction, so timers that fire twice, a
 * timer and the sweeper, or two sweepers, append one event between them.
 */
export async function breachSlaVisit(deps: SlaDeps, visit: SlaVisit): Promise<SlaOutcome> {
  const outcome = await inTransaction(deps.pool, async (client) => {
    const state = (await lockCases(client, [visit.caseId])).get(visit.caseId) ?? null;
    const now = await databaseNow(client);
    const drafts = decideSlaBreach(state, visit, now);
    if (state === null || state.deadlineAt === null || drafts.length === 0) return notBreached(state, visit, now);
    if (!(await claimSlaBreach(client, { ...visit, deadlineAt: state.deadlineAt })))
      return { status: 'already_breached' } as const;
    const events = chainEvents(drafts, {
      heads: { [state.id]: headOf(state) },
      actor: SYSTEM_ACTOR,
      commandId: null,
      occurredAt: now,
    });
    const next = events.reduce<CaseState>((current, event) => evolve(current, event), state);
    await writeTransitions(client, { cases: [next], events, outcomes: [] });
    return { status: 'breached', caseId: state.id, stage: visit.stage, version: next.version } as const;
  });
  if (outcome.status === 'breached') {
    countSlaBreach(outcome.stage);
    deps.log.info({ caseId: outcome.caseId, stage: outcome.stage, version: outcome.version }, 'sla breached');
  }
  return outcome;
}

function notBreached(state: CaseState | null, visit: SlaVisit, now: Date): SlaOutcome {
  const inVisit = state !== null && state.stage === visit.stage && state.stageEnteredAt === visit.stageEnteredAt;
  if (!inVisit || state.deadlineAt === null) return { status: 'moved_on' };
  return { status: 'not_due', remainingMs: Math.max(0, Date.parse(state.deadlineAt) - now.getTime()) };
}

export type SweepResult = { overdue: number; breached: number };

/**
 * Catches the timers Redis lost (FLUSHALL, a restart without persistence): every open case
 * past its deadline whose visit has no breach yet gets one now. Safe in any number of
 * processes at once (each breach is claimed once).
 */
export async function sweepOverdueVisits(deps: SlaDeps, limit: number): Promise<SweepResult> {
  const visits: SlaTimer[] = await findOverdueVisits(deps.pool, limit);
  let breached = 0;
  for (const visit of visits) {
    const outcome = await breachSlaVisit(deps, visit);
    if (outcome.status === 'breached') breached += 1;
  }
  return { overdue: visits.length, breached };
}
