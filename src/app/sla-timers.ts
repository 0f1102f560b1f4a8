import type pg from 'pg';
import { slaTimerOf, type SlaTimer, type StoredEvent } from '../domain/index.ts';
import { currentVisit, type StageVisit } from '../infra/db/sla.repository.ts';
import { SLA_TIMER_JOB, slaTimerJobId, type SlaTimerJobData } from '../infra/queue/catalog.ts';
import type { QueueFactory } from '../infra/queue/queue-factory.ts';

export type TimerDeps = { pool: pg.Pool; queues: Pick<QueueFactory, 'queue'> };

export type ScheduledTimer = { timer: SlaTimer; jobId: string; delayMs: number };

/**
 * Starts the timer of the stage visit an event opens: a delayed job on the sla queue with
 * one id per case, stage and time of entry, so an event projected twice schedules one
 * timer. The delay is measured on the database clock, like the deadline itself. No timer
 * is set for a visit that is already over (a duplicate closed at intake, or a case that
 * moved on before its event was projected). `known` is the visit when the caller read it already.
 */
export async function scheduleSlaTimer(deps: TimerDeps, event: StoredEvent, known?: { visit: StageVisit | null }): Promise<ScheduledTimer | null> {
  const timer = slaTimerOf(event);
  if (timer === null) return null;
  const visit = known === undefined ? await currentVisit(deps.pool, timer.caseId) : known.visit;
  if (visit === null || visit.stage !== timer.stage || visit.stageEnteredAt !== timer.stageEnteredAt) return null;
  const jobId = slaTimerJobId(timer);
  const delayMs = Math.max(0, Date.parse(timer.deadlineAt) - visit.now.getTime());
  const data: SlaTimerJobData = { caseId: timer.caseId, stage: timer.stage, stageEnteredAt: timer.stageEnteredAt, deadlineAt: timer.deadlineAt };
  await deps.queues.queue('sla').add(SLA_TIMER_JOB, data, { jobId, delay: delayMs });
  return { timer, jobId, delayMs };
}
