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

export async function isReachable(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
