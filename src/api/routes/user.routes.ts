import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../domain/index.ts';
import {
  createUser,
  issueToken,
  newUserSchema,
  revokeToken,
  tokenLabelSchema,
  type UsersDeps,
} from '../../app/users.ts';
import { requireRole } from '../auth.ts';
import { ProblemError } from '../problems.ts';
import { AUTHENTICATED_PROBLEMS, idParamsSchema, problemResponses } from '../schemas/common.schemas.ts';
import { emptyBodyAsObject } from './command.routes.ts';

const createdUserSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    token: z.string().describe('shown once; only its SHA-256 is stored'),
    tokenId: z.uuid(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'CreatedUser' });

const issuedTokenSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    label: z.string().nullable(),
    token: z.string().describe('shown once; only its SHA-256 is stored'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'IssuedToken' });

const ADMIN_ONLY = [requireRole(['admin'], 'managing users and tokens')];
const ADMIN_PROBLEMS = [...AUTHENTICATED_PROBLEMS, 403, 413, 415] as const;
const CREATE_USER_PROBLEMS = [...ADMIN_PROBLEMS, 409] as const;

/** Users and tokens: admin only. Tokens are returned once and stored as SHA-256 hashes. */
export function userRoutes(app: FastifyInstance, deps: UsersDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post('/users', {
    schema: {
      tags: ['users'],
      summary: 'Create a user with a first API token (admin)',
      body: newUserSchema,
      response: { 201: createdUserSchema, ...problemResponses(CREATE_USER_PROBLEMS) },
    },
    preValidation: [...ADMIN_ONLY, emptyBodyAsObject],
    handler: async (request, reply) => {
      const result = await createUser(deps, request.body);
      if (!result.ok) {
        throw new ProblemError(result.code, result.detail, [{ path: result.path, message: 'is already taken' }]);
      }
      request.log.info({ userId: result.user.id, roles: result.user.roles }, 'user created');
      return reply.code(201).send(result.user);
    },
  });

  typed.post('/users/:id/tokens', {
    schema: {
      tags: ['users'],
      summary: 'Issue another API token for a user (admin)',
      params: idParamsSchema,
      body: z.strictObject({ label: tokenLabelSchema.optional() }),
      response: { 201: issuedTokenSchema, ...problemResponses([...ADMIN_PROBLEMS, 404]) },
    },
    preValidation: [...ADMIN_ONLY, emptyBodyAsObject],
    handler: async (request, reply) => {
      const result = await issueToken(deps, request.params.id, request.body.label);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      request.log.info({ userId: result.token.userId, tokenId: result.token.id }, 'token issued');
      return reply.code(201).send(result.token);
    },
  });

  typed.delete('/tokens/:id', {
    schema: {
      tags: ['users'],
      summary: 'Revoke an API token (admin); revoking twice is harmless',
      params: idParamsSchema,
      response: { 204: z.undefined().describe('revoked'), ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 404]) },
    },
    preValidation: ADMIN_ONLY,
    handler: async (request, reply) => {
      const result = await revokeToken(deps, request.params.id);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      request.log.info({ tokenId: request.params.id }, 'token revoked');
      return reply.code(204).send();
    },
  });
}
