import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { listenForever } from '../queue/pg-listener.ts';
import { createTokenLookup, type TokenLookup, type TokenOwner } from './user.repository.ts';

/** What the api_tokens and users triggers notify at commit (migration 20261129100000_token_notify). */
export const TOKEN_CHANNEL = 'casetrail_tokens';

export type TokenCache = {
  lookup: TokenLookup;
  /** True while the LISTEN connection is up: only then are remembered owners used. */
  readonly listening: boolean;
  /** Forgets every owner, now: for a change this process made, before its notice comes back. */
  forget(): void;
  close(): Promise<void>;
};

export type TokenCacheOptions = {
  pool: pg.Pool;
  /** The database the LISTEN connection opens (a connection of its own, not the pool's). */
  url: string;
  log: Logger;
  /** Tokens remembered at most; the oldest is forgotten first. */
  maxEntries?: number;
  /** A remembered owner is looked up again after this long, whatever was heard. */
  maxAgeMs?: number;
};

/**
 * The owners of valid tokens, remembered so that a request with a token seen before needs
 * no lookup query. A revocation still holds at once: every change to api_tokens or users
 * that could end a token's standing notifies TOKEN_CHANNEL at commit, and each notice
 * empties the cache. Owners are remembered only while the LISTEN connection is up (a
 * notice sent while it is down is lost), the cache is emptied whenever it drops or comes
 * back, and a lookup that was under way when a notice came is not remembered.
 */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const load = createTokenLookup(options.pool);
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const owners = new Map<string, { owner: TokenOwner; at: number }>();
  let listening = false;
  // Changes with every notice and every drop: a lookup that started before one is stale.
  let generation = 0;
  const forget = () => {
    owners.clear();
    generation += 1;
  };
  const listener = listenForever({
    url: options.url,
    channel: TOKEN_CHANNEL,
    log: options.log.child({ component: 'token-cache' }),
    applicationName: 'casetrail-tokens',
    onNotify: () => {
      forget();
      listening = true;
    },
    onDown: () => {
      listening = false;
      forget();
    },
  });

  return {
    get listening() {
      return listening;
    },
    async lookup(tokenHash) {
      const known = listening ? owners.get(tokenHash) : undefined;
      if (known !== undefined && performance.now() - known.at < maxAgeMs) return known.owner;
      const seen = generation;
      const owner = await load(tokenHash);
      if (listening && seen === generation && owner !== null && !owner.revoked) {
        owners.delete(tokenHash);
        if (owners.size >= maxEntries) owners.delete(owners.keys().next().value as string);
        owners.set(tokenHash, { owner, at: performance.now() });
      }
      return owner;
    },
    forget,
    async close() {
      listening = false;
      forget();
      await listener.close();
    },
  };
}
