import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES, USER_EVENT_TYPES } from '../../domain/index.ts';
import {
  createUser,
  issueToken,
  listUsers,
  newUserSchema,
  revokeToken,
  tokenLabelSchema,
  tokensOf,
  updateUser,
  userPatchSchema,
  userTrail,
  verifyUserTrail,
  type UsersDeps,
} from '../../app/users.ts';
import { actorOf, requireRole } from '../auth.ts';
import { ProblemError } from '../problems.ts';
import { AUTHENTICATED_PROBLEMS, idParamsSchema, problemResponses } from '../schemas/common.schemas.ts';
import { tokenSchema, userSchema } from '../schemas/user.schemas.ts';
import { emptyBodyAsObject } from './command.routes.ts';

const secret = z.string().describe('shown once; only its SHA-256 is stored');

const createdUserSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    token: secret,
    tokenId: z.uuid(),
    expiresAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'CreatedUser' });

const issuedTokenSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    label: z.string().nullable(),
    token: secret,
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'IssuedToken' });

const newTokenSchema = z.strictObject({
  label: tokenLabelSchema.optional(),
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
    .optional()
    .describe('when the token stops; without it, CASETRAIL_TOKEN_LIFETIME from now'),
});

const userEventSchema = z
  .object({
    userId: z.uuid(),
    seq: z.number().int(),
    type: z.enum(USER_EVENT_TYPES),
    payload: z.unknown(),
    actor: z.object({ id: z.string(), roles: z.array(z.string()) }),
    occurredAt: z.string(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'UserEvent' });

const trailReportSchema = z
  .object({
    ok: z.boolean(),
    users: z.number().int(),
    events: z.number().int(),
    failure: z.object({ userId: z.uuid(), seq: z.number().int(), reason: z.string() }).optional(),
  })
  .meta({ id: 'UserTrailReport' });

const ADMIN_ONLY = [requireRole(['admin'], 'managing users and tokens')];
const ADMIN_PROBLEMS = [...AUTHENTICATED_PROBLEMS, 403, 413, 415] as const;
const CREATE_USER_PROBLEMS = [...ADMIN_PROBLEMS, 409] as const;

const nameTaken = (detail: string, path: string) =>
  new ProblemError('name_taken', detail, [{ path, message: 'is already taken' }]);

/** Users, tokens and their trail: admin only. Tokens are returned once and stored as SHA-256 hashes. */
export function userRoutes(app: FastifyInstance, deps: UsersDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/users', {
    schema: {
      tags: ['users'],
      summary: 'Every user, by name (admin)',
      response: {
        200: z.object({ items: z.array(userSchema), nextCursor: z.null() }),
        ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]),
      },
    },
    preValidation: ADMIN_ONLY,
    handler: async () => ({ items: await listUsers(deps), nextCursor: null }),
  });

  typed.post('/users', {
    schema: {
      tags: ['users'],
      summary: 'Create a user with a first API token (admin)',
      body: newUserSchema,
      response: { 201: createdUserSchema, ...problemResponses(CREATE_USER_PROBLEMS) },
    },
    preValidation: [...ADMIN_ONLY, emptyBodyAsObject],
    handler: async (request, reply) => {
      const result = await createUser(deps, request.body, actorOf(request));
      if (!result.ok) throw nameTaken(result.detail, result.path);
      request.log.info({ userId: result.user.id, roles: result.user.roles }, 'user created');
      return reply.code(201).send(result.user);
    },
  });

  typed.patch('/users/:id', {
    schema: {
      tags: ['users'],
      summary:
        "Rename a user, change their roles, disable or enable them (admin); a disabled user's tokens stop at once",
      params: idParamsSchema,
      body: userPatchSchema,
      response: { 200: userSchema, ...problemResponses([...CREATE_USER_PROBLEMS, 404]) },
    },
    preValidation: [...ADMIN_ONLY, emptyBodyAsObject],
    handler: async (request) => {
      const result = await updateUser(deps, request.params.id, request.body, actorOf(request));
      if (!result.ok) {
        if (result.code === 'name_taken') throw nameTaken(result.detail, result.path);
        throw new ProblemError(result.code, result.detail);
      }
      request.log.info({ userId: result.user.id, changed: Object.keys(request.body) }, 'user changed');
      return result.user;
    },
  });

  typed.get('/users/:id/tokens', {
    schema: {
      tags: ['users'],
      summary: "A user's tokens, never their secrets (admin)",
      params: idParamsSchema,
      response: {
        200: z.object({ items: z.array(tokenSchema), nextCursor: z.null() }),
        ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 404]),
      },
    },
    preValidation: ADMIN_ONLY,
    handler: async (request) => {
      const result = await tokensOf(deps, request.params.id);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      return { items: result.tokens, nextCursor: null };
    },
  });

  typed.post('/users/:id/tokens', {
    schema: {
      tags: ['users'],
      summary: 'Issue another API token for a user (admin)',
      params: idParamsSchema,
      body: newTokenSchema,
      response: { 201: issuedTokenSchema, ...problemResponses([...ADMIN_PROBLEMS, 404]) },
    },
    preValidation: [...ADMIN_ONLY, emptyBodyAsObject],
    handler: async (request, reply) => {
      const result = await issueToken(deps, request.params.id, request.body, actorOf(request));
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
      const result = await revokeToken(deps, request.params.id, actorOf(request));
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      request.log.info({ tokenId: request.params.id }, 'token revoked');
      return reply.code(204).send();
    },
  });

  typed.get('/users/:id/events', {
    schema: {
      tags: ['users'],
      summary:
        "The trail of a user's changes: who created them, changed their roles, disabled them, issued or revoked their tokens (admin)",
      params: idParamsSchema,
      response: {
        200: z.object({ items: z.array(userEventSchema), nextCursor: z.null() }),
        ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]),
      },
    },
    preValidation: ADMIN_ONLY,
    handler: async (request) => {
      const events = await userTrail(deps, request.params.id);
      return {
        items: events.map(({ caseId, commandId: _, actor, ...rest }) => ({
          userId: caseId,
          ...rest,
          actor: { id: actor.id, roles: [...actor.roles] },
        })),
        nextCursor: null,
      };
    },
  });

  typed.get('/users/audit/verify', {
    schema: {
      tags: ['users'],
      summary: "Recompute every user's hash chain (admin)",
      response: { 200: trailReportSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    preValidation: ADMIN_ONLY,
    handler: async () => verifyUserTrail(deps),
  });
}
