import type pg from 'pg';

/** SQLSTATEs after which the whole transaction can simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** A serialization failure or a deadlock: the work can run again as it is. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export type TransactionOptions = {
  /** BEGIN's isolation level; PostgreSQL's default (read committed) when absent. */
  isolation?: 'repeatable read' | 'serializable';
  readOnly?: boolean;
  /** Settings for this transaction only (SET LOCAL), sent with BEGIN in one round trip. */
  local?: Readonly<Record<string, string | number>>;
  /**
   * Runs fn again after a serialization failure or a deadlock (the default). False for work
   * with effects outside the database, or whose caller retries in its own way: fn runs once.
   */
  retry?: boolean;
};

const SETTING_NAME = /^[a-z_]+$/u;

/** BEGIN with the options' isolation level and access mode, and their SET LOCALs after it. */
function beginStatement(options: TransactionOptions): string {
  let begin = 'BEGIN';
  if (options.isolation !== undefined) begin += ` ISOLATION LEVEL ${options.isolation.toUpperCase()}`;
  if (options.readOnly === true) begin += ' READ ONLY';
  for (const [name, value] of Object.entries(options.local ?? {})) {
    if (!SETTING_NAME.test(name)) throw new Error(`not a setting name: ${name}`);
    const literal = typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
    begin += `; SET LOCAL ${name} = ${literal}`;
  }
  return begin;
}

/** One attempt: rolled back when fn or the commit throws; onRollbackFailed learns of a rollback that failed too. */
async function attempt<C extends pg.ClientBase, T>(
  client: C,
  fn: (client: C) => Promise<T>,
  begin: string,
  onRollbackFailed: (error: Error) => void,
): Promise<T> {
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(onRollbackFailed);
    throw error;
  }
}

const jitter = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));

/**
 * Runs fn in a transaction on a connection of the pool, retrying serialization failures
 * and deadlocks with jitter (unless options.retry is false). Other errors roll back and
 * propagate (a queue job then retries with backoff). A connection that cannot even roll
 * back is not given back to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const begin = beginStatement(options);
  for (let tries = 1; ; tries++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await attempt(client, fn, begin, (error) => {
        broken = error;
      });
    } catch (error) {
      if (options.retry !== false && tries < MAX_ATTEMPTS && isRetryable(error)) {
        await jitter(tries);
        continue;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * inTransaction on a connection the caller holds (and keeps), for work that needs its
 * session: an advisory lock taken on it, a migration's lock.
 */
export async function inTransactionOn<C extends pg.ClientBase, T>(
  client: C,
  fn: (client: C) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const begin = beginStatement(options);
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(client, fn, begin, () => undefined);
    } catch (error) {
      if (options.retry !== false && tries < MAX_ATTEMPTS && isRetryable(error)) {
        await jitter(tries);
        continue;
      }
      throw error;
    }
  }
}
