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

export function openDatabase(url: string, options: { poolSize: number; log: Logger; applicationName?: string }): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    // Without it a PostgreSQL outage would hang callers forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'casetrail',
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', (error) => options.log.warn({ err: { message: error.message } }, 'idle postgres connection lost'));
  guardCheckedOutClients(pool, options.log);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    pool,
    prisma,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
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
    client.on('error', (error) => log.debug({ err: { message: error.message } }, 'postgres connection lost while in use'));
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
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_PRISMA_CODES.has(code))) {
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
