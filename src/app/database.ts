// What the API takes of the database besides the use cases of this folder: the handles it
// hands them (opened by the process, src/infra/runtime.ts), the per-server batching of
// accepted commands and token lookups, the waiting for a command's outcome, and how to
// tell an outage from a bug. The API reaches the database only through here and the use
// cases: npm run depcruise holds it to that.
import type pg from 'pg';

/** The raw pool, for the hot paths that need exact SQL. */
export type DatabasePool = pg.Pool;
export type { PrismaClient } from '../generated/prisma/client.ts';
export type { CommandRecord } from '../infra/db/command.repository.ts';
export { createCommandInbox } from '../infra/db/command-inbox.ts';
export { createCaseFeed, type CaseChange, type CaseFeed } from '../infra/db/case-feed.ts';
export { createCommandWaiter, type CommandWaiter } from '../infra/db/command-waiter.ts';
export { isDatabaseUnavailable } from '../infra/db/database.ts';
