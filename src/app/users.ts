import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import {
  COMMAND_LINE_ACTOR,
  ROLES,
  chainUserEvents,
  identifierField,
  isSafeText,
  userChanges,
  userNameKey,
  verifyChain,
  type Actor,
  type Role,
  type UserEvent,
  type UserEventDraft,
} from '../domain/index.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import {
  NameTakenError,
  createTokenLookup,
  databaseNow,
  findToken,
  findTokenOwner,
  findUser,
  insertToken,
  insertUser,
  insertUserEvents,
  listTokens,
  listUserEvents,
  listUsers as listUserRecords,
  markTokenRevoked,
  touchTokens,
  updateUser as writeUser,
  userChainHead,
  type TokenLookup,
  type TokenRecord,
  type UserRecord,
} from '../infra/db/user.repository.ts';

export type UsersDeps = {
  pool: pg.Pool;
  prisma?: PrismaClient;
  /** This process's cache of unknown tokens: emptied whenever a token is issued here. */
  unknownTokens?: UnknownTokens;
  /** CASETRAIL_TOKEN_LIFETIME: when a new token expires unless told otherwise; absent, never. */
  tokenLifetimeMs?: number;
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
  name: identifierField(100).describe(
    'unique login name: unique after NFKC, case folding and look-alike characters (CLERKA is clerkA)',
  ),
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .max(ROLES.length)
    .refine((roles) => new Set(roles).size === roles.length, 'roles must be unique'),
});
export type NewUser = z.output<typeof newUserSchema>;

export const tokenLabelSchema = z.string().trim().min(1).max(100).refine(isSafeText, 'must not contain NUL characters');

