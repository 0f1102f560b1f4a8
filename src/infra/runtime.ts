import { loadConfig, queueBackend, type Config } from './config/config.ts';
import { loadSecrets, type Secrets } from './config/secrets.ts';
import { openDatabase, type Database } from './db/database.ts';
import { prepareAsOwner, warnIfOwner } from './db/app-role.ts';
import { openEmbeddedForCommand } from './db/embedded-for-command.ts';
import { startEmbeddedPostgres } from './db/embedded-postgres.ts';
import { fillIdentifierKeys } from './db/identifier-keys.ts';
import { migrate } from './db/migrator.ts';
import { sealPlaintextSecrets } from './db/webhook.repository.ts';
import { sealSecret } from './secret-box.ts';
import { warnUnlessAutovacuum } from './db/vacuum-check.ts';
import type { FileStore } from './files/file-store.ts';
import { openFileStore } from './files/open-file-store.ts';
import { prepareQueueSchema } from './queue/queue-factory.ts';
import { pino } from 'pino';
import { createLogger, type Logger } from './logger.ts';
import { waitForService } from './startup-wait.ts';

/** What every casetrail process holds: configuration, logger, keys and the database. */
export interface Runtime {
  config: Config;
  log: Logger;
  secrets: Secrets;
  db: Database;
  databaseUrl: string;
  embedded: boolean;
  /** The evidence file store (CASETRAIL_FILE_STORE), opened on first use. */
  files(): Promise<FileStore>;
  close(): Promise<void>;
}

/**
 * Servers log to stdout; one-shot commands (`oneShot`) log to stderr so that their own
 * output, JSON included, stays clean on stdout. Without DATABASE_URL a one-shot command
 * works on the embedded database of the server running on its data directory, and says
 * on stderr when none runs there (see openEmbeddedForCommand).
 */
export async function openRuntime(options: {
  migrate: boolean;
  role: string;
  config?: Config;
  oneShot?: boolean;
}): Promise<Runtime> {
  const config = options.config ?? loadConfig();
  const destination = options.oneShot ? pino.destination(2) : undefined;
  const log = createLogger({ level: config.LOG_LEVEL, ...(destination ? { destination } : {}) }).child({
    role: options.role,
  });
  const embedded =
    config.DATABASE_URL !== undefined
      ? null
      : options.oneShot
        ? await openEmbeddedForCommand(config.CASETRAIL_DATA_DIR, log, (line) =>
            process.stderr.write(`casetrail: ${line}\n`),
          )
        : await startEmbeddedPostgres(config.CASETRAIL_DATA_DIR, log, { advertise: true });
  const databaseUrl = embedded?.url ?? (config.DATABASE_URL as string);
  // Migrations run as the schema's owner; the application connects as a role that owns
  // nothing and may not rewrite the append-only tables (app-role.ts, docs/operations.md).
  const ownerUrl = embedded?.ownerUrl ?? config.CASETRAIL_MIGRATION_DATABASE_URL ?? null;
  try {
    if (ownerUrl !== null) {
      const applied = await prepareAsOwner(ownerUrl, databaseUrl, {
        migrate: options.migrate,
        log,
        ...(queueBackend(config) === 'postgres' ? { alsoGrant: prepareQueueSchema } : {}),
      });
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
    }
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
  const db = openDatabase(databaseUrl, {
    poolSize: config.CASETRAIL_DB_POOL_SIZE,
    log,
    applicationName: `casetrail-${options.role}`,
  });
  try {
    // A server waits for a database of its own to come up; a one-shot command says at once that it cannot reach it.
    if (!options.oneShot && embedded === null) {
      await waitForService({
        service: 'postgresql',
        check: () => db.pool.query('SELECT 1'),
        log,
        maxWaitMs: config.CASETRAIL_STARTUP_WAIT,
      });
    }
    if (options.migrate) {
      if (ownerUrl === null) {
        const result = await migrate(db.pool, { log });
        if (result.applied.length > 0) log.info({ applied: result.applied }, 'migrations applied');
      }
      await fillIdentifierKeys(db.pool, log);
    }
    const secrets = await loadSecrets(config, log);
    if (options.migrate) {
      // Secrets stored in plaintext before they were sealed are sealed as part of migrating.
      const sealed = await sealPlaintextSecrets(db.pool, (id, plaintext) =>
        sealSecret(secrets.secretsKey, plaintext, id),
      );
      if (sealed > 0) log.info({ sealed }, 'webhook secrets sealed');
    }
    // A server runs for long: say so now if nothing will vacuum what it churns.
    if (!options.oneShot) {
      await warnUnlessAutovacuum(db.pool, log);
      await warnIfOwner(db.pool, log);
    }
    let files: Promise<FileStore> | undefined;
    return {
      config,
      log,
      secrets,
      db,
      databaseUrl,
      embedded: embedded !== null,
      files() {
        files ??= openFileStore(config);
        return files;
      },
      async close() {
        await (await files?.catch(() => undefined))?.close();
        await db.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}
