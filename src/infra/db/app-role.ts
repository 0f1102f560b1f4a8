import pg from 'pg';
import { ConfigError } from '../config/config-error.ts';
import type { Logger } from '../logger.ts';
import { migrate } from './migrator.ts';

const APP_ROLE_LOCK = 72707370;

/** The role name of a PostgreSQL URL. */
function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/**
 * Migrates (when asked) as the schema's owner, then sets up the role the application
 * connects as: created when missing (LOGIN with the URL's password; no superuser, no
 * CREATEDB or CREATEROLE), and granted with casetrail_grant_app_role, which leaves it no
 * UPDATE, DELETE or TRUNCATE on the append-only tables. That role owns nothing, so it can
 * neither ALTER TABLE ... DISABLE TRIGGER nor DROP TRIGGER: the application cannot switch
 * off its own append-only rules. A superuser application role is refused.
 */
export async function prepareAsOwner(
  ownerUrl: string,
  appUrl: string,
  options: {
    migrate: boolean;
    log: Logger;
    /** Also for the role: what else it works in (the PostgreSQL queue backend's schema). */
    alsoGrant?: (client: pg.ClientBase, appRole: string) => Promise<void>;
  },
): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1, application_name: 'casetrail-migrate' });
  try {
    const applied = options.migrate ? (await migrate(pool, { log: options.log })).applied : [];
    const client = await pool.connect();
    try {
      // One process at a time (two starts at once would collide creating or granting the role).
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [APP_ROLE_LOCK]);
      const ownRole = await grantAppRole(client, appUrl, options.log);
      await client.query('COMMIT');
      // Outside that transaction: the queue backend's migrations bring their own.
      if (ownRole) await options.alsoGrant?.(client, roleOf(appUrl));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return applied;
  } finally {
    await pool.end();
  }
}

/** Whether the application has a role of its own (false: it runs as the owner). */
async function grantAppRole(pool: pg.ClientBase, appUrl: string, log: Logger): Promise<boolean> {
  const app = roleOf(appUrl);
  const { rows } = await pool.query<{ owner: string; exists: boolean; super: boolean | null; granting: boolean }>(
    `SELECT current_user AS owner,
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists,
            (SELECT rolsuper FROM pg_roles WHERE rolname = $1) AS super,
            to_regprocedure('casetrail_grant_app_role(name)') IS NOT NULL AS granting`,
    [app],
  );
  const state = rows[0] as NonNullable<(typeof rows)[0]>;
  if (state.owner === app) {
    log.warn(
      { role: app },
      'DATABASE_URL and CASETRAIL_MIGRATION_DATABASE_URL name the same role: the application owns its tables and could switch off their append-only triggers',
    );
    return false;
  }
  if (!state.exists) {
    const password = decodeURIComponent(new URL(appUrl).password);
    const { rows: sql } = await pool.query<{ text: string }>(
      `SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS' ||
                     CASE WHEN $2 = '' THEN '' ELSE ' PASSWORD %L' END, $1::text, $2::text) AS text`,
      [app, password],
    );
    try {
      await pool.query((sql[0] as { text: string }).text);
    } catch (error) {
      throw new ConfigError(
        `the role ${app} of DATABASE_URL does not exist and ${state.owner} (CASETRAIL_MIGRATION_DATABASE_URL) may not create it (${(error as Error).message}): create it with CREATE ROLE ${app} LOGIN PASSWORD '...'`,
      );
    }
    log.info({ role: app }, 'created the application database role');
  } else if (state.super === true) {
    throw new ConfigError(
      `the role ${app} of DATABASE_URL is a superuser and could switch off the append-only triggers: connect the application as a role without SUPERUSER`,
    );
  }
  if (state.granting) await pool.query('SELECT casetrail_grant_app_role($1)', [app]);
  return true;
}

/**
 * Whether the application's own connection could switch off the append-only triggers: a
 * superuser, or the owner of a table of the schema. Said once at start (docs/operations.md).
 */
export async function warnIfOwner(pool: pg.Pool, log: Logger): Promise<void> {
  const { rows } = await pool.query<{ role: string; super: boolean; owned: number }>(
    `SELECT current_user AS role,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
            (SELECT count(*)::int FROM pg_class
              WHERE relnamespace = current_schema()::regnamespace AND relowner = current_user::regrole) AS owned`,
  );
  const me = rows[0];
  if (me !== undefined && (me.super || me.owned > 0)) {
    log.warn(
      { role: me.role, superuser: me.super, tablesOwned: me.owned },
      'the application connects as a superuser or the owner of its tables and could switch off their append-only triggers: migrate as the owner (CASETRAIL_MIGRATION_DATABASE_URL) and connect as a role of its own (docs/operations.md)',
    );
  }
}
