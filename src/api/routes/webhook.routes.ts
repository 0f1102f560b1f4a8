import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EVENT_TYPES } from '../../domain/index.ts';
import {
  disableEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  newEndpointSchema,
  registerEndpoint,
  type WebhookDeps,
} from '../../app/webhooks.ts';
import { actorOf, requireRole } from '../auth.ts';
import { ProblemError, refuse } from '../problems.ts';
import {
  AUTHENTICATED_PROBLEMS,
  cursorSchema,
  idParamsSchema,
  limitSchema,
  pageSchema,
  problemResponses,
} from '../schemas/common.schemas.ts';

const endpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    eventTypes: z.array(z.enum(EVENT_TYPES)),
    description: z.string().nullable(),
    active: z.boolean(),
    createdBy: z.uuid(),
    createdAt: z.iso.datetime(),
    disabledAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'WebhookEndpoint' });

const registeredSchema = endpointSchema
  .extend({ secret: z.string().describe('shown once: the HMAC-SHA256 key of X-Casetrail-Signature') })
  .meta({ id: 'RegisteredWebhookEndpoint' });

const deliverySchema = z
  .object({
    id: z.uuid().describe('the X-Casetrail-Delivery header'),
    eventId: z.string(),
    eventType: z.enum(EVENT_TYPES),
    caseId: z.uuid(),
    status: z
      .enum(['pending', 'delivered', 'failed', 'blocked'])
      .describe("blocked: the receiver's address is not allowed (private, loopback...); not retried"),
    attempts: z.int(),
    lastStatusCode: z.int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    lastAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    attemptLog: z.array(
      z.object({
        attempt: z.int(),
        statusCode: z.int().nullable(),
        error: z.string().nullable(),
        durationMs: z.int(),
        attemptedAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

const ADMIN_ONLY = [requireRole(['admin'], 'managing webhooks')];
const ADMIN_PROBLEMS = [...AUTHENTICATED_PROBLEMS, 403] as const;

/** Webhook endpoints (admin): events are POSTed to them, signed, at least once. */
export function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post('/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary:
        'Register a webhook endpoint (admin); the answer holds its secret, shown once. Receivers on loopback, ' +
        'private, link-local and other internal addresses are refused (400 naming url) unless allowed by ' +
        'CASETRAIL_WEBHOOK_ALLOW_CIDRS',
      body: newEndpointSchema,
      response: { 201: registeredSchema, ...problemResponses([...ADMIN_PROBLEMS, 413, 415]) },
    },
    preValidation: ADMIN_ONLY,
    handler: async (request, reply) => {
      const registered = await registerEndpoint(deps, actorOf(request), request.body);
      if (!registered.ok) refuse(registered);
      const { endpoint } = registered;
      request.log.info({ endpointId: endpoint.id, eventTypes: endpoint.eventTypes }, 'webhook endpoint registered');
      return reply.code(201).header('location', `/v1/webhooks/${endpoint.id}`).send(endpoint);
    },
  });

  typed.get('/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary: 'Webhook endpoints, oldest first (admin)',
      response: { 200: pageSchema(endpointSchema), ...problemResponses(ADMIN_PROBLEMS) },
    },
    preValidation: ADMIN_ONLY,
    // Endpoints are few: one page holds them all.
    handler: async () => ({ items: await listEndpoints(deps), nextCursor: null }),
  });

  typed.get('/webhooks/:id', {
    schema: {
      tags: ['webhooks'],
      summary: 'One webhook endpoint (admin)',
      params: idParamsSchema,
      response: { 200: endpointSchema, ...problemResponses([...ADMIN_PROBLEMS, 404]) },
    },
    preValidation: ADMIN_ONLY,
    handler: async (request) => {
      const result = await getEndpoint(deps, request.params.id);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      return result.endpoint;
    },
  });

  typed.delete('/webhooks/:id', {
    schema: {
      tags: ['webhooks'],
      summary: 'Disable a webhook endpoint (admin): no new deliveries; its history stays',
      params: idParamsSchema,
      response: { 200: endpointSchema, ...problemResponses([...ADMIN_PROBLEMS, 404]) },
    },
    preValidation: ADMIN_ONLY,
    handler: async (request) => {
      const result = await disableEndpoint(deps, request.params.id);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      request.log.info({ endpointId: result.endpoint.id }, 'webhook endpoint disabled');
      return result.endpoint;
    },
  });

  typed.get('/webhooks/:id/deliveries', {
    schema: {
      tags: ['webhooks'],
      summary: "An endpoint's deliveries with every attempt, newest first (admin)",
      params: idParamsSchema,
      querystring: z.strictObject({
        limit: limitSchema.optional().describe('1-200, default 50'),
        cursor: cursorSchema.optional(),
      }),
      response: { 200: pageSchema(deliverySchema), ...problemResponses([...ADMIN_PROBLEMS, 404]) },
    },
    preValidation: ADMIN_ONLY,
    handler: async (request) => {
      const result = await listDeliveries(deps, request.params.id, request.query);
      if (!result.ok) {
        throw new ProblemError(
          result.code,
          result.detail,
          'path' in result ? [{ path: result.path, message: result.detail }] : undefined,
        );
      }
      return { items: result.items, nextCursor: result.nextCursor };
    },
  });
}
