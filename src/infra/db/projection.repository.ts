import { perTurnBatcher } from '../batch.ts';
import type pg from 'pg';
import type { StoredEvent } from '../../domain/index.ts';
import { rowToEvent, type EventRow } from './case.repository.ts';
import type { StageVisit } from './sla.repository.ts';

/**
 * What the projections of one event read, in one round trip: the event, its case's current
 * stage visit (database clock included) and how many active webhook endpoints subscribe to
 * its type.
 */
export type ProjectionInput = {
  event: StoredEvent & { id: string };
  visit: StageVisit | null;
  webhookSubscribers: number;
};

/**
 * How many active webhook endpoints subscribe to the event type that typeSql gives: the
 * one definition, read here and by the write statement that projects its events inline.
 */
export const webhookSubscribersSql = (typeSql: string): string =>
  `(SELECT count(*)::int FROM webhook_endpoints w WHERE w.active AND ${typeSql} = ANY(w.event_types))`;

const PROJECTION_INPUT = `
SELECT ev.*, c.stage AS visit_stage, c.stage_entered_at AS visit_entered_at, statement_timestamp() AS visit_now,
       ${webhookSubscribersSql('ev.type')} AS webhook_subscribers
FROM events ev LEFT JOIN cases c ON c.id = ev.case_id
WHERE ev.id = ANY($1::bigint[])`;

type InputRow = EventRow & {
  visit_stage: string | null;
  visit_entered_at: Date | null;
  visit_now: Date;
  webhook_subscribers: number;
};

/** The inputs of many events in one query, in the order asked (null for an event not found). */
export async function loadProjectionInputs(
  client: pg.ClientBase | pg.Pool,
  eventIds: readonly string[],
): Promise<(ProjectionInput | null)[]> {
  const { rows } = await client.query<InputRow>({
    name: 'projection-inputs',
    text: PROJECTION_INPUT,
    values: [eventIds],
  });
  const found = new Map(rows.map((row) => [String(row.id), row]));
  return eventIds.map((id) => {
    const row = found.get(id);
    if (row === undefined) return null;
    const visit =
      row.visit_stage === null || row.visit_entered_at === null
        ? null
        : { stage: row.visit_stage, stageEnteredAt: row.visit_entered_at.toISOString(), now: row.visit_now };
    return { event: rowToEvent(row), visit, webhookSubscribers: row.webhook_subscribers };
  });
}

/** Reads the inputs of the events projected within one turn of the event loop together. */
export function createProjectionInputLoader(pool: pg.Pool): (eventId: string) => Promise<ProjectionInput | null> {
  const loader = perTurnBatcher((ids: readonly string[]) => loadProjectionInputs(pool, ids), { maxBatch: 200 });
  return (eventId) => loader.load(eventId);
}
