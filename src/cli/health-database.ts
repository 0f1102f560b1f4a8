import path from 'node:path';
import pg from 'pg';
import type { Config } from '../infra/config/config.ts';
import { isReachable } from '../infra/db/database.ts';
import { otherServersHint } from '../infra/db/embedded-for-command.ts';
import { runningEmbeddedDatabase } from '../infra/db/embedded-postgres.ts';

export interface HealthDatabase {
  /** Whether the database answers (the postgres queue backend lives in it too). */
  reachable(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The PostgreSQL `casetrail health` checks: DATABASE_URL, or else the embedded one of the
 * casetrail server running on CASETRAIL_DATA_DIR (`npm start`). A health check starts
 * nothing: with no server running there, the database is down, and `problem` says why.
 */
export async function openHealthDatabase(config: Config, problem: (line: string) => void): Promise<HealthDatabase> {
  let url = config.DATABASE_URL;
  if (url === undefined) {
    const embedded = await runningEmbeddedDatabase(config.CASETRAIL_DATA_DIR);
    if (embedded === null) {
      const hint = await otherServersHint(config.CASETRAIL_DATA_DIR);
      problem(
        `no casetrail server is running its embedded PostgreSQL on ${path.resolve(config.CASETRAIL_DATA_DIR)} (CASETRAIL_DATA_DIR) and DATABASE_URL is unset${hint}`,
      );
      return { reachable: async () => false, close: async () => undefined };
    }
    url = embedded.url;
  }
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3_000 });
  pool.on('error', () => undefined);
  return { reachable: () => isReachable(pool), close: () => pool.end() };
}
