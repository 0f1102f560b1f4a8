import path from 'node:path';
import { ConfigError } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import {
  type EmbeddedDatabase,
  hasEmbeddedCluster,
  otherEmbeddedServers,
  runningEmbeddedDatabase,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';

/**
 * The embedded database a one-shot command (`users create`, `migrate`, `personal-data
 * erase`...) works on when DATABASE_URL is unset: that of the casetrail server running on
 * its data directory, when one does. Otherwise the command starts the data directory's
 * PostgreSQL for itself and says so on stderr (`notice`), naming the data directory, so
 * that a token created where no server reads is not mistaken for one the running server
 * knows. A data directory with no database at all while a casetrail server runs on
 * another one is a mistake: refused, naming where the server runs.
 */
export async function openEmbeddedForCommand(
  dataDir: string,
  log: Logger,
  notice: (line: string) => void,
): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  if ((await runningEmbeddedDatabase(root)) !== null) return startEmbeddedPostgres(root, log);
  const elsewhere = await otherServersHint(root);
  if (!hasEmbeddedCluster(root)) {
    if (elsewhere !== '')
      throw new ConfigError(
        `no casetrail database in ${root} (CASETRAIL_DATA_DIR) and no casetrail server running on it${elsewhere}, or start casetrail with this data directory first`,
      );
    notice(
      `no casetrail database in ${root} (CASETRAIL_DATA_DIR) and no casetrail server running on it: creating a new embedded database there, which only a casetrail started with this data directory will use`,
    );
  } else {
    notice(
      `no casetrail server is running on ${root} (CASETRAIL_DATA_DIR): this command uses the embedded database there directly${elsewhere}`,
    );
  }
  return startEmbeddedPostgres(root, log);
}

/**
 * Where casetrail servers run, for a message about dataDir: `; a casetrail server (pid N)
 * runs on X: set CASETRAIL_DATA_DIR=X to use its database`, or '' when none does.
 */
export async function otherServersHint(dataDir: string): Promise<string> {
  const others = await otherEmbeddedServers(dataDir);
  const [first] = others;
  if (first === undefined) return '';
  const where =
    others.length === 1
      ? `a casetrail server (pid ${first.pid}) is running on ${first.dataDir}`
      : `casetrail servers are running on ${others.map((s) => `${s.dataDir} (pid ${s.pid})`).join(', ')}`;
  return `; ${where}: set CASETRAIL_DATA_DIR=${first.dataDir} to use its database`;
}
