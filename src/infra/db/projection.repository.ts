import type pg from 'pg';
import type { StoredEvent } from '../../domain/index.ts';
import { rowToEvent, type EventRow } from './case.repository.ts';

/** Reads one appended event for the projections that follow the trail. */
export async function findEventById(client: pg.ClientBase | pg.Pool, id: string): Promise<(StoredEvent & { id: string }) | null> {
  const { rows } = await client.query<EventRow>('SELECT * FROM events WHERE id = $1', [id]);
  return rows[0] ? rowToEvent(rows[0]) : null;
}
