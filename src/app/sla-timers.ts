import type pg from 'pg';
import { STAGE_ENTERED_BY, slaTimerOf, type SlaTimer, type StoredEvent } from '../domain/index.ts';
import { currentVisits, visitEndedAt, type StageVisit } from '../infra/db/sla.repository.ts';
import { SLA_TIMER_JOB, parseJob, slaTimerJobId, type SlaTimerJobData } from '../infra/queue/catalog.ts';
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

/**
 * Removes the timer of the stage visit an event ended (every stage change ends one), so a
 * timer lives only as long as its visit: without this, each visit left a delayed job for
 * its full deadline. Returns the id removed, or null when there was none to remove (the
 * case's first event, a visit with no timer, a timer already gone or running now).
 */
export async function cancelEndedSlaTimer(
  deps: TimerDeps & { pool: pg.Pool },
  event: Pick<StoredEvent, 'caseId' | 'seq'>,
): Promise<string | null> {
  const ended = await visitEndedAt(deps.pool, event.caseId, event.seq);
  if (ended === null || !Object.hasOwn(STAGE_ENTERED_BY, ended.type)) return null;
  const stage = STAGE_ENTERED_BY[ended.type as keyof typeof STAGE_ENTERED_BY];
  const jobId = slaTimerJobId({ caseId: event.caseId, stage, stageEnteredAt: ended.stageEnteredAt });
  // 0 when the job is gone or locked by a worker: a running timer finds the case moved on.
  return (await deps.queues.queue('sla').remove(jobId)) === 1 ? jobId : null;
}

export type OrphanSweep = { examined: number; removed: number };

/**
 * The sweep under cancelEndedSlaTimer: a timer whose visit is over (its removal was lost
 * in a crash, or it was scheduled in a race with the stage change) is removed. Looks at
 * one page of delayed timers per call, from `offset`; returns how far it got.
 */
export async function sweepOrphanSlaTimers(
  deps: TimerDeps & { pool: pg.Pool },
  offset: number,
  pageSize: number,
): Promise<OrphanSweep & { next: number }> {
  const queue = deps.queues.queue('sla');
  const jobs = await queue.getDelayed(offset, offset + pageSize - 1);
  const timers = jobs.flatMap((job) => {
    const parsed = parseJob('sla', job.name, job.data);
    return job.id !== undefined && parsed.ok && parsed.kind === 'sla-timer' ? [{ id: job.id, ...parsed.data }] : [];
  });
  const visits = await currentVisits(deps.pool, [...new Set(timers.map((t) => t.caseId))]);
  let removed = 0;
  for (const timer of timers) {
    const visit = visits.get(timer.caseId);
    const current =
      visit !== undefined &&
      visit.stage === timer.stage &&
      Date.parse(visit.stageEnteredAt) === Date.parse(timer.stageEnteredAt);
    if (!current) removed += await queue.remove(timer.id);
  }
  // Removed jobs shift the later ones down; a short page means the end was reached.
  const next = jobs.length < pageSize ? 0 : offset + jobs.length - removed;
  return { examined: jobs.length, removed, next };
}
