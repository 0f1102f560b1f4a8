import { slaTimerOf, type SlaTimer, type StoredEvent } from '../domain/index.ts';
import type { StageVisit } from '../infra/db/sla.repository.ts';
import { SLA_TIMER_JOB, slaTimerJobId, type SlaTimerJobData } from '../infra/queue/catalog.ts';
import type { QueueFactory } from '../infra/queue/queue-factory.ts';

export type TimerDeps = { queues: Pick<QueueFactory, 'queue'> };

export type ScheduledTimer = { timer: SlaTimer; jobId: string; delayMs: number };

/**
 * Starts the timer of the stage visit an event opens: a delayed job on the sla queue with
 * one id per case, stage and time of entry, so an event projected twice schedules one
 * timer. The delay is measured on the database clock, like the deadline itself. No timer
 * is set for a visit that is already over (a duplicate closed at intake, or a case that
 * moved on before its event was projected). `visit` is the case's current stage visit, as
 * the caller read it with the event (null for no such case).
 */
export async function scheduleSlaTimer(
  deps: TimerDeps,
  event: StoredEvent,
  visit: StageVisit | null,
): Promise<ScheduledTimer | null> {
  const timer = slaTimerOf(event);
  if (timer === null) return null;
  if (visit === null || visit.stage !== timer.stage || visit.stageEnteredAt !== timer.stageEnteredAt) return null;
  const jobId = slaTimerJobId(timer);
  const delayMs = Math.max(0, Date.parse(timer.deadlineAt) - visit.now.getTime());
  const data: SlaTimerJobData = {
    caseId: timer.caseId,
    stage: timer.stage,
    stageEnteredAt: timer.stageEnteredAt,
    deadlineAt: timer.deadlineAt,
  };
  await deps.queues.queue('sla').add(SLA_TIMER_JOB, data, { jobId, delay: delayMs });
  return { timer, jobId, delayMs };
}
