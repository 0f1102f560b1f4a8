import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DatabasePool } from '../app/database.ts';
import type { Role } from '../domain/index.ts';
import {
  createAuthenticator,
  createTokenUsage,
  createUnknownTokens,
  hashToken,
  type AuthenticatedActor,
  type UnknownTokens,
} from '../app/users.ts';
import { ProblemError } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every /v1 route. */
    actor: AuthenticatedActor | null;
  }
}

export type RateLimitOptions = {
  /** Requests per authenticated token in each window. */
  max: number;
  /** Requests per client address in each window, counted before any token is looked at. */
  addressMax: number;
  /** Requests without a valid token per client address in each window; past it, the address waits. */
  authFailures: number;
  windowMs: number;
};

const BEARER = /^Bearer\s+(\S+)\s*$/iu;
const UNKNOWN_TOKEN_TTL_MS = 60_000;
const UNKNOWN_TOKEN_CAPACITY = 10_000;

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}

/** Lets a request in or refuses it (a thrown ProblemError: 429, 401). */
export interface Gate {
  admit(request: FastifyRequest): Promise<AuthenticatedActor>;
  /** Tokens found unknown lately; token issuers empty it. */
  unknownTokens: UnknownTokens;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type Count = { isExceeded: boolean; max: number; remaining: number; ttl: number; ttlInSeconds: number };
const NOTHING_COUNTED: Count = { isExceeded: false, max: 0, remaining: 1, ttl: 0, ttlInSeconds: 0 };

/** Counts the request (or, with increment false, only reads the count). */
async function count(limiter: Limiter, request: FastifyRequest, increment = true): Promise<Count> {
  const verdict = await limiter(request, increment ? undefined : { increment: false });
  return verdict.isAllowed ? NOTHING_COUNTED : verdict;
}

function tooMany(verdict: Count, what: string): ProblemError {
  const retryAfter = String(Math.max(1, verdict.ttlInSeconds));
  return new ProblemError('rate_limited', `too many ${what}; retry after ${retryAfter} s`, undefined, {
    'retry-after': retryAfter,
    'x-ratelimit-limit': String(verdict.max),
    'x-ratelimit-remaining': String(verdict.remaining),
  });
}

/**
 * The way into the API, in the order that keeps a flood cheap: the client's address is
 * counted first (request.ip: the peer, or what a trusted proxy forwarded); an address that
 * has sent too many requests without a valid token waits out the window; a token seen
 * unknown lately is refused from memory; only then is a token looked up, and a known one
 * counted against its own limit (keyed by its SHA-256, so the limiter never holds a token).
 */
export function createGate(
  app: FastifyInstance,
  deps: { pool: DatabasePool; rateLimit: RateLimitOptions; tokenUsageFlushMs: number },
): Gate {
  const { rateLimit } = deps;
  const perAddress = app.createRateLimit({
    max: rateLimit.addressMax,
    timeWindow: rateLimit.windowMs,
    keyGenerator: (request) => `address:${request.ip}`,
  });
  const failures = app.createRateLimit({
    max: rateLimit.authFailures,
    timeWindow: rateLimit.windowMs,
    keyGenerator: (request) => `failed:${request.ip}`,
  });
  const hashes = new WeakMap<FastifyRequest, string>();
  const perToken = app.createRateLimit({
    max: rateLimit.max,
    timeWindow: rateLimit.windowMs,
    keyGenerator: (request) => `token:${hashes.get(request)}`,
  });
  const unknownTokens = createUnknownTokens({ ttlMs: UNKNOWN_TOKEN_TTL_MS, capacity: UNKNOWN_TOKEN_CAPACITY });
  const usage = createTokenUsage(deps.pool, {
    flushMs: deps.tokenUsageFlushMs,
    onError: (error) => app.log.warn({ err: { message: error.message } }, 'token use not recorded'),
  });
  app.addHook('onClose', async () => usage.close());
  const authenticate = createAuthenticator({ pool: deps.pool, unknownTokens, usage });

  const refuse = async (request: FastifyRequest, error: ProblemError): Promise<never> => {
    await count(failures, request);
    throw error;
  };

  return {
    unknownTokens,
    async admit(request) {
      const address = await count(perAddress, request);
      if (address.isExceeded) throw tooMany(address, 'requests from this address');
      const failed = await count(failures, request, false);
      if (failed.remaining === 0 && failed.ttl > 0) {
        throw tooMany(failed, 'requests without a valid token from this address');
      }
      const token = bearerToken(request);
      if (token === null) {
        return refuse(
          request,
          new ProblemError('unauthenticated', 'send an API token as Authorization: Bearer <token>'),
        );
      }
      const hash = hashToken(token);
      const actor = await authenticate(token, hash);
      if (actor === null) {
        return refuse(
          request,
          new ProblemError(
            'unauthenticated',
            'the token is not valid (unknown, malformed, revoked or expired, or its user is disabled)',
            undefined,
            {
              'www-authenticate': 'Bearer realm="casetrail", error="invalid_token"',
            },
          ),
        );
      }
      hashes.set(request, hash);
      const own = await count(perToken, request);
      if (own.isExceeded) throw tooMany(own, 'requests');
      return actor;
    },
  };
}

/** Admits every request of the scope through the gate; routes read the caller with actorOf. */
export function registerAuthentication(scope: FastifyInstance, gate: Gate): void {
  scope.decorateRequest('actor', null);
  scope.addHook('onRequest', async (request) => {
    request.actor = await gate.admit(request);
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
