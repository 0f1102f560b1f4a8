import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CATEGORIES, OUTCOMES, PLATFORMS, STAGES, isSafeText } from '../../domain/index.ts';
import {
  getCase,
  getCommand,
  listCaseEvents,
  listCases,
  verificationWorklist,
  type CaseQueryDeps,
} from '../../app/case-queries.ts';
import { actorOf } from '../auth.ts';
import { presentCase, presentCommand, presentEvent } from '../presenters/case.presenter.ts';
import { refuse } from '../problems.ts';
import { caseSchema, commandSchema, eventSchema } from '../schemas/case.schemas.ts';
import {
  AUTHENTICATED_PROBLEMS,
  cursorSchema,
  idParamsSchema,
  limitSchema,
  pageSchema,
  problemResponses,
  purposeSchema,
} from '../schemas/common.schemas.ts';

const listQuerySchema = z.strictObject({
  stage: z.enum(STAGES).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  platform: z.enum(PLATFORMS).optional(),
  category: z.enum(CATEGORIES).optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(isSafeText, 'must not contain NUL characters or lone surrogates')
    .optional()
    .describe('searches the reference, the URL and the claim (case-insensitive)'),
  limit: limitSchema.optional().describe('1-200, default 50'),
  cursor: cursorSchema.optional(),
});

const worklistQuerySchema = z.strictObject({
  limit: limitSchema.optional().describe('1-200, default 50'),
  cursor: cursorSchema.optional(),
});

const caseQuerySchema = z.strictObject({
  asOf: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('the case as it stood at this time, rebuilt from its events'),
  purpose: purposeSchema.optional(),
});

const eventsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('1-1000, default 200'),
  cursor: cursorSchema.optional(),
  purpose: purposeSchema.optional(),
});

/** Reads: every answer is filtered by object-level access (an invisible case is not_found). */
export function caseRoutes(app: FastifyInstance, deps: CaseQueryDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/cases', {
    schema: {
      tags: ['cases'],
      summary: 'Cases the caller may see, newest first (keyset pagination)',
      querystring: listQuerySchema,
      response: { 200: pageSchema(caseSchema), ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    handler: async (request) => {
      const result = await listCases(deps, actorOf(request), request.query);
      if (!result.ok) refuse(result);
      return { items: result.items.map(presentCase), nextCursor: result.nextCursor };
    },
  });

  typed.get('/cases/:id', {
    schema: {
      tags: ['cases'],
      summary: 'One case, with the personal fields the caller may see',
      params: idParamsSchema,
      querystring: caseQuerySchema,
      response: { 200: caseSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 404]) },
    },
    handler: async (request) => {
      const { asOf, purpose } = request.query;
      const result = await getCase(deps, actorOf(request), request.params.id, {
        ...(asOf === undefined ? {} : { asOf: new Date(asOf) }),
        ...(purpose === undefined ? {} : { purpose }),
      });
      if (!result.ok) refuse(result);
      return presentCase(result.view);
    },
  });

  typed.get('/cases/:id/events', {
    schema: {
      tags: ['cases'],
      summary: 'The audit trail of a case, in seq order',
      params: idParamsSchema,
      querystring: eventsQuerySchema,
      response: { 200: pageSchema(eventSchema), ...problemResponses([...AUTHENTICATED_PROBLEMS, 404]) },
    },
    handler: async (request) => {
      const result = await listCaseEvents(deps, actorOf(request), request.params.id, request.query);
      if (!result.ok) refuse(result);
      return { items: result.items.map(presentEvent), nextCursor: result.nextCursor };
    },
  });

  typed.get('/worklists/verification', {
    schema: {
      tags: ['cases'],
      summary:
        "Received cases to verify: unclaimed or claimed by the caller, not the caller's own submissions (for a supervisor: every received case, whoever holds it); urgent first, then oldest",
      querystring: worklistQuerySchema,
      response: { 200: pageSchema(caseSchema), ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    handler: async (request) => {
      const result = await verificationWorklist(deps, actorOf(request), request.query);
      if (!result.ok) refuse(result);
      return { items: result.items.map(presentCase), nextCursor: result.nextCursor };
    },
  });

  typed.get('/commands/:id', {
    schema: {
      tags: ['commands'],
      summary: 'Where a command stands: pending, applied, or rejected with its problem',
      params: idParamsSchema,
      response: { 200: commandSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 404]) },
    },
    handler: async (request) => {
      const result = await getCommand(deps, actorOf(request), request.params.id);
      if (!result.ok) refuse(result);
      return presentCommand(result.command, request.id);
    },
  });
}
