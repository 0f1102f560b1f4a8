import { scheduleSlaTimer } from '../../src/app/sla-timers.ts';
import { STAGE_ENTERING_EVENTS } from '../../src/domain/index.ts';
import type { EventProjection } from './projection.ts';

/** Starts the SLA timer of each stage visit when the event that enters the stage is projected. */
export const slaTimerProjection: EventProjection = {
  name: 'sla-timers',
  handles: STAGE_ENTERING_EVENTS,
  async project(event, context) {
    if (context.queues === undefined) throw new Error('the sla-timers projection needs the queues');
    const scheduled = await scheduleSlaTimer({ queues: context.queues }, event, context.known.visit);
    if (scheduled !== null)
      context.log.debug(
        { jobId: scheduled.jobId, stage: scheduled.timer.stage, delayMs: scheduled.delayMs },
        'sla timer set',
      );
  },
};
