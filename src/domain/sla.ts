import { businessTime, type StoredEvent } from './events.ts';
import type { OpenStage } from './stages.ts';
import type { StageVisit } from './system-events.ts';

/** A deadline to watch: one visit of a case to an open stage, and when it runs out. */
export type SlaTimer = StageVisit & { caseId: string; deadlineAt: string };

function timer(event: StoredEvent, stage: OpenStage, deadlineAt: string): SlaTimer {
  // evolve sets stageEnteredAt to the business time of the event that enters the stage.
  return { caseId: event.caseId, stage, stageEnteredAt: businessTime(event), deadlineAt };
}

/**
 * The timer an event starts when it moves its case into an open stage. A verification
 * that dismisses the case carries no deadline: the case.closed that follows ends the visit.
 */
export function slaTimerOf(event: StoredEvent): SlaTimer | null {
  switch (event.type) {
    case 'case.received':
      return timer(event, 'received', event.payload.deadlineAt);
    case 'case.verified':
      return event.payload.deadlineAt === null ? null : timer(event, 'verified', event.payload.deadlineAt);
    case 'case.referred':
      return timer(event, 'referred', event.payload.deadlineAt);
    case 'case.penalty_issued':
      return timer(event, 'penalty_issued', event.payload.deadlineAt);
    default:
      return null;
  }
}

/** The event types that can start a timer (for the projection's subscription). */
export const STAGE_ENTERING_EVENTS = [
  'case.received',
  'case.verified',
  'case.referred',
  'case.penalty_issued',
] as const;

/** The open stage each timer-starting event enters. */
export const STAGE_ENTERED_BY: Readonly<Record<(typeof STAGE_ENTERING_EVENTS)[number], OpenStage>> = {
  'case.received': 'received',
  'case.verified': 'verified',
  'case.referred': 'referred',
  'case.penalty_issued': 'penalty_issued',
};

/** The events that end a stage visit, and with it the visit's timer: every stage change. */
export const STAGE_ENDING_EVENTS = [...STAGE_ENTERING_EVENTS, 'case.closed'] as const;
