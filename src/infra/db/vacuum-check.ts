import type pg from 'pg';
import type { Logger } from '../logger.ts';

/**
 * The tables whose rows casetrail updates or deletes on every command: without vacuum
 * their dead rows and index entries pile up, and every statement that reads them pays.
 */
const CHURNING_TABLES = ['commands', 'outbox', 'cases'] as const;

export type AutovacuumGaps = {
  /** The server's `autovacuum` setting is off. */
  serverOff: boolean;
  /** Churning tables with `autovacuum_enabled = false` of their own. */
  tablesOff: string[];
};

/** Where autovacuum will not look after casetrail's churning tables. */
export async function autovacuumGaps(pool: pg.Pool): Promise<AutovacuumGaps> {
  const { rows } = await pool.query<{ server_off: boolean; tables_off: string[] }>(
    `SELECT current_setting('autovacuum') = 'off' AS server_off,
            coalesce(array_agg(c.relname::text ORDER BY c.relname) FILTER (WHERE 'autovacuum_enabled=false' = ANY (c.reloptions)), '{}') AS tables_off
       FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY ($1::text[])`,
    [CHURNING_TABLES],
  );
  const row = rows[0];
  return { serverOff: row?.server_off ?? false, tablesOff: row?.tables_off ?? [] };
}

/** One warning at start-up when autovacuum will not look after the churning tables; never throws. */
export async function warnUnlessAutovacuum(pool: pg.Pool, log: Logger): Promise<void> {
  try {
    const gaps = await autovacuumGaps(pool);
    if (gaps.serverOff) {
      log.warn(
        { tables: CHURNING_TABLES },
        'postgresql autovacuum is off: these tables change on every command and bloat without it; turn it on, or VACUUM them regularly',
      );
    } else if (gaps.tablesOff.length > 0) {
      log.warn(
        { tables: gaps.tablesOff },
        'autovacuum is off for these tables, which change on every command; turn it on, or VACUUM them regularly',
      );
    }
  } catch (error) {
    log.debug({ err: { message: (error as Error).message } }, 'autovacuum setting unknown');
  }
}