/** Shown once: only the token's SHA-256 is stored. */
export type IssuedToken = {
  id: string;
  userId: string;
  label: string | null;
  token: string;
  createdAt: string;
  expiresAt: string | null;
};
export type CreatedUser = {
  id: string;
  name: string;
  roles: Role[];
  token: string;
  tokenId: string;
  expiresAt: string | null;
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

/** Appends drafts to a user's chain, in the caller's transaction (which holds the user locked). */
async function appendUserEvents(
  client: pg.ClientBase,
  userId: string,
  drafts: readonly UserEventDraft[],
  by: Actor,
  now: Date,
): Promise<void> {
  if (drafts.length === 0) return;
  const head = await userChainHead(client, userId);
  await insertUserEvents(client, chainUserEvents(userId, drafts, { head, actor: by, occurredAt: now }));
}

function expiryOf(deps: Pick<UsersDeps, 'tokenLifetimeMs'>, now: Date, expiresAt: string | undefined): Date | null {
  if (expiresAt !== undefined) return new Date(expiresAt);
  return deps.tokenLifetimeMs === undefined ? null : new Date(now.getTime() + deps.tokenLifetimeMs);
}

/** A new token row and its token.created event, in the caller's transaction. */
async function addToken(
  client: pg.ClientBase,
  deps: UsersDeps,
  user: { id: string; label: string | null; expiresAt?: string },
  by: Actor,
  now: Date,
): Promise<IssuedToken> {
  const { token, tokenHash } = newToken();
  const record = await insertToken(client, {
    userId: user.id,
    tokenHash,
    label: user.label,
    expiresAt: expiryOf(deps, now, user.expiresAt),
  });
  await appendUserEvents(
    client,
    user.id,
    [{ type: 'token.created', payload: { tokenId: record.id, expiresAt: record.expiresAt, label: record.label } }],
    by,
    now,
  );
  return {
    id: record.id,
    userId: record.userId,
    label: record.label,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    token,
  };
}

/** A user and a first token, in one transaction with their events: a user is never created without a way in. */
export async function createUser(
  deps: UsersDeps,
  input: NewUser,
  by: Actor = COMMAND_LINE_ACTOR,
): Promise<{ ok: true; user: CreatedUser } | { ok: false; code: 'name_taken'; detail: string; path: string }> {
  try {
    const user = await inTransaction(deps.pool, async (client) => {
      const now = await databaseNow(client);
      const record = await insertUser(client, { ...input, nameKey: userNameKey(input.name) });
      const roles = knownRoles(record.roles);
      await appendUserEvents(
        client,
        record.id,
        [{ type: 'user.created', payload: { name: record.name, roles } }],
        by,
        now,
      );
      const first = await addToken(client, deps, { id: record.id, label: null }, by, now);
      return {
        id: record.id,
        name: record.name,
        roles,
        token: first.token,
        tokenId: first.id,
        expiresAt: first.expiresAt,
        createdAt: record.createdAt,
      };
    });
    deps.unknownTokens?.clear();
    return { ok: true, user };
  } catch (error) {
    if (error instanceof NameTakenError) {
      return { ok: false, code: 'name_taken', detail: error.message, path: 'name' };
    }
    throw error;
  }
}

type NotFound = { ok: false; code: 'not_found'; detail: string };

export async function issueToken(
  deps: UsersDeps,
  userId: string,
  options: { label?: string; expiresAt?: string } = {},
  by: Actor = COMMAND_LINE_ACTOR,
): Promise<{ ok: true; token: IssuedToken } | NotFound> {
  const issued = await inTransaction(deps.pool, async (client) => {
    const user = await findUser(client, userId, { lock: true });
    if (user === null) return null;
    const now = await databaseNow(client);
    return addToken(
      client,
      deps,
      {
        id: userId,
        label: options.label ?? null,
        ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
      },
      by,
      now,
    );
  });
  if (issued === null) return { ok: false, code: 'not_found', detail: `no user ${userId}` };
  deps.unknownTokens?.clear();
  return { ok: true, token: issued };
}

/** Revokes a token and records it in its user's trail; revoking twice is harmless (one event). */
export async function revokeToken(
  deps: UsersDeps,
  tokenId: string,
  by: Actor = COMMAND_LINE_ACTOR,
): Promise<{ ok: true } | NotFound> {
  const found = await inTransaction(deps.pool, async (client) => {
    const token = await findToken(client, tokenId);
    if (token === null) return false;
    await findUser(client, token.userId, { lock: true });
    const locked = await findToken(client, tokenId, { lock: true });
    if (locked === null || locked.revokedAt !== null) return true;
    await markTokenRevoked(client, tokenId);
    await appendUserEvents(
      client,
      token.userId,
      [{ type: 'token.revoked', payload: { tokenId } }],
      by,
      await databaseNow(client),
    );
    return true;
  });
  return found ? { ok: true } : { ok: false, code: 'not_found', detail: `no token ${tokenId}` };
}

export const userPatchSchema = z
  .strictObject({
    name: newUserSchema.shape.name.optional(),
    roles: newUserSchema.shape.roles.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name, roles or disabled is needed');
export type UserPatch = z.output<typeof userPatchSchema>;

export type UserView = {
  id: string;
  name: string;
  roles: Role[];
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
};

function viewOf(user: UserRecord): UserView {
  return {
    id: user.id,
    name: user.name,
    roles: knownRoles(user.roles),
    disabled: user.disabledAt !== null,
    disabledAt: user.disabledAt,
    createdAt: user.createdAt,
  };
}

/** Renames, changes roles or disables a user: one event per change; a disabled user's tokens stop at once. */
export async function updateUser(
  deps: UsersDeps,
  userId: string,
  patch: UserPatch,
  by: Actor = COMMAND_LINE_ACTOR,
): Promise<{ ok: true; user: UserView } | NotFound | { ok: false; code: 'name_taken'; detail: string; path: string }> {
  try {
    const updated = await inTransaction(deps.pool, async (client) => {
      const before = await findUser(client, userId, { lock: true });
      if (before === null) return null;
      const beforeView = viewOf(before);
      const drafts = userChanges(beforeView, patch);
      if (drafts.length === 0) return before;
      const name = patch.name ?? before.name;
      const after = await writeUser(client, userId, {
        name,
        nameKey: userNameKey(name),
        roles: patch.roles ?? before.roles,
        disabled: patch.disabled ?? beforeView.disabled,
      });
      await appendUserEvents(client, userId, drafts, by, await databaseNow(client));
      return after;
    });
    if (updated === null) return { ok: false, code: 'not_found', detail: `no user ${userId}` };
    // A user enabled again may come back with a token this process refused lately.
    deps.unknownTokens?.clear();
    return { ok: true, user: viewOf(updated) };
  } catch (error) {
    if (error instanceof NameTakenError) return { ok: false, code: 'name_taken', detail: error.message, path: 'name' };
    throw error;
  }
}

export async function listUsers(deps: Pick<UsersDeps, 'pool'>): Promise<UserView[]> {
  return (await listUserRecords(deps.pool)).map(viewOf);
}

export type TokenView = Omit<TokenRecord, 'userId'> & { userId: string };

export async function tokensOf(
  deps: Pick<UsersDeps, 'pool'>,
  userId: string,
): Promise<{ ok: true; tokens: TokenView[] } | NotFound> {
  if ((await findUser(deps.pool, userId)) === null)
    return { ok: false, code: 'not_found', detail: `no user ${userId}` };
  return { ok: true, tokens: await listTokens(deps.pool, userId) };
}

export async function userTrail(deps: Pick<UsersDeps, 'pool'>, userId?: string): Promise<UserEvent[]> {
  return listUserEvents(deps.pool, userId);
}

export type UserTrailReport =
  | { ok: true; users: number; events: number }
  | { ok: false; users: number; events: number; failure: { userId: string; seq: number; reason: string } };

/** Recomputes every user's chain with the case trail's chain verifier. */
export async function verifyUserTrail(deps: Pick<UsersDeps, 'pool'>): Promise<UserTrailReport> {
  const events = await listUserEvents(deps.pool);
  const chains = new Map<string, UserEvent[]>();
  for (const event of events) chains.set(event.caseId, [...(chains.get(event.caseId) ?? []), event]);
  for (const [userId, chain] of chains) {
    const verdict = verifyChain(chain);
    if (!verdict.ok) {
      return {
        ok: false,
        users: chains.size,
        events: events.length,
        failure: { userId, seq: verdict.seq, reason: verdict.reason },
      };
    }
  }
  return { ok: true, users: chains.size, events: events.length };
}

/**
 * The actor a bearer token stands for, or null for a malformed, unknown or revoked token.
 * tokenHash: the token's hashToken, when the caller has it already.
 */
async function authenticate(
  deps: Pick<UsersDeps, 'pool' | 'unknownTokens'> & { lookup?: TokenLookup; usage?: TokenUsage },
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
  // Not cached as unknown: an admin may enable the user again.
  if (owner.disabled || (owner.expiresAt !== null && owner.expiresAt.getTime() <= Date.now())) return null;
  if (owner.lastUsedAt === null || Date.now() - owner.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    if (deps.usage === undefined) await touchTokens(deps.pool, [owner.tokenId]);
    else deps.usage.record(owner.tokenId);
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
  usage: TokenUsage;
}): (token: string, tokenHash: string) => Promise<AuthenticatedActor | null> {
  const lookup = createTokenLookup(deps.pool);
  return (token, tokenHash) => authenticate({ ...deps, lookup }, token, tokenHash);
}

/**
 * lastUsedAt without a write per request: the tokens used are gathered in memory and written
 * in one statement every flushMs (and on close), each at most once a minute.
 */
export interface TokenUsage {
  record(tokenId: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createTokenUsage(
  pool: pg.Pool,
  options: { flushMs: number; onError?: (error: Error) => void },
): TokenUsage {
  let used = new Set<string>();
  const flush = async () => {
    if (used.size === 0) return;
    const ids = [...used];
    used = new Set();
    try {
      await touchTokens(pool, ids);
    } catch (error) {
      options.onError?.(error as Error);
    }
  };
  const timer = setInterval(() => void flush(), options.flushMs);
  timer.unref();
  return {
    record: (tokenId) => {
      used.add(tokenId);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
