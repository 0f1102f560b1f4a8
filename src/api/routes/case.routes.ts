import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CATEGORIES,
  LIMITS,
  OUTCOMES,
  PLATFORMS,
  STAGES,
  VERDICTS,
  identifierField,
  isSafeText,
  periodProblems,
} from '../../domain/index.ts';
import {
  getCase,
  getCommand,
  listCaseEvents,
  listCases,
  verificationWorklist,
  type CaseQueryDeps,
  type CaseView,
} from '../../app/case-queries.ts';
import { casesToCsv } from '../http/case-csv.ts';
import { actorOf } from '../auth.ts';
import { presentCase, presentCommand, presentEvent } from '../presenters/case.presenter.ts';
import { ProblemError, refuse } from '../problems.ts';
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

/** The most cases one CSV download holds. */
const CSV_MAX_ROWS = 50_000;

const listQuerySchema = z
  .strictObject({
    stage: z.enum(STAGES).optional(),
    outcome: z.enum(OUTCOMES).optional(),
    platform: z.enum(PLATFORMS).optional(),
    category: z.enum(CATEGORIES).optional(),
    verdict: z.enum(VERDICTS).optional(),
    topic: identifierField(LIMITS.code).optional().describe("a topic's code"),
    authority: identifierField(LIMITS.code).optional().describe('the code of the authority the case was referred to'),
    assignee: z.uuid().optional().describe('a verifier holding the claim or who recorded the verdict'),
    from: z.iso.date().optional().describe('first day of receipt (YYYY-MM-DD in CASETRAIL_TIME_ZONE)'),
    to: z.iso.date().optional().describe('last day of receipt, inclusive; at most 5 years after from'),
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine(isSafeText, 'must not contain NUL characters or lone surrogates')
      .refine((q) => !/[%_]/u.test(q), 'must not contain % or _')
      .optional()
      .describe(
        'words searched without case or diacritics in the reference, decision number, URL, claim, account, content, penalty subject and notes; best matches first',
      ),
    limit: limitSchema.optional().describe('1-200, default 50'),
    cursor: cursorSchema.optional(),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .describe(`csv: every matching case (at most ${CSV_MAX_ROWS}) as a spreadsheet (supervisors)`),
  })
  .superRefine((query, ctx) => {
    for (const problem of periodProblems(query.from, query.to)) {
      ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
    }
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
    handler: async (request, reply) => {
      const { format, ...query } = request.query;
      const actor = actorOf(request);
      if (format === 'csv') {
        if (!actor.roles.includes('supervisor')) {
          throw new ProblemError('forbidden', 'the case list as CSV is for supervisors');
        }
        const views: CaseView[] = [];
        let cursor = query.cursor;
        do {
          const page = await listCases(deps, actor, {
            ...query,
            limit: 200,
            ...(cursor === undefined ? {} : { cursor }),
          });
          if (!page.ok) refuse(page);
          views.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && views.length < CSV_MAX_ROWS);
        reply.header('content-disposition', 'attachment; filename="casetrail-cases.csv"');
        // Text is sent as it is: the JSON schema of 200 does not apply to it.
        return reply.type('text/csv; charset=utf-8').send(casesToCsv(views.slice(0, CSV_MAX_ROWS)) as never);
      }
      const result = await listCases(deps, actor, query);
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
