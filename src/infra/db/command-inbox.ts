import { perTurnBatcher } from '../batch.ts';
import type pg from 'pg';
import { insertCommands, type CommandToStore } from './command.repository.ts';
import type { OutboxRow } from './outbox.repository.ts';

/**
 * Group commit for accepted commands: the commands stored within one turn of the event
 * loop (concurrent requests) go to the database in one statement and one commit. Each
 * caller still learns its own outcome, an Idempotency-Key conflict included.
 */
export type CommandInbox = {
  store(item: CommandToStore): Promise<{ id: string; reference: string | null; outbox: OutboxRow }>;
};

export function createCommandInbox(pool: pg.Pool, options: { maxBatch?: number } = {}): CommandInbox {
  const loader = perTurnBatcher((items: readonly CommandToStore[]) => insertCommands(pool, items), {
    maxBatch: options.maxBatch ?? 200,
  });
  return { store: (item) => loader.load(item) };
}
