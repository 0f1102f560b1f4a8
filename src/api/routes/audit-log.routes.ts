import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { consistency, inclusion, listTreeHeads } from '../../app/audit-log-queries.ts';
import type { DatabasePool } from '../../app/database.ts';
import { publishedKeys } from '../../app/signing-keys.ts';
import { refuse } from '../problems.ts';
import {
  consistencyProofSchema,
  inclusionProofSchema,
  keySetResponseSchema,
  treeHeadSchema,
} from '../schemas/audit.schemas.ts';
import { cursorSchema, limitSchema, pageSchema, problemResponses } from '../schemas/common.schemas.ts';

/** What an unauthenticated route can answer. */
const OPEN_PROBLEMS = [400, 429, 500, 503] as const;

const size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * SPEC §13: the Merkle log for outside witnesses. Hashes, sizes and signatures only, so
 * no token is asked; the API's per-address rate limit applies.
 */
export function auditLogRoutes(app: FastifyInstance, deps: { pool: DatabasePool }): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const limited = { rateLimit: { max: 600, timeWindow: 60_000 } };

  typed.get('/audit/tree-heads', {
    config: limited,
    schema: {
      tags: ['audit'],
      summary: 'Signed tree heads of the Merkle log over every event, newest first (no token)',
      security: [],
      querystring: z.strictObject({
        limit: limitSchema.optional().describe('1-200, default 50'),
        cursor: cursorSchema.optional(),
      }),
      response: { 200: pageSchema(treeHeadSchema), ...problemResponses(OPEN_PROBLEMS) },
    },
    handler: async (request) => {
      const result = await listTreeHeads(deps.pool, request.query);
      if (!result.ok) refuse(result);
      return { items: result.items, nextCursor: result.nextCursor };
    },
  });

  typed.get('/audit/consistency', {
    config: limited,
    schema: {
      tags: ['audit'],
      summary: 'RFC 9162 consistency proof between two sizes of the log (no token)',
      security: [],
      querystring: z.strictObject({ from: size, to: size }),
      response: { 200: consistencyProofSchema, ...problemResponses(OPEN_PROBLEMS) },
    },
    handler: async (request) => {
      const result = await consistency(deps.pool, request.query);
      if (!result.ok) refuse(result);
      const { ok: _ok, ...answer } = result;
      return answer;
    },
  });

  typed.get('/audit/inclusion', {
    config: limited,
    schema: {
      tags: ['audit'],
      summary: 'RFC 9162 inclusion proof of an event in the log of a given size (no token)',
      security: [],
      querystring: z.strictObject({ eventId: z.string().regex(/^[1-9]\d{0,18}$/u), treeSize: size }),
      response: { 200: inclusionProofSchema, ...problemResponses([...OPEN_PROBLEMS, 404]) },
    },
    handler: async (request) => {
      const result = await inclusion(deps.pool, request.query);
      if (!result.ok) refuse(result);
      const { ok: _ok, ...answer } = result;
      return answer;
    },
  });
}

/** SPEC §13: every key that signed the trail, with its validity and introduction (no token). */
export function wellKnownKeysRoute(app: FastifyInstance, deps: { pool: DatabasePool; publicKey: KeyObject }): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/.well-known/casetrail-keys.json', {
    config: { rateLimit: { max: 600, timeWindow: 60_000 } },
    schema: {
      tags: ['audit'],
      summary:
        'Every key that signed the audit trail, its validity and its introduction by the key before it (no token)',
      security: [],
      response: { 200: keySetResponseSchema, ...problemResponses(OPEN_PROBLEMS) },
    },
    handler: async () => ({ keys: await publishedKeys(deps.pool, deps.publicKey) }),
  });
}
