import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { listenForever, type PgListener } from '../queue/pg-listener.ts';
import { rowToCommand, type CommandRow, type FinishedCommand } from './command.repository.ts';

export type { FinishedCommand };

/** The channel writeTransitions notifies, with the command's outcome (or, from older writers, its id) as payload. */
const COMMAND_CHANNEL = 'casetrail_command';

export interface CommandWaiter {
  /**
   * Resolves with the finished command, or null when it is still pending after timeoutMs.
   * justStored: the caller stored the command a moment ago and nothing can have applied it
   * yet, so its notification is awaited without a first lookup (the poll still runs).
   */
  wait(commandId: string, timeoutMs: number, options?: { justStored?: boolean }): Promise<FinishedCommand | null>;
  /** Starts listening; waiting works without it, by polling alone. */
  start(): Promise<void>;
  /** Releases the LISTEN connection and answers every open wait with null. */
  close(): Promise<void>;
}

export type CommandWaiterOptions = {
  pool: pg.Pool;
  log: Logger;
  /** NOTIFY is lost while the listener reconnects, so open waits are also polled. */
  pollMs?: number;
  /** Wait before the listener connects again. */
  reconnectMs?: number;
};

type Waiter = { resolve: (record: FinishedCommand | null) => void; timer: NodeJS.Timeout };

const FINISHED_COMMANDS = `SELECT * FROM commands WHERE id = ANY($1::uuid[]) AND status <> 'pending'`;

/**
 * One LISTEN connection shared by every request waiting with ?wait=true: a map of command
 * id to the requests waiting for it, woken by the worker's pg_notify at commit, with a
 * polling fallback for notifications missed across reconnects.
 */
export function createCommandWaiter(options: CommandWaiterOptions): CommandWaiter {
  const { pool, log } = options;
  const pollMs = options.pollMs ?? 250;
  const reconnectMs = options.reconnectMs ?? 1_000;
  const waiters = new Map<string, Set<Waiter>>();
  let listener: PgListener | null = null;
  let closed = false;
  let poller: NodeJS.Timeout | null = null;

  const settle = (id: string, record: FinishedCommand | null): void => {
    const set = waiters.get(id);
    if (set === undefined) return;
    waiters.delete(id);
    for (const waiter of set) {
      clearTimeout(waiter.timer);
      waiter.resolve(record);
    }
  };

  /** Looks the given waited-for commands up (one query) and answers those that have finished. */
  const check = async (ids: readonly string[]): Promise<void> => {
    if (ids.length === 0 || closed) return;
    try {
      const { rows } = await pool.query<CommandRow>({
        name: 'finished-commands',
        text: FINISHED_COMMANDS,
        values: [ids],
      });
      for (const row of rows) settle(row.id, rowToCommand(row));
    } catch (error) {
      log.warn({ err: { message: (error as Error).message } }, 'command wait check failed');
    }
  };

  // Checks asked for within one turn of the event loop share a query.
  let batch: Set<string> | null = null;
  const checkSoon = (id: string): void => {
    if (batch === null) {
      batch = new Set();
      setImmediate(() => {
        const ids = [...(batch ?? [])].filter((waited) => waiters.has(waited));
        batch = null;
        void check(ids);
      });
    }
    batch.add(id);
  };

  const schedulePoll = (): void => {
    if (poller !== null || closed) return;
    poller = setTimeout(() => {
      poller = null;
      void check([...waiters.keys()]).finally(() => {
        if (waiters.size > 0) schedulePoll();
      });
    }, pollMs);
    poller.unref();
  };

  const onNotify = (payload?: string): void => {
    // Connected (again): whatever finished while nobody listened is found by this check.
    if (payload === undefined) {
      void check([...waiters.keys()]);
      return;
    }
    if (payload === '') return;
    const notice = parseNotice(payload);
    if (notice === null) {
      if (waiters.has(payload)) checkSoon(payload);
    } else if (waiters.has(notice.id)) settle(notice.id, notice);
  };

  /** A LISTEN connection of its own, with the pool's settings; tried again every reconnectMs while it fails. */
  const listen = async (): Promise<void> => {
    if (closed || listener !== null) return;
    listener = listenForever({
      pool,
      channel: COMMAND_CHANNEL,
      log,
      onNotify,
      retryMinMs: reconnectMs,
      retryMaxMs: reconnectMs,
      messages: { down: 'command listener lost, reconnecting', up: 'command listener restored' },
    });
    await listener.ready;
  };

  return {
    start: listen,
    wait(commandId, timeoutMs, options = {}) {
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => {
        const waiter: Waiter = {
          resolve,
          timer: setTimeout(() => {
            const set = waiters.get(commandId);
            set?.delete(waiter);
            if (set?.size === 0) waiters.delete(commandId);
            resolve(null);
          }, timeoutMs),
        };
        const set = waiters.get(commandId) ?? new Set<Waiter>();
        set.add(waiter);
        waiters.set(commandId, set);
        // Registered first, then checked: a command finished just before is not missed.
        if (options.justStored !== true) checkSoon(commandId);
        schedulePoll();
      });
    },
    async close() {
      closed = true;
      if (poller !== null) clearTimeout(poller);
      for (const id of [...waiters.keys()]) settle(id, null);
      await listener?.close();
    },
  };
}

const noticeSchema = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  status: z.enum(['applied', 'rejected']),
  problem: z.object({ code: z.string(), detail: z.string() }).passthrough().nullable(),
  resultVersion: z.number().int().nullable(),
});

/** The outcome a notification carries, or null for one that carries only an id. */
function parseNotice(payload: string): FinishedCommand | null {
  if (!payload.startsWith('{')) return null;
  try {
    const parsed = noticeSchema.safeParse(JSON.parse(payload));
    return parsed.success ? (parsed.data as FinishedCommand) : null;
  } catch {
    return null;
  }
}
