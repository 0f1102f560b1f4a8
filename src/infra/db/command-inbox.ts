import DataLoader from 'dataloader';
import type pg from 'pg';
import { insertCommands, type CommandToStore } from './command.repository.ts';
import type { OutboxRow } from './outbox.repository.ts';

/**
 * Group commit for accepted commands: the commands stored within one turn of the event
 * loop (concurrent requests) go to the database in one statement and one commit. Each
 * caller still learns its own outcome, an Idempotency-Key conflict included.
 */
export type CommandInbox = { store(item: CommandToStore): Promise<{ id: string; outbox: OutboxRow }> };

export function createCommandInbox(pool: pg.Pool, options: { maxBatch?: number } = {}): CommandInbox {
  const loader = new DataLoader<CommandToStore, { id: string; outbox: OutboxRow }>((items) => insertCommands(pool, items), {
    cache: false,
    maxBatchSize: options.maxBatch ?? 200,
    batchScheduleFn: (flush) => setImmediate(flush),
  });
  return { store: (item) => loader.load(item) };
}
