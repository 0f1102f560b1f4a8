import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authenticate, createUser, hashToken } from '../../src/app/users.ts';
import { openDatabase, type Database } from '../../src/infra/db/database.ts';
import { createTokenCache, type TokenCache } from '../../src/infra/db/token-cache.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let db: TestDatabase;
let database: Database;
let cache: TokenCache | undefined;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  db = await createTestDatabase();
  database = openDatabase(db.url, { poolSize: 4, log });
});
afterEach(async () => {
  await cache?.close();
  cache = undefined;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
});

async function newUser(roles: ('clerk' | 'verifier')[] = ['clerk']) {
  const created = await createUser(database, { name: `cache-${Math.random().toString(36).slice(2)}`, roles });
  if (!created.ok) throw new Error(created.detail);
  return { ...created.user, hash: hashToken(created.user.token) };
}

/** A cache that is listening, and a count of the lookup queries it sends from here on. */
async function listeningCache(): Promise<{ cache: TokenCache; lookups: () => number; touches: () => number }> {
  const started = createTokenCache({ pool: database.pool, url: db.url, log });
  cache = started;
  await vi.waitFor(() => expect(started.listening).toBe(true), { timeout: 5_000, interval: 10 });
  const query = vi.spyOn(database.pool, 'query');
  const count = (match: (text: string) => boolean) => () =>
    query.mock.calls.filter(([config]) => {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text;
      return text !== undefined && match(text);
    }).length;
  return { cache: started, lookups: count((text) => text.includes('FROM api_tokens t JOIN users')), touches: count((text) => text.includes('SET last_used_at')) };
}

const listenerBackends = async () =>
  (
    await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'casetrail-tokens' AND datname = current_database()",
    )
  ).rows[0]?.n;

describe('the token cache', () => {
  it("looks a token up once: later requests with it are answered from memory, and its use is recorded once", async () => {
    const user = await newUser();
    const { cache: tokens, lookups, touches } = await listeningCache();
    const first = await authenticate({ pool: database.pool, lookup: tokens.lookup }, user.token);
    const again = await Promise.all(Array.from({ length: 5 }, () => authenticate({ pool: database.pool, lookup: tokens.lookup }, user.token)));
    expect(first).toMatchObject({ id: user.id, roles: ['clerk'], tokenId: user.tokenId });
    expect(again.every((actor) => actor?.id === user.id)).toBe(true);
    expect(lookups()).toBe(1);
    expect(touches()).toBe(1);
  });

  it.each([
    ['a revocation', (user: { tokenId: string }) => db.pool.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [user.tokenId])],
    ['deleting the token', (user: { tokenId: string }) => db.pool.query('DELETE FROM api_tokens WHERE id = $1', [user.tokenId])],
    ['deleting the user', (user: { id: string }) => db.pool.query('DELETE FROM users WHERE id = $1', [user.id])],
  ])('hears %s made by another process and stops answering from memory for that token', async (_name, change) => {
    const user = await newUser();
    const { cache: tokens, lookups } = await listeningCache();
    expect(await tokens.lookup(user.hash)).toMatchObject({ tokenId: user.tokenId, revoked: false });
    expect(await tokens.lookup(user.hash)).toMatchObject({ revoked: false });
    expect(lookups()).toBe(1);
    await change(user);
    // The notice comes at commit, over the LISTEN connection: a bound, not a sleep.
    await vi.waitFor(async () => expect(await authenticate({ pool: database.pool, lookup: tokens.lookup }, user.token)).toBeNull(), {
      timeout: 2_000,
      interval: 10,
    });
  });

  it("hears a change of a user's roles", async () => {
    const user = await newUser(['clerk']);
    const { cache: tokens } = await listeningCache();
    expect(await tokens.lookup(user.hash)).toMatchObject({ roles: ['clerk'] });
    await db.pool.query(`UPDATE users SET roles = '{verifier}' WHERE id = $1`, [user.id]);
    await vi.waitFor(async () => expect(await tokens.lookup(user.hash)).toMatchObject({ roles: ['verifier'] }), { timeout: 2_000, interval: 10 });
  });

  it('does not hear a token being used (last_used_at): the cache stays', async () => {
    const user = await newUser();
    const { cache: tokens, lookups } = await listeningCache();
    await tokens.lookup(user.hash);
    await db.pool.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [user.tokenId]);
    // A notice for an unrelated channel sent after the update arrives after any notice of it.
    const other = await listeningCacheProbe();
    await tokens.lookup(user.hash);
    expect(other).toBe(true);
    expect(lookups()).toBe(1);
  });

  it('remembers nothing while its LISTEN connection is down, and again once it is back', async () => {
    const user = await newUser();
    const { cache: tokens, lookups } = await listeningCache();
    await tokens.lookup(user.hash);
    expect(await listenerBackends()).toBe(1);
    await db.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'casetrail-tokens' AND datname = current_database()");
    await vi.waitFor(() => expect(tokens.listening).toBe(false), { timeout: 5_000, interval: 5 });
    // While it is down a revocation sends a notice nobody hears; the lookup must see it anyway
    // (and should the connection be back already, coming back emptied the cache).
    await db.pool.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [user.tokenId]);
    expect(await tokens.lookup(user.hash)).toMatchObject({ revoked: true });
    await vi.waitFor(() => expect(tokens.listening).toBe(true), { timeout: 5_000, interval: 10 });
    const other = await newUser();
    const before = lookups();
    await tokens.lookup(other.hash);
    await tokens.lookup(other.hash);
    expect(lookups() - before).toBe(1);
  });

  it('forgets at once when told to (a revocation this process made), before any notice', async () => {
    const user = await newUser();
    const { cache: tokens, lookups } = await listeningCache();
    await tokens.lookup(user.hash);
    tokens.forget();
    await tokens.lookup(user.hash);
    expect(lookups()).toBe(2);
  });

  it('closes its LISTEN connection', async () => {
    const { cache: tokens } = await listeningCache();
    expect(await listenerBackends()).toBe(1);
    await tokens.close();
    cache = undefined;
    await vi.waitFor(async () => expect(await listenerBackends()).toBe(0), { timeout: 5_000, interval: 10 });
  });
});

/**
 * Sends a notice on a channel of its own after whatever this test sent before, and waits
 * for it on a LISTEN connection: notices are delivered in commit order, so anything the
 * token triggers sent before has reached listeners too.
 */
async function listeningCacheProbe(): Promise<boolean> {
  const client = await db.pool.connect();
  try {
    const heard = new Promise<boolean>((resolve) => client.once('notification', () => resolve(true)));
    await client.query('LISTEN token_cache_probe');
    await db.pool.query("SELECT pg_notify('token_cache_probe', '')");
    return await Promise.race([heard, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref())]);
  } finally {
    await client.query('UNLISTEN token_cache_probe');
    client.release();
  }
}
