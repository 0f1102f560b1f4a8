import type pg from 'pg';
import type { StoredEvent } from '../../domain/index.ts';
import { rowToEvent, type EventRow } from './case.repository.ts';
import type { StageVisit } from './sla.repository.ts';

/**
 * What the projections of one event read, in one round trip: the event, its case's current
 * stage visit (database clock included) and how many active webhook endpoints subscribe to
 * its type.
 */
export type ProjectionInput = { event: StoredEvent & { id: string }; visit: StageVisit | null; webhookSubscribers: number };

const PROJECTION_INPUT = `
SELECT ev.*, c.stage AS visit_stage, c.stage_entered_at AS visit_entered_at, statement_timestamp() AS visit_now,
       (SELECT count(*)::int FROM webhook_endpoints w WHERE w.active AND ev.type = ANY(w.event_types)) AS webhook_subscribers
FROM events ev LEFT JOIN cases c ON c.id = ev.case_id
WHERE ev.id = $1`;

export async function loadProjectionInput(client: pg.ClientBase | pg.Pool, eventId: string): Promise<ProjectionInput | null> {
  const { rows } = await client.query<EventRow & { visit_stage: string | null; visit_entered_at: Date | null; visit_now: Date; webhook_subscribers: number }>({
    name: 'projection-input',
    text: PROJECTION_INPUT,
    values: [eventId],
  });
  const row = rows[0];
  if (row === undefined) return null;
  const visit =
    row.visit_stage === null || row.visit_entered_at === null
      ? null
      : { stage: row.visit_stage, stageEnteredAt: row.visit_entered_at.toISOString(), now: row.visit_now };
  return { event: rowToEvent(row), visit, webhookSubscribers: row.webhook_subscribers };
}
