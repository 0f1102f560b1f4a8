import { cancelEndedSlaTimer, scheduleSlaTimer } from '../../src/app/sla-timers.ts';
import { STAGE_ENDING_EVENTS } from '../../src/domain/index.ts';
import type { EventProjection } from './projection.ts';

/**
 * Each stage change ends a visit and removes its timer; the event that enters an open stage
 * starts the timer of the new visit.
 */
export const slaTimerProjection: EventProjection = {
  name: 'sla-timers',
  handles: STAGE_ENDING_EVENTS,
  async project(event, context) {
    if (context.queues === undefined) throw new Error('the sla-timers projection needs the queues');
    const deps = { queues: context.queues, pool: context.pool };
    const [scheduled, removed] = await Promise.all([
      scheduleSlaTimer(deps, event, context.known.visit),
      cancelEndedSlaTimer(deps, event),
    ]);
    if (scheduled !== null)
      context.log.debug(
        { jobId: scheduled.jobId, stage: scheduled.timer.stage, delayMs: scheduled.delayMs },
        'sla timer set',
      );
    if (removed !== null) context.log.debug({ jobId: removed }, 'sla timer removed');
  },
};
