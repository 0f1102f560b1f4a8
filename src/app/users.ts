import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { ROLES, isSafeText, type Actor, type Role } from '../domain/index.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import {
  NameTakenError,
  createTokenLookup,
  findTokenOwner,
  type TokenLookup,
  findUser,
  insertToken,
  insertUserWithToken,
  markTokenRevoked,
  touchToken,
} from '../infra/db/user.repository.ts';

export type UsersDeps = {
  pool: pg.Pool;
  prisma: PrismaClient;
  /** This process's cache of unknown tokens: emptied whenever a token is issued here. */
  unknownTokens?: UnknownTokens;
};

/**
 * Hashes of tokens found unknown (or revoked) lately, so that a client repeating a bad token
 * costs no database query. Short-lived and bounded; a token issued by another process is a
 * new random value, never one seen before, so it is not held up by this cache.
 */
export interface UnknownTokens {
  has(tokenHash: string): boolean;
  add(tokenHash: string): void;
  clear(): void;
}

export function createUnknownTokens(options: { ttlMs: number; capacity: number }): UnknownTokens {
  // Insertion order is expiry order: the oldest entries are dropped first.
  const expiries = new Map<string, number>();
  return {
    has(tokenHash) {
      const expiry = expiries.get(tokenHash);
      if (expiry === undefined) return false;
      if (expiry > Date.now()) return true;
      expiries.delete(tokenHash);
      return false;
    },
    add(tokenHash) {
      expiries.delete(tokenHash);
      expiries.set(tokenHash, Date.now() + options.ttlMs);
      while (expiries.size > options.capacity) {
        const oldest = expiries.keys().next().value;
        if (oldest === undefined) break;
        expiries.delete(oldest);
      }
    },
    clear: () => expiries.clear(),
  };
}

const TOKEN_PREFIX = 'ct_';
/** `ct_` and 32 random bytes in base64url: the only form a token can have. */
const TOKEN_PATTERN = /^ct_[A-Za-z0-9_-]{43}$/u;
const TOUCH_INTERVAL_MS = 60_000;

/** The input of createUser, shared by the API and the CLI. */
export const newUserSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine(isSafeText, 'must not contain NUL characters or lone surrogates')
    .describe('unique login name'),
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .max(ROLES.length)
    .refine((roles) => new Set(roles).size === roles.length, 'roles must be unique'),
});
export type NewUser = z.output<typeof newUserSchema>;

export const tokenLabelSchema = z.string().trim().min(1).max(100).refine(isSafeText, 'must not contain NUL characters');

/** Shown once: only the token's SHA-256 is stored. */
export type IssuedToken = { id: string; userId: string; label: string | null; token: string; createdAt: string };
export type CreatedUser = {
  id: string;
  name: string;
  roles: Role[];
  token: string;
  tokenId: string;
  createdAt: string;
};
/** The caller of a request: an actor, and the token it came with (revocable on its own). */
export type AuthenticatedActor = Actor & { name: string; tokenId: string };

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(): { token: string; tokenHash: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}

function knownRoles(roles: readonly string[]): Role[] {
  return roles.filter((role): role is Role => (ROLES as readonly string[]).includes(role));
}

export async function createUser(
  deps: UsersDeps,
  input: NewUser,
): Promise<{ ok: true; user: CreatedUser } | { ok: false; code: 'validation_failed'; detail: string; path: string }> {
  const { token, tokenHash } = newToken();
  try {
    const created = await insertUserWithToken(deps.prisma, input, { tokenHash, label: null });
    deps.unknownTokens?.clear();
    return {
      ok: true,
      user: {
        id: created.user.id,
        name: created.user.name,
        roles: knownRoles(created.user.roles),
        token,
        tokenId: created.token.id,
        createdAt: created.user.createdAt,
      },
    };
  } catch (error) {
    if (error instanceof NameTakenError) {
      return { ok: false, code: 'validation_failed', detail: error.message, path: 'name' };
    }
    throw error;
  }
}

export async function issueToken(
  deps: UsersDeps,
  userId: string,
  label?: string,
): Promise<{ ok: true; token: IssuedToken } | { ok: false; code: 'not_found'; detail: string }> {
  const user = await findUser(deps.prisma, userId);
  if (user === null) return { ok: false, code: 'not_found', detail: `no user ${userId}` };
  const { token, tokenHash } = newToken();
  const record = await insertToken(deps.prisma, { userId, tokenHash, label: label ?? null });
  deps.unknownTokens?.clear();
  return { ok: true, token: { ...record, token } };
}

export async function revokeToken(
  deps: UsersDeps,
  tokenId: string,
): Promise<{ ok: true } | { ok: false; code: 'not_found'; detail: string }> {
  return (await markTokenRevoked(deps.prisma, tokenId))
    ? { ok: true }
    : { ok: false, code: 'not_found', detail: `no token ${tokenId}` };
}

/**
 * The actor a bearer token stands for, or null for a malformed, unknown or revoked token.
 * tokenHash: the token's hashToken, when the caller has it already.
 */
async function authenticate(
  deps: Pick<UsersDeps, 'pool' | 'unknownTokens'> & { lookup?: TokenLookup },
  token: string,
  tokenHash?: string,
): Promise<AuthenticatedActor | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const hash = tokenHash ?? hashToken(token);
  if (deps.unknownTokens?.has(hash)) return null;
  const owner = deps.lookup === undefined ? await findTokenOwner(deps.pool, hash) : await deps.lookup(hash);
  if (owner === null || owner.revoked) {
    // A revoked token never comes back either.
    deps.unknownTokens?.add(hash);
    return null;
  }
  if (owner.lastUsedAt === null || Date.now() - owner.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await touchToken(deps.pool, owner.tokenId);
  }
  return { id: owner.userId, roles: knownRoles(owner.roles), name: owner.name, tokenId: owner.tokenId };
}

/**
 * authenticate as the API runs it: lookups of the requests of one moment share a query, and
 * tokens found unknown lately are refused from the cache without one.
 */
export function createAuthenticator(deps: {
  pool: pg.Pool;
  unknownTokens: UnknownTokens;
}): (token: string, tokenHash: string) => Promise<AuthenticatedActor | null> {
  const lookup = createTokenLookup(deps.pool);
  return (token, tokenHash) => authenticate({ ...deps, lookup }, token, tokenHash);
}
