import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../domain/index.ts';
import { createTokenLookup, type DatabasePool } from '../app/database.ts';
import { authenticate, hashToken, type AuthenticatedActor } from '../app/users.ts';
import { ProblemError } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every /v1 route. */
    actor: AuthenticatedActor | null;
  }
}

export type RateLimitOptions = { max: number; windowMs: number };

const BEARER = /^Bearer\s+(\S+)\s*$/iu;

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}

/**
 * Rate limit, then authenticate, on every route of the scope. The limit is per token (keyed
 * by its SHA-256, so the limiter never holds a token), or per address for requests without
 * one; it runs first so that a flood costs no database lookups.
 */
export function registerAuthentication(
  scope: FastifyInstance,
  deps: { pool: DatabasePool; rateLimit: RateLimitOptions },
): void {
  // The token's hash keys the limit and then finds the token's owner: computed once.
  const hashes = new WeakMap<FastifyRequest, string>();
  const limit = scope.createRateLimit({
    max: deps.rateLimit.max,
    timeWindow: deps.rateLimit.windowMs,
    keyGenerator: (request) => {
      const token = bearerToken(request);
      if (token === null) return `ip:${request.ip}`;
      const hash = hashToken(token);
      hashes.set(request, hash);
      return `token:${hash}`;
    },
  });
  scope.decorateRequest('actor', null);
  const lookup = createTokenLookup(deps.pool);
  scope.addHook('onRequest', async (request, reply) => {
    const verdict = await limit(request);
    if (!verdict.isAllowed) {
      reply.header('x-ratelimit-limit', verdict.max);
      reply.header('x-ratelimit-remaining', verdict.remaining);
      if (verdict.isExceeded) {
        const retryAfter = String(Math.max(1, verdict.ttlInSeconds));
        throw new ProblemError('rate_limited', `too many requests; retry after ${retryAfter} s`, undefined, {
          'retry-after': retryAfter,
        });
      }
    }
    const token = bearerToken(request);
    if (token === null) {
      throw new ProblemError('unauthenticated', 'send an API token as Authorization: Bearer <token>');
    }
    const actor = await authenticate({ pool: deps.pool, lookup }, token, hashes.get(request));
    if (actor === null) {
      throw new ProblemError('unauthenticated', 'the token is not valid (unknown, malformed or revoked)', undefined, {
        'www-authenticate': 'Bearer realm="casetrail", error="invalid_token"',
      });
    }
    request.actor = actor;
  });
}

/** The authenticated actor of a /v1 request (the hook guarantees one). */
export function actorOf(request: FastifyRequest): AuthenticatedActor {
  if (request.actor === null) throw new Error('route outside the authenticated scope');
  return request.actor;
}

/** A preValidation hook: the route needs one of these roles, checked before the body is. */
export function requireRole(roles: readonly Role[], action: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!actorOf(request).roles.some((role) => roles.includes(role))) {
      throw new ProblemError('forbidden', `${action} needs one of the roles ${roles.join(', ')}`);
    }
  };
}
