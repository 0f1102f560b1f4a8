import { perTurnBatcher } from '../batch.ts';
import type pg from 'pg';
import type { Role } from '../../domain/index.ts';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';

export type UserRecord = { id: string; name: string; roles: string[]; createdAt: string };
export type TokenRecord = { id: string; userId: string; label: string | null; createdAt: string };

/** What a bearer token resolves to: its user and whether it is still valid. */
export type TokenOwner = {
  tokenId: string;
  userId: string;
  name: string;
  roles: string[];
  revoked: boolean;
  lastUsedAt: Date | null;
};

export class NameTakenError extends Error {
  override readonly name = 'NameTakenError';
}

/** A user and a first token, in one transaction: a user is never created without a way in. */
export async function insertUserWithToken(
  prisma: PrismaClient,
  user: { name: string; nameKey: string; roles: string[] },
  token: { tokenHash: string; label: string | null },
): Promise<{ user: UserRecord; token: TokenRecord }> {
  try {
    const created = await prisma.user.create({
      data: {
        name: user.name,
        nameKey: user.nameKey,
        roles: user.roles,
        tokens: { create: { tokenHash: token.tokenHash, label: token.label } },
      },
      include: { tokens: true },
    });
    const first = created.tokens[0];
    if (first === undefined) throw new Error('user created without its token');
    return { user: toUser(created), token: toToken(first) };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new NameTakenError(`a user named ${user.name}, or a name that reads the same, exists`);
    }
    throw error;
  }
}

export async function findUser(prisma: PrismaClient, id: string): Promise<UserRecord | null> {
  const user = await prisma.user.findUnique({ where: { id } });
  return user === null ? null : toUser(user);
}

export async function insertToken(
  prisma: PrismaClient,
  token: { userId: string; tokenHash: string; label: string | null },
): Promise<TokenRecord> {
  return toToken(await prisma.apiToken.create({ data: token }));
}

/** Marks a token revoked (once: a second revocation keeps the first time). False when there is no such token. */
export async function markTokenRevoked(prisma: PrismaClient, id: string): Promise<boolean> {
  const { count } = await prisma.apiToken.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count > 0) return true;
  return (await prisma.apiToken.count({ where: { id } })) > 0;
}

// Authentication runs on every request, so it is one indexed query on the raw pool, shared
// by the requests that arrive together (createTokenLookup).
const TOKEN_OWNERS = `SELECT t.token_hash, t.id AS token_id, t.revoked_at, t.last_used_at, u.id AS user_id, u.name, u.roles
  FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ANY($1::text[])`;

async function findTokenOwners(pool: pg.Pool, tokenHashes: readonly string[]): Promise<(TokenOwner | null)[]> {
  const { rows } = await pool.query<{
    token_hash: string;
    token_id: string;
    revoked_at: Date | null;
    last_used_at: Date | null;
    user_id: string;
    name: string;
    roles: string[];
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

/** The user a case may be assigned to, as the assign guard reads it; null when there is none. */
export async function findAssignee(
  client: pg.ClientBase | pg.Pool,
  id: string,
): Promise<{ id: string; roles: Role[]; disabled: boolean } | null> {
  const { rows } = await client.query<{ id: string; roles: Role[] }>('SELECT id, roles FROM users WHERE id = $1', [id]);
  const row = rows[0];
  return row === undefined ? null : { id: row.id, roles: row.roles, disabled: false };
}

/** Records use at most once a minute per token, so authentication stays a read. */
export async function touchToken(pool: pg.Pool, tokenId: string): Promise<void> {
  await pool.query(
    `UPDATE api_tokens SET last_used_at = statement_timestamp()
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < statement_timestamp() - interval '1 minute')`,
    [tokenId],
  );
}

function toUser(user: { id: string; name: string; roles: string[]; createdAt: Date }): UserRecord {
  return { id: user.id, name: user.name, roles: user.roles, createdAt: user.createdAt.toISOString() };
}

function toToken(token: { id: string; userId: string; label: string | null; createdAt: Date }): TokenRecord {
  return { id: token.id, userId: token.userId, label: token.label, createdAt: token.createdAt.toISOString() };
}
