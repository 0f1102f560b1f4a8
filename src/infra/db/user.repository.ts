import type pg from 'pg';
import { perTurnBatcher } from '../batch.ts';
import type { Role, UserEvent } from '../../domain/index.ts';

export type UserRecord = {
  id: string;
  name: string;
  roles: string[];
  createdAt: string;
  disabledAt: string | null;
};
export type TokenRecord = {
  id: string;
  userId: string;
  label: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** What a bearer token resolves to: its user and whether it is still valid. */
export type TokenOwner = {
  tokenId: string;
  userId: string;
  name: string;
  roles: string[];
  revoked: boolean;
  disabled: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
};

export class NameTakenError extends Error {
  override readonly name = 'NameTakenError';
}

type Db = pg.ClientBase | pg.Pool;

const USER_COLUMNS = 'id, name, roles, created_at, disabled_at';
const TOKEN_COLUMNS = 'id, user_id, label, created_at, expires_at, last_used_at, revoked_at';

type UserRow = { id: string; name: string; roles: string[]; created_at: Date; disabled_at: Date | null };
type TokenRow = {
  id: string;
  user_id: string;
  label: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles,
    createdAt: row.created_at.toISOString(),
    disabledAt: iso(row.disabled_at),
  };
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === '23505';

/** Inserts a user; a name (or a name's key) taken already is a NameTakenError. */
export async function insertUser(
  client: pg.ClientBase,
  user: { name: string; nameKey: string; roles: string[] },
): Promise<UserRecord> {
  try {
    await client.query('SAVEPOINT insert_user');
    const { rows } = await client.query<UserRow>(
      `INSERT INTO users (id, name, name_key, roles) VALUES (gen_random_uuid(), $1, $2, $3) RETURNING ${USER_COLUMNS}`,
      [user.name, user.nameKey, user.roles],
    );
    await client.query('RELEASE SAVEPOINT insert_user');
    return toUser(rows[0] as UserRow);
  } catch (error) {
    if (isUniqueViolation(error)) {
      await client.query('ROLLBACK TO SAVEPOINT insert_user');
      throw new NameTakenError(`a user named ${user.name}, or a name that reads the same, exists`);
    }
    throw error;
  }
}

export async function findUser(db: Db, id: string, options: { lock?: boolean } = {}): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE id = $1${options.lock === true ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] === undefined ? null : toUser(rows[0]);
}

export async function listUsers(db: Db): Promise<UserRecord[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name_key, name, id`);
  return rows.map(toUser);
}

/** Writes a user's new name, roles and disabled flag (the caller holds the row locked). */
export async function updateUser(
  client: pg.ClientBase,
  id: string,
  next: { name: string; nameKey: string; roles: string[]; disabled: boolean },
): Promise<UserRecord> {
  try {
    await client.query('SAVEPOINT update_user');
    const { rows } = await client.query<UserRow>(
      `UPDATE users SET name = $2, name_key = $3, roles = $4,
              disabled_at = CASE WHEN $5 THEN COALESCE(disabled_at, statement_timestamp()) ELSE NULL END
        WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, next.name, next.nameKey, next.roles, next.disabled],
    );
    await client.query('RELEASE SAVEPOINT update_user');
    return toUser(rows[0] as UserRow);
  } catch (error) {
    if (isUniqueViolation(error)) {
      await client.query('ROLLBACK TO SAVEPOINT update_user');
      throw new NameTakenError(`a user named ${next.name}, or a name that reads the same, exists`);
    }
    throw error;
  }
}

export async function insertToken(
  client: pg.ClientBase,
  token: { userId: string; tokenHash: string; label: string | null; expiresAt: Date | null },
): Promise<TokenRecord> {
  const { rows } = await client.query<TokenRow>(
    `INSERT INTO api_tokens (id, user_id, token_hash, label, expires_at) VALUES (gen_random_uuid(), $1, $2, $3, $4)
     RETURNING ${TOKEN_COLUMNS}`,
    [token.userId, token.tokenHash, token.label, token.expiresAt],
  );
  return toToken(rows[0] as TokenRow);
}

export async function findToken(db: Db, id: string, options: { lock?: boolean } = {}): Promise<TokenRecord | null> {
  const { rows } = await db.query<TokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = $1${options.lock === true ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] === undefined ? null : toToken(rows[0]);
}

export async function listTokens(db: Db, userId: string): Promise<TokenRecord[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows.map(toToken);
}

/** Marks a token revoked; a second revocation keeps the first time. */
export async function markTokenRevoked(client: pg.ClientBase, id: string): Promise<void> {
  await client.query('UPDATE api_tokens SET revoked_at = statement_timestamp() WHERE id = $1 AND revoked_at IS NULL', [
    id,
  ]);
}

/** The database clock, which the user trail's events are stamped with. */
export async function databaseNow(client: pg.ClientBase): Promise<Date> {
  const { rows } = await client.query<{ now: Date }>('SELECT statement_timestamp() AS now');
  return (rows[0] as { now: Date }).now;
}

