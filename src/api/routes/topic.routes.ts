import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { topicSchema as topicBodySchema } from '../../domain/index.ts';
import { createTopic, listTopics, type TopicDeps } from '../../app/topics.ts';
import { actorOf, requireRole } from '../auth.ts';
import { ProblemError } from '../problems.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';

const topicSchema = z
  .object({ code: z.string(), name: z.string(), createdBy: z.uuid(), createdAt: z.iso.datetime() })
  .meta({ id: 'Topic' });

/** Topics: supervisors create them, every signed-in user reads them. */
export function topicRoutes(app: FastifyInstance, deps: TopicDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post('/topics', {
    schema: {
      tags: ['topics'],
      summary: 'Create a topic (a campaign or incident cases are tagged with); supervisors',
      body: topicBodySchema,
      response: { 201: topicSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 409]) },
    },
    preValidation: [requireRole(['supervisor'], 'creating a topic')],
    handler: async (request, reply) => {
      const result = await createTopic(deps, actorOf(request), request.body);
      if (!result.ok) {
        const errors = result.code === 'name_taken' ? [{ path: 'code', message: 'is already taken' }] : undefined;
        throw new ProblemError(result.code, result.detail, errors);
      }
      return reply.code(201).send(result.topic);
    },
  });

  typed.get('/topics', {
    schema: {
      tags: ['topics'],
      summary: 'Every topic, by code',
      response: { 200: z.object({ items: z.array(topicSchema) }), ...problemResponses(AUTHENTICATED_PROBLEMS) },
    },
    handler: async () => ({ items: await listTopics(deps) }),
  });
}
