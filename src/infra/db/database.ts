import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';

export interface Database {
  /** Raw pool for the hot paths that need exact SQL (command application, relay). */
  pool: pg.Pool;
  /** Prisma client on the same pool, for everything else. */
  prisma: PrismaClient;
  close(): Promise<void>;
}

export function openDatabase(
  url: string,
  options: { poolSize: number; log: Logger; applicationName?: string },
): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    // Without it a PostgreSQL outage would hang callers forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'casetrail',
  });
  let closed = false;
  // An idle client losing its connection (server restart) must not crash the process. Once
  // the database is being closed, a connection the server ends first is expected.
  pool.on('error', (error) =>
    options.log[closed ? 'debug' : 'warn']({ err: { message: error.message } }, 'idle postgres connection lost'),
  );
  guardCheckedOutClients(pool, options.log);
  const connections = countConnections(pool);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
      // pool.end() resolves once it has asked its connections to end, not once they have:
      // an embedded PostgreSQL stopped right after would end them itself, with an error each.
      await connections.gone(CLOSE_WAIT_MS);
    },
  };
}

/** How long closing a pool waits for its connections to have ended on the server. */
export const CLOSE_WAIT_MS = 2_000;

/**
 * The pool's open connections (pg-pool emits 'remove' once a connection has ended), and a
 * wait for none: pool.end() resolves once it has asked its connections to end, not once
 * they have. Counts only what connects after it is called.
 */
export function countConnections(pool: pg.Pool): { gone(boundMs: number): Promise<void> } {
  let open = 0;
  let none: (() => void) | undefined;
  pool.on('connect', () => {
    open += 1;
  });
  pool.on('remove', () => {
    open -= 1;
    if (open <= 0) none?.();
  });
  return {
    async gone(boundMs) {
      if (open <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        none = resolve;
        timer = setTimeout(resolve, boundMs);
      });
      clearTimeout(timer);
    },
  };
}

/**
 * pg-pool listens for errors only on idle clients: a connection that drops while its client
 * is checked out but between two queries (inside a transaction, or while the relay
 * publishes) emits an 'error' nobody handles, and the process dies. Every client gets a
 * listener of its own; the caller's next query fails as it should, and the pool discards
 * the dead client when it is released.
 */
export function guardCheckedOutClients(pool: pg.Pool, log: Logger): void {
  pool.on('connect', (client) => {
    client.on('error', (error) =>
      log.debug({ err: { message: error.message } }, 'postgres connection lost while in use'),
    );
  });
}

/** Connection exceptions (class 08), the server shutting down or starting up, too many connections. */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/u;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** What pg and pg-pool say when a connection is gone or cannot be had; they carry no code. */
const UNAVAILABLE_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect/u;
/** Prisma's codes for an unreachable, timed-out or closed database, and its pool timeout. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/**
 * True when an error means the database could not be reached or dropped the connection (a
 * restart, a failover, terminated backends), not that the request or the code is wrong:
 * the same request will succeed once it is back. Follows `cause` chains (Prisma's adapter
 * wraps the driver's error).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_PRISMA_CODES.has(code))
    ) {
      return true;
    }
    if (UNAVAILABLE_MESSAGES.test(current.message)) return true;
  }
  return false;
}

export async function isReachable(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
