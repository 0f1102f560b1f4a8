import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../domain/index.ts';
import { namesOfUsers, type DirectoryDeps } from '../../app/user-directory.ts';
import { actorOf } from '../auth.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';

const meSchema = z
  .object({ id: z.uuid(), name: z.string(), roles: z.array(z.enum(ROLES)), tokenId: z.uuid() })
  .meta({ id: 'Me' });

const MAX_IDS = 200;

const namesQuerySchema = z.strictObject({
  ids: z
    .string()
    .transform((value) => value.split(',').filter((id) => id !== ''))
    .pipe(z.array(z.uuid()).min(1).max(MAX_IDS))
    .describe(`comma-separated user ids (at most ${MAX_IDS})`),
});

const namesSchema = z
  .object({ items: z.array(z.object({ id: z.uuid(), name: z.string() })) })
  .meta({ id: 'UserNames' });

/** Who the caller is (the console signs in with it), and the names behind actor ids. */
export function meRoutes(app: FastifyInstance, deps: DirectoryDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/me', {
    schema: {
      tags: ['users'],
      summary: 'The user the token belongs to, with their roles, and the id of the token itself',
      response: { 200: meSchema, ...problemResponses(AUTHENTICATED_PROBLEMS) },
    },
    handler: async (request) => {
      const { id, name, roles, tokenId } = actorOf(request);
      return { id, name, roles, tokenId };
    },
  });

  typed.get('/users/names', {
    schema: {
      tags: ['users'],
      summary:
        'Login names of users by id, to show who acted: a clerk or verifier gets only the people on cases ' +
        'they can read, and themselves; supervisors and admins get anyone',
      querystring: namesQuerySchema,
      response: { 200: namesSchema, ...problemResponses(AUTHENTICATED_PROBLEMS) },
    },
    handler: async (request) => {
      return { items: await namesOfUsers(deps, actorOf(request), request.query.ids) };
    },
  });
}
