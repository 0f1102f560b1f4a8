import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COMMANDS, type CommandType } from '../../domain/index.ts';
import { awaitCommand, type AwaitCommandDeps } from '../../app/await-command.ts';
import { submitCommand, type SubmitCommandDeps } from '../../app/submit-command.ts';
import { unknownTopics } from '../../app/topics.ts';
import { actorOf, requireRole } from '../auth.ts';
import { presentAccepted, presentCase } from '../presenters/case.presenter.ts';
import { ProblemError, rejectionProblem, sendProblem } from '../problems.ts';
import { acceptedSchema, caseSchema } from '../schemas/case.schemas.ts';
import {
  AUTHENTICATED_PROBLEMS,
  commandHeadersSchema,
  idParamsSchema,
  problemResponses,
} from '../schemas/common.schemas.ts';

/** Where each command is posted: the one table the command routes are built from. */
export const COMMAND_PATHS = {
  submit: '/cases',
  claim: '/cases/:id/claim',
  assign: '/cases/:id/assign',
  release: '/cases/:id/release',
  verify: '/cases/:id/verify',
  refer: '/cases/:id/refer',
  'record-penalty': '/cases/:id/penalty',
  'record-no-violation': '/cases/:id/no-violation',
  'file-appeal': '/cases/:id/appeal',
  'decide-appeal': '/cases/:id/appeal-decision',
  close: '/cases/:id/close',
  withdraw: '/cases/:id/withdraw',
  'add-note': '/cases/:id/notes',
  'add-evidence': '/cases/:id/evidence',
  'attach-file': '/cases/:id/files',
  'change-topics': '/cases/:id/topics',
} as const satisfies { [T in CommandType]: string };

/** Commands posted as multipart/form-data, whose routes live elsewhere (file.routes.ts). */
const NOT_JSON: readonly CommandType[] = ['attach-file'];

export type CommandRouteDeps = AwaitCommandDeps & SubmitCommandDeps & { waitTimeoutMs: number };

const waitQuerySchema = z.strictObject({
  wait: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: wait up to 10 s for a worker to apply the command and answer with its outcome'),
});

/** A command with nothing to say (claim) may be posted without a body. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

const DESCRIPTIONS: { [T in CommandType]: string } = {
  submit: 'Submit a report of one item: a new case (clerk)',
  claim: 'Claim a received case for verification (verifier)',
  assign: 'Assign a received case to a verifier: a claim held for them (supervisor)',
  release: 'Release the claim on a received case (the verifier holding it, or a supervisor)',
  verify: 'Record a verdict with evidence (verifier)',
  refer: 'Refer a verified case to the competent authority (supervisor)',
  'record-penalty': "Record the authority's penalty decision (supervisor)",
  'record-no-violation': 'Record that the authority found no violation (supervisor)',
  'file-appeal': 'Record an appeal against the penalty (supervisor)',
  'decide-appeal': 'Record the decision on the appeal (supervisor)',
  close: 'Close a case after the penalty is enforced (supervisor)',
  withdraw: 'Withdraw an open case, with a reason (supervisor)',
  'add-note': 'Add a note to a case (anyone who can see it)',
  'add-evidence': 'Add an evidence item to an open case (verifier, supervisor)',
  'attach-file': 'Upload an evidence file to an open case (multipart/form-data; see the files routes)',
  'change-topics': 'Tag the case with topics and take topics off it (the verifier holding its claim, supervisors)',
};

/**
 * One route per command of the catalog: validate with the command's request schema, store
 * the command and its outbox row, answer 202 (or, with ?wait=true, the outcome).
 */
export function commandRoutes(app: FastifyInstance, deps: CommandRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const type of Object.keys(COMMAND_PATHS) as CommandType[]) {
    if (NOT_JSON.includes(type)) continue;
    const isSubmit = type === 'submit';
    typed.route({
      method: 'POST',
      url: COMMAND_PATHS[type],
      schema: {
        tags: ['commands'],
        summary: DESCRIPTIONS[type],
        operationId: type,
        ...(isSubmit ? {} : { params: idParamsSchema }),
        querystring: waitQuerySchema,
        headers: commandHeadersSchema,
        body: COMMANDS[type].request,
        response: {
          [isSubmit ? 201 : 200]: caseSchema.describe('with ?wait=true: the case after the command'),
          202: acceptedSchema.describe('accepted; Location names the command'),
          ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 404, 409, 413, 415, 422]),
        },
      },
      preValidation: [requireRole(COMMANDS[type].roles, type), emptyBodyAsObject],
      handler: async (request, reply) => {
        const caseId = isSubmit ? undefined : (request.params as { id: string }).id;
        await accept(deps, request, reply, type, caseId);
      },
    });
  }
}

async function accept(
  deps: CommandRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  type: CommandType,
  caseId: string | undefined,
): Promise<FastifyReply> {
  const actor = actorOf(request);
  // The request schema is the payload plus an optional expectedVersion (see parseRequest).
  const { expectedVersion, ...payload } = request.body as { expectedVersion?: number };
  if (type === 'change-topics') {
    const { add, remove } = payload as { add: string[]; remove: string[] };
    const problems = await unknownTopics(deps, { add, remove });
    if (problems.length > 0) throw new ProblemError('validation_failed', 'unknown topic', problems);
  }
  const idempotencyKey = (request.headers as { 'idempotency-key'?: string })['idempotency-key'];
  const result = await submitCommand(deps, {
    actor,
    type,
    ...(caseId === undefined ? {} : { caseId }),
    payload,
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  });
  if (!result.ok) throw new ProblemError(result.code, result.detail, 'errors' in result ? result.errors : undefined);
  request.log.debug(
    { commandId: result.commandId, caseId: result.caseId, replayed: result.replayed },
    'command accepted',
  );
  reply.header('location', `/v1/commands/${result.commandId}`);

  let accepted = result;
  if ((request.query as { wait?: string }).wait === 'true') {
    // A command stored by this request (not an Idempotency-Key replay) cannot have been
    // applied before its wait is registered: its outcome comes by notification alone.
    const outcome = await awaitCommand(deps, actor, result.commandId, deps.waitTimeoutMs, {
      justStored: !result.replayed,
    });
    if (outcome.status === 'rejected') return sendProblem(reply, rejectionProblem(outcome.problem, request.id));
    if (outcome.status === 'applied') {
      if (outcome.view !== null) {
        if (type === 'submit') reply.header('location', `/v1/cases/${result.caseId}`);
        return reply.code(type === 'submit' ? 201 : 200).send(presentCase(outcome.view));
      }
      accepted = { ...result, status: 'applied' };
    }
  }
  return reply.code(202).send(presentAccepted(accepted));
}