/** Where a user's chain stands; null before its first event. The caller holds the user locked. */
export async function userChainHead(
  client: pg.ClientBase,
  userId: string,
): Promise<{ seq: number; hash: string } | null> {
  const { rows } = await client.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM user_events WHERE user_id = $1 ORDER BY seq DESC LIMIT 1',
    [userId],
  );
  return rows[0] ?? null;
}

export async function insertUserEvents(client: pg.ClientBase, events: readonly UserEvent[]): Promise<void> {
  for (const e of events) {
    await client.query(
      `INSERT INTO user_events (user_id, seq, type, payload, actor_id, actor_roles, occurred_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.caseId, e.seq, e.type, JSON.stringify(e.payload), e.actor.id, e.actor.roles, e.occurredAt, e.prevHash, e.hash],
    );
  }
}

type UserEventRow = {
  user_id: string;
  seq: number;
  type: UserEvent['type'];
  payload: unknown;
  actor_id: string;
  actor_roles: string[] | null;
  occurred_at: string;
  prev_hash: string;
  hash: string;
};

function toUserEvent(row: UserEventRow): UserEvent {
  return {
    caseId: row.user_id,
    seq: row.seq,
    type: row.type,
    payload: row.payload,
    actor: { id: row.actor_id, roles: row.actor_roles ?? [] },
    commandId: null,
    occurredAt: row.occurred_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const USER_EVENT_COLUMNS = 'user_id, seq, type, payload, actor_id, actor_roles, occurred_at, prev_hash, hash';

/** One user's trail in seq order, or every user's, user by user. */
export async function listUserEvents(db: Db, userId?: string): Promise<UserEvent[]> {
  const { rows } =
    userId === undefined
      ? await db.query<UserEventRow>(`SELECT ${USER_EVENT_COLUMNS} FROM user_events ORDER BY user_id, seq`)
      : await db.query<UserEventRow>(`SELECT ${USER_EVENT_COLUMNS} FROM user_events WHERE user_id = $1 ORDER BY seq`, [
          userId,
        ]);
  return rows.map(toUserEvent);
}

// Authentication runs on every request, so it is one indexed query on the raw pool, shared
// by the requests that arrive together (createTokenLookup).
const TOKEN_OWNERS = `SELECT t.token_hash, t.id AS token_id, t.revoked_at, t.expires_at, t.last_used_at,
       u.id AS user_id, u.name, u.roles, u.disabled_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ANY($1::text[])`;

async function findTokenOwners(pool: pg.Pool, tokenHashes: readonly string[]): Promise<(TokenOwner | null)[]> {
  const { rows } = await pool.query<{
    token_hash: string;
    token_id: string;
    revoked_at: Date | null;
    expires_at: Date | null;
    last_used_at: Date | null;
    user_id: string;
    name: string;
    roles: string[];
    disabled_at: Date | null;
  }>({ name: 'token-owners', text: TOKEN_OWNERS, values: [tokenHashes] });
  const found = new Map(rows.map((row) => [row.token_hash, row]));
  return tokenHashes.map((hash) => {
    const row = found.get(hash);
    if (row === undefined) return null;
    return {
      tokenId: row.token_id,
      userId: row.user_id,
      name: row.name,
      roles: row.roles,
      revoked: row.revoked_at !== null,
      disabled: row.disabled_at !== null,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
    };
  });
}

export async function findTokenOwner(pool: pg.Pool, tokenHash: string): Promise<TokenOwner | null> {
  return (await findTokenOwners(pool, [tokenHash]))[0] ?? null;
}

/** Looks token owners up for the requests of one turn of the event loop in one query (no caching: a revocation holds at once). */
export type TokenLookup = (tokenHash: string) => Promise<TokenOwner | null>;

export function createTokenLookup(pool: pg.Pool): TokenLookup {
  const loader = perTurnBatcher((hashes: readonly string[]) => findTokenOwners(pool, hashes), { maxBatch: 200 });
  return (tokenHash) => loader.load(tokenHash);
}

/** Records that tokens were used, all in one statement. */
export async function touchTokens(pool: pg.Pool, tokenIds: readonly string[]): Promise<void> {
  if (tokenIds.length === 0) return;
  await pool.query(
    `UPDATE api_tokens SET last_used_at = statement_timestamp()
      WHERE id = ANY($1::uuid[]) AND (last_used_at IS NULL OR last_used_at < statement_timestamp() - interval '1 minute')`,
    [tokenIds],
  );
}

/** The user a case may be assigned to, as the assign guard reads it; null when there is none. */
export async function findAssignee(
  client: Db,
  id: string,
): Promise<{ id: string; roles: Role[]; disabled: boolean } | null> {
  const { rows } = await client.query<{ id: string; roles: Role[]; disabled_at: Date | null }>(
    'SELECT id, roles, disabled_at FROM users WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row === undefined ? null : { id: row.id, roles: row.roles, disabled: row.disabled_at !== null };
}
